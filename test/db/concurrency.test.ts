/**
 * Races that only a real server can show (PGlite is a single connection): skipped without
 * TEST_DATABASE_URL, like every PostgreSQL test (and failing in CI, see test/helpers/db.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAddressTaken } from "../../src/db/errors.ts";
import { MIGRATIONS_FOLDER, migrateDatabase } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/client.ts";
import { addressReservations, mailboxes, requests, staff, units } from "../../src/db/schema.ts";
import { openTestDatabase, testDatabases } from "../helpers/db.ts";

const onPostgres = testDatabases().includes("postgres");

describe.runIf(onPostgres)("concurrency [postgres]", () => {
  it("two instances migrating one empty database at once both succeed, applying each migration once", async () => {
    const database = await openTestDatabase("postgres", { migrate: false });
    if (database.driver !== "postgres") throw new Error("expected postgres");
    const other = await openDatabase({ url: database.url });
    try {
      await Promise.all([migrateDatabase(database), migrateDatabase(other)]);
      const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
        entries: unknown[];
      };
      const [row] = await database.execute<{ n: number }>(
        `select count(*)::int as n from drizzle.__drizzle_migrations`,
      );
      expect(row?.n).toBe(journal.entries.length);
    } finally {
      await other.close();
      await database.close();
    }
  });

  it("of two concurrent claims on one address (mailbox vs reservation), exactly one commits", async () => {
    const database = await openTestDatabase("postgres");
    try {
      const { db } = database;
      const [unit] = await db
        .insert(units)
        .values({ profileId: "mic", kind: "agency", name: "Cục Bưu điện Trung ương", abbr: "cbdtw" })
        .returning();
      const [person] = await db
        .insert(staff)
        .values({ fullName: "Đỗ Thị Hà", unitId: unit!.id, employmentType: "contract", contractMonths: 12 })
        .returning();
      const [request] = await db
        .insert(requests)
        .values({ profileId: "mic", kind: "capmoi", requesterStaffId: person!.id, unitId: unit!.id })
        .returning();

      let firstInserted!: () => void;
      const inserted = new Promise<void>((resolve) => (firstInserted = resolve));
      let letFirstCommit!: () => void;
      const commitGate = new Promise<void>((resolve) => (letFirstCommit = resolve));

      const first = db.transaction(async (tx) => {
        await tx.insert(mailboxes).values({
          address: "doha@mic.gov.vn",
          localPart: "doha",
          profileId: "mic",
          kind: "personal",
          ownerStaffId: person!.id,
          unitId: unit!.id,
        });
        firstInserted();
        await commitGate;
      });
      await inserted;
      // This one blocks on the uncommitted index entry of the first transaction…
      const second = db.transaction(async (tx) => {
        await tx.insert(addressReservations).values({ address: "DoHa@mic.gov.vn", requestId: request!.id });
      });
      const secondOutcome = second.then(
        () => "committed",
        (error: unknown) => (isAddressTaken(error) ? "address taken" : error),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      // …and fails cleanly once the first commits.
      letFirstCommit();
      await first;
      expect(await secondOutcome).toBe("address taken");
      expect(await db.select().from(addressReservations)).toHaveLength(0);
    } finally {
      await database.close();
    }
  });
});
