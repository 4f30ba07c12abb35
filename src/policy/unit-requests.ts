/**
 * The unit's own deadline to send its written request after a staff event, where a document
 * sets one (the head is reminded; mailbot never refuses or locks on it):
 * - binhtan Điều 8.2: "Chậm nhất 02 ngày làm việc kể từ ngày có cán bộ, công chức, viên chức
 *   tuyển mới … hoặc … nghỉ hưu, nghỉ việc, chuyển công tác,… Thủ trưởng các cơ quan, đơn vị có
 *   văn bản đề nghị … cấp mới, cấp đổi hoặc hủy bỏ hộp thư" — for a hire and for a departure;
 * - ninhbinh Điều 7.2: "Trong thời hạn 05 ngày kể từ ngày có quyết định cho cá nhân nghỉ hưu,
 *   thôi việc hoặc chuyển công tác, cơ quan quản lý trực tiếp có trách nhiệm gửi văn bản đề nghị
 *   đến Sở Thông tin và Truyền thông" — for a departure; the event day is the decision's day, the
 *   last day moves off a day off (Bộ luật Dân sự Điều 148; lifecycle.leaverDates). The Sở's own
 *   03 working days from receipt are the revocation date of the leaver rule.
 */
import type { WorkingDayCalendar } from "../calendar/calendar.ts";
import { vnDateOf, vnInstant } from "../calendar/time.ts";
import type { IsoDate } from "../calendar/types.ts";
import { leaverDates, requestDeadline } from "./lifecycle.ts";
import type { Profile } from "./profile.ts";
import type { LeaderLevel } from "./types.ts";

export type StaffEvent = "hire" | "departure";

export interface UnitRequestDue {
  /** The last day for the unit's request. */
  lastDay: IsoDate;
  /** "02 ngày làm việc", "05 ngày kể từ ngày có quyết định". */
  period: string;
  article: string;
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Which events of the profile have a request deadline. */
export function unitRequestEvents(profile: Profile): { hire: boolean; departure: boolean } {
  const withinWorkingDays = profile.eligibility.requestWithinWorkingDays !== null;
  return { hire: withinWorkingDays, departure: withinWorkingDays || agencyStepDays(profile) !== null };
}

/** ninhbinh Điều 7.2: the leaver period starts with N days for the agency, then working days. */
function agencyStepDays(profile: Profile): number | null {
  const [first, second] = profile.leaver.staff.revoke;
  return first?.unit === "days" && second?.unit === "workingDays" ? first.value : null;
}

/** The unit's deadline after `event` on `eventDay`; null when the profile sets none. */
export function unitRequestDue(
  profile: Profile,
  event: StaffEvent,
  eventDay: IsoDate,
  level: LeaderLevel,
  cal: WorkingDayCalendar,
): UnitRequestDue | null {
  const days = profile.eligibility.requestWithinWorkingDays;
  if (days !== null) {
    const at = requestDeadline(profile, vnInstant(eventDay, profile.workingHours.morning.start), cal);
    if (at === null) return null;
    return {
      lastDay: vnDateOf(at),
      period: `chậm nhất ${two(days)} ngày làm việc`,
      article: profile.eligibility.requestArticle ?? profile.eligibility.article,
    };
  }
  const agencyDays = agencyStepDays(profile);
  if (event !== "departure" || agencyDays === null) return null;
  const lastDay = leaverDates(profile, level, eventDay, cal).agencyRequestBy;
  if (lastDay === null) return null;
  return {
    lastDay,
    period: `trong thời hạn ${two(agencyDays)} ngày kể từ ngày có quyết định`,
    article: profile.leaver.article,
  };
}
