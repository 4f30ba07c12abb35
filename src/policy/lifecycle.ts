/**
 * Every dated rule of a mailbox's life: leavers, inactivity, Ninh Bình removal, operator
 * service levels, reply limits, password expiry, temporary passwords, the Bình Tân first-login lock.
 *
 * Conventions (one rule for the whole file, so results are predictable):
 * - Periods in calendar days or months ("06 tháng", "05 ngày") follow Bộ luật Dân sự 2015 Điều
 *   147–148 (calendar/deadlines.ts civilPeriodEnd): the event day is not counted, months end on
 *   the corresponding day (2026-08-31 + 6 months = 2027-02-28), and the period ends at the close
 *   of its last day: the action happens at 24:00 of that day (00:00+07:00 of the next), while
 *   the date shown stays the last day (lastDayOf). "Khóa ngay" (0 days) acts at the start of the
 *   leaving day. A period in days within which an office must act (ninhbinh Điều 7.2: the agency
 *   asks within 05 days) that ends on a day off ends on the next working day (Điều 148.3);
 *   automatic steps counted in months ("tự động thu hồi sau 06 tháng") are not moved.
 * - "Within N working days" ends at `profile.workingHours.endOfDay` (default 17:00) of the
 *   N-th working day after the calendar day of the event (workingDayDeadline).
 * - Durations in hours (temporary passwords) are exact instants.
 * The working-day calendar is always a parameter: building one is costly, so callers build
 * it once (with the operator's overrides) and pass it in.
 */
import {
  addCalendarMonths,
  addDays,
  civilPeriodEnd,
  type IsoDate,
  vnDateOf,
  vnInstant,
  type WorkingDayCalendar,
  workingDayDeadline,
} from "../calendar/index.ts";
import type { Period, Profile } from "./profile.ts";
import type { LeaderLevel, PasswordRole } from "./types.ts";

const START_OF_DAY = "00:00";
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;

/** Where one period of a chain ends: its last day and the instant mailbot acts. */
export interface PeriodStep {
  period: Period;
  lastDay: IsoDate;
  at: Date;
}

/**
 * Applies `periods` one after another from `start` (the event day). Days and months follow the
 * Civil Code (see the file's conventions); working days end at the profile's end of working
 * hours of the n-th working day. A later period continues from the last day reached (for
 * ninhbinh Điều 7.2: the operator's 03 working days run from receipt, at the latest the agency's
 * last day).
 */
export function applyPeriodSteps(
  profile: Profile,
  start: IsoDate,
  periods: readonly Period[],
  cal: WorkingDayCalendar,
): PeriodStep[] {
  let date = start;
  const steps: PeriodStep[] = [];
  for (const period of periods) {
    let at: Date;
    switch (period.unit) {
      case "days":
      case "months": {
        if (period.value === 0) {
          at = vnInstant(date, START_OF_DAY); // "khóa ngay": from the start of the event day
          break;
        }
        const end = civilPeriodEnd(cal, date, period.value, period.unit, period.unit === "days");
        date = end.lastDay;
        at = end.endsAt;
        break;
      }
      case "workingDays":
        date = cal.addWorkingDays(date, period.value);
        at = vnInstant(date, profile.workingHours.endOfDay);
        break;
    }
    steps.push({ period, lastDay: date, at });
  }
  return steps;
}

/** The instant the last of `periods` ends (see applyPeriodSteps). */
export function applyPeriods(
  profile: Profile,
  start: IsoDate,
  periods: readonly Period[],
  cal: WorkingDayCalendar,
): Date {
  const steps = applyPeriodSteps(profile, start, periods, cal);
  return steps.length === 0 ? vnInstant(start, START_OF_DAY) : (steps[steps.length - 1] as PeriodStep).at;
}

export interface LeaverDates {
  /** When sending is locked (the mailbox still receives); null = no separate send lock (ninhbinh). */
  sendLockAt: Date | null;
  /** The day shown for the send lock. */
  sendLockOn: IsoDate | null;
  /** When the mailbox is revoked (thu hồi): the close of `revokeOn`, or the operator's deadline. */
  revokeAt: Date;
  /** The last day of the revocation period, as shown to people. */
  revokeOn: IsoDate;
  /**
   * ninhbinh Điều 7.2: the last day for the managing agency to send its request ("trong thời
   * hạn 05 ngày kể từ ngày có quyết định"), moved to the next working day when it is a day off;
   * null where the regulation has no such step.
   */
  agencyRequestBy: IsoDate | null;
  /** "act" (the document sets these steps) or "remind" (only the unit head is reminded). */
  enforce: Profile["leaver"]["enforce"];
  article: string;
}

/**
 * Leaver timeline (mic Điều 6.4c, phuyen Điều 5.3b): division level and below, sending locked
 * on the leaving day and revoked 6 months later; department level and above, 1 and 12 months.
 * `leftOn` is the official leaving date. For ninhbinh (Điều 7.2) pass the date of the decision
 * ("kể từ ngày có quyết định"): 05 days for the agency to ask, then 03 working days for the Sở
 * from receipt; revokeAt is the latest moment the mailbox must be terminated.
 */
export function leaverDates(
  profile: Profile,
  level: LeaderLevel,
  leftOn: IsoDate,
  cal: WorkingDayCalendar,
): LeaverDates {
  const rule = profile.leaver[level];
  const sendLock = rule.sendLock === null ? null : applyPeriodSteps(profile, leftOn, rule.sendLock, cal);
  const lastSend = sendLock?.[sendLock.length - 1] ?? null;
  const revoke = applyPeriodSteps(profile, leftOn, rule.revoke, cal);
  const lastRevoke = revoke[revoke.length - 1] as PeriodStep;
  const first = revoke[0] as PeriodStep;
  const agencyStep =
    revoke.length > 1 && first.period.unit === "days" && revoke[1]?.period.unit === "workingDays";
  return {
    sendLockAt: sendLock === null ? null : (lastSend?.at ?? vnInstant(leftOn, START_OF_DAY)),
    sendLockOn: sendLock === null ? null : (lastSend?.lastDay ?? leftOn),
    revokeAt: lastRevoke.at,
    revokeOn: lastRevoke.lastDay,
    agencyRequestBy: agencyStep ? first.lastDay : null,
    enforce: profile.leaver.enforce,
    article: profile.leaver.article,
  };
}

export interface InactivityDates {
  /** When the mailbox is locked (mic, phuyen) or suspended (ninhbinh): the close of `lockOn`. */
  lockAt: Date;
  /** The last day of the 6 months, as shown to people. */
  lockOn: IsoDate;
  /** Warnings before the lock (profile.inactivity.warnDaysBefore, e.g. 30/7/1 days), oldest first, only those after `lastActivity`. */
  warnAt: Date[];
  /** What counts as activity: sending/receiving (mic, phuyen) or logging in (ninhbinh). */
  basis: Profile["inactivity"]["basis"];
  /** ninhbinh: removal if no reopen request follows the notice sent at `lockAt`; null elsewhere. */
  removeAt: Date | null;
  article: string;
}

/**
 * Inactivity lock: `months` calendar months after the day of the last activity (mic Điều 7.2a,
 * phuyen Điều 6.2a: no send/receive; ninhbinh Điều 7.1: no login). For ninhbinh the
 * suspension notice is assumed to go out at the lock, so `removeAt` = removalDate(lockAt).
 */
export function inactivityDates(
  profile: Profile,
  lastActivity: Date,
  cal: WorkingDayCalendar,
): InactivityDates {
  const rule = profile.inactivity;
  // "trong khoảng thời gian 06 tháng": the months end at the close of their last day (Điều 148).
  const end = civilPeriodEnd(cal, vnDateOf(lastActivity), rule.months, "months", false);
  const lockDate = end.lastDay;
  const lockAt = end.endsAt;
  const warnAt = [...new Set(rule.warnDaysBefore)]
    .sort((a, b) => b - a)
    .map((days) => vnInstant(addDays(lockDate, -days), START_OF_DAY))
    .filter((at) => at.getTime() > lastActivity.getTime());
  return {
    lockAt,
    lockOn: lockDate,
    warnAt,
    basis: rule.basis,
    removeAt: removalDate(profile, lockAt, cal),
    article: rule.article,
  };
}

/**
 * ninhbinh Điều 7.1: "Sau thời hạn 15 ngày làm việc, kể từ ngày … gửi thông báo" without a written
 * request to reopen, the mailbox is removed. Returns the end of that period (end of working
 * hours of the 15th working day after the notice day): removal may happen once it has passed.
 * null for profiles without the rule.
 */
export function removalDate(profile: Profile, noticeAt: Date, cal: WorkingDayCalendar): Date | null {
  const days = profile.inactivity.removalAfterNoticeWorkingDays;
  if (days === null) return null;
  return workingDayDeadline(cal, noticeAt, days, profile.workingHours.endOfDay);
}

export type ServiceKind = "restore" | "create" | "reset";

/**
 * The operator's deadline for a request received at `receivedAt`.
 * Restore: mic Điều 7.3b and phuyen Điều 6.3b say "Sau 01 ngày làm việc kể từ khi tiếp nhận yêu
 * cầu" — literally "after 1 working day". We read it as a deadline of 1 working day (the
 * operator acts by the end of the next working day), which is the only reading that gives the
 * requester a date to hold the operator to. ninhbinh Điều 6.2: 3 working days. The other
 * values are mailbot defaults named in the profile's article.
 */
export function serviceDeadline(
  profile: Profile,
  kind: ServiceKind,
  receivedAt: Date,
  cal: WorkingDayCalendar,
): Date {
  const levels = profile.serviceLevels;
  const days =
    kind === "restore"
      ? levels.restoreWorkingDays
      : kind === "create"
        ? levels.createWorkingDays
        : levels.resetWorkingDays;
  return workingDayDeadline(cal, receivedAt, days, profile.workingHours.endOfDay);
}

/**
 * binhtan Điều 8.2: the unit asks within N working days of a hire or departure. null when the
 * profile sets no such limit.
 */
export function requestDeadline(profile: Profile, eventAt: Date, cal: WorkingDayCalendar): Date | null {
  const days = profile.eligibility.requestWithinWorkingDays;
  if (days === null) return null;
  return workingDayDeadline(cal, eventAt, days, profile.workingHours.endOfDay);
}

/** Reply limit (mic Điều 12.4: 2 working days); null when the profile sets none. */
export function replyDeadline(profile: Profile, receivedAt: Date, cal: WorkingDayCalendar): Date | null {
  const days = profile.replyLimitWorkingDays;
  if (days === null) return null;
  return workingDayDeadline(cal, receivedAt, days, profile.workingHours.endOfDay);
}

/** The working-hour intervals [from, to) of `date`, in ms since the epoch. */
function workingIntervals(profile: Profile, date: IsoDate): [number, number][] {
  const { morning, afternoon, endOfDay } = profile.workingHours;
  const afternoonEnd = afternoon.end > endOfDay ? afternoon.end : endOfDay;
  return [
    [vnInstant(date, morning.start).getTime(), vnInstant(date, morning.end).getTime()],
    [vnInstant(date, afternoon.start).getTime(), vnInstant(date, afternoonEnd).getTime()],
  ];
}

/**
 * The moment half of the working time until the reply deadline is left, for the "reply soon"
 * reminder. Working time = the morning and afternoon sessions of working days
 * (profile.workingHours), from `receivedAt` (or the next session if it came outside hours)
 * to the deadline. null when the profile has no reply limit.
 */
export function replyHalfTime(profile: Profile, receivedAt: Date, cal: WorkingDayCalendar): Date | null {
  const deadline = replyDeadline(profile, receivedAt, cal);
  if (deadline === null) return null;
  const from = receivedAt.getTime();
  const to = deadline.getTime();
  const spans: [number, number][] = [];
  const lastDay = vnDateOf(deadline);
  for (let day = vnDateOf(receivedAt); day <= lastDay; day = addDays(day, 1)) {
    if (!cal.isWorkingDay(day)) continue;
    for (const [start, end] of workingIntervals(profile, day)) {
      const a = Math.max(start, from);
      const b = Math.min(end, to);
      if (b > a) spans.push([a, b]);
    }
  }
  const total = spans.reduce((sum, [a, b]) => sum + (b - a), 0);
  if (total === 0) return deadline;
  // Rounded to the minute: reminders are scheduled by the minute.
  let remaining = Math.round(total / 2 / MS_PER_MINUTE) * MS_PER_MINUTE;
  for (const [a, b] of spans) {
    if (remaining <= b - a) return new Date(a + remaining);
    remaining -= b - a;
  }
  return deadline;
}

/**
 * When a password changed at `changedAt` must be changed again: phuyen Điều 13.3 (1 month),
 * ninhbinh Điều 11.2 (user 6 months, admin 3 months). 00:00 of the day `maxAgeMonths` calendar
 * months later; null when the profile sets no maximum age.
 */
export function passwordExpiry(profile: Profile, role: PasswordRole, changedAt: Date): Date | null {
  const months = (role === "admin" ? profile.passwords.admin : profile.passwords.user).maxAgeMonths;
  if (months === null) return null;
  return vnInstant(addCalendarMonths(vnDateOf(changedAt), months), START_OF_DAY);
}

/**
 * mic Điều 15.2 "định kỳ thay đổi mật khẩu" gives no period: with the profile's
 * `remindChangeMonths` (a labelled mailbot default) the owner is reminded that many months after
 * the last change — a reminder only, the password keeps working. null when the profile has a real
 * maximum age (passwordExpiry) or no such reminder.
 */
export function passwordChangeReminder(profile: Profile, role: PasswordRole, changedAt: Date): Date | null {
  const policy = role === "admin" ? profile.passwords.admin : profile.passwords.user;
  if (policy.maxAgeMonths !== null || policy.remindChangeMonths === null) return null;
  return vnInstant(addCalendarMonths(vnDateOf(changedAt), policy.remindChangeMonths), START_OF_DAY);
}

/** When a temporary password stops working if not replaced: exactly `tempPasswordHours` later. */
export function tempPasswordExpiry(profile: Profile, issuedAt: Date): Date {
  return new Date(issuedAt.getTime() + profile.passwords.tempPasswordHours * MS_PER_HOUR);
}

/**
 * binhtan Điều 6.2: "Mật khẩu phải được đổi ngay lần đầu tiên … đăng nhập vào hộp thư. Nếu không
 * đổi mật khẩu mới hộp thư sẽ bị khóa." The lock follows a first login (after the password was
 * issued) without a password change — not the mere passing of some days, which the document
 * does not set. True when that has happened; false for profiles without the rule.
 */
export function firstLoginLockDue(
  profile: Profile,
  issuedAt: Date,
  lastLoginAt: Date | null,
  stillMustChange: boolean,
): boolean {
  if (!profile.passwords.lockAfterFirstLoginWithoutChange || !stillMustChange) return false;
  return lastLoginAt !== null && lastLoginAt.getTime() > issuedAt.getTime();
}
