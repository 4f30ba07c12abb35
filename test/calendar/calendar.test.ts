import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { parseCalendarOverrides } from "../../src/calendar/schedules.ts";
import { addDays, dateOfDayNumber, dayNumberOf } from "../../src/calendar/time.ts";

describe("working-day arithmetic", () => {
  const cal = createCalendar();

  it("finds the n-th working day after a date", () => {
    expect(cal.addWorkingDays("2026-11-20", 1)).toBe("2026-11-23"); // Fri → Mon
    expect(cal.addWorkingDays("2026-11-20", 2)).toBe("2026-11-24");
    expect(cal.addWorkingDays("2026-11-21", 1)).toBe("2026-11-23"); // Sat → Mon
    expect(cal.addWorkingDays("2026-02-13", 1)).toBe("2026-02-23"); // over Tết 2026
    expect(cal.addWorkingDays("2026-01-09", 1)).toBe("2026-01-10"); // làm bù Saturday
    expect(cal.addWorkingDays("2025-12-31", 1)).toBe("2026-01-05"); // over the year end and 2 Jan
    expect(cal.addWorkingDays("2026-12-31", 1)).toBe("2027-01-04"); // into provisional 2027
    expect(cal.addWorkingDays("2024-01-02", 500)).toBe(
      dateOfDayNumber(bruteForceAdd(cal.isWorkingDay, "2024-01-02", 500)),
    );
  });

  it("n = 0 keeps a working day and moves a day off to the next working day", () => {
    expect(cal.addWorkingDays("2026-11-24", 0)).toBe("2026-11-24");
    expect(cal.addWorkingDays("2026-11-22", 0)).toBe("2026-11-23");
    expect(cal.addWorkingDays("2026-02-16", 0)).toBe("2026-02-23");
  });

  it("counts backwards for negative n", () => {
    expect(cal.addWorkingDays("2026-02-23", -1)).toBe("2026-02-13");
    expect(cal.previousWorkingDay("2026-01-05")).toBe("2025-12-31");
    expect(cal.addWorkingDays("2026-01-11", -1)).toBe("2026-01-10");
    expect(cal.addWorkingDays("2027-01-04", -260)).toBe(
      dateOfDayNumber(bruteForceAdd(cal.isWorkingDay, "2027-01-04", -260)),
    );
  });

  it("nextWorkingDay is strictly after", () => {
    expect(cal.nextWorkingDay("2026-11-23")).toBe("2026-11-24");
    expect(cal.nextWorkingDay("2026-04-24")).toBe("2026-04-28"); // Fri → over Sun 26 + Mon 27 in lieu
  });

  it("counts working days in (a, b]", () => {
    expect(cal.workingDaysBetween("2026-11-20", "2026-11-24")).toBe(2);
    expect(cal.workingDaysBetween("2026-11-24", "2026-11-24")).toBe(0);
    expect(cal.workingDaysBetween("2026-11-24", "2026-11-20")).toBe(-2);
    expect(cal.workingDaysBetween("2026-02-13", "2026-02-23")).toBe(1);
    expect(cal.workingDaysBetween("2025-12-31", "2026-12-31")).toBe(
      countWorkingDays(cal.isWorkingDay, "2025-12-31", "2026-12-31"),
    );
    expect(cal.workingDaysBetween("2023-06-01", "2031-06-01")).toBe(
      countWorkingDays(cal.isWorkingDay, "2023-06-01", "2031-06-01"),
    );
  });

  it("rejects fractional counts and years outside the supported range", () => {
    expect(() => cal.addWorkingDays("2026-11-20", 1.5)).toThrow(RangeError);
    expect(() => cal.dayInfo("1700-01-01")).toThrow(RangeError);
    expect(() => cal.isWorkingDay("2026-02-30")).toThrow(RangeError);
  });

  const dates = fc
    .integer({ min: dayNumberOf("2020-01-01"), max: dayNumberOf("2035-12-31") })
    .map(dateOfDayNumber);

  it("property: addWorkingDays lands on a working day n working days later", () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: 1, max: 400 }), (date, n) => {
        const result = cal.addWorkingDays(date, n);
        expect(cal.isWorkingDay(result)).toBe(true);
        expect(cal.workingDaysBetween(date, result)).toBe(n);
        // …and it is the first such day.
        expect(cal.workingDaysBetween(date, addDays(result, -1))).toBe(n - 1);
      }),
      { numRuns: 1000 },
    );
  });

  it("property: stepping back undoes stepping forward from a working day", () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: 1, max: 400 }), (date, n) => {
        const start = cal.addWorkingDays(date, 0);
        expect(cal.addWorkingDays(cal.addWorkingDays(start, n), -n)).toBe(start);
      }),
      { numRuns: 500 },
    );
  });

  it("property: workingDaysBetween matches a day-by-day count", () => {
    fc.assert(
      fc.property(dates, dates, (a, b) => {
        const expected =
          a <= b ? countWorkingDays(cal.isWorkingDay, a, b) : -countWorkingDays(cal.isWorkingDay, b, a);
        expect(cal.workingDaysBetween(a, b)).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe("operator overrides", () => {
  it("win over weekends, holidays and announced days", () => {
    const cal = createCalendar({
      overrides: [
        { date: "2026-11-23", kind: "off", name: "Nghỉ đột xuất (bão)" },
        { date: "2026-02-16", kind: "working", name: "Trực Tết" },
        { date: "2026-11-29", kind: "working", name: "Làm bù (cho ngày nghỉ 23/11/2026)" },
        { date: "2026-01-10", kind: "off", name: "Hủy làm bù" },
      ],
    });
    expect(cal.dayInfo("2026-11-23")).toEqual({
      date: "2026-11-23",
      working: false,
      reason: "Nghỉ đột xuất (bão)",
      provisional: false,
    });
    expect(cal.isWorkingDay("2026-02-16")).toBe(true);
    expect(cal.isWorkingDay("2026-11-29")).toBe(true);
    expect(cal.isWorkingDay("2026-01-10")).toBe(false);
    expect(cal.addWorkingDays("2026-11-20", 1)).toBe("2026-11-24");
    expect(cal.addWorkingDays("2026-11-27", 1)).toBe("2026-11-29");
    const listed = cal.listYear(2026);
    expect(listed).toContainEqual({
      date: "2026-11-23",
      name: "Nghỉ đột xuất (bão)",
      working: false,
      provisional: false,
    });
    expect(listed).toContainEqual({
      date: "2026-11-29",
      name: "Làm bù (cho ngày nghỉ 23/11/2026)",
      working: true,
      provisional: false,
    });
    expect(listed.map((d) => d.date)).not.toContain("2026-02-16");
    expect(listed.map((d) => d.date)).not.toContain("2026-01-10");
  });

  it("are firm inside a provisional year", () => {
    const cal = createCalendar({ overrides: [{ date: "2027-02-10", kind: "working", name: "Đi làm" }] });
    expect(cal.dayInfo("2027-02-10")).toEqual({
      date: "2027-02-10",
      working: true,
      reason: "Đi làm",
      provisional: false,
    });
    expect(cal.dayInfo("2027-02-11").provisional).toBe(true);
  });

  it("do not leak between calendars", () => {
    createCalendar({ overrides: [{ date: "2026-11-23", kind: "off", name: "x" }] }).isWorkingDay(
      "2026-11-23",
    );
    expect(createCalendar().isWorkingDay("2026-11-23")).toBe(true);
  });

  it("are validated: bad dates, unknown kinds, duplicates, NFC names", () => {
    expect(parseCalendarOverrides([{ date: "2026-02-30", kind: "off", name: "x" }])).toEqual({
      ok: false,
      error: expect.stringContaining("0.date"),
    });
    expect(parseCalendarOverrides([{ date: "2026-02-03", kind: "holiday", name: "x" }])).toEqual({
      ok: false,
      error: expect.stringContaining("kind"),
    });
    expect(
      parseCalendarOverrides([
        { date: "2026-02-03", kind: "off", name: "a" },
        { date: "2026-02-03", kind: "working", name: "b" },
      ]).ok,
    ).toBe(false);
    expect(parseCalendarOverrides("not a list")).toEqual({
      ok: false,
      error: expect.stringContaining("mảng"),
    });
    const decomposed = "Nghỉ bù".normalize("NFD");
    const parsed = parseCalendarOverrides([{ date: "2026-02-03", kind: "off", name: ` ${decomposed} ` }]);
    expect(parsed).toEqual({
      ok: true,
      value: [{ date: "2026-02-03", kind: "off", name: "Nghỉ bù".normalize("NFC") }],
    });
    expect(() => createCalendar({ overrides: [{ date: "2026-13-01", kind: "off", name: "x" }] })).toThrow(
      RangeError,
    );
  });
});

describe("Vietnamese Culture Day (24 November)", () => {
  it("is off by default", () => {
    const cal = createCalendar();
    expect(cal.isWorkingDay("2026-11-24")).toBe(true);
    expect(cal.isWorkingDay("2027-11-24")).toBe(true);
  });

  it("is a day off from the date the operator switches it on", () => {
    const cal = createCalendar({ cultureDayFrom: "2026-11-24" });
    expect(cal.dayInfo("2026-11-24")).toEqual({
      date: "2026-11-24",
      working: false,
      reason: "Ngày Văn hóa Việt Nam",
      provisional: false,
    });
    expect(cal.listYear(2026)).toContainEqual({
      date: "2026-11-24",
      name: "Ngày Văn hóa Việt Nam",
      working: false,
      provisional: false,
    });
    expect(cal.isWorkingDay("2027-11-24")).toBe(false);
    expect(cal.dayInfo("2027-11-24").provisional).toBe(true);
    expect(cal.isWorkingDay("2025-11-24")).toBe(true);
  });

  it("starts the following year when switched on after 24 November", () => {
    const cal = createCalendar({ cultureDayFrom: "2026-12-01" });
    expect(cal.isWorkingDay("2026-11-24")).toBe(true);
    expect(cal.isWorkingDay("2027-11-24")).toBe(false);
  });

  it("gives the next working day off when it falls on a weekend", () => {
    const cal = createCalendar({ cultureDayFrom: "2026-01-01" });
    // 2029-11-24 is a Saturday, 2030-11-24 a Sunday.
    expect(cal.dayInfo("2029-11-24").reason).toBe("Ngày Văn hóa Việt Nam");
    expect(cal.dayInfo("2029-11-26")).toMatchObject({
      working: false,
      reason: "Nghỉ bù (Ngày Văn hóa Việt Nam)",
    });
    expect(cal.isWorkingDay("2030-11-25")).toBe(false);
    expect(cal.isWorkingDay("2030-11-26")).toBe(true);
  });

  it("rejects an impossible switch-on date", () => {
    expect(() => createCalendar({ cultureDayFrom: "2026-02-30" })).toThrow(RangeError);
  });
});

function bruteForceAdd(isWorking: (d: string) => boolean, date: string, n: number): number {
  let day = dayNumberOf(date);
  const step = n > 0 ? 1 : -1;
  for (let left = Math.abs(n); left > 0;) {
    day += step;
    if (isWorking(dateOfDayNumber(day))) left--;
  }
  return day;
}

function countWorkingDays(isWorking: (d: string) => boolean, a: string, b: string): number {
  let count = 0;
  for (let day = dayNumberOf(a) + 1; day <= dayNumberOf(b); day++)
    if (isWorking(dateOfDayNumber(day))) count++;
  return count;
}
