// Issue 10 "Check windows as written": the sweep judges each profile's check duty the way the
// article writes it, against real check rows in the database.
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import type { Database } from "../../src/db/client.ts";
import { runSweep, type SweepDeps } from "../../src/reminders/sweep.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, at, fakeTelegram, instantLimiter, seedOrg } from "./fixtures.ts";

const calendar = createCalendar();

async function addChecks(db: Database, mailboxId: number, times: string[]): Promise<void> {
  for (const t of times) {
    await db.execute(
      sql`insert into mailbox_checks (mailbox_id, checked_at) values (${mailboxId}, ${t}::timestamptz)`,
    );
  }
}

describeEachDb(
  "check windows as the documents write them",
  (getDb) => {
    const deps = (send: SweepDeps["send"], profile: string): SweepDeps => ({
      database: getDb(),
      send,
      calendar,
      profiles: [profile],
      supportChatId: 999,
      limiter: instantLimiter(),
    });
    const texts = (sent: { chatId: number; text: string }[], chat: number): string =>
      sent
        .filter((m) => m.chatId === chat)
        .map((m) => m.text)
        .join("\n");

    // soctrang Điều 13.2 "Kiểm tra thư điện tử tối thiểu 2 lần/buổi trong giờ làm việc": two
    // checks anywhere in the half-day, not one in each of two fixed sub-windows.
    it("soctrang Điều 13.2: three checks before noon count; one does not; escalation needs two real misses", async () => {
      const db = getDb();
      const org = await seedOrg(db, "soctrang", "soctrang.gov.vn");
      const early = await addMailbox(db, org, "sang-som", {
        kind: "personal",
        lastCheckAt: "2026-11-23T08:00:00+07:00",
      });
      await addChecks(db, early, ["2026-11-20T14:00:00+07:00", "2026-11-20T16:00:00+07:00"]);
      await addChecks(db, early, [
        "2026-11-23T07:40:00+07:00",
        "2026-11-23T08:10:00+07:00",
        "2026-11-23T08:40:00+07:00",
      ]);
      const once = await addMailbox(db, org, "mot-lan", { lastCheckAt: "2026-11-23T09:00:00+07:00" });
      await addChecks(db, once, [
        "2026-11-20T14:00:00+07:00",
        "2026-11-20T16:00:00+07:00",
        "2026-11-23T09:00:00+07:00",
      ]);
      // Created on Saturday: Friday afternoon was no duty of it, so this morning is its first miss.
      await addMailbox(db, org, "moi-tao", {
        kind: "unit",
        createdAt: "2026-11-21T10:00:00+07:00",
        lastCheckAt: "2026-11-21T10:00:00+07:00",
      });
      // Missed Friday afternoon and Monday morning: escalated to the head.
      await addMailbox(db, org, "bo-quen", { kind: "unit", lastCheckAt: "2026-11-19T08:00:00+07:00" });

      const tg = fakeTelegram();
      await runSweep(deps(tg.send, "soctrang"), { now: at("2026-11-23T13:05:00+07:00"), rules: ["checks"] });
      const owner = texts(tg.sent, org.ownerChat);
      const clerk = texts(tg.sent, org.clerkChat);
      const head = texts(tg.sent, org.headChat);
      expect(owner).not.toContain("sang-som@");
      expect(clerk).toContain("mot-lan@soctrang.gov.vn chưa được mở đủ 2 lần buổi sáng");
      expect(clerk).toContain("Điều 12.2; Điều 13.2 QĐ 48/QĐ-STTTT");
      expect(clerk).toContain("moi-tao@");
      expect(head).toContain("bo-quen@");
      expect(head).not.toContain("moi-tao@");
      expect(head).not.toContain("mot-lan@");
    });

    // ninhbinh Điều 8.2 "Hằng ngày, cán bộ tại bộ phận văn thư … có trách nhiệm xem xét, xử lý
    // thông tin nhận được qua hộp thư": one look any time in the working day.
    it("ninhbinh Điều 8.2: one check any time of the working day is enough", async () => {
      const db = getDb();
      const org = await seedOrg(db, "ninhbinh", "ninhbinh.gov.vn");
      const morning = await addMailbox(db, org, "vanthu-sang", { lastCheckAt: "2026-11-23T10:00:00+07:00" });
      await addChecks(db, morning, ["2026-11-23T10:00:00+07:00"]);
      await addMailbox(db, org, "vanthu-quen", { lastCheckAt: "2026-11-20T10:00:00+07:00" });
      const tg = fakeTelegram();
      await runSweep(deps(tg.send, "ninhbinh"), { now: at("2026-11-23T17:00:00+07:00"), rules: ["checks"] });
      const clerk = texts(tg.sent, org.clerkChat);
      expect(clerk).not.toContain("vanthu-sang@");
      expect(clerk).toContain(
        "vanthu-quen@ninhbinh.gov.vn chưa được mở trong ngày làm việc (07:30–17:00 23/11)",
      );
      expect(clerk).toContain("Điều 8.2 Quy chế dự thảo 2020");
    });

    // phuyen Điều 13.1 "khuyến khích kiểm tra thư hàng ngày": a gentle reminder, no escalation;
    // no article sets checks of a unit mailbox.
    it("phuyen Điều 13.1: a gentle reminder to the owner, never to the head; unit mailboxes not judged", async () => {
      const db = getDb();
      const org = await seedOrg(db, "phuyen", "phuyen.gov.vn");
      await addMailbox(db, org, "canhan", { kind: "personal", lastCheckAt: "2026-11-18T10:00:00+07:00" });
      await addMailbox(db, org, "donvi", { kind: "unit", lastCheckAt: "2026-11-18T10:00:00+07:00" });
      const tg = fakeTelegram();
      await runSweep(deps(tg.send, "phuyen"), { now: at("2026-11-23T17:00:00+07:00"), rules: ["checks"] });
      expect(texts(tg.sent, org.ownerChat)).toContain("Nhắc nhẹ: canhan@phuyen.gov.vn chưa được mở");
      expect(texts(tg.sent, org.ownerChat)).toContain("khuyến khích kiểm tra thư hằng ngày (Điều 13.1");
      expect(texts(tg.sent, org.headChat)).toBe("");
      expect(texts(tg.sent, org.clerkChat)).toBe("");
    });

    // A deployment's support chat gets only its own profiles' duties: a Phú Yên desk never
    // receives Bình Tân's monthly report (issue 10).
    it("duties reach only the profiles this deployment has units of", async () => {
      const db = getDb();
      await seedOrg(db, "phuyen", "phuyen.gov.vn");
      const tg = fakeTelegram();
      // 31/12/2026: Bình Tân's monthly report and Phú Yên's duties are both due.
      const report = await runSweep(
        { database: db, send: tg.send, calendar, supportChatId: 999, limiter: instantLimiter() },
        { now: at("2026-12-31T09:00:00+07:00"), rules: ["duties"] },
      );
      expect(report.profilesSwept).toContain("phuyen");
      expect(report.profilesSwept).not.toContain("binhtan");
      const desk = texts(tg.sent, 999);
      expect(desk).toContain("Điều 12.9 QĐ 13/2020/QĐ-UBND");
      expect(desk).not.toContain("7600/QĐ-UBND");
    });
  },
  { resetEach: true },
);
