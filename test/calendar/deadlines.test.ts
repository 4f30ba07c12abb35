import { describe, expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import {
  calendarMonthsAfter,
  describeWorkingTimeLeft,
  isOverdue,
  workingDayDeadline,
  workingTimeLeft,
} from "../../src/calendar/deadlines.ts";
import { toVnIso } from "../../src/calendar/time.ts";

const at = (iso: string): Date => new Date(iso);

describe("workingDayDeadline", () => {
  const cal = createCalendar();

  it("counts from the calendar day of receipt, any hour", () => {
    for (const hour of ["00:00", "08:00", "16:59", "17:30", "23:59"]) {
      const receivedAt = at(`2026-11-20T${hour}:00+07:00`); // Friday
      expect(toVnIso(workingDayDeadline(cal, receivedAt, 2)), hour).toBe("2026-11-24T17:00:00+07:00");
    }
  });

  it("uses the Vietnamese day, not the UTC day", () => {
    // Fri 00:30 in Vietnam is still Thursday in UTC.
    expect(toVnIso(workingDayDeadline(cal, at("2026-11-19T17:30:00Z"), 1))).toBe("2026-11-23T17:00:00+07:00");
  });

  it("handles a weekend receipt", () => {
    expect(toVnIso(workingDayDeadline(cal, at("2026-11-21T20:00:00+07:00"), 1))).toBe(
      "2026-11-23T17:00:00+07:00",
    );
    expect(toVnIso(workingDayDeadline(cal, at("2026-11-22T09:00:00+07:00"), 0))).toBe(
      "2026-11-23T17:00:00+07:00",
    );
    expect(toVnIso(workingDayDeadline(cal, at("2026-11-24T09:00:00+07:00"), 0))).toBe(
      "2026-11-24T17:00:00+07:00",
    );
  });

  it("skips Tết 2026 and the 2026 làm bù Saturday counts", () => {
    expect(toVnIso(workingDayDeadline(cal, at("2026-02-13T15:00:00+07:00"), 1))).toBe(
      "2026-02-23T17:00:00+07:00",
    );
    expect(toVnIso(workingDayDeadline(cal, at("2026-02-12T15:00:00+07:00"), 2))).toBe(
      "2026-02-23T17:00:00+07:00",
    );
    expect(toVnIso(workingDayDeadline(cal, at("2026-02-16T10:00:00+07:00"), 3))).toBe(
      "2026-02-25T17:00:00+07:00",
    );
    expect(toVnIso(workingDayDeadline(cal, at("2026-01-09T10:00:00+07:00"), 1))).toBe(
      "2026-01-10T17:00:00+07:00",
    );
    expect(toVnIso(workingDayDeadline(cal, at("2025-12-31T10:00:00+07:00"), 1))).toBe(
      "2026-01-05T17:00:00+07:00",
    );
  });

  it("skips the provisional Tết 2027 (Fri 5 – Thu 11 Feb)", () => {
    expect(toVnIso(workingDayDeadline(cal, at("2027-02-04T10:00:00+07:00"), 1))).toBe(
      "2027-02-12T17:00:00+07:00",
    );
    expect(toVnIso(workingDayDeadline(cal, at("2027-02-03T10:00:00+07:00"), 2))).toBe(
      "2027-02-12T17:00:00+07:00",
    );
    expect(toVnIso(workingDayDeadline(cal, at("2027-02-04T10:00:00+07:00"), 5))).toBe(
      "2027-02-18T17:00:00+07:00",
    );
  });

  it("moves with Culture Day when it is switched on", () => {
    const withCultureDay = createCalendar({ cultureDayFrom: "2026-11-24" });
    expect(toVnIso(workingDayDeadline(withCultureDay, at("2026-11-20T10:00:00+07:00"), 2))).toBe(
      "2026-11-25T17:00:00+07:00",
    );
    expect(toVnIso(workingDayDeadline(withCultureDay, at("2026-11-20T10:00:00+07:00"), 3))).toBe(
      "2026-11-26T17:00:00+07:00",
    );
  });

  it("takes another end of day and rejects a negative count", () => {
    expect(toVnIso(workingDayDeadline(cal, at("2026-11-20T10:00:00+07:00"), 1, "16:30"))).toBe(
      "2026-11-23T16:30:00+07:00",
    );
    expect(() => workingDayDeadline(cal, at("2026-11-20T10:00:00+07:00"), -1)).toThrow(RangeError);
    expect(() => workingDayDeadline(cal, at("2026-11-20T10:00:00+07:00"), 1, "5pm")).toThrow(RangeError);
  });
});

describe("time left", () => {
  const cal = createCalendar();
  const deadline = at("2026-11-24T17:00:00+07:00"); // Tuesday

  it("counts working days left, 0 on the due day, negative when overdue", () => {
    expect(workingTimeLeft(cal, at("2026-11-20T10:00:00+07:00"), deadline)).toBe(2);
    expect(workingTimeLeft(cal, at("2026-11-21T10:00:00+07:00"), deadline)).toBe(2);
    expect(workingTimeLeft(cal, at("2026-11-23T10:00:00+07:00"), deadline)).toBe(1);
    expect(workingTimeLeft(cal, at("2026-11-24T16:59:00+07:00"), deadline)).toBe(0);
    expect(workingTimeLeft(cal, at("2026-11-24T17:00:00+07:00"), deadline)).toBe(0);
    expect(workingTimeLeft(cal, at("2026-11-24T17:01:00+07:00"), deadline)).toBe(-1);
    expect(workingTimeLeft(cal, at("2026-11-25T09:00:00+07:00"), deadline)).toBe(-1);
    expect(workingTimeLeft(cal, at("2026-11-26T09:00:00+07:00"), deadline)).toBe(-2);
    expect(workingTimeLeft(cal, at("2026-11-30T09:00:00+07:00"), deadline)).toBe(-4);
  });

  it("says whether a deadline has passed", () => {
    expect(isOverdue(at("2026-11-24T17:00:00+07:00"), deadline)).toBe(false);
    expect(isOverdue(at("2026-11-24T17:00:01+07:00"), deadline)).toBe(true);
  });

  it("describes the time left in Vietnamese", () => {
    expect(describeWorkingTimeLeft(3)).toBe("còn 3 ngày làm việc");
    expect(describeWorkingTimeLeft(0)).toBe("hết hạn trong hôm nay");
    expect(describeWorkingTimeLeft(-2)).toBe("quá hạn 2 ngày làm việc");
  });
});

describe("calendarMonthsAfter", () => {
  it("clamps to the last day of the target month", () => {
    expect(calendarMonthsAfter("2026-08-31", 6)).toBe("2027-02-28");
    expect(calendarMonthsAfter("2024-01-31", 1)).toBe("2024-02-29");
    expect(calendarMonthsAfter("2027-01-31", 1)).toBe("2027-02-28");
    expect(calendarMonthsAfter("2026-10-31", 1)).toBe("2026-11-30");
    expect(calendarMonthsAfter("2026-11-24", 12)).toBe("2027-11-24");
  });
});
