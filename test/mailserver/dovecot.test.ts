/**
 * Against the real daemons: Dovecot 2.3 started with the generated configuration on a fresh
 * PostgreSQL database, Postfix's pgsql maps queried with `postmap -q`. Each bullet of issue 8
 * "What must work" drives mailbot's own services and checks what a mail client sees.
 */
import { sql } from "drizzle-orm";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows, type Database } from "../../src/db/client.ts";
import { DoveadmHttpConnector } from "../../src/mailserver/doveadm.ts";
import { applyOutbox } from "../../src/mailserver/outbox.ts";
import { syncMailserverActivity } from "../../src/mailserver/sync.ts";
import { runSweep } from "../../src/reminders/sweep.ts";
import { applyEnforcement } from "../../src/services/enforcement.ts";
import { createServices, type Services } from "../../src/services/index.ts";
import { hashPassword } from "../../src/services/password-hash.ts";
import { staffActor, type Actor } from "../../src/services/types.ts";
import { openTestDatabase } from "../helpers/db.ts";
import {
  mailserverTestsEnabled,
  postmapQuery,
  startDovecot,
  type RunningDovecot,
} from "../helpers/dovecot.ts";
import { imapLogin, lmtpDeliver, officialMessage, pop3Login } from "../helpers/mail-protocols.ts";
import { addMailbox, addStaff, addUnit, grant, uniq } from "../services/fixtures.ts";

const enabled = mailserverTestsEnabled();
const FAST_HASH = { memoryCost: 1024, timeCost: 1 };

function imap(port: number, user: string, pass: string): ImapFlow {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    auth: { user, pass },
    logger: false,
  });
  client.on("error", () => undefined);
  return client;
}

describe.skipIf(!enabled)("mail server: Dovecot + Postfix maps on mailbot's PostgreSQL", () => {
  let database: Database;
  let dovecot: RunningDovecot;
  let services: Services;
  let clerk: Actor;
  let support: Actor;
  let unitId: number;

  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    dovecot = await startDovecot(database);
    services = createServices(database, { hash: FAST_HASH });
    const unit = await addUnit(database, {
      profileId: "phuyen",
      name: `Sở Thử ${uniq()}`,
      abbr: `st${uniq()}`,
    });
    unitId = unit.id;
    const c = await addStaff(database, { unitId, fullName: "Phạm Thị Văn Thư" });
    const s = await addStaff(database, { unitId, fullName: "Hồ Văn Hỗ Trợ" });
    await grant(database, c.id, "clerk", unitId);
    await grant(database, s.id, "support", null);
    clerk = staffActor(c.id);
    support = staffActor(s.id);
  }, 120_000);

  afterAll(async () => {
    await dovecot?.stop();
    await database?.close();
  }, 60_000);

  /** /capmoi → approve: the address and the temporary password the owner receives. */
  async function issue(
    fullName: string,
  ): Promise<{ address: string; password: string; id: number; owner: number }> {
    const created = await services.requests.createCapmoi(
      { fullName, unitId, employmentType: "civil_servant", birthDate: "1990-05-04" },
      clerk,
    );
    const approved = await services.requests.approve(created.id, support);
    return {
      address: approved.mailbox.address,
      password: approved.temporaryPassword!.password,
      id: approved.mailbox.id,
      owner: approved.mailbox.ownerStaffId!,
    };
  }

  /** Dovecot writes last_login through the dict process, asynchronously: wait for the row. */
  async function loginRecorded(address: string, service: string, after: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const rows = await executeRows(
        database.db,
        sql`select 1 from mailserver_logins where username = ${address} and service = ${service} and last_at >= ${after}`,
      );
      if (rows.length > 0) return;
      if (Date.now() > deadline) throw new Error(`no ${service} login recorded for ${address}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const lmtp = (to: string, subject = `Cong van ${uniq()}`) =>
    lmtpDeliver(
      dovecot.ports.lmtp,
      "vanthu@tuyan.phuyen.gov.vn",
      to,
      officialMessage({
        from: "vanthu@tuyan.phuyen.gov.vn",
        to,
        subject,
        messageId: `<${uniq()}@tuyan.phuyen.gov.vn>`,
      }),
    );

  it("approved /capmoi: IMAP and POP3 log in with the temporary password at once, LMTP accepts mail", async () => {
    const m = await issue(`Nguyễn Văn Mới ${"abc".charAt(0)}`);
    const client = imap(dovecot.ports.imap, m.address, m.password);
    await client.connect();
    const inbox = await client.mailboxOpen("INBOX");
    expect(inbox.exists).toBe(0);
    await client.logout();
    expect(await pop3Login(dovecot.ports.pop3, m.address, m.password)).toMatch(/^\+OK/);
    expect(await lmtp(m.address)).toMatch(/^250 /);
    expect(await imapLogin(dovecot.ports.imap, m.address, "Sai@Matkhau1")).toMatch(
      /^a1 NO .*AUTHENTICATIONFAILED/,
    );
  }, 60_000);

  it("/doimk: the new password logs in, the old one does not", async () => {
    const m = await issue("Trần Thị Đổi");
    const newPassword = "Xanh-Lam!Song7Nui";
    await services.mailboxes.changePassword({ address: m.address, newPassword }, staffActor(m.owner));
    expect(await imapLogin(dovecot.ports.imap, m.address, newPassword)).toMatch(/^a1 OK/);
    expect(await imapLogin(dovecot.ports.imap, m.address, m.password)).toMatch(/^a1 NO/);
    expect(await pop3Login(dovecot.ports.pop3, m.address, m.password)).toMatch(/^-ERR/);
  }, 60_000);

  it("inactivity lock: LOGIN refused with the reason, mail still delivered; /khoiphuc approved: login works again", async () => {
    const m = await issue("Lê Văn Khóa");
    await database.db.transaction((tx) =>
      applyEnforcement(tx, { kind: "lock_inactivity", mailboxId: m.id, article: "Điều 9" }, new Date()),
    );
    const refused = await imapLogin(dovecot.ports.imap, m.address, m.password);
    expect(refused).toMatch(/^a1 NO /);
    expect(refused).toContain("Hop thu bi khoa do lau khong su dung. Gui /khoiphuc qua mailbot de mo lai.");
    expect(await pop3Login(dovecot.ports.pop3, m.address, m.password)).toMatch(/^-ERR .*khoiphuc/);
    expect(await lmtp(m.address)).toMatch(/^250 /);

    const request = await services.requests.createKhoiphuc({ address: m.address }, clerk);
    const restored = await services.requests.approve(request.id, support);
    const fresh = restored.temporaryPassword!.password;
    const client = imap(dovecot.ports.imap, m.address, fresh);
    await client.connect();
    // The mail delivered while locked is there.
    expect((await client.mailboxOpen("INBOX")).exists).toBe(1);
    await client.logout();
  }, 60_000);

  it("leaver send-lock: still reads, Postfix refuses the address as sender (postmap -q on the generated maps)", async () => {
    const m = await issue("Phan Văn Nghỉ");
    const access = `${dovecot.postfixDir}/pgsql-sender-access.cf`;
    const login = `${dovecot.postfixDir}/pgsql-sender-login.cf`;
    expect(postmapQuery(access, m.address)).toBeNull();
    expect(postmapQuery(login, m.address.toUpperCase())).toBe(m.address);
    await database.db.transaction((tx) =>
      applyEnforcement(tx, { kind: "send_lock_leaver", mailboxId: m.id, article: "Điều 7" }, new Date()),
    );
    expect(postmapQuery(access, m.address)).toMatch(/^REJECT 5\.7\.1 .*khoa gui/);
    expect(postmapQuery(login, m.address)).toBeNull();
    expect(postmapQuery(`${dovecot.postfixDir}/pgsql-mailboxes.cf`, m.address)).not.toBeNull();
    expect(await imapLogin(dovecot.ports.imap, m.address, m.password)).toMatch(/^a1 OK/);
    expect(await lmtp(m.address)).toMatch(/^250 /);
  }, 60_000);

  it("revoked: unknown to userdb, delivery refused, login refused, gone from the Postfix maps", async () => {
    const m = await issue("Vũ Thị Thu Hồi");
    await database.db.transaction((tx) =>
      applyEnforcement(tx, { kind: "revoke_leaver", mailboxId: m.id, article: "Điều 7" }, new Date()),
    );
    expect(await lmtp(m.address)).toMatch(/^550 .*User doesn't exist/);
    expect(await imapLogin(dovecot.ports.imap, m.address, m.password)).toMatch(/^a1 NO/);
    expect(postmapQuery(`${dovecot.postfixDir}/pgsql-mailboxes.cf`, m.address)).toBeNull();
    expect(postmapQuery(`${dovecot.postfixDir}/pgsql-sender-access.cf`, m.address)).toMatch(/thu hoi/);
  }, 60_000);

  it("an expired temporary password: LOGIN refused with the reason", async () => {
    const m = await issue("Đinh Văn Hạn");
    await database.db.execute(
      sql`update mailboxes set temp_password_expires_at = now() - interval '1 minute' where id = ${m.id}`,
    );
    const refused = await imapLogin(dovecot.ports.imap, m.address, m.password);
    expect(refused).toMatch(/^a1 NO .*Mat khau tam da het han/);
  }, 60_000);

  it("quota from the profile reaches Dovecot: GETQUOTA shows it, delivery over it is refused", async () => {
    const m = await issue("Mai Thị Hạn Mức");
    const [row] = await executeRows<{ quota_mb: number }>(
      database.db,
      sql`select quota_mb from mailboxes where id = ${m.id}`,
    );
    const client = imap(dovecot.ports.imap, m.address, m.password);
    await client.connect();
    const quota = await client.getQuota("INBOX");
    await client.logout();
    expect(quota && quota.storage?.limit).toBe(Number(row?.quota_mb) * 1024 * 1024);
    // A per-mailbox quota of 1 MB: a 2 MB message is refused.
    await database.db.execute(sql`update mailboxes set quota_mb = 1 where id = ${m.id}`);
    const big = officialMessage({
      from: "a@phuyen.gov.vn",
      to: m.address,
      subject: "Tep lon",
      messageId: `<${uniq()}@phuyen.gov.vn>`,
      body: "x".repeat(76).concat("\n").repeat(28_000),
    });
    expect(await lmtpDeliver(dovecot.ports.lmtp, "a@phuyen.gov.vn", m.address, big)).toMatch(
      /^552 .*[Qq]uota/,
    );
  }, 60_000);

  it("activity: logins, deliveries and quota flow into mailbot; the sync reads only what changed", async () => {
    const m = await issue("Cao Văn Hoạt");
    const connector = new DoveadmHttpConnector({ url: dovecot.doveadmUrl, apiKey: dovecot.apiKey });
    await syncMailserverActivity(database, connector); // everything so far
    const since = Math.floor(Date.now() / 1000) - 1;
    expect(await lmtp(m.address)).toMatch(/^250 /);
    expect(await imapLogin(dovecot.ports.imap, m.address, m.password)).toMatch(/^a1 OK/);
    await loginRecorded(m.address, "lmtp", since);
    await loginRecorded(m.address, "imap", since);
    const report = await syncMailserverActivity(database, connector);
    expect(report.changedMailboxes, JSON.stringify(report)).toBeGreaterThanOrEqual(1);
    expect(report.activity.errors).toEqual([]);
    const [row] = await executeRows<{
      last_login_at: Date | null;
      last_receive_at: Date | null;
      storage: number;
      checks: number;
    }>(
      database.db,
      sql`select last_login_at, last_receive_at, storage_used_mb as storage,
          (select count(*)::int from mailbox_checks c where c.mailbox_id = m.id) as checks
        from mailboxes m where id = ${m.id}`,
    );
    expect(row?.last_login_at).not.toBeNull();
    expect(row?.last_receive_at).not.toBeNull();
    expect(row?.checks).toBeGreaterThanOrEqual(1);
    expect(row?.storage).toBe(0); // a few hundred bytes, in whole MB
    const [quota] = await executeRows<{ bytes: number }>(
      database.db,
      sql`select bytes from mailserver_quota where username = ${m.address}`,
    );
    expect(Number(quota?.bytes)).toBeGreaterThan(0);
  }, 60_000);

  it("a message from another .gov.vn domain to a unit mailbox is tracked; \\Answered over IMAP clears it; the reply reminder stops", async () => {
    const keeper = await addStaff(database, {
      unitId,
      fullName: "Ngô Thị Giữ",
      telegramUserId: 7_000_000 + Number(uniq().length),
    });
    const local = `vanthu${uniq()}`;
    const password = "Van-Thu!Giu2026";
    const mailbox = await addMailbox(database, {
      unitId,
      localPart: local,
      kind: "unit",
      keeperStaffId: keeper.id,
      passwordHash: await hashPassword(password, FAST_HASH),
    });
    const connector = new DoveadmHttpConnector({ url: dovecot.doveadmUrl, apiKey: dovecot.apiKey });
    await syncMailserverActivity(database, connector);
    const subject = `Cong van so ${uniq()}`;
    const since = Math.floor(Date.now() / 1000) - 1;
    expect(await lmtp(mailbox.address, subject)).toMatch(/^250 /);
    await loginRecorded(mailbox.address, "lmtp", since);
    // An auto-reply from the same kind of sender is not tracked.
    await lmtpDeliver(
      dovecot.ports.lmtp,
      "vanthu@tuyan.phuyen.gov.vn",
      mailbox.address,
      officialMessage({
        from: "vanthu@tuyan.phuyen.gov.vn",
        to: mailbox.address,
        subject: "Tu dong tra loi",
        messageId: `<${uniq()}@tuyan.phuyen.gov.vn>`,
        headers: ["Auto-Submitted: auto-replied"],
      }),
    );
    const first = await syncMailserverActivity(database, connector);
    expect(first.activity.messagesAdded).toBe(1);
    const tracked = await executeRows<{ subject: string; answered_at: Date | null }>(
      database.db,
      sql`select subject, answered_at from tracked_messages where mailbox_id = ${mailbox.id}`,
    );
    expect(tracked).toEqual([{ subject, answered_at: null }]);

    // Three working days later the reply reminder would fire.
    // A working morning (10:00 in Vietnam, Monday to Friday) a week or more later.
    const later = new Date(Date.now() + 7 * 86_400_000);
    later.setUTCHours(3, 0, 0, 0);
    while (later.getUTCDay() === 0 || later.getUTCDay() === 6) later.setUTCDate(later.getUTCDate() + 1);
    const sweep = (now: Date) =>
      runSweep({ database, profiles: ["phuyen"] }, { now, rules: ["reply"], dryRun: true });
    expect((await sweep(later)).facts.reply).toBe(1);

    const client = imap(dovecot.ports.imap, mailbox.address, password);
    await client.connect();
    await client.mailboxOpen("INBOX");
    const uids = await client.search({ header: { subject } }, { uid: true });
    expect(uids).toHaveLength(1);
    await client.messageFlagsAdd(uids as number[], ["\\Answered"], { uid: true });
    await client.logout();
    await loginRecorded(mailbox.address, "imap", since);

    const second = await syncMailserverActivity(database, connector);
    expect(second.activity.messagesAnswered).toBe(1);
    expect((await sweep(later)).facts.reply ?? 0).toBe(0);
    // A reply sent from the mailbox (in Sent, In-Reply-To the Message-ID) answers too.
    const subject2 = `Cong van so ${uniq()}`;
    const mid2 = `<${uniq()}@tuyan.phuyen.gov.vn>`;
    await lmtpDeliver(
      dovecot.ports.lmtp,
      "vanthu@tuyan.phuyen.gov.vn",
      mailbox.address,
      officialMessage({
        from: "vanthu@tuyan.phuyen.gov.vn",
        to: mailbox.address,
        subject: subject2,
        messageId: mid2,
      }),
    );
    expect((await syncMailserverActivity(database, connector)).activity.messagesAdded).toBe(1);
    const sinceReply = Math.floor(Date.now() / 1000) - 1;
    const replier = imap(dovecot.ports.imap, mailbox.address, password);
    await replier.connect();
    await replier.mailboxCreate("Sent").catch(() => undefined);
    await replier.append(
      "Sent",
      officialMessage({
        from: mailbox.address,
        to: "vanthu@tuyan.phuyen.gov.vn",
        subject: `Re: ${subject2}`,
        messageId: `<${uniq()}@mailbot.test>`,
        headers: [`In-Reply-To: ${mid2}`],
      }),
      ["\\Seen"],
    );
    await replier.logout();
    await loginRecorded(mailbox.address, "imap", sinceReply);
    const replied = await syncMailserverActivity(database, connector);
    expect(replied.activity.messagesAnswered).toBe(1);
    const open = await executeRows(
      database.db,
      sql`select 1 from tracked_messages where mailbox_id = ${mailbox.id} and answered_at is null`,
    );
    expect(open).toEqual([]);

    // Nothing changed since: no server call at all.
    const third = await syncMailserverActivity(database, connector, { overlapSeconds: 0 });
    expect(third.changedMailboxes).toBe(0);
    expect(third.serverCalls).toBe(0);
  }, 90_000);

  it("outbox: a lock kicks the open IMAP session, a revoke removes the mail, each exactly once", async () => {
    const m = await issue("Lý Văn Đá");
    expect(await lmtp(m.address)).toMatch(/^250 /);
    const client = imap(dovecot.ports.imap, m.address, m.password);
    await client.connect();
    await client.mailboxOpen("INBOX");
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    await database.db.transaction((tx) =>
      applyEnforcement(tx, { kind: "lock_inactivity", mailboxId: m.id, article: "Điều 9" }, new Date()),
    );
    const connector = new DoveadmHttpConnector({ url: dovecot.doveadmUrl, apiKey: dovecot.apiKey });
    const first = await applyOutbox(database, connector);
    expect(first.applied).toBeGreaterThanOrEqual(1);
    await closed; // Dovecot closed the session
    expect((await applyOutbox(database, connector)).applied).toBe(0);

    await database.db.transaction((tx) =>
      applyEnforcement(tx, { kind: "revoke_leaver", mailboxId: m.id, article: "Điều 7" }, new Date()),
    );
    // Read what the server holds through doveadm before and after the outbox runs.
    const count = async (): Promise<number> => {
      const response = await fetch(dovecot.doveadmUrl, {
        method: "POST",
        headers: { authorization: `X-Dovecot-API ${Buffer.from(dovecot.apiKey).toString("base64")}` },
        body: JSON.stringify([["search", { user: m.address, query: ["mailbox", "*", "all"] }, "c"]]),
      });
      const body = (await response.json()) as [string, unknown[], string][];
      return Array.isArray(body[0]?.[1]) ? body[0][1].length : -1;
    };
    const audit = await executeRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from audit_log where action like 'mailserver.%' and entity_id = ${String(m.id)}`,
    );
    const applied = await applyOutbox(database, connector);
    expect(applied.applied).toBe(2); // kick + expunge
    // The revoked user is no longer in userdb: doveadm cannot open it; its mail files are gone.
    expect(await count()).toBeLessThanOrEqual(0);
    const after = await executeRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from audit_log where action like 'mailserver.%' and entity_id = ${String(m.id)}`,
    );
    expect(after[0]!.n - audit[0]!.n).toBe(2);
    expect((await applyOutbox(database, connector)).applied).toBe(0);
  }, 90_000);
});
