/**
 * The outbox worker with a scripted connector: each action reaches the server once it
 * succeeds, failures are retried later, a crash before the commit re-applies (idempotent
 * actions), two workers never take the same row.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { executeRows, type Database } from "../../src/db/client.ts";
import type { MailServerConnector } from "../../src/mailserver/connector.ts";
import { applyOutbox } from "../../src/mailserver/outbox.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, addUnit, uniq } from "../services/fixtures.ts";

function scripted(failFirst = 0): MailServerConnector & { done: string[] } {
  let failures = failFirst;
  const done: string[] = [];
  let calls = 0;
  const act = async (what: string): Promise<void> => {
    calls++;
    await new Promise((r) => setTimeout(r, 5));
    if (failures > 0) {
      failures--;
      throw new Error("doveadm không trả lời");
    }
    done.push(what);
  };
  return {
    kind: "fake",
    done,
    get calls() {
      return calls;
    },
    kick: (address) => act(`kick ${address}`),
    removeMail: (address) => act(`expunge ${address}`),
    readMessages: () => Promise.resolve([]),
  };
}

async function lockedMailbox(database: Database, status: "locked" | "revoked"): Promise<string> {
  const unit = await addUnit(database);
  const mailbox = await addMailbox(database, { unitId: unit.id, localPart: `ob${uniq()}` });
  await database.db.execute(sql`update mailboxes set status = ${status} where id = ${mailbox.id}`);
  return mailbox.address;
}

describeEachDb(
  "mailserver outbox",
  (getDb) => {
    it("applies each row once, with one audit row; a second run does nothing", async () => {
      const database = getDb();
      const address = await lockedMailbox(database, "revoked");
      const connector = scripted();
      expect(await applyOutbox(database, connector)).toEqual({ applied: 2, failed: 0, gaveUp: 0 });
      expect(connector.done).toEqual([`kick ${address}`, `expunge ${address}`]);
      expect(await applyOutbox(database, connector)).toEqual({ applied: 0, failed: 0, gaveUp: 0 });
      const audit = await executeRows<{ action: string }>(
        database.db,
        sql`select action from audit_log where action like 'mailserver.%' order by id`,
      );
      expect(audit.map((a) => a.action)).toEqual(["mailserver.kick", "mailserver.expunge"]);
    });

    it("a failure is retried after its delay, and gives up after maxAttempts with the error kept", async () => {
      const database = getDb();
      const address = await lockedMailbox(database, "locked");
      // One millisecond ahead: the row's next_attempt_at is the server's now() in microseconds,
      // and a Date taken within the same millisecond would truncate to before it.
      let clock = new Date(Date.now() + 1);
      const now = () => clock;
      const flaky = scripted(1);
      expect(await applyOutbox(database, flaky, { now, baseDelayMs: 60_000 })).toEqual({
        applied: 0,
        failed: 1,
        gaveUp: 0,
      });
      // Not yet due: nothing is tried.
      expect(await applyOutbox(database, flaky, { now, baseDelayMs: 60_000 })).toEqual({
        applied: 0,
        failed: 0,
        gaveUp: 0,
      });
      clock = new Date(clock.getTime() + 61_000);
      expect(await applyOutbox(database, flaky, { now, baseDelayMs: 60_000 })).toEqual({
        applied: 1,
        failed: 0,
        gaveUp: 0,
      });
      expect(flaky.done).toEqual([`kick ${address}`]);

      await lockedMailbox(database, "locked");
      const dead = scripted(100);
      let gaveUp = 0;
      for (let i = 0; i < 3; i++) {
        gaveUp += (await applyOutbox(database, dead, { now, baseDelayMs: 0, maxAttempts: 3 })).gaveUp;
      }
      expect(gaveUp).toBe(1);
      const [row] = await executeRows<{ attempts: number; last_error: string; applied_at: Date | null }>(
        database.db,
        sql`select attempts, last_error, applied_at from mailserver_outbox order by id desc limit 1`,
      );
      expect(row).toMatchObject({ attempts: 3, last_error: "doveadm không trả lời", applied_at: null });
      expect((await applyOutbox(database, dead, { now, baseDelayMs: 0, maxAttempts: 3 })).failed).toBe(0);
    });

    it("a crash after the server call and before the commit re-applies the same idempotent action, never loses it", async () => {
      const database = getDb();
      const address = await lockedMailbox(database, "locked");
      const connector = scripted();
      // The "crash": the kick reached the server, then the process died before the commit.
      await expect(
        database.db.transaction(async (tx) => {
          const report = await applyOutbox({ ...database, db: tx } as unknown as Database, connector);
          expect(report.applied).toBe(1);
          throw new Error("process killed");
        }),
      ).rejects.toThrow("process killed");
      const pending = await executeRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from mailserver_outbox where applied_at is null and address = ${address.toLowerCase()} and attempts = 0`,
      );
      expect(pending[0]?.n).toBe(1);
      expect((await applyOutbox(database, connector)).applied).toBe(1);
      expect(connector.done).toEqual([`kick ${address}`, `kick ${address}`]);
    });
  },
  { resetEach: true },
);

describeEachDb("mailserver outbox, two workers", (getDb, driver) => {
  it.skipIf(driver === "pglite")(
    "two workers at once apply every row exactly once between them",
    async () => {
      const database = getDb();
      const addresses: string[] = [];
      for (let i = 0; i < 12; i++) addresses.push(await lockedMailbox(database, "locked"));
      const connector = scripted();
      const [a, b] = await Promise.all([applyOutbox(database, connector), applyOutbox(database, connector)]);
      expect(a.applied + b.applied).toBe(12);
      expect([...connector.done].sort()).toEqual(addresses.map((x) => `kick ${x}`).sort());
    },
  );
});
