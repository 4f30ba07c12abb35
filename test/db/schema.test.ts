import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { expect, it } from "vitest";
import {
  isAddressTaken,
  isUniqueViolation,
  pgErrorInfo,
  PG_INSUFFICIENT_PRIVILEGE,
} from "../../src/db/errors.ts";
import { MIGRATIONS_FOLDER, migrateDatabase } from "../../src/db/migrate.ts";
import {
  addressClaims,
  addressReservations,
  auditLog,
  mailboxes,
  processedUpdates,
  requests,
  roleGrants,
  staff,
  units,
} from "../../src/db/schema.ts";
import type { Database } from "../../src/db/client.ts";
import { describeEachDb, resetDatabase } from "../helpers/db.ts";

/** Resolves to the thrown error (failing if nothing is thrown). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the statement to fail");
}

let counter = 0;
/** A unit and a staff member to hang mailboxes and requests on; unique per call. */
async function seedPerson(database: Database) {
  const n = ++counter;
  const [unit] = await database.db
    .insert(units)
    .values({
      profileId: "mic",
      kind: "agency",
      name: `Sở Thông tin và Truyền thông ${n}`,
      abbr: `stttt${n}`,
    })
    .returning();
  const [person] = await database.db
    .insert(staff)
    .values({ fullName: "Nguyễn Văn Á", unitId: unit!.id, employmentType: "civil_servant" })
    .returning();
  return { unit: unit!, person: person! };
}

async function insertMailbox(database: Database, address: string) {
  const { unit, person } = await seedPerson(database);
  const [row] = await database.db
    .insert(mailboxes)
    .values({
      address,
      localPart: address.split("@")[0]!,
      profileId: "mic",
      kind: "personal",
      ownerStaffId: person.id,
      unitId: unit.id,
    })
    .returning();
  return row!;
}

async function insertRequestWithReservation(database: Database, address: string) {
  const { unit, person } = await seedPerson(database);
  const [request] = await database.db
    .insert(requests)
    .values({
      profileId: "mic",
      kind: "capmoi",
      requesterStaffId: person.id,
      unitId: unit.id,
      proposedAddress: address,
    })
    .returning();
  await database.db.insert(addressReservations).values({ address, requestId: request!.id });
  return request!;
}

describeEachDb("database schema", (getDb, driver) => {
  it("applies every migration in the journal, and a second run is a no-op", async () => {
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
      entries: unknown[];
    };
    const count = async () =>
      Number(
        (await getDb().execute<{ n: unknown }>(`select count(*) as n from drizzle.__drizzle_migrations`))[0]!
          .n,
      );
    expect(await count()).toBe(journal.entries.length);
    await migrateDatabase(getDb());
    expect(await count()).toBe(journal.entries.length);

    const tables = (
      await getDb().execute<{ tablename: string }>(
        `select tablename from pg_tables where schemaname = 'public'`,
      )
    ).map((t) => t.tablename);
    expect(tables).toEqual(
      expect.arrayContaining([
        "units",
        "staff",
        "role_grants",
        "mailboxes",
        "address_reservations",
        "address_claims",
        "requests",
        "password_history",
        "holiday_overrides",
        "absence_notices",
        "link_codes",
        "link_attempts",
        "audit_log",
        "chat_sessions",
        "processed_updates",
        "mailbox_checks",
        "tracked_messages",
        "reminder_claims",
        "blocked_chats",
      ]),
    );
    expect(getDb().driver).toBe(driver);
  });

  it("execute() returns a plain array of rows on both drivers", async () => {
    const rows = await getDb().execute(sql`select 1 as one, 'á' as text`);
    expect(Array.isArray(rows)).toBe(true);
    expect(rows).toEqual([{ one: 1, text: "á" }]);
  });

  it("audit_log accepts inserts and refuses UPDATE, DELETE and TRUNCATE", async () => {
    const db = getDb().db;
    const [entry] = await db
      .insert(auditLog)
      .values({
        actor: "staff:12",
        action: "mailbox.lock",
        entity: "mailbox",
        entityId: "7",
        details: { why: "test" },
      })
      .returning();
    expect(entry!.id).toBeGreaterThan(0);

    for (const attempt of [
      async () => db.update(auditLog).set({ action: "tampered" }).where(eq(auditLog.id, entry!.id)),
      async () => db.delete(auditLog).where(eq(auditLog.id, entry!.id)),
      () => getDb().execute(`truncate audit_log`),
    ]) {
      const error = await failure(attempt());
      expect(pgErrorInfo(error)?.code).toBe(PG_INSUFFICIENT_PRIVILEGE);
      expect(pgErrorInfo(error)?.message).toMatch(/append-only/);
    }
    const [still] = await db.select().from(auditLog).where(eq(auditLog.id, entry!.id));
    expect(still?.action).toBe("mailbox.lock");
  });

  it("refuses a mailbox address that differs only in case", async () => {
    await insertMailbox(getDb(), "Nva.STTTT@mic.gov.vn");
    const error = await failure(insertMailbox(getDb(), "nva.stttt@mic.gov.vn"));
    expect(isUniqueViolation(error, "mailboxes_address_lower_uq")).toBe(true);
    expect(isAddressTaken(error)).toBe(true);
  });

  it("keeps a mailbox and a reservation from holding the same address, in either order", async () => {
    const db = getDb().db;
    await insertMailbox(getDb(), "tranb@mic.gov.vn");
    const reserveError = await failure(insertRequestWithReservation(getDb(), "TranB@mic.gov.vn"));
    expect(isUniqueViolation(reserveError, "address_claims_address_lower_uq")).toBe(true);

    await insertRequestWithReservation(getDb(), "lec@mic.gov.vn");
    const mailboxError = await failure(insertMailbox(getDb(), "LEC@mic.gov.vn"));
    expect(isAddressTaken(mailboxError)).toBe(true);

    // Two reservations of one address collide too.
    const twice = await failure(insertRequestWithReservation(getDb(), "lec@MIC.gov.vn"));
    expect(isAddressTaken(twice)).toBe(true);

    const claims = await db
      .select()
      .from(addressClaims)
      .where(sql`lower(${addressClaims.address}) = 'lec@mic.gov.vn'`);
    expect(claims).toHaveLength(1);
    expect(claims[0]!.reservationId).not.toBeNull();
  });

  it("releases a reservation when its request closes, so the mailbox can then be created", async () => {
    const db = getDb().db;
    const request = await insertRequestWithReservation(getDb(), "phamd@mic.gov.vn");
    // Still open: the reservation holds.
    await db.update(requests).set({ state: "in_progress" }).where(eq(requests.id, request.id));
    expect(isAddressTaken(await failure(insertMailbox(getDb(), "phamd@mic.gov.vn")))).toBe(true);

    // Inside the transaction only `tx` may be used (the outer db hangs on PGlite).
    const { unit, person } = await seedPerson(getDb());
    await db.transaction(async (tx) => {
      await tx.update(requests).set({ state: "approved" }).where(eq(requests.id, request.id));
      await tx.insert(mailboxes).values({
        address: "phamd@mic.gov.vn",
        localPart: "phamd",
        profileId: "mic",
        kind: "personal",
        ownerStaffId: person.id,
        unitId: unit.id,
      });
    });
    const reservations = await db
      .select()
      .from(addressReservations)
      .where(eq(addressReservations.requestId, request.id));
    expect(reservations).toHaveLength(0);
  });

  it("moves the claim with a renamed mailbox and frees it when the mailbox is deleted", async () => {
    const db = getDb().db;
    const mailbox = await insertMailbox(getDb(), "hoange@mic.gov.vn");
    await db.update(mailboxes).set({ address: "hoange2@mic.gov.vn" }).where(eq(mailboxes.id, mailbox.id));
    await insertRequestWithReservation(getDb(), "hoange@mic.gov.vn"); // the old address is free again
    await db.delete(mailboxes).where(eq(mailboxes.id, mailbox.id));
    await insertRequestWithReservation(getDb(), "hoange2@mic.gov.vn");
  });

  it("processed_updates lets exactly one handler claim an update id", async () => {
    const db = getDb().db;
    const claim = () =>
      db.insert(processedUpdates).values({ updateId: 900_000_001 }).onConflictDoNothing().returning();
    expect(await claim()).toHaveLength(1);
    expect(await claim()).toHaveLength(0);
    const error = await failure(db.insert(processedUpdates).values({ updateId: 900_000_001 }));
    expect(isUniqueViolation(error)).toBe(true);
  });

  it("reads bigint Telegram ids back as numbers", async () => {
    const { person } = await seedPerson(getDb());
    const telegramUserId = 7_123_456_789;
    const [row] = await getDb()
      .db.update(staff)
      .set({ telegramUserId })
      .where(eq(staff.id, person.id))
      .returning({ telegramUserId: staff.telegramUserId });
    expect(row?.telegramUserId).toBe(telegramUserId);
  });

  it("treats a global role grant (unit NULL) as unique, and root unit abbreviations case-insensitively", async () => {
    const db = getDb().db;
    const { person } = await seedPerson(getDb());
    await db.insert(roleGrants).values({ staffId: person.id, role: "admin", unitId: null });
    expect(
      isUniqueViolation(await failure(db.insert(roleGrants).values({ staffId: person.id, role: "admin" }))),
    ).toBe(true);

    await db.insert(units).values({ profileId: "phuyen", kind: "agency", name: "Sở Nội vụ", abbr: "SNV" });
    const error = await failure(
      db
        .insert(units)
        .values({ profileId: "phuyen", kind: "agency", name: "Sở Nội vụ (trùng)", abbr: "snv" }),
    );
    expect(isUniqueViolation(error, "units_profile_abbr_parent_uq")).toBe(true);
  });

  it("rolls a failed transaction back completely", async () => {
    const db = getDb().db;
    const error = await failure(
      db.transaction(async (tx) => {
        await tx.insert(processedUpdates).values({ updateId: 900_000_002 });
        await tx.insert(processedUpdates).values({ updateId: 900_000_002 });
      }),
    );
    expect(isUniqueViolation(error)).toBe(true);
    const rows = await db.select().from(processedUpdates).where(eq(processedUpdates.updateId, 900_000_002));
    expect(rows).toHaveLength(0);
  });

  it("resetDatabase empties every table, audit_log included, and the audit triggers stay on", async () => {
    const database = getDb();
    await database.db.insert(auditLog).values({ actor: "system", action: "test.reset", entity: "test" });
    await resetDatabase(database);
    expect(await database.db.select().from(auditLog)).toHaveLength(0);
    expect(await database.db.select().from(mailboxes)).toHaveLength(0);
    const [entry] = await database.db
      .insert(auditLog)
      .values({ actor: "system", action: "test.after", entity: "test" })
      .returning();
    expect(entry!.id).toBe(1);
    expect(pgErrorInfo(await failure(database.db.delete(auditLog)))?.code).toBe(PG_INSUFFICIENT_PRIVILEGE);
  });
});
