import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { runSweep, type SweepDeps } from "../../src/reminders/sweep.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, addTracked, at, fakeTelegram, seedOrg, sweepDeps } from "./fixtures.ts";

// Monday 23/11/2026, 16:30 Vietnam time: the manager's digest example of conversations.md.
const MONDAY_1630 = at("2026-11-23T16:30:00+07:00");

describeEachDb(
  "reminder sweep",
  (getDb, driver) => {
    const deps = (send: SweepDeps["send"], extra: Partial<SweepDeps> = {}): SweepDeps =>
      sweepDeps(getDb(), send, extra);

    async function seedDigestScenario() {
      const db = getDb();
      const org = await seedOrg(db);
      // A unit mailbox the feed knows, not opened this morning at all (two windows in a row).
      const unitBox = await addMailbox(db, org, "vtn", { lastCheckAt: "2026-11-20T08:00:00+07:00" });
      // Two messages received Wednesday 18/11: due Friday 20/11 17:00, overdue on Monday.
      await addTracked(db, unitBox, "<a@x>", "2026-11-18T09:00:00+07:00", "V/v báo cáo quý IV");
      await addTracked(db, unitBox, "<b@x>", "2026-11-18T10:00:00+07:00", "V/v kế hoạch năm 2027");
      return { org, unitBox };
    }

    it("sends one digest per recipient, grouped by urgency, and nothing twice", async () => {
      const { org } = await seedDigestScenario();
      const tg = fakeTelegram();
      const report = await runSweep(deps(tg.send), { now: MONDAY_1630 });
      const chats = tg.sent.map((m) => m.chatId).sort();
      expect(chats).toEqual([org.headChat, org.clerkChat].sort());
      const clerk = tg.sent.find((m) => m.chatId === org.clerkChat);
      expect(clerk?.text).toContain("Quá hạn trả lời (2)");
      expect(clerk?.text).toContain("lần thứ 2 liên tiếp");
      // Overdue replies come before the unchecked mailbox.
      expect(clerk?.text.indexOf("Quá hạn trả lời")).toBeLessThan(
        clerk?.text.indexOf("chưa được kiểm tra") ?? 0,
      );
      expect(clerk?.keyboard?.inline_keyboard.flat().some((b) => b.text.includes("Đã xử lý"))).toBe(true);
      const head = tg.sent.find((m) => m.chatId === org.headChat);
      expect(head?.text).toContain("V/v báo cáo quý IV");
      expect(head?.text).toContain("hạn 17:00 20/11/2026");
      expect(report.delivery?.messages).toBe(2);

      const again = fakeTelegram();
      const second = await runSweep(deps(again.send), { now: new Date(MONDAY_1630.getTime() + 15 * 60_000) });
      expect(again.sent).toEqual([]);
      expect(second.claimed).toBe(0);
    });

    it("is silent outside working hours, on weekends and on Tết", async () => {
      await seedDigestScenario();
      for (const when of [
        "2026-11-21T10:00:00+07:00", // Saturday
        "2026-11-23T12:00:00+07:00", // lunch break
        "2026-11-23T18:30:00+07:00", // evening
        "2027-02-08T09:00:00+07:00", // Tết 2027 (provisional)
        "2026-02-18T09:00:00+07:00", // Tết 2026
      ]) {
        const tg = fakeTelegram();
        const report = await runSweep(deps(tg.send), { now: at(when) });
        expect(tg.sent, when).toEqual([]);
        expect(report.profilesSkipped.map((p) => p.profileId)).toEqual(["mic"]);
      }
    });

    it("dry run renders but claims and sends nothing", async () => {
      await seedDigestScenario();
      const tg = fakeTelegram();
      const report = await runSweep(deps(tg.send), { now: MONDAY_1630, dryRun: true });
      expect(report.digests.length).toBe(2);
      expect(tg.sent).toEqual([]);
      const claims = await getDb().execute<{ n: number }>(
        sql`select count(*)::int as n from reminder_claims`,
      );
      expect(claims[0]?.n).toBe(0);
    });

    it("resends a claimed but unconfirmed digest once after the lease (crash mid-run)", async () => {
      const { org } = await seedDigestScenario();
      const controller = new AbortController();
      const first = fakeTelegram();
      // "Kill" the process after the first message: delivery stops between messages.
      const send: SweepDeps["send"] = async (chatId, text, keyboard) => {
        await first.send(chatId, text, keyboard);
        controller.abort();
      };
      const r1 = await runSweep(deps(send, { concurrency: 1 }), {
        now: MONDAY_1630,
        signal: controller.signal,
      });
      expect(first.sent.length).toBe(1);
      expect(r1.delivery?.aborted).toBe(true);
      const unsent = await getDb().execute<{ n: number }>(
        sql`select count(*)::int as n from reminder_claim_state where not sent`,
      );
      expect(unsent[0]?.n).toBeGreaterThan(0);

      // Within the lease: the claim may still be in flight elsewhere; nothing is resent.
      const early = fakeTelegram();
      await runSweep(deps(early.send), { now: new Date(MONDAY_1630.getTime() + 5 * 60_000) });
      expect(early.sent).toEqual([]);

      // After the lease: the rest is sent, once.
      const late = fakeTelegram();
      const r3 = await runSweep(deps(late.send), { now: new Date(MONDAY_1630.getTime() + 12 * 60_000) });
      expect(late.sent.length).toBe(1);
      expect(r3.retried).toBeGreaterThan(0);
      const all = [...first.sent, ...late.sent].map((m) => m.chatId).sort();
      expect(all).toEqual([org.headChat, org.clerkChat].sort());

      const after = fakeTelegram();
      await runSweep(deps(after.send), { now: new Date(MONDAY_1630.getTime() + 25 * 60_000) });
      expect(after.sent).toEqual([]);
    });

    it("two instances sweeping at once send every item exactly once", async () => {
      const db = getDb();
      const orgs = [];
      for (let i = 0; i < 5; i++) {
        const org = await seedOrg(db);
        const box = await addMailbox(db, org, `hai${i}`, { lastCheckAt: "2026-11-20T08:00:00+07:00" });
        await addTracked(db, box, `<m${i}@x>`, "2026-11-18T09:00:00+07:00");
        orgs.push(org);
      }
      const second = db.driver === "postgres" ? await openDatabase({ url: db.url, maxConnections: 4 }) : db;
      try {
        const a = fakeTelegram();
        const b = fakeTelegram();
        await Promise.all([
          runSweep({ ...deps(a.send), instanceId: "A" }, { now: MONDAY_1630 }),
          runSweep({ ...deps(b.send), database: second, instanceId: "B" }, { now: MONDAY_1630 }),
        ]);
        const all = [...a.sent, ...b.sent];
        // One digest per recipient overall: clerk + head of each unit.
        expect(all.length).toBe(orgs.length * 2);
        expect(new Set(all.map((m) => m.chatId)).size).toBe(orgs.length * 2);
        const lines = all.flatMap((m) =>
          m.text
            .split("\n")
            .filter((l) => l.startsWith("  • "))
            .map((l) => `${m.chatId} ${l}`),
        );
        expect(new Set(lines).size).toBe(lines.length);
      } finally {
        if (second !== db) await second.close();
      }
    });

    it("records a blocked chat, reports it to the support chat and goes on", async () => {
      const { org } = await seedDigestScenario();
      const tg = fakeTelegram((chatId) =>
        chatId === org.headChat
          ? Object.assign(new Error("Forbidden: bot was blocked by the user"), {
              error_code: 403,
              description: "Forbidden: bot was blocked by the user",
            })
          : undefined,
      );
      const report = await runSweep(deps(tg.send), { now: MONDAY_1630 });
      expect(tg.sent.map((m) => m.chatId).sort()).toEqual([org.clerkChat, 999].sort());
      expect(tg.sent.find((m) => m.chatId === 999)?.text).toContain(String(org.headChat));
      expect(report.delivery?.blocked).toEqual([
        { chatId: org.headChat, reason: "Forbidden: bot was blocked by the user" },
      ]);
      const blocked = await getDb().execute<{ chat: string }>(
        sql`select chat_id::text as chat from blocked_chats`,
      );
      expect(blocked.map((r) => Number(r.chat))).toEqual([org.headChat]);
      const unsent = await getDb().execute<{ n: number }>(
        sql`select count(*)::int as n from reminder_claim_state where not sent`,
      );
      expect(unsent[0]?.n).toBe(0);
    });

    it("locks an inactive mailbox once, with an audit row and notices saying how to restore", async () => {
      const db = getDb();
      const org = await seedOrg(db);
      const box = await addMailbox(db, org, "lazy", {
        kind: "personal",
        lastSendAt: "2026-05-20T10:00:00+07:00",
        lastReceiveAt: "2026-05-20T10:00:00+07:00",
        activityReportedAt: "2026-11-23T06:00:00+07:00",
      });
      const tg = fakeTelegram();
      const report = await runSweep(deps(tg.send), { now: MONDAY_1630, rules: ["inactivity"] });
      expect(report.actions).toEqual([expect.objectContaining({ kind: "lock_inactivity", applied: true })]);
      const rows = await db.execute<{ status: string; lock_reason: string }>(
        sql`select status::text, lock_reason::text from mailboxes where id = ${box}`,
      );
      expect(rows[0]).toEqual({ status: "locked", lock_reason: "inactivity" });
      expect(tg.sent.map((m) => m.chatId).sort()).toEqual([org.headChat, org.ownerChat].sort());
      expect(tg.sent[0]?.text).toContain("/khoiphuc lazy@mic.gov.vn");
      await runSweep(deps(fakeTelegram().send), {
        now: new Date(MONDAY_1630.getTime() + 20 * 60_000),
        rules: ["inactivity"],
      });
      const audits = await db.execute<{ n: number }>(
        sql`select count(*)::int as n from audit_log where entity = 'mailbox' and entity_id = ${String(box)}`,
      );
      expect(audits[0]?.n).toBe(1);
      void driver;
    });
  },
  { resetEach: true },
);
