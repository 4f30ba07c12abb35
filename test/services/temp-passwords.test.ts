import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { mailboxes } from "../../src/db/schema.ts";
import type { Database } from "../../src/db/client.ts";
import { runSweep } from "../../src/reminders/sweep.ts";
import { createServices } from "../../src/services/index.ts";
import { expireTemporaryPasswords } from "../../src/services/temp-passwords.ts";
import { CLI, staffActor } from "../../src/services/types.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addStaff, addUnit, auditCount, grant, uniq } from "./fixtures.ts";

/** Monday 2 March 2026, 09:00 in Vietnam. */
const ISSUED = new Date("2026-03-02T02:00:00Z");
const HOUR = 3_600_000;

/** A mailbox issued through /capmoi at ISSUED, with its temporary password. */
async function issuedMailbox(database: Database) {
  const services = createServices(database, {
    clock: () => ISSUED,
    hash: { memoryCost: 1024, timeCost: 1 },
  });
  const unit = await addUnit(database, { name: `Sở Thử ${uniq()}`, abbr: `st${uniq()}` });
  const clerk = await addStaff(database, { unitId: unit.id, fullName: "Phạm Thị Văn Thư" });
  const support = await addStaff(database, { unitId: unit.id, fullName: "Hồ Văn Hỗ Trợ" });
  await grant(database, clerk.id, "clerk", unit.id);
  await grant(database, support.id, "support", null);
  const request = await services.requests.createCapmoi(
    {
      fullName: "Lương Thị Hết Hạn",
      unitId: unit.id,
      employmentType: "civil_servant",
      birthDate: "1991-02-03",
    },
    staffActor(clerk.id),
  );
  const approved = await services.requests.approve(request.id, staffActor(support.id));
  const hashOf = async () =>
    (await database.db.select().from(mailboxes).where(eq(mailboxes.id, approved.mailbox.id)))[0]!
      .passwordHash;
  return { services, ...approved, hashOf };
}

describeEachDb("temporary passwords expire after 72 hours", (getDb) => {
  it("removes the hash once, with an audit row; /doimk afterwards sets a new password", async () => {
    const database = getDb();
    const { services, mailbox, temporaryPassword, hashOf } = await issuedMailbox(database);
    expect(temporaryPassword?.expiresAt.getTime()).toBe(ISSUED.getTime() + 72 * HOUR);

    // Still valid just before the 72 hours are up.
    expect(await expireTemporaryPasswords(database, new Date(ISSUED.getTime() + 71 * HOUR))).toEqual([]);
    expect(await hashOf()).not.toBeNull();

    const audits = await auditCount(database);
    const expired = await expireTemporaryPasswords(database, new Date(ISSUED.getTime() + 73 * HOUR));
    expect(expired).toEqual([{ mailboxId: mailbox.id, address: mailbox.address }]);
    expect(await hashOf()).toBeNull();
    expect(await auditCount(database)).toBe(audits + 1);

    // A second run (another instance, a retry) changes nothing.
    expect(await expireTemporaryPasswords(database, new Date(ISSUED.getTime() + 74 * HOUR))).toEqual([]);
    expect(await auditCount(database)).toBe(audits + 1);

    // The owner can still set a password of their own.
    await services.mailboxes.changePassword({ address: mailbox.address, newPassword: "Bien#Xanh7Lam" }, CLI);
    expect(await hashOf()).toMatch(/^\$argon2id\$/);
  });

  it("the reminder sweep applies it (a dry run does not)", async () => {
    const database = getDb();
    const { hashOf } = await issuedMailbox(database);
    const later = new Date(ISSUED.getTime() + 73 * HOUR);
    const dry = await runSweep({ database }, { now: later, rules: ["passwords"], dryRun: true });
    expect(dry.expiredTemporaryPasswords).toBe(0);
    expect(await hashOf()).not.toBeNull();
    const sent: number[] = [];
    const report = await runSweep(
      { database, send: async (chatId) => void sent.push(chatId) },
      { now: later, rules: ["passwords"] },
    );
    expect(report.expiredTemporaryPasswords).toBeGreaterThanOrEqual(1);
    expect(await hashOf()).toBeNull();
  });
});
