/**
 * Due dates of the regulations' dated duties (profile.duties): mic Điều 14.6 and phuyen Điều
 * 12.9 active-mailbox list every 6 months, binhtan Điều 10.1 monthly report, soctrang Điều 8.5
 * quarterly report, ninhbinh Điều 13.6 yearly report before 15 December.
 *
 * `everyMonths: n` falls due at the end of every n-th month counted from 1 January
 * (6 → 30/06 and 31/12, 3 → end of each quarter, 1 → last day of each month; n ≥ 12 → 31/12);
 * `yearlyBy: "MM-DD"` on that date each year (29/02 → the month's last day). A due date that is
 * not a working day moves back to the previous working day.
 */
import type { WorkingDayCalendar } from "../calendar/calendar.ts";
import { daysInMonth, isoDateOf } from "../calendar/time.ts";
import type { IsoDate } from "../calendar/types.ts";
import type { Profile } from "./profile.ts";

export type Duty = Profile["duties"][number];

/** The nominal due dates of a duty in `year` (empty for a duty without a date). */
export function dutyDueDates(duty: Duty, year: number): IsoDate[] {
  if (duty.yearlyBy) {
    const month = Number(duty.yearlyBy.slice(0, 2));
    const day = Number(duty.yearlyBy.slice(3, 5));
    return [isoDateOf(year, month, Math.min(day, daysInMonth(year, month)))];
  }
  if (duty.everyMonths) {
    const step = Math.min(duty.everyMonths, 12);
    const dates: IsoDate[] = [];
    for (let month = step; month <= 12; month += step) {
      dates.push(isoDateOf(year, month, daysInMonth(year, month)));
    }
    return dates;
  }
  return [];
}

/** The due date itself when it is a working day, else the previous working day. */
export function effectiveDueDate(calendar: WorkingDayCalendar, due: IsoDate): IsoDate {
  return calendar.isWorkingDay(due) ? due : calendar.previousWorkingDay(due);
}
