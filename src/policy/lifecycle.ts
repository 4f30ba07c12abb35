/**
 * Every dated rule of a mailbox's life: leavers, inactivity, Ninh Bình removal, operator
 * service levels, reply limits, password expiry, temporary passwords, the Bình Tân first-login lock.
 *
 * Conventions (one rule for the whole file, so results are predictable):
 * - Periods in calendar days or months ("6 tháng", "05 ngày") are counted from the calendar day
 *   (Vietnam time) of the event and the action happens at 00:00+07:00 of the resulting day.
 *   Months clamp to the month's last day: 2026-08-31 + 6 months = 2027-02-28 (addCalendarMonths).
 *   Acting at the start of that day rather than at its end (Civil Code Art. 148's strict
 *   reading) is deliberate: it is the date the issue specifies, and a scheduler firing at the
 *   start of a day is easy to reason about and to show in a message ("ngày 28/02/2027").
 * - "Within N working days" ends at `profile.workingHours.endOfDay` (default 17:00) of the
 *   N-th working day after the calendar day of the event (workingDayDeadline).
 * - Durations in hours (temporary passwords) are exact instants.
 * The working-day calendar is always a parameter: building one is costly, so callers build
 * it once (with the operator's overrides) and pass it in.
 */
import {
  addCalendarMonths,
  addDays,
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

/**
 * Applies `periods` one after another from `start`. Days and months move the date; working
 * days move it to the n-th working day and the result becomes that day's end of working hours.
 * A later day/month period continues from the date reached (at 00:00 again).
 */
export function applyPeriods(
  profile: Profile,
  start: IsoDate,
  periods: readonly Period[],
  cal: WorkingDayCalendar,
): Date {
  let date = start;
  let time = START_OF_DAY;
  for (const period of periods) {
    switch (period.unit) {
      case "days":
        date = addDays(date, period.value);
        time = START_OF_DAY;
        break;
      case "months":
        date = addCalendarMonths(date, period.value);
        time = START_OF_DAY;
        break;
      case "workingDays":
        date = cal.addWorkingDays(date, period.value);
        time = profile.workingHours.endOfDay;
        break;
    }
  }
  return vnInstant(date, time);
}

export interface LeaverDates {
  /** When sending is locked (the mailbox still receives); null = no separate send lock (ninhbinh). */
  sendLockAt: Date | null;
  /** When the mailbox is revoked (thu hồi). */
  revokeAt: Date;
  article: string;
}

/**
 * Leaver timeline (mic Điều 6.4c, phuyen Điều 5.3b): division level and below, sending locked
 * on the leaving day and revoked 6 months later; department level and above, 1 and 12 months.
 * `leftOn` is the official leaving date. For ninhbinh (Điều 7.2) the clock starts at the date of
 * the leaving decision ("05 ngày" calendar days for the agency to ask, then 3 working days for
 * the Sở): pass that date; the result is the latest moment the mailbox must be terminated.
 */
export function leaverDates(
  profile: Profile,
  level: LeaderLevel,
  leftOn: IsoDate,
  cal: WorkingDayCalendar,
): LeaverDates {
  const rule = profile.leaver[level];
  return {
    sendLockAt: rule.sendLock === null ? null : applyPeriods(profile, leftOn, rule.sendLock, cal),
    revokeAt: applyPeriods(profile, leftOn, rule.revoke, cal),
    article: profile.leaver.article,
  };
}

export interface InactivityDates {
  /** When the mailbox is locked (mic, phuyen) or suspended (ninhbinh) for inactivity. */
  lockAt: Date;
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
  const lockDate = addCalendarMonths(vnDateOf(lastActivity), rule.months);
  const lockAt = vnInstant(lockDate, START_OF_DAY);
  const warnAt = [...new Set(rule.warnDaysBefore)]
    .sort((a, b) => b - a)
    .map((days) => vnInstant(addDays(lockDate, -days), START_OF_DAY))
    .filter((at) => at.getTime() > lastActivity.getTime());
  return {
    lockAt,
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

/** When a temporary password stops working if not replaced: exactly `tempPasswordHours` later. */
export function tempPasswordExpiry(profile: Profile, issuedAt: Date): Date {
  return new Date(issuedAt.getTime() + profile.passwords.tempPasswordHours * MS_PER_HOUR);
}

/**
 * binhtan Điều 6.2: a mailbox whose password is not changed at the first login is locked. The
 * regulation gives no delay; the profile's `lockIfNotChangedWithinDays` is counted in WORKING
 * days (end of working hours of the N-th working day after issue), so a password issued on the
 * Friday before Tết is not locked while nobody can log in. null for other profiles.
 */
export function firstLoginLockDate(profile: Profile, issuedAt: Date, cal: WorkingDayCalendar): Date | null {
  const days = profile.passwords.lockIfNotChangedWithinDays;
  if (days === null) return null;
  return workingDayDeadline(cal, issuedAt, days, profile.workingHours.endOfDay);
}
