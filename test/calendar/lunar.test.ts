import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  hungKingsDate,
  lunarToSolar,
  solarToLunar,
  tetDate,
  tryLunarToSolar,
} from "../../src/calendar/lunar.ts";
import { addDays, dateOfDayNumber, dayNumberOf } from "../../src/calendar/time.ts";

describe("Vietnamese lunar calendar (UTC+7)", () => {
  it.each([
    [2024, "2024-02-10"],
    [2025, "2025-01-29"],
    [2026, "2026-02-17"],
    [2027, "2027-02-06"],
    [2028, "2028-01-26"],
    [2029, "2029-02-13"],
    [2030, "2030-02-02"],
  ])("Tết %i is %s", (year, date) => {
    expect(tetDate(year)).toBe(date);
    expect(solarToLunar(date)).toEqual({ year, month: 1, day: 1, leap: false });
  });

  // Years where the UTC+7 calendar differs from the Chinese (UTC+8) one.
  it.each([
    [1968, "1968-01-29", "1968-01-30"],
    [1969, "1969-02-16", "1969-02-17"],
    [1985, "1985-01-21", "1985-02-20"],
    [2007, "2007-02-17", "2007-02-18"],
    [2030, "2030-02-02", "2030-02-03"],
    [2053, "2053-02-18", "2053-02-19"],
  ])("Tết %i is %s in Vietnam (China: %s)", (year, vietnam, china) => {
    expect(tetDate(year)).toBe(vietnam);
    expect(tetDate(year)).not.toBe(china);
  });

  it.each([
    [2024, "2024-04-18"],
    [2025, "2025-04-07"],
    [2026, "2026-04-26"],
    [2027, "2027-04-16"],
  ])("Hùng Kings' day %i is %s", (year, date) => {
    expect(hungKingsDate(year)).toBe(date);
  });

  it("knows leap months and month lengths", () => {
    expect(solarToLunar("2023-03-22")).toEqual({ year: 2023, month: 2, day: 1, leap: true });
    expect(lunarToSolar(2023, 2, 1, true)).toBe("2023-03-22");
    expect(lunarToSolar(2025, 6, 1, true)).toBe("2025-07-25");
    expect(lunarToSolar(2020, 4, 1, true)).toBe("2020-05-23");
    expect(lunarToSolar(2025, 8, 15)).toBe("2025-10-06"); // Tết Trung thu
    expect(lunarToSolar(2023, 12, 30)).toBe("2024-02-09"); // 2024 had a "30 Tết"
    expect(solarToLunar("2026-02-16")).toEqual({ year: 2025, month: 12, day: 29, leap: false });
    const noLeap = tryLunarToSolar(2024, 5, 1, true);
    expect(noLeap.ok).toBe(false);
    const wrongLeap = tryLunarToSolar(2025, 5, 1, true);
    expect(wrongLeap).toEqual({ ok: false, error: expect.stringContaining("tháng nhuận là tháng 6") });
    expect(tryLunarToSolar(2025, 12, 30).ok).toBe(false); // tháng Chạp Ất Tỵ has 29 days
    expect(tryLunarToSolar(2025, 13, 1).ok).toBe(false);
    expect(() => lunarToSolar(2025, 12, 30)).toThrow(RangeError);
  });

  it("round-trips every day between 1901 and 2150", () => {
    const from = dayNumberOf("1901-03-01");
    const to = dayNumberOf("2150-12-31");
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), (n) => {
        const date = dateOfDayNumber(n);
        const lunar = solarToLunar(date);
        expect(lunarToSolar(lunar.year, lunar.month, lunar.day, lunar.leap)).toBe(date);
      }),
      { numRuns: 3000 },
    );
  });

  it("never gives day 0 where a true new moon falls far from the mean one (found by the property above)", () => {
    for (const date of ["2054-05-07", "2062-04-09"]) {
      const lunar = solarToLunar(date);
      const dayBefore = solarToLunar(addDays(date, -1));
      expect(lunar.day).toBeGreaterThanOrEqual(1);
      expect(lunar.day === 1 || lunar.day === dayBefore.day + 1).toBe(true);
      expect(lunarToSolar(lunar.year, lunar.month, lunar.day, lunar.leap)).toBe(date);
    }
  });

  it("steps one lunar day per solar day across 2020–2031", () => {
    let previous = solarToLunar("2019-12-31");
    for (let n = dayNumberOf("2020-01-01"); n <= dayNumberOf("2031-12-31"); n++) {
      const current = solarToLunar(dateOfDayNumber(n));
      if (current.day === 1) {
        expect(previous.day === 29 || previous.day === 30).toBe(true);
      } else {
        expect(current).toEqual({ ...previous, day: previous.day + 1 });
      }
      previous = current;
    }
  });
});
