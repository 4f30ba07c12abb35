import { describe, expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { nationalDayAdjacentDay, statutoryHolidays } from "../../src/calendar/holidays.ts";
import {
  ANNOUNCED_SCHEDULES,
  announcedScheduleSchema,
  parseAnnouncedSchedule,
} from "../../src/calendar/schedules.ts";
import { addDays, isoDateOf, weekdayOf } from "../../src/calendar/time.ts";

// The digest table (docs/regulations.md §6), written out independently of the data module.
const EXPECTED: Record<number, { off: string[]; workingWeekend: string[] }> = {
  2024: {
    off: [
      "2024-01-01",
      "2024-02-08",
      "2024-02-09",
      "2024-02-12",
      "2024-02-13",
      "2024-02-14",
      "2024-04-18",
      "2024-04-29",
      "2024-04-30",
      "2024-05-01",
      "2024-09-02",
      "2024-09-03",
    ],
    workingWeekend: ["2024-05-04"],
  },
  2025: {
    off: [
      "2025-01-01",
      "2025-01-27",
      "2025-01-28",
      "2025-01-29",
      "2025-01-30",
      "2025-01-31",
      "2025-04-07",
      "2025-04-30",
      "2025-05-01",
      "2025-05-02",
      "2025-09-01",
      "2025-09-02",
    ],
    workingWeekend: ["2025-04-26"],
  },
  2026: {
    off: [
      "2026-01-01",
      "2026-01-02",
      "2026-02-16",
      "2026-02-17",
      "2026-02-18",
      "2026-02-19",
      "2026-02-20",
      "2026-04-27",
      "2026-04-30",
      "2026-05-01",
      "2026-08-31",
      "2026-09-01",
      "2026-09-02",
    ],
    workingWeekend: ["2026-01-10", "2026-08-22"],
  },
};

function everyDayOf(year: number): string[] {
  const days: string[] = [];
  for (let d = isoDateOf(year, 1, 1); d.startsWith(`${year}-`); d = addDays(d, 1)) days.push(d);
  return days;
}

describe("announced schedules 2024–2026", () => {
  const cal = createCalendar();

  it.each([2024, 2025, 2026])("%i: every day matches the announcement", (year) => {
    const expected = EXPECTED[year]!;
    const off = new Set(expected.off);
    const workingWeekend = new Set(expected.workingWeekend);
    for (const date of everyDayOf(year)) {
      const weekend = weekdayOf(date) === 0 || weekdayOf(date) === 6;
      const shouldWork = weekend ? workingWeekend.has(date) : !off.has(date);
      expect(cal.isWorkingDay(date), date).toBe(shouldWork);
      const info = cal.dayInfo(date);
      expect(info.working, date).toBe(shouldWork);
      expect(info.provisional, date).toBe(false);
    }
    expect(cal.isProvisionalYear(year)).toBe(false);
  });

  it.each([2024, 2025, 2026])("%i: listYear gives exactly the weekdays off and the làm bù days", (year) => {
    const expected = EXPECTED[year]!;
    const listed = cal.listYear(year);
    expect(listed.filter((d) => !d.working).map((d) => d.date)).toEqual(expected.off);
    expect(listed.filter((d) => d.working).map((d) => d.date)).toEqual(expected.workingWeekend);
    expect(listed.every((d) => !d.provisional)).toBe(true);
    for (const day of listed) expect(day.name).toBe(day.name.normalize("NFC"));
  });

  it("names the days in Vietnamese", () => {
    expect(cal.dayInfo("2026-01-01").reason).toBe("Tết Dương lịch");
    expect(cal.dayInfo("2026-02-17").reason).toBe("Tết Nguyên đán");
    expect(cal.dayInfo("2024-04-18").reason).toBe("Giỗ Tổ Hùng Vương");
    expect(cal.dayInfo("2026-04-26").reason).toBe("Giỗ Tổ Hùng Vương"); // a Sunday, off anyway
    expect(cal.dayInfo("2026-04-27").reason).toBe("Nghỉ bù (Giỗ Tổ Hùng Vương)");
    expect(cal.dayInfo("2025-04-30").reason).toBe("Ngày Chiến thắng");
    expect(cal.dayInfo("2025-05-01").reason).toBe("Ngày Quốc tế Lao động");
    expect(cal.dayInfo("2025-09-02").reason).toBe("Quốc khánh");
    expect(cal.dayInfo("2026-01-02").reason).toMatch(/^Nghỉ bù \(hoán đổi/);
    expect(cal.dayInfo("2026-01-10").reason).toBe("Làm bù (cho ngày nghỉ 02/01/2026)");
    expect(cal.dayInfo("2026-08-22").reason).toBe("Làm bù (cho ngày nghỉ 31/08/2026)");
    expect(cal.dayInfo("2026-03-07")).toEqual({
      date: "2026-03-07",
      working: false,
      reason: "Thứ Bảy",
      provisional: false,
    });
    expect(cal.dayInfo("2026-03-08").reason).toBe("Chủ nhật");
    expect(cal.dayInfo("2026-03-09").reason).toBe("Ngày làm việc");
  });

  it("keeps the built-in data valid and NFC", () => {
    for (const schedule of ANNOUNCED_SCHEDULES) {
      expect(announcedScheduleSchema.safeParse(schedule).success).toBe(true);
      for (const day of schedule.days) expect(day.name).toBe(day.name.normalize("NFC"));
    }
  });

  it("rejects a schedule with a weekend day off, a weekday làm bù, a foreign year or a duplicate", () => {
    const base = { year: 2027, source: "test" };
    const weekendOff = parseAnnouncedSchedule({
      ...base,
      days: [{ date: "2027-02-06", kind: "off", name: "Tết" }],
    });
    expect(weekendOff).toEqual({ ok: false, error: expect.stringContaining("cuối tuần") });
    const weekdayWork = parseAnnouncedSchedule({
      ...base,
      days: [{ date: "2027-02-08", kind: "working", name: "x" }],
    });
    expect(weekdayWork).toEqual({ ok: false, error: expect.stringContaining("ngày thường") });
    const otherYear = parseAnnouncedSchedule({
      ...base,
      days: [{ date: "2028-02-08", kind: "off", name: "x" }],
    });
    expect(otherYear).toEqual({ ok: false, error: expect.stringContaining("không thuộc năm 2027") });
    const twice = parseAnnouncedSchedule({
      ...base,
      days: [
        { date: "2027-02-08", kind: "off", name: "a" },
        { date: "2027-02-08", kind: "off", name: "b" },
      ],
    });
    expect(twice).toEqual({ ok: false, error: expect.stringContaining("hai lần") });
  });
});

describe("provisional years", () => {
  const cal = createCalendar();

  it("computes 2027 as the digest says, labelled provisional", () => {
    expect(cal.isProvisionalYear(2027)).toBe(true);
    expect(cal.listYear(2027)).toEqual([
      { date: "2027-01-01", name: "Tết Dương lịch", working: false, provisional: true },
      // mùng 1 = Sat 6 Feb: the eve (Fri 5) and mùng 3–4 are weekdays; Sat/Sun move to Wed 10, Thu 11.
      { date: "2027-02-05", name: "Tết Nguyên đán", working: false, provisional: true },
      { date: "2027-02-08", name: "Tết Nguyên đán", working: false, provisional: true },
      { date: "2027-02-09", name: "Tết Nguyên đán", working: false, provisional: true },
      { date: "2027-02-10", name: "Nghỉ bù (Tết Nguyên đán)", working: false, provisional: true },
      { date: "2027-02-11", name: "Nghỉ bù (Tết Nguyên đán)", working: false, provisional: true },
      { date: "2027-04-16", name: "Giỗ Tổ Hùng Vương", working: false, provisional: true },
      { date: "2027-04-30", name: "Ngày Chiến thắng", working: false, provisional: true },
      { date: "2027-05-03", name: "Nghỉ bù (Ngày Quốc tế Lao động)", working: false, provisional: true },
      { date: "2027-09-02", name: "Quốc khánh", working: false, provisional: true },
      { date: "2027-09-03", name: "Quốc khánh", working: false, provisional: true },
    ]);
    expect(cal.dayInfo("2027-02-06")).toEqual({
      date: "2027-02-06",
      working: false,
      reason: "Tết Nguyên đán",
      provisional: true,
    });
    expect(cal.dayInfo("2027-03-03").provisional).toBe(true);
  });

  it("always gives five weekdays off for Tết and keeps every holiday in 2027–2060", () => {
    for (let year = 2027; year <= 2060; year++) {
      const tetDays = cal.listYear(year).filter((d) => d.name.includes("Tết Nguyên đán"));
      expect(tetDays, String(year)).toHaveLength(5);
      // Statutory days: 11 (1/1, 5 Tết, 10/3, 30/4, 1/5, 2/9 + 1); each gives exactly one weekday off.
      const weekdaysOff = cal.listYear(year).filter((d) => !d.working);
      expect(weekdaysOff, String(year)).toHaveLength(statutoryHolidays(year).length);
      expect(weekdaysOff.every((d) => d.provisional)).toBe(true);
    }
  });

  it("joins the second National Day day to a weekend as the government has done", () => {
    expect(nationalDayAdjacentDay(2024)).toBe("2024-09-03"); // Mon
    expect(nationalDayAdjacentDay(2025)).toBe("2025-09-01"); // Tue
    expect(nationalDayAdjacentDay(2027)).toBe("2027-09-03"); // Thu
    expect(nationalDayAdjacentDay(2022)).toBe("2022-09-01"); // Fri
    expect(nationalDayAdjacentDay(2023)).toBe("2023-09-01"); // Sat
    // 2028: Sat 2 Sep → Fri 1 Sep plus Mon 4 Sep in lieu.
    expect(cal.listYear(2028).filter((d) => d.date.startsWith("2028-09"))).toEqual([
      { date: "2028-09-01", name: "Quốc khánh", working: false, provisional: true },
      { date: "2028-09-04", name: "Nghỉ bù (Quốc khánh)", working: false, provisional: true },
    ]);
  });

  it("lets an operator supply a newly announced year", () => {
    const announced = createCalendar({
      schedules: [
        {
          year: 2027,
          source: "test announcement",
          days: [
            { date: "2027-02-04", kind: "off", name: "Tết Nguyên đán" },
            { date: "2027-02-05", kind: "off", name: "Tết Nguyên đán" },
            { date: "2027-02-08", kind: "off", name: "Tết Nguyên đán" },
            { date: "2027-02-09", kind: "off", name: "Tết Nguyên đán" },
            { date: "2027-02-10", kind: "off", name: "Tết Nguyên đán" },
            { date: "2027-01-30", kind: "working", name: "Làm bù (cho ngày nghỉ 04/02/2027)" },
          ],
        },
      ],
    });
    expect(announced.isProvisionalYear(2027)).toBe(false);
    expect(announced.isWorkingDay("2027-02-04")).toBe(false);
    expect(announced.isWorkingDay("2027-02-11")).toBe(true);
    expect(announced.isWorkingDay("2027-01-30")).toBe(true);
    expect(announced.dayInfo("2027-02-11")).toMatchObject({ working: true, provisional: false });
    // The built-in years are still there.
    expect(announced.isWorkingDay("2026-01-10")).toBe(true);
  });
});
