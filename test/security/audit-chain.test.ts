/**
 * Issue 9 item 1: the audit log is tamper-evident (a hash chain computed in the database) and
 * the runtime role mailbot_app cannot rewrite it.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { verifyAuditChain } from "../../src/services/audit-verify.ts";
import { writeAudit, writeAuditBatch } from "../../src/services/audit.ts";
import { CLI } from "../../src/services/types.ts";
import { runCli } from "../../src/cli/router.ts";
import { parseConfig } from "../../src/config.ts";
import { COMMANDS } from "../../src/cli/registry.ts";
import { describeEachDb, openTestDatabase, testDatabases } from "../helpers/db.ts";
import { describe } from "vitest";

async function audit(database: Database, n: number, tag = "test.action"): Promise<void> {
  for (let i = 0; i < n; i++) {
    await database.db.transaction((tx) =>
      writeAudit(tx, {
        actor: CLI,
        action: tag,
        entity: "unit",
        entityId: i,
        details: { i, note: "Sở Nội vụ" },
      }),
    );
  }
}

/** As a superuser, behind the triggers' back (what the owner of a database could do). */
async function asReplica(database: Database, statement: string): Promise<void> {
  await database.db.transaction(async (tx) => {
    await tx.execute(`set local session_replication_role = replica`);
    await tx.execute(statement);
  });
}

async function ids(database: Database): Promise<number[]> {
  const rows = await database.execute<{ id: number }>(`select id::int as id from audit_log order by id`);
  return rows.map((r) => r.id);
}

describeEachDb(
  "audit hash chain",
  (getDb) => {
    it("an untouched log verifies, concurrent writers included", async () => {
      const database = getDb();
      await audit(database, 3);
      await Promise.all(Array.from({ length: 12 }, (_, i) => audit(database, 1, `parallel.${i}`)));
      const result = await verifyAuditChain(database.db);
      expect(result).toMatchObject({ ok: true, count: 15 });
      const rows = await database.execute<{ hash: string | null }>(`select hash from audit_log`);
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash ?? ""))).toBe(true);
    });

    it("batches and rolled-back savepoints inside one transaction keep the chain intact", async () => {
      const database = getDb();
      await database.db.transaction(async (tx) => {
        await writeAuditBatch(
          tx,
          Array.from({ length: 40 }, (_, i) => ({
            actor: CLI,
            action: "batch",
            entity: "staff",
            details: { i },
          })),
        );
        await tx
          .transaction(async (inner) => {
            await writeAudit(inner, { actor: CLI, action: "rolled.back", entity: "staff" });
            throw new Error("roll back the savepoint");
          })
          .catch(() => undefined);
        await writeAudit(tx, { actor: CLI, action: "after.savepoint", entity: "staff" });
      });
      await audit(database, 2);
      expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, count: 43 });
    });

    it("names a row forged with session_replication_role = replica", async () => {
      const database = getDb();
      await audit(database, 3);
      await asReplica(
        database,
        `insert into audit_log (actor, action, entity) values ('staff:1', 'role.grant', 'staff')`,
      );
      await audit(database, 2);
      const forged = (await ids(database))[3];
      const result = await verifyAuditChain(database.db);
      expect(result).toMatchObject({ ok: false, broken: { id: forged, reason: "not_chained" } });
    });

    it("a forged row that copies plausible chain values is still caught", async () => {
      const database = getDb();
      await audit(database, 2);
      const [head] = await database.execute<{ seq: number; hash: string }>(
        `select seq::int as seq, hash from audit_chain_head`,
      );
      await asReplica(
        database,
        `insert into audit_log (actor, action, entity, chain_seq, prev_hash, hash)
         values ('staff:1', 'role.grant', 'staff', ${head!.seq + 1}, '${head!.hash}', '${"ab".repeat(32)}')`,
      );
      const forged = (await ids(database))[2];
      expect(await verifyAuditChain(database.db)).toMatchObject({
        ok: false,
        broken: { id: forged, reason: "content_changed" },
      });
    });

    it("names a row whose content was changed, and the row after a deleted one", async () => {
      const database = getDb();
      await audit(database, 5);
      const [, second, third, , fifth] = await ids(database);
      await asReplica(database, `update audit_log set details = '{"i": 99}' where id = ${fifth}`);
      await asReplica(database, `delete from audit_log where id = ${second}`);
      expect(await verifyAuditChain(database.db)).toMatchObject({
        ok: false,
        count: 1,
        broken: { id: third, reason: "missing_before" },
      });
    });

    it("notices rows cut from the end of the chain", async () => {
      const database = getDb();
      await audit(database, 3);
      const last = (await ids(database)).at(-1);
      await asReplica(database, `delete from audit_log where id = ${last}`);
      expect(await verifyAuditChain(database.db)).toMatchObject({
        ok: false,
        broken: { id: null, reason: "head_mismatch" },
      });
    });
  },
  { resetEach: true },
);

const onPostgres = testDatabases().includes("postgres");

describe.skipIf(!onPostgres)("runtime role mailbot_app [postgres]", () => {
  it("can read and append to audit_log but not disable its triggers, update, delete or truncate it", async () => {
    const database = await openTestDatabase("postgres");
    const login = `mailbot_app_t_${randomBytes(4).toString("hex")}`;
    await database.execute(`create role ${login} login in role mailbot_app`);
    const url = new URL((database as Extract<Database, { driver: "postgres" }>).url);
    url.username = login;
    url.password = "";
    const app = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      await audit(database, 2);
      await app`insert into audit_log (actor, action, entity) values ('cli', 'as.app', 'unit')`;
      await app`insert into units (profile_id, kind, name, abbr) values ('phuyen', 'agency', 'Sở thử quyền', 'stq')`;
      expect((await app`select count(*)::int as n from audit_log`)[0]?.n).toBe(3);

      const refused = async (statement: string) => {
        const error = await app.unsafe(statement).then(
          () => undefined,
          (e: unknown) => e as { code?: string; message: string },
        );
        return error?.code;
      };
      expect(await refused(`alter table audit_log disable trigger audit_log_no_update_delete`)).toBe("42501");
      expect(await refused(`alter table audit_log disable trigger all`)).toBe("42501");
      expect(await refused(`update audit_log set actor = 'x'`)).toBe("42501");
      expect(await refused(`delete from audit_log`)).toBe("42501");
      expect(await refused(`truncate audit_log`)).toBe("42501");
      expect(await refused(`set session_replication_role = replica`)).toBe("42501");
      expect(await refused(`update audit_chain_head set seq = 0`)).toBe("42501");
      expect(await refused(`drop table audit_log`)).toBe("42501");

      expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, count: 3 });
    } finally {
      await app.end({ timeout: 5 });
      await database.close();
      const admin = postgres(process.env.TEST_DATABASE_URL as string, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop role if exists ${login}`);
      await admin.end({ timeout: 5 });
    }
  });

  it("with MIGRATION_DATABASE_URL the owner migrates and the runtime role only uses the tables", async () => {
    const empty = await openTestDatabase("postgres", { migrate: false });
    const login = `mailbot_app_t_${randomBytes(4).toString("hex")}`;
    await empty.execute(`create role ${login} login in role mailbot_app`);
    const ownerUrl = (empty as Extract<Database, { driver: "postgres" }>).url;
    const url = new URL(ownerUrl);
    url.username = login;
    url.password = "";
    const app = await openDatabase({ url: url.toString(), maxConnections: 2 });
    try {
      // The runtime role alone cannot create the schema…
      await expect(migrateDatabase(app)).rejects.toThrow();
      // …the owner does it, and the runtime role can then work.
      await migrateDatabase(app, { migrationUrl: ownerUrl });
      await audit(app, 2);
      expect(await verifyAuditChain(app.db)).toMatchObject({ ok: true, count: 2 });
      const [owner] = await app.execute<{ owner: string }>(
        `select tableowner as owner from pg_tables where tablename = 'audit_log'`,
      );
      expect(owner?.owner).not.toBe(login);
    } finally {
      await app.close();
      await empty.close();
      const admin = postgres(process.env.TEST_DATABASE_URL as string, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop role if exists ${login}`);
      await admin.end({ timeout: 5 });
    }
  });

  it("mailbot audit verify prints ok with the count, or the first broken row with exit 1", async () => {
    const database = await openTestDatabase("postgres");
    const url = (database as Extract<Database, { driver: "postgres" }>).url;
    const run = async () => {
      let stdout = "";
      const code = await runCli(
        ["audit", "verify"],
        COMMANDS,
        { stdout: (t) => (stdout += t), stderr: () => {}, stdin: process.stdin },
        parseConfig({ DATABASE_URL: url, LOG_LEVEL: "warn" }),
      );
      return { code, stdout };
    };
    try {
      await audit(database, 4);
      const good = await run();
      expect(good.code).toBe(0);
      expect(good.stdout).toMatch(/^ok: .* 4 dòng/);
      await asReplica(
        database,
        `insert into audit_log (actor, action, entity) values ('x', 'forged', 'staff')`,
      );
      const forged = (await ids(database)).at(-1);
      const bad = await run();
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain(`dòng id ${forged}`);
    } finally {
      await database.close();
    }
  });
});
