/**
 * Issue 13 "Many instances, one PostgreSQL", in part: three webhook instances (each its own bot,
 * HTTP server and connection pool) on one PostgreSQL behind a real HAProxy on loopback. The
 * test plays Telegram: 2,000 updates across 200 users, each re-sent until it is answered 2xx.
 * One instance is taken down in the middle (its HTTP server closed, its connections cut).
 * Every update must be handled exactly once, and HAProxy's health check (`GET /healthz`) must
 * mark the dead instance down.
 *
 * A reminder sweep runs on all three instances during the storm (149 mailboxes with overdue
 * mail, 1,192 reminder items, 150 recipients): one sweep per profile runs, the others skip it,
 * and every reminder is claimed and sent once, one digest per recipient across the instances
 * (main.ts names each instance's claims by INSTANCE_ID).
 *
 * Not covered here: a process killed in the middle of a handler or of a sweep (the instances
 * share this test's process, so a handler that started runs to its end).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { feature as help } from "../../commands/help.ts";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { startHttpServer, type HttpServer } from "../../src/http/server.ts";
import { silentLogger } from "../../src/logger.ts";
import { runSweep, type SweepReport } from "../../src/reminders/sweep.ts";
import { createServices } from "../../src/services/index.ts";
import { BotHarness } from "../helpers/bot.ts";
import { openTestDatabase } from "../helpers/db.ts";
import { instantLimiter } from "../reminders/fixtures.ts";

const HAPROXY = "/usr/sbin/haproxy";
const SECRET = "webhook-secret-0123456789";
const USERS = 200;
const UPDATES = 2000;
const hasPostgres = Boolean(process.env.TEST_DATABASE_URL?.trim());
// Monday 23/11/2026 16:30 (Vietnam): mail received on Wednesday 18/11 is past the 2-day limit.
const MONDAY_1630 = new Date("2026-11-23T16:30:00+07:00");
const SWEEP_MAILBOXES = 149;
const SWEEP_MESSAGES_EACH = 4;

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

interface Instance {
  h: BotHarness;
  database: Database;
  server: HttpServer;
}

describe.skipIf(!hasPostgres || !existsSync(HAPROXY))(
  "three webhook instances behind HAProxy [postgres]",
  () => {
    let owner: Database;
    const instances: Instance[] = [];
    let haproxy: ChildProcess | undefined;
    let dir = "";
    let front = 0;
    let stats = 0;

    beforeAll(async () => {
      owner = await openTestDatabase("postgres");
      if (owner.driver !== "postgres") throw new Error("unreachable");
      for (let i = 0; i < 3; i++) {
        const database = await openDatabase({ url: owner.url, maxConnections: 4 });
        const h = await BotHarness.create({ services: createServices(database), features: [help] });
        const server = await startHttpServer({
          port: 0,
          host: "127.0.0.1",
          logger: silentLogger(),
          health: async () => {
            await database.execute("select 1");
            return true;
          },
          webhook: { bot: h.bot, path: "/telegram", secret: SECRET },
        });
        instances.push({ h, database, server });
      }
      dir = mkdtempSync(join(tmpdir(), "mailbot-haproxy-"));
      front = await freePort();
      stats = await freePort();
      const config = [
        "global",
        "  maxconn 512",
        "defaults",
        "  mode http",
        "  timeout connect 2s",
        "  timeout client 30s",
        "  timeout server 30s",
        "  retries 2",
        "  option redispatch",
        "frontend telegram",
        `  bind 127.0.0.1:${front}`,
        "  default_backend bots",
        "frontend stats",
        `  bind 127.0.0.1:${stats}`,
        "  stats enable",
        "  stats uri /stats",
        "backend bots",
        "  balance roundrobin",
        "  option httpchk",
        "  http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost",
        "  http-check expect status 200",
        // A busy instance answers /healthz slowly (it waits for a pooled connection): not dead.
        "  timeout check 5s",
        "  default-server inter 300ms fall 2 rise 2",
        ...instances.map((x, i) => `  server bot${i} 127.0.0.1:${x.server.port} check`),
        "",
      ].join("\n");
      writeFileSync(join(dir, "haproxy.cfg"), config);
      haproxy = spawn(HAPROXY, ["-f", join(dir, "haproxy.cfg"), "-db"], {
        stdio: "ignore",
      });
      // Ready when the front answers.
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          const r = await fetch(`http://127.0.0.1:${front}/healthz`);
          if (r.status === 200) break;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error("haproxy did not start");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }, 120_000);

    afterAll(async () => {
      haproxy?.kill("SIGKILL");
      for (const x of instances) {
        await x.server.close().catch(() => undefined);
        await x.database.close().catch(() => undefined);
      }
      await owner?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** CSV of HAProxy's stats page: the status of server `name` (UP, DOWN…). */
    async function status(name: string): Promise<string> {
      const csv = await (await fetch(`http://127.0.0.1:${stats}/stats;csv`)).text();
      const row = csv.split("\n").find((line) => line.startsWith(`bots,${name},`));
      const header = (csv.split("\n")[0] ?? "").replace(/^# /, "").split(",");
      return row?.split(",")[header.indexOf("status")] ?? "missing";
    }

    it("handles 2,000 updates from 200 users exactly once while one instance dies and a sweep runs", async () => {
      const first = instances[0]!.h;
      const updates: Update[] = [];
      for (let i = 0; i < UPDATES; i++) {
        const user = first.user(680_000 + (i % USERS), "Cân Bằng");
        const chat = { id: user.id, type: "private" as const, first_name: user.first_name };
        updates.push({
          update_id: first.nextUpdateId(),
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
      // Telegram: one request in flight per user at a time; a non-2xx or a broken connection is re-sent.
      // (A slow /healthz under load can take every instance out for a moment: HAProxy then
      // answers 503 and the update is re-sent, which is what Telegram does.)
      let resent = 0;
      const deliver = async (update: Update) => {
        for (let attempt = 0; ; attempt++) {
          try {
            const r = await fetch(`http://127.0.0.1:${front}/telegram`, {
              method: "POST",
              headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
              body: JSON.stringify(update),
            });
            await r.arrayBuffer();
            if (r.ok) return;
          } catch {
            // connection cut: re-send
          }
          resent++;
          if (attempt > 1200) throw new Error(`update ${update.update_id} never accepted`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      const byUser = new Map<number, Update[]>();
      for (const u of updates) {
        const id = u.message!.from.id;
        byUser.set(id, [...(byUser.get(id) ?? []), u]);
      }
      // Mail overdue for the sweep: 149 owners and one unit head (owner and head per message).
      const [unit] = await owner.execute<{ id: number }>(
        `insert into units (profile_id, kind, name, abbr) values ('mic', 'agency', 'Vụ Cân Bằng', 'vcb') returning id`,
      );
      await owner.execute(`insert into staff (full_name, unit_id, employment_type, telegram_user_id)
        select 'Cán bộ ' || g, ${unit!.id}, 'civil_servant', 7700000 + g from generate_series(0, ${SWEEP_MAILBOXES}) g`);
      await owner.execute(`insert into role_grants (staff_id, role, unit_id)
        select id, 'unit_head', ${unit!.id} from staff where telegram_user_id = 7700000`);
      await owner.execute(`insert into mailboxes (address, local_part, profile_id, kind, owner_staff_id, unit_id, created_at)
        select 'cb' || s.telegram_user_id || '@mic.gov.vn', 'cb' || s.telegram_user_id, 'mic', 'personal', s.id, ${unit!.id},
          '2025-01-01T00:00:00Z' from staff s where s.telegram_user_id between 7700001 and ${7_700_000 + SWEEP_MAILBOXES}`);
      await owner.execute(`insert into tracked_messages (message_id, mailbox_id, sender, subject, received_at)
        select '<cb' || m.id || '-' || g || '@x>', m.id, 'vanthu@mic.gov.vn', 'V/v số ' || g, '2026-11-18T09:00:00+07:00'
        from mailboxes m cross join generate_series(1, ${SWEEP_MESSAGES_EACH}) g where m.local_part like 'cb77%'`);
      const digests = new Map<number, number>();
      const sweepAll = (): Promise<SweepReport[]> =>
        Promise.all(
          instances.map((x, i) =>
            runSweep(
              {
                database: x.database,
                calendar: createCalendar(),
                profiles: ["mic"],
                supportChatId: null,
                limiter: instantLimiter(),
                instanceId: `bot${i}`,
                send: async (chatId) => {
                  digests.set(chatId, (digests.get(chatId) ?? 0) + 1);
                  return { message_id: 1, chat: { id: chatId }, date: 0 };
                },
              },
              { now: MONDAY_1630, rules: ["reply"] },
            ),
          ),
        );
      let sweeps: Promise<SweepReport[][]> | undefined;

      let delivered = 0;
      let killed = false;
      await Promise.all(
        [...byUser.values()].map(async (list) => {
          for (const u of list) {
            await deliver(u);
            delivered++;
            // A quarter in, every instance sweeps (and sweeps again once that is done).
            if (!sweeps && delivered >= UPDATES / 4) {
              sweeps = sweepAll().then(async (once) => [once, await sweepAll()]);
            }
            if (!killed && delivered >= UPDATES / 2) {
              killed = true;
              const victim = instances[1]!;
              victim.server.server.closeAllConnections();
              await victim.server.close();
            }
          }
        }),
      );
      expect(killed).toBe(true);

      // Sweeps ran for the profile (at the same time, one of them; the others skipped it), and
      // every reminder was claimed and sent once, one digest per recipient across the instances.
      const rounds = await sweeps!;
      expect(rounds.flat().filter((r) => r.profilesSwept.includes("mic")).length).toBeGreaterThanOrEqual(1);
      const items = 2 * SWEEP_MAILBOXES * SWEEP_MESSAGES_EACH;
      expect(rounds.flat().reduce((n, r) => n + r.claimed, 0)).toBe(items);
      const [sentClaims] = await owner.execute<{ n: number; sent: number }>(
        `select count(*)::int as n, count(sent_at)::int as sent from reminder_claims where rule like 'reply-%'`,
      );
      expect(sentClaims).toEqual({ n: items, sent: items });
      expect(digests.size).toBe(SWEEP_MAILBOXES + 1);
      expect([...digests.values()].every((n) => n === 1)).toBe(true);

      // Exactly once: one claim and one reply per update, across the three instances.
      const [claims] = await owner.execute<{ n: number }>(
        `select count(*)::int as n from processed_updates where update_id between ${updates[0]!.update_id} and ${updates.at(-1)!.update_id}`,
      );
      expect(claims?.n).toBe(UPDATES);
      const replies = new Map<number, number>();
      for (const x of instances) {
        for (const call of x.h.api.calls) {
          if (call.method !== "sendMessage") continue;
          const chat = Number(call.payload.chat_id);
          replies.set(chat, (replies.get(chat) ?? 0) + 1);
        }
      }
      for (const [user, list] of byUser) expect(replies.get(user) ?? 0, `user ${user}`).toBe(list.length);
      // The survivors both took part after the death.
      expect(instances[0]!.h.api.calls.length).toBeGreaterThan(0);
      expect(instances[2]!.h.api.calls.length).toBeGreaterThan(0);

      // The balancer's health check takes the dead one out.
      // Generous: HAProxy's checks and the dying instance both run slower on a loaded machine.
      const deadline = Date.now() + 90_000;
      while ((await status("bot1")).startsWith("UP") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await status("bot1")).toMatch(/^DOWN/);
      expect(await status("bot0")).toMatch(/^UP/);
      // The dead instance's share was re-sent, as Telegram would.
      expect(resent).toBeGreaterThan(0);
    }, 480_000);
  },
);
