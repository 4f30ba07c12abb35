/**
 * Issue 9.10: two sweeps at once must never send a recipient two digests (they did when one run
 * won an enforcement action with its notices and the other won the reminders). Issue 9.12: a
 * restarted process takes over its own unsent claims at start-up instead of waiting for the
 * 10-minute lease.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { startScheduler } from "../../src/reminders/scheduler.ts";
import { runSweep, type SweepDeps } from "../../src/reminders/sweep.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, addTracked, at, fakeTelegram, instantLimiter, seedOrg, type Org } from "./fixtures.ts";

const calendar = createCalendar();
const MONDAY_1630 = at("2026-11-23T16:30:00+07:00");

/** A second handle on the same database: another instance on a server, the same process on PGlite. */
async function secondHandle(db: Database): Promise<Database> {
  return db.driver === "postgres" ? openDatabase({ url: db.url, maxConnections: 4 }) : db;
}

describeEachDb(
  "concurrent sweeps and restarts",
  (getDb) => {
    const deps = (
      database: Database,
      send: SweepDeps["send"],
      extra: Partial<SweepDeps> = {},
    ): SweepDeps => ({
      database,
      send,
      calendar,
      profiles: ["mic"],
      supportChatId: null,
      limiter: instantLimiter(),
      ...extra,
    });

    /** An inactive personal mailbox (locked by the sweep, with notices) with an overdue message. */
    async function lazyOrgWithMail(db: Database, i: number): Promise<Org> {
      const org = await seedOrg(db);
      const box = await addMailbox(db, org, `lazy${i}`, {
        kind: "personal",
        lastSendAt: "2026-05-20T10:00:00+07:00",
        lastReceiveAt: "2026-05-20T10:00:00+07:00",
        activityReportedAt: "2026-11-23T06:00:00+07:00",
      });
      await addTracked(db, box, `<lazy${i}@x>`, "2026-11-18T09:00:00+07:00");
      return org;
    }

    const perChat = (sent: { chatId: number }[]): Map<number, number> => {
      const counts = new Map<number, number>();
      for (const m of sent) counts.set(m.chatId, (counts.get(m.chatId) ?? 0) + 1);
      return counts;
    };

    it("two sweeps started together: every recipient gets exactly one digest, every item once", async () => {
      const db = getDb();
      const orgs: Org[] = [];
      for (let i = 0; i < 12; i++) orgs.push(await lazyOrgWithMail(db, i));
      const second = await secondHandle(db);
      try {
        const a = fakeTelegram();
        const b = fakeTelegram();
        const [ra, rb] = await Promise.all([
          runSweep(deps(db, a.send, { instanceId: "A" }), {
            now: MONDAY_1630,
            rules: ["inactivity", "reply"],
          }),
          runSweep(deps(second, b.send, { instanceId: "B" }), {
            now: MONDAY_1630,
            rules: ["inactivity", "reply"],
          }),
        ]);
        const all = [...a.sent, ...b.sent];
        const counts = perChat(all);
        const expected = orgs.flatMap((o) => [o.ownerChat, o.headChat]);
        expect([...counts.keys()].sort()).toEqual(expected.sort());
        expect([...counts.values()].every((n) => n === 1)).toBe(true);
        // Each digest has both the lock notice and the overdue reply.
        for (const m of all) {
          expect(m.text).toContain("Quá hạn trả lời");
          expect(m.text).toContain("Đã thực hiện theo quy chế");
        }
        // One of them swept the profile, the other found it taken.
        const skipped = [...ra.profilesSkipped, ...rb.profilesSkipped];
        expect(skipped).toEqual([{ profileId: "mic", reason: expect.stringContaining("đang chạy") }]);
      } finally {
        if (second !== db) await second.close();
      }
    });

    it("a sweep started while another is delivering skips the profile; the next one sweeps it", async () => {
      const db = getDb();
      const org = await lazyOrgWithMail(db, 100);
      // Keep the first run inside its first send until the second run has finished.
      let enterSend!: () => void;
      const entered = new Promise<void>((resolve) => (enterSend = resolve));
      let leaveSend!: () => void;
      const gate = new Promise<void>((resolve) => (leaveSend = resolve));
      const a = fakeTelegram();
      const blockingSend: SweepDeps["send"] = async (chatId, text, keyboard) => {
        enterSend();
        await gate;
        return a.send(chatId, text, keyboard);
      };
      const second = await secondHandle(db);
      try {
        const first = runSweep(deps(db, blockingSend, { instanceId: "A", concurrency: 1 }), {
          now: MONDAY_1630,
          rules: ["inactivity", "reply"],
        });
        await entered;
        // New mail arrives for the same people while the first run is still delivering.
        const box = await db.execute<{ id: number }>(
          sql`select id from mailboxes where address = ${"lazy100@" + org.domain}`,
        );
        await addTracked(db, Number(box[0]?.id), "<late@x>", "2026-11-18T11:00:00+07:00", "V/v thư đến muộn");
        const b = fakeTelegram();
        const during = await runSweep(deps(second, b.send, { instanceId: "B" }), {
          now: new Date(MONDAY_1630.getTime() + 60_000),
          rules: ["inactivity", "reply"],
        });
        // Nobody gets a second digest while the first run's are still going out.
        expect(b.sent).toEqual([]);
        expect(during.profilesSkipped).toEqual([
          { profileId: "mic", reason: "một lượt nhắc việc khác đang chạy cho hồ sơ này" },
        ]);
        // A dry run waits its turn too: its rolled-back reply claims must not meet the run's.
        const preview = await runSweep(deps(second, b.send, { instanceId: "B" }), {
          now: new Date(MONDAY_1630.getTime() + 60_000),
          rules: ["inactivity", "reply"],
          dryRun: true,
        });
        expect(preview.profilesSwept).toEqual([]);
        expect(preview.profilesSkipped).toEqual(during.profilesSkipped);
        leaveSend();
        const done = await first;
        expect(done.profilesSwept).toEqual(["mic"]);
        expect(a.sent.map((m) => m.chatId).sort()).toEqual([org.ownerChat, org.headChat].sort());

        // The lock went with the run: the next sweep is not skipped and sends the new mail, once each.
        const c = fakeTelegram();
        const after = await runSweep(deps(second, c.send, { instanceId: "B" }), {
          now: new Date(MONDAY_1630.getTime() + 15 * 60_000),
          rules: ["inactivity", "reply"],
        });
        expect(after.profilesSwept).toEqual(["mic"]);
        expect(c.sent.map((m) => m.chatId).sort()).toEqual([org.ownerChat, org.headChat].sort());
        expect(c.sent.every((m) => m.text.includes("V/v thư đến muộn"))).toBe(true);
      } finally {
        leaveSend();
        if (second !== db) await second.close();
      }
    });

    it("a restarted process sends its predecessor's unsent reminders at start-up, not after the lease", async () => {
      const db = getDb();
      const org = await seedOrg(db);
      // Personal, no check feed: the scheduler's sweep (all rules) has only the overdue reply.
      const box = await addMailbox(db, org, "restart", { kind: "personal" });
      await addTracked(db, box, "<restart@x>", "2026-11-18T09:00:00+07:00");
      // The process "dies" after its first message: one digest claimed and unsent.
      const controller = new AbortController();
      const first = fakeTelegram();
      await runSweep(
        deps(
          db,
          async (chatId, text, keyboard) => {
            await first.send(chatId, text, keyboard);
            controller.abort();
          },
          { instanceId: "node-a", concurrency: 1 },
        ),
        { now: MONDAY_1630, signal: controller.signal, rules: ["reply"] },
      );
      expect(first.sent.length).toBe(1);
      // Another instance's claim, still within its lease: not ours to take.
      await db.execute(sql`insert into reminder_claims (key, rule, target, recipient_chat_id, claimed_at, claimed_by, attempts, payload)
        values ('other@1', 'reply-overdue', 'tm:0', 4242, ${MONDAY_1630.toISOString()}::timestamptz, 'node-ab:1:ff', 1,
          ${JSON.stringify({ section: "reply-overdue", line: "khác", sortAt: MONDAY_1630.toISOString(), profileId: "mic" })}::jsonb)`);

      // Restart one minute later (well inside the 10-minute lease).
      const restarted = fakeTelegram();
      const scheduler = startScheduler({
        database: db,
        send: restarted.send,
        supportChatId: null,
        profiles: ["mic"],
        limiter: instantLimiter(),
        name: "restart-test",
        instanceId: "node-a",
        clock: () => new Date(MONDAY_1630.getTime() + 60_000),
      });
      try {
        expect(await scheduler.startup).toBe(1);
      } finally {
        await scheduler.stop();
      }
      const everyone = [...first.sent, ...restarted.sent].map((m) => m.chatId).sort();
      expect(everyone).toEqual([org.ownerChat, org.headChat].sort());
      const left = await db.execute<{ key: string; claimed_by: string }>(
        sql`select key, claimed_by from reminder_claim_state where not sent`,
      );
      expect(left).toEqual([{ key: "other@1", claimed_by: "node-ab:1:ff" }]);
    });
  },
  { resetEach: true },
);
