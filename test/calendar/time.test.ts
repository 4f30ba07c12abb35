import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addCalendarMonths,
  addDays,
  compareDates,
  dateOfDayNumber,
  dayNumberOf,
  formatVnDate,
  parseIsoDate,
  parseTimeOfDay,
  toVnIso,
  vnDateOf,
  vnInstant,
  vnTimeOf,
  weekdayOf,
} from "../../src/calendar/time.ts";

describe("Vietnam time (UTC+07:00)", () => {
  it("takes the calendar day and wall time in Vietnam, not UTC", () => {
    expect(vnDateOf(new Date("2026-11-19T17:00:00Z"))).toBe("2026-11-20");
    expect(vnDateOf(new Date("2026-11-19T16:59:59.999Z"))).toBe("2026-11-19");
    expect(vnTimeOf(new Date("2026-11-19T17:05:59Z"))).toBe("00:05");
    expect(vnTimeOf(new Date("2026-11-20T10:00:00Z"))).toBe("17:00");
  });

  it("builds instants from Vietnam wall time", () => {
    expect(vnInstant("2026-11-26", "17:00").toISOString()).toBe("2026-11-26T10:00:00.000Z");
    expect(vnInstant("2026-01-01", "00:00").toISOString()).toBe("2025-12-31T17:00:00.000Z");
    expect(() => vnInstant("2026-01-01", "24:00")).toThrow(RangeError);
    expect(() => vnInstant("2026-02-30", "10:00")).toThrow(RangeError);
  });

  it("formats ISO 8601 with the +07:00 suffix", () => {
    expect(toVnIso(new Date("2026-11-26T10:00:00Z"))).toBe("2026-11-26T17:00:00+07:00");
    expect(toVnIso(new Date("2025-12-31T17:00:00Z"))).toBe("2026-01-01T00:00:00+07:00");
    expect(toVnIso(new Date("2026-01-01T00:00:00.250Z"))).toBe("2026-01-01T07:00:00.250+07:00");
    expect(new Date(toVnIso(new Date("2031-07-04T03:21:09Z"))).toISOString()).toBe(
      "2031-07-04T03:21:09.000Z",
    );
    expect(() => toVnIso(new Date("nonsense"))).toThrow(RangeError);
  });

  it("agrees with Intl's Asia/Ho_Chi_Minh zone for instants since 1976", () => {
    // Before mid-1975 the South used other offsets (tz database history), hence the lower bound.
    const dateFormat = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Ho_Chi_Minh",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    const timeFormat = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Asia/Ho_Chi_Minh",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    const from = Date.UTC(1976, 0, 1);
    const to = Date.UTC(2100, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), (ms) => {
        const instant = new Date(ms);
        expect(vnDateOf(instant)).toBe(dateFormat.format(instant));
        expect(vnTimeOf(instant)).toBe(timeFormat.format(instant));
      }),
      { numRuns: 2000 },
    );
    // Around local midnight, where a wrong offset would show first.
    for (let day = 0; day < 400; day++) {
      for (const minutes of [-1, 0, 1]) {
        const instant = new Date(Date.UTC(2026, 0, 1 + day, 17, minutes) - 24 * 3_600_000);
        expect(vnDateOf(instant)).toBe(dateFormat.format(instant));
      }
    }
  });
});

describe("calendar-day arithmetic", () => {
  it("numbers days consistently with Date", () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 200_000 }), (n) => {
        const date = dateOfDayNumber(n);
        expect(date).toBe(new Date(n * 86_400_000).toISOString().slice(0, 10));
        expect(dayNumberOf(date)).toBe(n);
      }),
    );
  });

  it("gives weekdays 0 = Sunday … 6 = Saturday", () => {
    expect(weekdayOf("2026-11-22")).toBe(0);
    expect(weekdayOf("2026-11-24")).toBe(2);
    expect(weekdayOf("2027-02-06")).toBe(6);
    expect(weekdayOf("1970-01-01")).toBe(4);
    expect(weekdayOf("1900-01-01")).toBe(1);
  });

  it("adds days across months, years and leap days", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2025-02-28", 1)).toBe("2025-03-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-01-01", -1)).toBe("2025-12-31");
    expect(addDays("2026-03-01", 0)).toBe("2026-03-01");
    expect(() => addDays("2026-03-01", 0.5)).toThrow(RangeError);
  });

  it("adds calendar months, clamping to the month's last day", () => {
    expect(addCalendarMonths("2026-08-31", 6)).toBe("2027-02-28");
    expect(addCalendarMonths("2024-01-31", 1)).toBe("2024-02-29");
    expect(addCalendarMonths("2025-01-31", 1)).toBe("2025-02-28");
    expect(addCalendarMonths("2026-05-31", 1)).toBe("2026-06-30");
    expect(addCalendarMonths("2026-03-31", -1)).toBe("2026-02-28");
    expect(addCalendarMonths("2024-02-29", 12)).toBe("2025-02-28");
    expect(addCalendarMonths("2026-12-15", 1)).toBe("2027-01-15");
    expect(addCalendarMonths("2026-01-15", -1)).toBe("2025-12-15");
    expect(addCalendarMonths("2026-07-10", 0)).toBe("2026-07-10");
    expect(addCalendarMonths("2026-07-10", -30)).toBe("2024-01-10");
  });

  it("compares and formats dates", () => {
    expect(compareDates("2026-01-02", "2026-01-10")).toBe(-1);
    expect(compareDates("2026-01-10", "2026-01-10")).toBe(0);
    expect(compareDates("2027-01-01", "2026-12-31")).toBe(1);
    expect(formatVnDate("2026-01-02")).toBe("02/01/2026");
  });
});

describe("parsing", () => {
  it("accepts real dates and rejects impossible ones with a Vietnamese message", () => {
    expect(parseIsoDate("2026-02-28")).toEqual({ ok: true, value: "2026-02-28" });
    expect(parseIsoDate(" 2024-02-29 ")).toEqual({ ok: true, value: "2024-02-29" });
    for (const bad of [
      "2026-02-30",
      "2025-02-29",
      "2026-13-01",
      "2026-00-10",
      "2026-1-5",
      "05/01/2026",
      "",
      20260101,
      null,
    ]) {
      const result = parseIsoDate(bad);
      expect(result.ok, String(bad)).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/Ngày|ngày/);
    }
  });

  it("parses times of day", () => {
    expect(parseTimeOfDay("17:00")).toEqual({ ok: true, value: "17:00" });
    expect(parseTimeOfDay("7:00").ok).toBe(false);
    expect(parseTimeOfDay("24:00").ok).toBe(false);
  });
});

describe("internal date checks", () => {
  it("refuse malformed dates in calendar arithmetic", () => {
    for (const bad of [" 202-01-01", "2026-1a-01", "2026-02-30", "2026/01/01", "+026-01-01"]) {
      expect(() => addDays(bad, 1), bad).toThrow(RangeError);
    }
  });
});
