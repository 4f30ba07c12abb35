/**
 * Issue 9 items 2 and 8: no secret in any log line (SQL parameters never logged; PHC hashes,
 * temporary passwords and link codes scrubbed wherever they sit), and redaction by name only for
 * names that are secrets (`err.code`, an imported record's `details.code` stay readable).
 */
import { desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "../../src/db/schema.ts";
import { scrubText } from "../../src/logger.ts";
import { generateTemporaryPassword } from "../../src/policy/passwords.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";
import { writeAudit } from "../../src/services/audit.ts";
import { generateLinkCode } from "../../src/services/identity.ts";
import { createServices } from "../../src/services/index.ts";
import { CLI } from "../../src/services/types.ts";
import { captureLogger } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, addStaff, addUnit, uniq } from "../services/fixtures.ts";

describeEachDb("a failed statement during a password change leaves no secret in the log", (getDb) => {
  it("logs the failure without its parameters, the new hash or the new password", async () => {
    const database = getDb();
    const unit = await addUnit(database);
    const owner = await addStaff(database, { unitId: unit.id });
    const mailbox = await addMailbox(database, {
      unitId: unit.id,
      localPart: `doimk${uniq()}`,
      ownerStaffId: owner.id,
    });
    // Force the INSERT into password_history (which carries the new argon2 hash) to fail.
    await database.execute(
      `alter table password_history add constraint forced_failure check (mailbox_id < 0) not valid`,
    );
    const services = createServices(database);
    const newPassword = "Kx7#pLm2qRtv";
    const { logger, lines } = captureLogger();
    let failure: unknown;
    try {
      await services.mailboxes.changePassword({ address: mailbox.address, newPassword }, CLI);
    } catch (error) {
      failure = error;
    } finally {
      await database.execute(`alter table password_history drop constraint forced_failure`);
    }
    // The failure really carries the hash: without scrubbing it would reach the log.
    expect(String((failure as Error).message)).toMatch(/params: .*\$argon2id\$/);
    // The way the bot's error boundary logs an unexpected error.
    logger.error({ err: failure }, "unhandled error in a handler");
    logger.error(`message text: ${(failure as Error).message}`);
    const all = lines.join("\n");
    expect(all).toContain("Failed query");
    expect(all).toContain("password_history");
    expect(all).not.toContain("$argon2");
    expect(all).not.toContain(newPassword);
    expect(all).toContain("params: [not logged]");
    const record = JSON.parse(lines[0] as string) as { err: Record<string, unknown> };
    expect(JSON.stringify(record.err)).not.toMatch(/argon2/);
  });
});

describeEachDb("audit details keep innocuous field names", (getDb) => {
  it("stores an imported record's code, redacts a hash or password field", async () => {
    const database = getDb();
    const phc = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
    await database.db.transaction((tx) =>
      writeAudit(tx, {
        actor: CLI,
        action: "staff.import",
        entity: "staff",
        entityId: 42,
        details: { code: "demo-001", line: 7, passwordHash: phc, note: `moved ${phc}` },
      }),
    );
    const [row] = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "staff.import"))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(row?.details).toEqual({
      code: "demo-001",
      line: 7,
      passwordHash: "[redacted]",
      note: "moved [redacted]",
    });
  });
});

describe("logger scrubbing", () => {
  it("keeps err.code and a record's code, hides secrets wherever they sit", () => {
    const { logger, lines } = captureLogger();
    const temp = generateTemporaryPassword(getProfile("phuyen"), "user");
    const link = generateLinkCode();
    const phc = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
      code: "ECONNREFUSED",
      errno: -111,
    });
    logger.error({ err: refused }, "database unreachable");
    logger.info({ record: { code: "demo-001", line: 3 } }, "imported");
    const nested = new Error(`reset failed for ${temp}`, {
      cause: Object.assign(new Error(`link ${link} and hash ${phc}`), { detail: { deep: [phc, temp] } }),
    });
    logger.warn({ err: nested, context: { note: `code ${link}` } }, `sent ${temp}`);
    logger.info({ params: ["anything", 42] }, "statement");
    logger.info({ codeHash: "abc", apiToken: "t0k", sessionSecret: "s", bypassCount: 2 }, "keys");

    const all = lines.join("\n");
    expect(all).not.toContain(temp);
    expect(all).not.toContain(link);
    expect(all).not.toContain("$argon2id");
    expect(all).not.toContain("anything");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- log records are free-form JSON
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, any>);
    expect(parsed[0]?.err.code).toBe("ECONNREFUSED");
    expect(parsed[0]?.err.message).toBe("connect ECONNREFUSED 127.0.0.1:5432");
    expect(parsed[1]?.record).toEqual({ code: "demo-001", line: 3 });
    expect(parsed[2]?.msg).toBe("sent [redacted]");
    expect(parsed[2]?.err.message).toBe("reset failed for [redacted]");
    expect(parsed[2]?.err.cause.message).toBe("link [redacted] and hash [redacted]");
    expect(parsed[3]?.params).toBe("[not logged]");
    expect(parsed[4]).toMatchObject({
      codeHash: "[redacted]",
      apiToken: "[redacted]",
      sessionSecret: "[redacted]",
      bypassCount: 2,
    });
  });

  it("leaves ordinary text alone", () => {
    for (const text of [
      "connect ECONNREFUSED 127.0.0.1:5432",
      "Failed query: select * from staff where id = $1",
      "Nguyễn Văn An, Sở Thông tin và Truyền thông",
      "at PgliteSession.execute (file:///work/node_modules/drizzle-orm/pglite/session.js:43:19)",
      "2026-12-02T05:45:58.000Z demo-stttt-ttcntt update_id=123456",
    ]) {
      expect(scrubText(text)).toBe(text);
    }
  });
});
