// Planned outages (mic Điều 10.3, phuyen Điều 8.1c): "Thông báo cho các cơ quan, đơn vị, cá nhân
// biết tối thiểu trước 03 ngày làm việc khi bắt buộc phải tạm thời ngừng dịch vụ Hệ thống thư
// điện tử công vụ vì lý do kỹ thuật." Recorded by the operator, reminded to the support chat.
import { describe, expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";
import { outageRule, type OutageFact } from "../../src/reminders/rules/outages.ts";
import { runSweep, type SweepDeps } from "../../src/reminders/sweep.ts";
import type { RuleContext } from "../../src/reminders/types.ts";
import { createServices } from "../../src/services/index.ts";
import { CLI } from "../../src/services/types.ts";
import { describeEachDb } from "../helpers/db.ts";
import { at, fakeTelegram, instantLimiter, seedOrg } from "./fixtures.ts";

const calendar = createCalendar();
const ctx = (profileId: string, now: string, supportChatId: number | null = 9): RuleContext => ({
  now: at(now),
  calendar,
  profile: getProfile(profileId),
  supportChatId,
});
// Monday 14/12/2026 08:00–12:00: the last notice day is Tuesday 08/12 (Wed, Thu, Fri in between).
const monday: OutageFact = {
  outageId: 7,
  profileId: null,
  startsAt: at("2026-12-14T08:00:00+07:00"),
  endsAt: at("2026-12-14T12:00:00+07:00"),
  reason: "nâng cấp máy chủ thư",
};

describe("outage rule", () => {
  it("nothing before the early window (3 working days before the last notice day)", () => {
    expect(outageRule([monday], ctx("mic", "2026-12-02T09:00:00+07:00")).reminders).toEqual([]);
  });
  it("early from Thursday 03/12, then on the last day Tuesday 08/12, to the support chat only", () => {
    const early = outageRule([monday], ctx("mic", "2026-12-03T09:00:00+07:00"));
    expect(early.reminders.map((r) => [r.chatId, r.key, r.section])).toEqual([
      [9, "outage-early:outage:7:2026-12-08@9", "outage"],
    ]);
    expect(early.reminders[0]?.line).toBe(
      "Tạm ngừng dịch vụ thư điện tử từ 08:00 14/12/2026 đến 12:00 14/12/2026 (nâng cấp máy chủ thư): thông báo cho các cơ quan, đơn vị, cá nhân chậm nhất thứ Ba 08/12/2026 (tối thiểu trước 03 ngày làm việc, Điều 10.3 QĐ 652/QĐ-BTTTT)",
    );
    const due = outageRule([monday], ctx("mic", "2026-12-08T09:00:00+07:00"));
    expect(due.reminders.map((r) => r.key)).toEqual(["outage-due:outage:7:2026-12-08@9"]);
    expect(due.reminders[0]?.line).toContain("hôm nay là hạn cuối để thông báo");
  });
  it("late: past the last notice day it says so and how many working days are left", () => {
    const late = outageRule([monday], ctx("phuyen", "2026-12-10T09:00:00+07:00"));
    expect(late.reminders.map((r) => r.key)).toEqual(["outage-due:outage:7:2026-12-08@9"]);
    expect(late.reminders[0]?.line).toContain(
      "đã quá hạn thông báo (thứ Ba 08/12/2026), chỉ còn 01 ngày làm việc: hãy thông báo ngay",
    );
    expect(late.reminders[0]?.line).toContain("Điều 8.1c QĐ 13/2020/QĐ-UBND");
  });
  it("nothing once the outage started, for another profile's outage, without the duty or a support chat", () => {
    expect(outageRule([monday], ctx("mic", "2026-12-14T08:00:00+07:00")).reminders).toEqual([]);
    expect(
      outageRule([{ ...monday, profileId: "phuyen" }], ctx("mic", "2026-12-08T09:00:00+07:00")).reminders,
    ).toEqual([]);
    expect(outageRule([monday], ctx("ninhbinh", "2026-12-08T09:00:00+07:00")).reminders).toEqual([]);
    expect(outageRule([monday], ctx("mic", "2026-12-08T09:00:00+07:00", null)).reminders).toEqual([]);
  });
});

describeEachDb(
  "planned outages in the sweep",
  (getDb) => {
    const deps = (send: SweepDeps["send"], profiles?: string[]): SweepDeps => ({
      database: getDb(),
      send,
      calendar,
      supportChatId: 999,
      limiter: instantLimiter(),
      ...(profiles ? { profiles } : {}),
    });

    it("recorded by the operator, reminded to the support chat 3 working days ahead, once", async () => {
      const db = getDb();
      const org = await seedOrg(db, "mic");
      const services = createServices(db, { clock: () => at("2026-12-01T10:00:00+07:00"), calendar });
      const { outage } = await services.outages.add(
        {
          startsAt: at("2026-12-14T08:00:00+07:00"),
          endsAt: at("2026-12-14T12:00:00+07:00"),
          reason: "nâng cấp máy chủ thư",
        },
        CLI,
      );
      expect(outage.noticeBy).toBe("2026-12-08");

      // Monday 07/12: early reminder (from Thursday 03/12; the sweep runs daily).
      const before = fakeTelegram();
      await runSweep(deps(before.send), { now: at("2026-12-07T09:00:00+07:00"), rules: ["outages"] });
      expect(before.sent.map((m) => m.chatId)).toEqual([999]);
      expect(before.sent[0]?.text).toContain("Báo trước lịch tạm ngừng dịch vụ (1)");
      expect(before.sent[0]?.text).toContain("chậm nhất thứ Ba 08/12/2026");

      // Tuesday 08/12: three whole working days (Wed, Thu, Fri) before the outage: the last day.
      const due = fakeTelegram();
      const report = await runSweep(deps(due.send), {
        now: at("2026-12-08T09:00:00+07:00"),
        rules: ["outages"],
      });
      expect(due.sent.map((m) => m.chatId)).toEqual([999]);
      expect(due.sent[0]?.text).toContain(
        "hôm nay là hạn cuối để thông báo cho các cơ quan, đơn vị, cá nhân",
      );
      expect(due.sent[0]?.text).toContain("Điều 10.3 QĐ 652/QĐ-BTTTT");
      expect(report.claimed).toBe(1);
      // The unit head is not the one who owes it: nothing to the head.
      expect(due.sent.some((m) => m.chatId === org.headChat)).toBe(false);

      const again = fakeTelegram();
      await runSweep(deps(again.send), { now: at("2026-12-08T10:00:00+07:00"), rules: ["outages"] });
      expect(again.sent).toEqual([]);
    });

    it("not for a profile without the duty (Ninh Bình), and not after a cancel", async () => {
      const db = getDb();
      await seedOrg(db, "ninhbinh", "ninhbinh.gov.vn");
      const services = createServices(db, { clock: () => at("2026-12-01T10:00:00+07:00"), calendar });
      const { outage } = await services.outages.add(
        {
          startsAt: at("2026-12-14T08:00:00+07:00"),
          endsAt: at("2026-12-14T12:00:00+07:00"),
          reason: "bảo trì",
        },
        CLI,
      );
      const tg = fakeTelegram();
      const report = await runSweep(deps(tg.send), {
        now: at("2026-12-08T09:00:00+07:00"),
        rules: ["outages"],
      });
      expect(report.profilesSwept).toEqual(["ninhbinh"]);
      expect(tg.sent).toEqual([]);

      // A Phú Yên deployment with the same outage is reminded … until it is cancelled.
      await seedOrg(db, "phuyen", "phuyen.gov.vn");
      const cancelled = await services.outages.cancel(outage.id, CLI);
      expect(cancelled.cancelled).toBe(true);
      const after = fakeTelegram();
      await runSweep(deps(after.send), { now: at("2026-12-08T09:00:00+07:00"), rules: ["outages"] });
      expect(after.sent).toEqual([]);
      await services.outages.add(
        {
          startsAt: at("2026-12-14T08:00:00+07:00"),
          endsAt: at("2026-12-14T12:00:00+07:00"),
          reason: "bảo trì",
        },
        CLI,
      );
      const phuyen = fakeTelegram();
      await runSweep(deps(phuyen.send), { now: at("2026-12-08T09:00:00+07:00"), rules: ["outages"] });
      expect(phuyen.sent.map((m) => m.chatId)).toEqual([999]);
      expect(phuyen.sent[0]?.text).toContain("Điều 8.1c QĐ 13/2020/QĐ-UBND");
    });
  },
  { resetEach: true },
);
