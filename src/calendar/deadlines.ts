// Deadlines counted in working days or calendar months.
//
// "N working days" is counted from the calendar day of receipt, not the instant: the
// deadline is the end of working hours of the N-th working day after that day, in
// Vietnam time. Received Fri 2026-11-20 at any hour, n = 2 → Tue 2026-11-24 17:00
// (with Culture Day off: Wed 25). Received on a Saturday evening, n = 1 → Monday.
// The clock is always an argument: nothing here reads Date.now().
import type { WorkingDayCalendar } from "./calendar.ts";
import { addCalendarMonths, addDays, vnDateOf, vnInstant } from "./time.ts";
import type { IsoDate, TimeOfDay } from "./types.ts";

/** End of office hours for civil servants; deadlines expire at this time of the last day. */
export const DEFAULT_END_OF_DAY: TimeOfDay = "17:00";

/**
 * The instant at `endOfDay` (Vietnam time) of the n-th working day after the calendar
 * day on which `receivedAt` falls. n = 0 means "the same day if it is a working day,
 * else the next working day". Throws RangeError for a negative or fractional n.
 */
export function workingDayDeadline(
  cal: WorkingDayCalendar,
  receivedAt: Date,
  n: number,
  endOfDay: TimeOfDay = DEFAULT_END_OF_DAY,
): Date {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`Thời hạn phải là số nguyên ngày làm việc không âm, nhận được ${n}.`);
  }
  return vnInstant(cal.addWorkingDays(vnDateOf(receivedAt), n), endOfDay);
}

/** True once `now` is past `deadline`. */
export function isOverdue(now: Date, deadline: Date): boolean {
  return now.getTime() > deadline.getTime();
}

/**
 * Working days left until `deadline`, for "còn 3 ngày làm việc":
 *  - not overdue: the working days after today up to the deadline's day (0 = due today);
 *  - overdue: minus the working days after the deadline's day up to today, at least −1
 *    (so a deadline missed this evening already reads −1, never 0).
 */
export function workingTimeLeft(cal: WorkingDayCalendar, now: Date, deadline: Date): number {
  const today = vnDateOf(now);
  const dueDay = vnDateOf(deadline);
  if (!isOverdue(now, deadline)) return cal.workingDaysBetween(today, dueDay);
  return -Math.max(1, cal.workingDaysBetween(dueDay, today));
}

/** Vietnamese text for a `workingTimeLeft` value. */
export function describeWorkingTimeLeft(days: number): string {
  if (days > 0) return `còn ${days} ngày làm việc`;
  if (days === 0) return "hết hạn trong hôm nay";
  return `quá hạn ${-days} ngày làm việc`;
}

/** `date` plus `months` calendar months, clamped to the month's last day (2026-08-31 + 6 → 2027-02-28). */
export function calendarMonthsAfter(date: IsoDate, months: number): IsoDate {
  return addCalendarMonths(date, months);
}

/** The end of a civil-law period: its last day, and the instant it closes (24:00 of that day). */
export interface CivilPeriodEnd {
  lastDay: IsoDate;
  /** 24:00 of `lastDay` (00:00 of the next day), Vietnam time: act then, show `lastDay`. */
  endsAt: Date;
}

/**
 * A period of `value` days or months after the event on `eventDay`, as Bộ luật Dân sự 2015
 * counts it: the day of the event is not counted (Điều 147.1); a period in months ends on the
 * corresponding day of the last month, or on that month's last day when it has none (Điều
 * 148.1–2: 31/08 + 6 tháng → 28/02); it ends at 24:00 of its last day (Điều 148.4). With
 * `dayOffMovesToNextWorkingDay`, a last day that is a weekend day or holiday moves to the next
 * working day (Điều 148.3), for periods in which an office must act.
 */
export function civilPeriodEnd(
  cal: WorkingDayCalendar,
  eventDay: IsoDate,
  value: number,
  unit: "days" | "months",
  dayOffMovesToNextWorkingDay: boolean,
): CivilPeriodEnd {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Thời hạn phải là số nguyên không âm, nhận được ${value}.`);
  }
  let lastDay = unit === "days" ? addDays(eventDay, value) : addCalendarMonths(eventDay, value);
  if (dayOffMovesToNextWorkingDay && !cal.isWorkingDay(lastDay)) lastDay = cal.nextWorkingDay(lastDay);
  return { lastDay, endsAt: vnInstant(addDays(lastDay, 1), "00:00") };
}

/** The day a deadline instant belongs to: 24:00 (00:00 of the next day) still shows the last day. */
export function lastDayOf(instant: Date): IsoDate {
  return vnDateOf(new Date(instant.getTime() - 1));
}
