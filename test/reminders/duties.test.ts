import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { dutyDueDates, effectiveDueDate } from "../../src/policy/duties.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";
import { dutiesDueOn, dutiesRule } from "../../src/reminders/rules/duties.ts";
import { runSweep, type SweepDeps } from "../../src/reminders/sweep.ts";
import type { RuleContext } from "../../src/reminders/types.ts";
import { describeEachDb } from "../helpers/db.ts";
import { at, fakeTelegram, seedOrg, sweepDeps } from "./fixtures.ts";

const calendar = createCalendar();
const ctx = (profileId: string, now: string, supportChatId: number | null = 9): RuleContext => ({
  now: at(now),
  calendar,
  profile: getProfile(profileId),
  supportChatId,
});
const duty = (profileId: string, id: string) => {
  const found = getProfile(profileId).duties.find((d) => d.id === id);
  if (!found) throw new Error(`no duty ${profileId}/${id}`);
  return found;
};

describe("due dates of the dated duties", () => {
  it("every 6 months (mic Điều 14.6, phuyen Điều 12.9): 30/06 and 31/12", () => {
    expect(dutyDueDates(duty("mic", "active-list"), 2026)).toEqual(["2026-06-30", "2026-12-31"]);
    expect(dutyDueDates(duty("phuyen", "active-list"), 2027)).toEqual(["2027-06-30", "2027-12-31"]);
  });
  it("monthly (binhtan Điều 10.1): the last day of each month, 29/02 in a leap year", () => {
    const dates = dutyDueDates(duty("binhtan", "monthly-report"), 2028);
    expect(dates.length).toBe(12);
    expect(dates.slice(0, 3)).toEqual(["2028-01-31", "2028-02-29", "2028-03-31"]);
  });
  it("quarterly (soctrang Điều 8.5): the end of each quarter", () => {
    expect(dutyDueDates(duty("soctrang", "quarterly-report"), 2026)).toEqual([
      "2026-03-31",
      "2026-06-30",
      "2026-09-30",
      "2026-12-31",
    ]);
  });
  // Điều 13.6 "Định kỳ hằng năm (trước ngày 15 tháng 12)": before the 15th, so due the 14th.
  it("yearly before 15/12 (ninhbinh Điều 13.6): due 14/12", () => {
    expect(dutyDueDates(duty("ninhbinh", "yearly-report"), 2026)).toEqual(["2026-12-14"]);
  });
  it("duties without a date (outage notices) are never due", () => {
    expect(dutyDueDates(duty("mic", "outage-notice"), 2026)).toEqual([]);
  });
  it("a due date on a weekend or holiday moves to the previous working day", () => {
    expect(effectiveDueDate(calendar, "2026-05-31")).toBe("2026-05-29"); // Sunday → Friday
    expect(effectiveDueDate(calendar, "2029-12-15")).toBe("2029-12-14"); // Saturday → Friday
    expect(effectiveDueDate(calendar, "2026-04-30")).toBe("2026-04-29"); // Reunification Day
    expect(effectiveDueDate(calendar, "2026-12-31")).toBe("2026-12-31");
  });
});

describe("duties rule", () => {
  it("reminds the heads and the support chat 5 working days before and on the due date, once each", () => {
    // 31/12/2026 is a Thursday: 5 working days before is Thursday 24/12.
    const early = dutiesRule([22, 23], ctx("mic", "2026-12-24T09:00:00+07:00"));
    expect(early.reminders.map((r) => [r.chatId, r.key])).toEqual([
      [22, "duty-early:duty:mic/active-list:2026-12-31@22"],
      [23, "duty-early:duty:mic/active-list:2026-12-31@23"],
      [9, "duty-early:duty:mic/active-list:2026-12-31@9"],
    ]);
    expect(early.reminders[0]?.line).toBe(
      "Nhắc việc: Thống kê danh sách cá nhân, đơn vị đang sử dụng hộp thư gửi Trung tâm Thông tin — hạn 31/12/2026 (Điều 14.6 QĐ 652/QĐ-BTTTT)",
    );
    expect(early.reminders[0]?.section).toBe("duty");
    // Still inside the early window the next day (same key: the claim makes it once).
    const next = dutiesRule([22], ctx("mic", "2026-12-28T09:00:00+07:00"));
    expect(next.reminders.map((r) => r.key)).toEqual([
      "duty-early:duty:mic/active-list:2026-12-31@22",
      "duty-early:duty:mic/active-list:2026-12-31@9",
    ]);
    const due = dutiesRule([22], ctx("mic", "2026-12-31T09:00:00+07:00"));
    expect(due.reminders.map((r) => r.key)).toEqual([
      "duty-due:duty:mic/active-list:2026-12-31@22",
      "duty-due:duty:mic/active-list:2026-12-31@9",
    ]);
    expect(due.reminders[0]?.line).toContain("hạn hôm nay 31/12/2026");
  });
  it("nothing before the window", () => {
    expect(dutiesDueOn(getProfile("mic"), calendar, "2026-12-23")).toEqual([]);
    expect(dutiesRule([22], ctx("mic", "2026-12-23T09:00:00+07:00")).reminders).toEqual([]);
  });
  it("ninhbinh Điều 13.6 'trước ngày 15 tháng 12': due 14/12 (a Saturday in 2030 → Friday 13/12)", () => {
    expect(dutiesDueOn(getProfile("ninhbinh"), calendar, "2029-12-06")).toEqual([]);
    const early = dutiesRule([22], ctx("ninhbinh", "2029-12-07T09:00:00+07:00", null));
    expect(early.reminders.map((r) => r.key)).toEqual([
      "duty-early:duty:ninhbinh/yearly-report:2029-12-14@22",
    ]);
    const due = dutiesRule([22], ctx("ninhbinh", "2029-12-14T09:00:00+07:00", null));
    expect(due.reminders.map((r) => r.rule)).toEqual(["duty-due"]);
    expect(due.reminders[0]?.line).toContain("hạn hôm nay 14/12/2029");
    expect(due.reminders[0]?.line).toContain("(Điều 13.6 Quy chế dự thảo 2020)");
    const sat = dutiesRule([22], ctx("ninhbinh", "2030-12-13T09:00:00+07:00", null));
    expect(sat.reminders[0]?.line).toContain(
      "hạn 14/12/2030 là ngày nghỉ, hôm nay là ngày làm việc cuối trước hạn",
    );
  });
  // The operator's own duties go to the support chat only: phuyen Điều 14.3đ ("Sở Thông tin và
  // Truyền thông … Định kỳ 03 tháng, 06 tháng, năm tổ chức đánh giá, rà soát"), soctrang Điều 8.5
  // ("Báo cáo định kỳ hàng quý, năm"); phuyen Điều 14.1c (units report every 6 months).
  it("phuyen Điều 14.1c to the units, Điều 14.3đ reviews to the operator only", () => {
    const out = dutiesRule([22], ctx("phuyen", "2026-06-30T09:00:00+07:00"));
    const byDuty = (id: string) =>
      out.reminders.filter((r) => r.target === `duty:phuyen/${id}`).map((r) => r.chatId);
    expect(byDuty("implementation-report")).toEqual([22, 9]);
    expect(byDuty("active-list")).toEqual([22, 9]);
    expect(byDuty("review-3m")).toEqual([9]);
    expect(byDuty("review-6m")).toEqual([9]);
    expect(byDuty("review-12m")).toEqual([]);
    const december = dutiesRule([22], ctx("phuyen", "2026-12-31T09:00:00+07:00"));
    expect(
      december.reminders.filter((r) => r.target === "duty:phuyen/review-12m").map((r) => r.chatId),
    ).toEqual([9]);
  });
  it("soctrang Điều 8.5: quarterly and yearly reports, to the operator", () => {
    const out = dutiesRule([22], ctx("soctrang", "2026-12-31T09:00:00+07:00"));
    expect(out.reminders.map((r) => [r.target, r.chatId])).toEqual([
      ["duty:soctrang/quarterly-report", 9],
      ["duty:soctrang/yearly-report", 9],
    ]);
  });
  it("binhtan monthly: 31/05/2026 is a Sunday → due Friday 29/05", () => {
    const on = dutiesDueOn(getProfile("binhtan"), calendar, "2026-05-29");
    expect(on.map((o) => [o.dueDate, o.deadline, o.kind])).toEqual([["2026-05-31", "2026-05-29", "due"]]);
  });
  it("soctrang quarterly: early reminder for 31/03/2026 on 24/03", () => {
    const on = dutiesDueOn(getProfile("soctrang"), calendar, "2026-03-24");
    expect(on.map((o) => [o.dueDate, o.kind])).toEqual([["2026-03-31", "early"]]);
  });
  it("nobody to tell → nothing", () => {
    expect(dutiesRule([], ctx("mic", "2026-12-31T09:00:00+07:00", null)).reminders).toEqual([]);
  });
});

describeEachDb(
  "duties in the sweep",
  (getDb) => {
    const deps = (send: SweepDeps["send"]): SweepDeps => sweepDeps(getDb(), send);

    it("reaches the head of a top-level unit and the support chat once, not again", async () => {
      const db = getDb();
      const org = await seedOrg(db);
      // A division under the agency with its own head: not a top-level unit, not reminded.
      const child = await db.execute<{ id: number }>(
        sql`insert into units (profile_id, kind, name, abbr, parent_id) values ('mic', 'division', 'Phòng Một', 'p1', ${org.unitId}) returning id`,
      );
      const staff = await db.execute<{ id: number }>(
        sql`insert into staff (full_name, unit_id, employment_type, telegram_user_id) values ('Trưởng phòng', ${child[0]!.id}, 'civil_servant', 555) returning id`,
      );
      await db.execute(
        sql`insert into role_grants (staff_id, role, unit_id) values (${staff[0]!.id}, 'unit_head', ${child[0]!.id})`,
      );

      const tg = fakeTelegram();
      const now = at("2026-12-24T09:00:00+07:00");
      const report = await runSweep(deps(tg.send), { now, rules: ["duties"] });
      expect(tg.sent.map((m) => m.chatId).sort()).toEqual([999, org.headChat].sort());
      const head = tg.sent.find((m) => m.chatId === org.headChat);
      expect(head?.text).toContain("Báo cáo định kỳ theo quy chế (1)");
      expect(head?.text).toContain("Thống kê danh sách cá nhân, đơn vị đang sử dụng hộp thư");
      expect(head?.text).toContain("hạn 31/12/2026 (Điều 14.6 QĐ 652/QĐ-BTTTT)");
      expect(report.claimed).toBe(2);

      for (const later of ["2026-12-24T09:15:00+07:00", "2026-12-25T09:00:00+07:00"]) {
        const again = fakeTelegram();
        const second = await runSweep(deps(again.send), { now: at(later), rules: ["duties"] });
        expect(again.sent, later).toEqual([]);
        expect(second.claimed, later).toBe(0);
      }
    });
  },
  { resetEach: true },
);
