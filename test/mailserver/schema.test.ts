/**
 * The mailserver migration: what Dovecot and Postfix see through the views, what the
 * least-privilege role may touch, and the outbox rows a status change leaves behind.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { executeRows, type Database } from "../../src/db/client.ts";
import { describeEachDb } from "../helpers/db.ts";

async function addMailbox(
  database: Database,
  address: string,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const [unit] = await executeRows<{ id: number }>(
    database.db,
    sql`insert into units (profile_id, kind, name, abbr) values ('mic', 'agency', ${address}, ${address}) returning id`,
  );
  const local = address.split("@")[0] as string;
  const [row] = await executeRows<{ id: number }>(
    database.db,
    sql`insert into mailboxes (address, local_part, profile_id, kind, unit_id, password_hash, quota_mb,
        status, lock_reason, must_change_password, temp_password_expires_at)
      values (${address}, ${local}, 'mic', 'personal', ${unit?.id}, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA',
        ${(extra.quota as number | undefined) ?? 1024}, ${(extra.status as string | undefined) ?? "active"},
        ${(extra.lockReason as string | undefined) ?? null}, ${(extra.mustChange as boolean | undefined) ?? false},
        ${(extra.tempExpires as string | undefined) ?? null}::timestamptz)
      returning id`,
  );
  return Number(row?.id);
}

/** Runs `fn` as the mailserver role, inside a transaction that is always rolled back. */
async function asMailserver(database: Database, statement: string): Promise<unknown> {
  let outcome: unknown;
  await database.db
    .transaction(async (tx) => {
      await tx.execute(sql.raw("set local role mailbot_mailserver"));
      try {
        outcome = await executeRows(tx, statement);
      } catch (error) {
        outcome = error;
      }
      throw new Error("rollback");
    })
    .catch((error: unknown) => {
      if ((error as Error).message !== "rollback") throw error;
    });
  return outcome;
}

const denied = (outcome: unknown): boolean =>
  outcome instanceof Error && /permission denied/i.test(`${outcome.message} ${String(outcome.cause)}`);

describeEachDb("mailserver views and role", (getDb) => {
  it("the role reads the views and writes the activity tables, nothing else", async () => {
    const database = getDb();
    await addMailbox(database, "role.check@mic.gov.vn");
    for (const table of ["staff", "audit_log", "password_history", "mailboxes", "mailserver_outbox"]) {
      expect(denied(await asMailserver(database, `select * from ${table} limit 1`)), table).toBe(true);
    }
    expect(denied(await asMailserver(database, `update mailboxes set status = 'active'`))).toBe(true);
    expect(
      denied(
        await asMailserver(database, `insert into audit_log (actor, action, entity) values ('x','y','z')`),
      ),
    ).toBe(true);
    const passdb = await asMailserver(
      database,
      `select username, password from mailserver_passdb where username = 'role.check@mic.gov.vn'`,
    );
    expect(passdb).toEqual([
      {
        username: "role.check@mic.gov.vn",
        password: "{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
      },
    ]);
    const upsert = await asMailserver(
      database,
      `insert into mailserver_logins (username, service, last_at) values ('role.check@mic.gov.vn', 'imap', 1)
       on conflict (username, service) do update set last_at = excluded.last_at returning last_at`,
    );
    expect(upsert).toEqual([{ last_at: expect.anything() }]);
  });

  it("passdb refuses locked mailboxes and expired temporary passwords with a reason; userdb keeps them receiving", async () => {
    const database = getDb();
    await addMailbox(database, "locked.idle@mic.gov.vn", { status: "locked", lockReason: "inactivity" });
    await addMailbox(database, "temp.expired@mic.gov.vn", {
      mustChange: true,
      tempExpires: "2020-01-01T00:00:00Z",
    });
    await addMailbox(database, "temp.valid@mic.gov.vn", {
      mustChange: true,
      tempExpires: "2099-01-01T00:00:00Z",
    });
    await addMailbox(database, "gone@mic.gov.vn", { status: "revoked" });
    await addMailbox(database, "leaver@mic.gov.vn", { status: "send_locked", lockReason: "leaver" });
    const passdb = await executeRows<{ username: string; nologin: string | null; reason: string | null }>(
      database.db,
      sql`select username, nologin, reason from mailserver_passdb where username in
        ('locked.idle@mic.gov.vn', 'temp.expired@mic.gov.vn', 'temp.valid@mic.gov.vn', 'gone@mic.gov.vn', 'leaver@mic.gov.vn')
        order by username`,
    );
    expect(passdb.map((r) => [r.username, r.nologin])).toEqual([
      ["leaver@mic.gov.vn", null],
      ["locked.idle@mic.gov.vn", "Y"],
      ["temp.expired@mic.gov.vn", "Y"],
      ["temp.valid@mic.gov.vn", null],
    ]);
    expect(passdb.find((r) => r.username === "locked.idle@mic.gov.vn")?.reason).toMatch(/khoiphuc/);
    expect(passdb.find((r) => r.username === "temp.expired@mic.gov.vn")?.reason).toMatch(
      /Mat khau tam da het han/,
    );
    const userdb = await executeRows<{ username: string; quota_rule: string }>(
      database.db,
      sql`select username, quota_rule from mailserver_userdb where username in ('locked.idle@mic.gov.vn', 'gone@mic.gov.vn', 'leaver@mic.gov.vn') order by username`,
    );
    expect(userdb).toEqual([
      { username: "leaver@mic.gov.vn", quota_rule: "*:storage=1024M" },
      { username: "locked.idle@mic.gov.vn", quota_rule: "*:storage=1024M" },
    ]);
    const senders = await executeRows<{ address: string; action: string }>(
      database.db,
      sql`select address, action from mailserver_sender_access where address = 'leaver@mic.gov.vn'`,
    );
    expect(senders[0]?.action).toMatch(/^REJECT 5\.7\.1 /);
  });

  it("a status change writes its outbox rows in the same transaction, once", async () => {
    const database = getDb();
    const id = await addMailbox(database, "outbox.case@mic.gov.vn");
    await database.db.transaction(async (tx) => {
      await tx.execute(
        sql`update mailboxes set status = 'locked', lock_reason = 'inactivity' where id = ${id}`,
      );
      await tx.execute(sql`update mailboxes set updated_at = now() where id = ${id}`);
    });
    // A rolled-back change leaves nothing behind.
    await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`update mailboxes set status = 'revoked' where id = ${id}`);
        throw new Error("rollback");
      })
      .catch(() => undefined);
    let rows = await executeRows<{ action: string; cause: string }>(
      database.db,
      sql`select action, cause from mailserver_outbox where mailbox_id = ${id} order by id`,
    );
    expect(rows).toEqual([{ action: "kick", cause: "active->locked" }]);
    await database.db.execute(sql`update mailboxes set status = 'revoked' where id = ${id}`);
    rows = await executeRows(
      database.db,
      sql`select action, cause from mailserver_outbox where mailbox_id = ${id} order by id`,
    );
    expect(rows).toEqual([
      { action: "kick", cause: "active->locked" },
      { action: "kick", cause: "locked->revoked" },
      { action: "expunge", cause: "locked->revoked" },
    ]);
  });
});
