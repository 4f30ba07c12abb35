/**
 * Issue 13 "Many instances, one PostgreSQL": three real bot processes (`node dist/src/main.js`,
 * BOT_MODE=webhook, each its own INSTANCE_ID and port) on one PostgreSQL test database, behind a
 * real HAProxy on loopback, talking to the fake Bot API server of this test. The test plays
 * Telegram: 2,000 updates across 200 users, one request in flight per user, each re-sent until it
 * is answered 2xx. A quarter in, every instance is told to sweep (SIGUSR2); half-way, one
 * instance is killed with SIGKILL while it is handling updates.
 *
 * What src/bot/middleware/dedupe.ts promises, asserted here:
 * - every update has one row in processed_updates, and is answered exactly once, whichever
 *   instance gets the re-sent copy: none is lost when the instance dies. A copy re-sent while the
 *   dead instance's claim is within its lease (UPDATE_CLAIM_LEASE_SECONDS, 10 s here) is answered 503
 *   and re-sent again; after the lease a survivor takes it over and answers it;
 * - the one exception, inherent to an effect outside the database: an update the dead instance
 *   had already replied to but not yet answered 2xx for is re-sent and replied to again. The test
 *   accounts for every reply: the fake Bot API knows which instance sent it (a tagged
 *   TELEGRAM_API_ROOT) and HAProxy names the instance that answered each update (X-Served-By),
 *   so a user's replies must be exactly their updates plus the dead instance's replies it never
 *   answered for (0 or 1: one request in flight per user); the test prints how many there were;
 * - every update the survivors handled is marked done (the victim's unwritten marks are lost).
 * The sweep: one instance sweeps the profile, the others skip it (the sweep lock); every reminder
 * is claimed and sent once, one digest per recipient, exactly those a dry run plans.
 * HAProxy's health check (`GET /healthz`) marks the killed instance DOWN (its log line, then its
 * stats socket).
 *
 * The instances run the compiled program (`npm ci` builds dist/; after changing src/, run
 * `npm run build`). Their clock is moved into a working afternoon (test/helpers/fake-clock.mjs):
 * the sweep only works inside working hours, and this test must pass at any hour.
 * Skipped (saying why) without haproxy or PostgreSQL; with CI=true (or REQUIRE_POSTGRES=true
 * for PostgreSQL) a missing one fails the run instead.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSweep, type SweepReport } from "../../src/reminders/sweep.ts";
import { FAKE_TOKEN, FakeBotApiServer } from "../helpers/fake-bot-api-server.ts";
import { openTestDatabase, type Database } from "../helpers/db.ts";
import {
  cleanEnv,
  ROOT,
  startNode,
  startProcess,
  stopAllProcesses,
  type StartedProcess,
} from "../helpers/process.ts";

/** The instances' update lease (UPDATE_CLAIM_LEASE_SECONDS). */
const LEASE_SECONDS = 10;
const HAPROXY = "/usr/sbin/haproxy";
const MAIN = join(ROOT, "dist", "src", "main.js");
const SECRET = "webhook-secret-0123456789";
const USERS = 200;
const UPDATES = 2000;
const FIRST_USER = 680_000;
// The instances' clock: Monday 23/11/2026 15:46 (Vietnam), inside mic's afternoon hours and just
// after a scheduler tick (the next is 16:00, 14 minutes on): only SIGUSR2 starts a sweep here.
// Mail received on Wednesday 18/11 is past the 2-working-day reply limit.
const FAKE_START = new Date("2026-11-23T15:46:00+07:00");
const SWEEP_MAILBOXES = 149;
const SWEEP_MESSAGES_EACH = 4;
const STAFF_CHAT = 7_700_000;
/** An instance's log line for a SIGUSR2 sweep that claimed nothing (the lock let another run it). */
const SKIPPED_SWEEP = /"reason":"SIGUSR2","claimed":0,.*"msg":"reminder sweep"/;

function unavailable(): { why: string; mustRun: boolean } | null {
  if (!existsSync(HAPROXY))
    return { why: "haproxy is not installed (apt-get install haproxy)", mustRun: process.env.CI === "true" };
  if (!process.env.TEST_DATABASE_URL?.trim())
    return {
      why: "TEST_DATABASE_URL is not set (the instances share one PostgreSQL)",
      mustRun: process.env.CI === "true" || process.env.REQUIRE_POSTGRES === "true",
    };
  return null;
}

const missing = unavailable();
if (missing?.mustRun) throw new Error(`The multi-instance test cannot be skipped here: ${missing.why}`);
if (missing) process.stderr.write(`[haproxy test skipped] ${missing.why}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The pino lines of an instance's output, parsed. */
function logLines(p: StartedProcess): Record<string, unknown>[] {
  return p
    .stdout()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** HAProxy's runtime API over its stats socket: `show stat` → the status of server `name`. */
function socketStatus(socket: string, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let csv = "";
    const c = connect(socket, () => c.end("show stat\n"));
    c.on("data", (chunk: Buffer) => (csv += chunk.toString()));
    c.on("error", reject);
    c.on("close", () => {
      const lines = csv.split("\n");
      const header = (lines[0] ?? "").replace(/^# /, "").split(",");
      const row = lines.find((line) => line.startsWith(`bots,${name},`));
      resolve(row?.split(",")[header.indexOf("status")] ?? "missing");
    });
  });
}

describe.skipIf(missing !== null)("three bot processes behind HAProxy, one killed [postgres]", () => {
  let owner: Database;
  let fake: FakeBotApiServer;
  const instances: StartedProcess[] = [];
  let haproxy: StartedProcess;
  let dir = "";
  let front = 0;
  let statsSocket = "";
  let plan: SweepReport;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build (npm ci does it)`);
    owner = await openTestDatabase("postgres");
    if (owner.driver !== "postgres") throw new Error("unreachable");
    await seedOverdueMail(owner);
    // What the instances' sweep must send, from a dry run at their clock (claims and sends nothing).
    plan = await runSweep({ database: owner, profiles: ["mic"] }, { now: FAKE_START, dryRun: true });

    fake = await new FakeBotApiServer().start();
    dir = mkdtempSync(join(tmpdir(), "mailbot-haproxy-"));
    front = await freePort();
    statsSocket = join(dir, "haproxy.sock");
    const offset = FAKE_START.getTime() - Date.now();
    for (let i = 0; i < 3; i++) {
      instances.push(
        startNode(["--import", "./test/helpers/fake-clock.mjs", MAIN], {
          env: cleanEnv(
            /^(TELEGRAM_|BOT_|WEBHOOK_|DATABASE_URL|MIGRATION_DATABASE_URL|DATA_DIR|PGLITE_DIR|PORT$|LOG_LEVEL|SUPPORT_CHAT_ID|ACTIVITY_|METRICS_|REMINDERS|INSTANCE_ID|MAILSERVER|DEFAULT_PROFILE|NODE_OPTIONS)/,
            {
              TELEGRAM_BOT_TOKEN: FAKE_TOKEN,
              // Tagged, so the fake Bot API knows which instance sent each reply.
              TELEGRAM_API_ROOT: `${fake.apiRoot}/bot${i}`,
              BOT_MODE: "webhook",
              WEBHOOK_URL: `http://127.0.0.1:${front}/telegram`,
              WEBHOOK_SECRET: SECRET,
              PORT: "0",
              DATABASE_URL: owner.url,
              INSTANCE_ID: `bot${i}`,
              // Shorter than the 20 s default to keep the test short, still above the webhook's
              // 9 s answer time-out, so a live instance's update is never re-sent and taken over.
              UPDATE_CLAIM_LEASE_SECONDS: String(LEASE_SECONDS),
              REMINDERS: "on",
              LOG_LEVEL: "info",
              MAILBOT_TEST_CLOCK_OFFSET_MS: String(offset),
            },
          ),
          timeoutMs: 900_000,
        }),
      );
    }
    // Ready = the scheduler started, which comes after the webhook was registered.
    await Promise.all(instances.map((p) => p.waitForOutput(/"msg":"reminder scheduler started"/, 180_000)));
    const ports = instances.map((p) => {
      const line = logLines(p).find((l) => l.msg === "http server listening");
      return Number(line?.port);
    });

    const config = [
      "global",
      "  maxconn 512",
      `  stats socket ${statsSocket} mode 600 level admin`,
      "defaults",
      "  mode http",
      "  timeout connect 2s",
      "  timeout client 60s",
      "  timeout server 60s",
      "  retries 2",
      "  option redispatch",
      "frontend telegram",
      `  bind 127.0.0.1:${front}`,
      "  default_backend bots",
      "backend bots",
      "  balance roundrobin",
      // Which instance answered: the test accounts for every reply with it.
      "  http-response set-header X-Served-By %s",
      "  option httpchk",
      "  http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost",
      "  http-check expect status 200",
      // A busy instance answers /healthz slowly (it waits for a pooled connection): not dead.
      "  timeout check 5s",
      "  default-server inter 300ms fall 2 rise 2",
      ...ports.map((port, i) => `  server bot${i} 127.0.0.1:${port} check`),
      "",
    ].join("\n");
    writeFileSync(join(dir, "haproxy.cfg"), config);
    haproxy = startProcess(HAPROXY, ["-f", join(dir, "haproxy.cfg"), "-db"], { timeoutMs: 900_000 });
    // Ready when the front answers 200 (health, polled: HAProxy prints nothing when it is up).
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${front}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`haproxy did not start:\n${haproxy.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 300_000);

  afterAll(async () => {
    await haproxy?.stop(5_000);
    await Promise.all(instances.map((p) => p.stop(30_000)));
    await fake?.stop();
    await owner?.close();
    await stopAllProcesses(); // whatever a failed start left running
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("answers 2,000 updates once each while an instance is killed mid-storm and a sweep runs on all", async () => {
    const updates: Update[] = [];
    for (let i = 0; i < UPDATES; i++) {
      const id = FIRST_USER + (i % USERS);
      const user = { id, is_bot: false, first_name: "Cân Bằng", language_code: "vi" };
      const chat = { id, type: "private" as const, first_name: user.first_name };
      updates.push({
        update_id: 5_000_000 + i,
        message: {
          message_id: i + 1,
          date: 1_790_000_000,
          chat,
          from: user,
          text: "/help",
          entities: [{ type: "bot_command", offset: 0, length: 5 }],
        },
      } as Update);
    }
    const byUser = new Map<number, Update[]>();
    for (const u of updates) {
      const id = u.message!.from.id;
      byUser.set(id, [...(byUser.get(id) ?? []), u]);
    }

    // Telegram: one request in flight per chat; a non-2xx or a broken connection is re-sent,
    // with a growing pause (100 ms doubling up to 2 s), until it is answered 2xx.
    // (A slow /healthz under load can take every instance out for a moment: HAProxy then
    // answers 503 and the update is re-sent, which is what Telegram does.)
    const inFlight = new Map<number, number>();
    /** Per update: the instance that answered it 2xx (HAProxy's X-Served-By). */
    const servedBy = new Map<number, string>();
    let resent = 0;
    /** Updates answered 503 "being handled": the dead instance's claims, waiting for the lease. */
    const busy = new Set<number>();
    const deliver = async (update: Update) => {
      const user = update.message!.from.id;
      inFlight.set(user, update.update_id);
      const deadline = Date.now() + 180_000;
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await fetch(`http://127.0.0.1:${front}/telegram`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
            body: JSON.stringify(update),
          });
          const body = await r.text();
          if (r.ok) {
            servedBy.set(update.update_id, r.headers.get("x-served-by") ?? "?");
            break;
          }
          if (body.includes("update being handled")) busy.add(update.update_id);
        } catch {
          // connection cut: re-send
        }
        resent++;
        if (Date.now() > deadline) throw new Error(`update ${update.update_id} never accepted`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** attempt)));
      }
      inFlight.delete(user);
    };

    /** The sweep an instance ran on SIGUSR2 (its log line), once it has logged it. */
    const sweepOf = (p: StartedProcess) =>
      logLines(p).find((l) => l.msg === "reminder sweep" && l.reason === "SIGUSR2");
    let woken = false;
    let kill: Promise<{ victim: number; inFlight: Set<number> }> | undefined;
    let delivered = 0;
    await Promise.all(
      [...byUser.values()].map(async (list) => {
        for (const u of list) {
          await deliver(u);
          delivered++;
          // A quarter in, every instance is told to sweep now.
          if (!woken && delivered >= UPDATES / 4) {
            woken = true;
            for (const p of instances) p.signal("SIGUSR2");
          }
          // Half-way, kill one that skipped the sweep (the sweep lock let another run it), so the
          // reminders stay exactly-once: an instance killed while delivering resends after the lease.
          if (!kill && delivered >= UPDATES / 2) {
            kill = (async () => {
              // The first instance whose sweep skipped the profile (claimed nothing).
              const victim = await Promise.any(
                instances.map((p, i) => p.waitForOutput(SKIPPED_SWEEP, 120_000).then(() => i)),
              );
              const inFlightAtKill = new Set(inFlight.values());
              const exit = await instances[victim]!.kill();
              expect(exit.signal).toBe("SIGKILL");
              return { victim, inFlight: inFlightAtKill };
            })();
            kill.catch(() => undefined); // awaited after the storm; not an unhandled rejection meanwhile
          }
        }
      }),
    );
    expect(kill).toBeDefined();
    const { victim, inFlight: inFlightAtKill } = await kill!;
    const survivors = instances.filter((_, i) => i !== victim);

    // The sweep: one instance swept mic and claimed every planned item; the others skipped it.
    await Promise.all(
      survivors.map((p) => p.waitForOutput(/"reason":"SIGUSR2".*"msg":"reminder sweep"/, 240_000)),
    );
    const items = plan.digests.reduce((n, d) => n + d.items, 0);
    expect(plan.actions).toEqual([]);
    expect(plan.digestCount).toBe(SWEEP_MAILBOXES + 1);
    expect(instances.map((p) => Number(sweepOf(p)?.claimed ?? 0)).sort((a, b) => b - a)).toEqual([
      items,
      0,
      0,
    ]);
    const [claims] = await owner.execute<{ n: number; sent: number }>(
      `select count(*)::int as n, count(sent_at)::int as sent from reminder_claim_state`,
    );
    expect(claims).toEqual({ n: items, sent: items });
    const digests = new Map<number, number>();
    for (const call of fake.calls) {
      if (call.method !== "sendMessage" || !String(call.payload.text).startsWith("🔔 Nhắc việc")) continue;
      const chat = Number(call.payload.chat_id);
      digests.set(chat, (digests.get(chat) ?? 0) + 1);
    }
    expect([...digests.keys()].sort()).toEqual(plan.digests.map((d) => d.chatId).sort());
    expect([...digests.values()].every((n) => n === 1)).toBe(true);
    // …and it ran during the storm: users were still being answered after the first digest went out.
    const isDigest = (c: (typeof fake.calls)[number]) =>
      c.method === "sendMessage" && String(c.payload.text).startsWith("🔔 Nhắc việc");
    const isReply = (c: (typeof fake.calls)[number]) =>
      c.method === "sendMessage" &&
      Number(c.payload.chat_id) >= FIRST_USER &&
      Number(c.payload.chat_id) < FIRST_USER + USERS;
    expect(fake.calls.findIndex(isDigest)).toBeLessThan(fake.calls.findLastIndex(isReply));

    // Updates: one row each across the instances…
    const range = `update_id between ${updates[0]!.update_id} and ${updates.at(-1)!.update_id}`;
    const [claimed] = await owner.execute<{ n: number }>(
      `select count(*)::int as n from processed_updates where ${range}`,
    );
    expect(claimed?.n).toBe(UPDATES);
    // …answered exactly once each: none lost with the dead instance. The one repeat possible: a
    // reply the dead instance sent for an update it never answered 2xx (the re-sent copy is
    // replied to again). Every reply is accounted for with who sent it and who answered.
    const isUserReply = (method: string, chat: number) =>
      method === "sendMessage" && chat >= FIRST_USER && chat < FIRST_USER + USERS;
    const replies = new Map<number, number>();
    for (const call of fake.calls) {
      const chat = Number(call.payload.chat_id);
      if (isUserReply(call.method, chat)) replies.set(chat, (replies.get(chat) ?? 0) + 1);
    }
    const victimReplies = new Map<number, number>();
    for (const { caller, method, chatId } of fake.callers) {
      const chat = Number(chatId);
      if (caller === `bot${victim}` && isUserReply(method, chat))
        victimReplies.set(chat, (victimReplies.get(chat) ?? 0) + 1);
    }
    let repeated = 0;
    for (const [user, list] of byUser) {
      const answeredByVictim = list.filter((u) => servedBy.get(u.update_id) === `bot${victim}`).length;
      const unanswered = (victimReplies.get(user) ?? 0) - answeredByVictim;
      expect(
        unanswered,
        `user ${user}: the dead instance's replies it never answered for`,
      ).toBeGreaterThanOrEqual(0);
      expect(
        unanswered,
        `user ${user}: the dead instance's replies it never answered for`,
      ).toBeLessThanOrEqual(1);
      expect(replies.get(user) ?? 0, `user ${user}`).toBe(list.length + unanswered);
      repeated += unanswered;
    }
    expect(servedBy.size).toBe(UPDATES);
    // The kill happened mid-storm: requests were in flight and some had to be re-sent.
    expect(inFlightAtKill.size).toBeGreaterThan(0);
    expect(resent).toBeGreaterThan(0);
    // Every update a survivor handled is marked done (the flush runs within ~200 ms).
    const unfinished = async () =>
      (
        await owner.execute<{ n: number }>(
          `select count(*)::int as n from processed_updates where ${range} and done_at is null and claimed_by not like 'bot${victim}:%'`,
        )
      )[0]?.n;
    await expect.poll(unfinished, { timeout: 30_000, interval: 200 }).toBe(0);

    // HAProxy's health check takes the dead one out: its log says so, and so does its stats socket.
    await haproxy.waitForOutput(new RegExp(`Server bots/bot${victim} is DOWN`), 120_000);
    expect(await socketStatus(statsSocket, `bot${victim}`)).toMatch(/^DOWN/);
    // The survivors are UP (a check that timed out under load may have taken one out for a moment:
    // waited for on HAProxy's own health state, not asserted at one instant).
    for (const i of [0, 1, 2].filter((i) => i !== victim)) {
      const deadline = Date.now() + 120_000;
      let state = await socketStatus(statsSocket, `bot${i}`);
      while (!state.startsWith("UP") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        state = await socketStatus(statsSocket, `bot${i}`);
      }
      expect(state, `bot${i}`).toMatch(/^UP/);
    }
    process.stderr.write(
      `[haproxy test] killed bot${victim} with ${inFlightAtKill.size} updates in flight; 0 lost, ${repeated} replied twice (replied, then killed before answering), ${resent} re-sends (${busy.size} updates answered 503 "being handled" until the lease passed)\n`,
    );
  }, 600_000);
});

/** Mail overdue for the sweep: 149 owners and one unit head (owner and head per message). */
async function seedOverdueMail(db: Database): Promise<void> {
  const [unit] = await db.execute<{ id: number }>(
    `insert into units (profile_id, kind, name, abbr) values ('mic', 'agency', 'Vụ Cân Bằng', 'vcb') returning id`,
  );
  await db.execute(`insert into staff (full_name, unit_id, employment_type, telegram_user_id)
    select 'Cán bộ ' || g, ${unit!.id}, 'civil_servant', ${STAFF_CHAT} + g from generate_series(0, ${SWEEP_MAILBOXES}) g`);
  await db.execute(`insert into role_grants (staff_id, role, unit_id)
    select id, 'unit_head', ${unit!.id} from staff where telegram_user_id = ${STAFF_CHAT}`);
  // Created this month: no inactivity, password or quota duty is due, only the replies.
  await db.execute(`insert into mailboxes (address, local_part, profile_id, kind, owner_staff_id, unit_id, created_at)
    select 'cb' || s.telegram_user_id || '@mic.gov.vn', 'cb' || s.telegram_user_id, 'mic', 'personal', s.id, ${unit!.id},
      '2026-11-02T00:00:00Z' from staff s where s.telegram_user_id between ${STAFF_CHAT + 1} and ${STAFF_CHAT + SWEEP_MAILBOXES}`);
  await db.execute(`insert into tracked_messages (message_id, mailbox_id, sender, subject, received_at)
    select '<cb' || m.id || '-' || g || '@x>', m.id, 'vanthu@mic.gov.vn', 'V/v số ' || g, '2026-11-18T09:00:00+07:00'
    from mailboxes m cross join generate_series(1, ${SWEEP_MESSAGES_EACH}) g where m.local_part like 'cb77%'`);
}
