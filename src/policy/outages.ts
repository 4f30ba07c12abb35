/**
 * Notice of a planned outage (mic Điều 10.3, phuyen Điều 8.1c): the operator "thông báo cho các
 * cơ quan, đơn vị, cá nhân biết tối thiểu trước 03 ngày làm việc khi bắt buộc phải tạm thời ngừng
 * dịch vụ … vì lý do kỹ thuật". The profile carries it as a duty with `beforeOutageWorkingDays`.
 *
 * Reading (README "Where we had to decide"): "at least N working days before" leaves N whole
 * working days between the day of the notice and the day the outage starts; neither of the two
 * days counts (Bộ luật Dân sự 2015 Điều 147: the day of the event is not counted). An outage on
 * Monday (or on the Saturday before it) needs the notice by Tuesday: Wednesday, Thursday and
 * Friday are the three working days in between. Days off in between do not count.
 */
import type { WorkingDayCalendar } from "../calendar/calendar.ts";
import { vnDateOf } from "../calendar/time.ts";
import type { IsoDate } from "../calendar/types.ts";
import type { Duty } from "./duties.ts";
import type { Profile } from "./profile.ts";

/** The profile's outage-notice duty, if its regulation has one (mic, phuyen). */
export function outageNoticeDuty(profile: Profile): (Duty & { beforeOutageWorkingDays: number }) | null {
  for (const duty of profile.duties) {
    if (duty.beforeOutageWorkingDays !== undefined) {
      return { ...duty, beforeOutageWorkingDays: duty.beforeOutageWorkingDays };
    }
  }
  return null;
}

/**
 * The last day on which the notice still leaves `workingDays` whole working days before the
 * day the outage starts (in Vietnam time): the (workingDays + 1)-th working day before it.
 */
export function outageNoticeBy(calendar: WorkingDayCalendar, startsAt: Date, workingDays: number): IsoDate {
  return calendar.addWorkingDays(vnDateOf(startsAt), -(workingDays + 1));
}

/** Whole working days strictly between `today` and the day the outage starts. */
export function workingDaysBeforeOutage(
  calendar: WorkingDayCalendar,
  today: IsoDate,
  startsAt: Date,
): number {
  const startDay = vnDateOf(startsAt);
  if (today >= startDay) return 0;
  const between = calendar.workingDaysBetween(today, startDay);
  // (today, startDay] includes the start day itself when it is a working day.
  return calendar.isWorkingDay(startDay) ? between - 1 : between;
}
