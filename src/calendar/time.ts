// Calendar days and Vietnam wall-clock time, without a time-zone library.
//
// Why no tz library (Luxon, date-fns-tz, Temporal polyfill): Vietnam has kept a
// single fixed offset, UTC+07:00, with no daylight saving time since the country was
// reunified in 1975 (the South moved from UTC+08:00 to UTC+07:00 on 1975-06-13), so
// "local wall time = UTC + 7 h" is exact for every instant the bot will ever see.
// A fixed offset is just arithmetic; a tz database would add a dependency and a
// source of version drift for nothing. test/calendar/time.test.ts cross-checks this
// against Intl with timeZone "Asia/Ho_Chi_Minh".
//
// Calendar days are ISO strings (IsoDate); internally they are converted to "day
// numbers" (days since 1970-01-01), which makes day arithmetic integer arithmetic.
import { z } from "zod";
import { err, ok, type Result } from "../lib/result.ts";
import type { IsoDate, TimeOfDay } from "./types.ts";

/** Vietnam's offset from UTC, fixed all year. */
export const VN_OFFSET_MINUTES = 7 * 60;
const VN_OFFSET_MS = VN_OFFSET_MINUTES * 60_000;
const MS_PER_DAY = 86_400_000;

/** Weekday numbers as JS uses them: 0 = Sunday … 6 = Saturday. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** Vietnamese weekday names, indexed by `Weekday`. */
export const WEEKDAY_NAMES_VI = [
  "Chủ nhật",
  "Thứ Hai",
  "Thứ Ba",
  "Thứ Tư",
  "Thứ Năm",
  "Thứ Sáu",
  "Thứ Bảy",
] as const;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Number of days of `month` (1–12) in `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad4 = (n: number): string => String(n).padStart(4, "0");

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9] as const;

/** Year, month (1–12), day of an IsoDate; throws RangeError on a malformed or impossible date. */
export function splitIsoDate(date: IsoDate): { year: number; month: number; day: number } {
  // Hand-rolled instead of a regex + Date parse: this sits on the hot path of every calendar query.
  if (typeof date !== "string" || date.length !== 10 || date[4] !== "-" || date[7] !== "-") {
    throw new RangeError(`Ngày không hợp lệ: "${String(date)}". Dùng dạng YYYY-MM-DD.`);
  }
  for (const i of DIGIT_POSITIONS) {
    const code = date.charCodeAt(i);
    if (code < 48 || code > 57) throw new RangeError(`Ngày không hợp lệ: "${date}". Dùng dạng YYYY-MM-DD.`);
  }
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  if (
    !Number.isInteger(year) ||
    !Number.isInteger(month) ||
    !Number.isInteger(day) ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month)
  ) {
    throw new RangeError(`Ngày không hợp lệ: "${date}". Dùng dạng YYYY-MM-DD với ngày có thật.`);
  }
  return { year, month, day };
}

/** Builds an IsoDate from parts; the parts must already form a real date. */
export function isoDateOf(year: number, month: number, day: number): IsoDate {
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
}

/**
 * Days since 1970-01-01 (negative before) of a proleptic Gregorian date. Integer
 * formula ("days_from_civil", H. Hinnant) rather than Date.UTC, which maps years 0–99
 * to 1900–1999 and is slower on this hot path.
 */
export function dayNumberOfParts(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Days since 1970-01-01 (negative before). */
export function dayNumberOf(date: IsoDate): number {
  const { year, month, day } = splitIsoDate(date);
  return dayNumberOfParts(year, month, day);
}

/** Year, month, day of a day number ("civil_from_days", H. Hinnant). */
export function partsOfDayNumber(dayNumber: number): { year: number; month: number; day: number } {
  const z0 = dayNumber + 719_468;
  const era = Math.floor(z0 / 146_097);
  const doe = z0 - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Inverse of `dayNumberOf`. */
export function dateOfDayNumber(dayNumber: number): IsoDate {
  const { year, month, day } = partsOfDayNumber(dayNumber);
  return isoDateOf(year, month, day);
}

/** The year of an IsoDate. */
export function yearOf(date: IsoDate): number {
  return splitIsoDate(date).year;
}

const isoDateSchemaBase = z
  .string({ error: "Ngày phải là chuỗi dạng YYYY-MM-DD, ví dụ 2026-11-24." })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "Ngày phải có dạng YYYY-MM-DD, ví dụ 2026-11-24." })
  .refine(
    (s) => {
      const month = Number(s.slice(5, 7));
      const day = Number(s.slice(8, 10));
      return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(Number(s.slice(0, 4)), month);
    },
    { message: "Ngày không có thật trên lịch (ví dụ 2026-02-30). Kiểm tra lại ngày và tháng." },
  );

/** zod schema for a calendar day `YYYY-MM-DD` that exists (rejects 2026-02-30). */
export const isoDateSchema: z.ZodType<IsoDate> = isoDateSchemaBase;

/** zod schema for a wall-clock time `HH:MM`, 00:00–23:59. */
export const timeOfDaySchema: z.ZodType<TimeOfDay> = z
  .string({ error: "Giờ phải là chuỗi dạng HH:MM, ví dụ 17:00." })
  .trim()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "Giờ phải có dạng HH:MM (00:00–23:59), ví dụ 17:00." });

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? "Giá trị không hợp lệ.";
}

/** Parses untrusted input (chat, file, CLI) into an IsoDate. */
export function parseIsoDate(input: unknown): Result<IsoDate, string> {
  const parsed = isoDateSchema.safeParse(input);
  return parsed.success ? ok(parsed.data) : err(firstIssue(parsed.error));
}

/** Parses untrusted input into a TimeOfDay `HH:MM`. */
export function parseTimeOfDay(input: unknown): Result<TimeOfDay, string> {
  const parsed = timeOfDaySchema.safeParse(input);
  return parsed.success ? ok(parsed.data) : err(firstIssue(parsed.error));
}

function assertValidInstant(instant: Date): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError("Thời điểm không hợp lệ (Invalid Date).");
  return ms;
}

/** The calendar day in Vietnam at `instant`. */
export function vnDateOf(instant: Date): IsoDate {
  return dateOfDayNumber(Math.floor((assertValidInstant(instant) + VN_OFFSET_MS) / MS_PER_DAY));
}

/** The wall-clock time `HH:MM` in Vietnam at `instant` (seconds dropped). */
export function vnTimeOf(instant: Date): TimeOfDay {
  const shifted = new Date(assertValidInstant(instant) + VN_OFFSET_MS);
  return `${pad2(shifted.getUTCHours())}:${pad2(shifted.getUTCMinutes())}`;
}

/** The instant at wall-clock `time` (`HH:MM`) on `date` in Vietnam. */
export function vnInstant(date: IsoDate, time: TimeOfDay): Date {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new RangeError(`Giờ không hợp lệ: "${time}". Dùng dạng HH:MM, ví dụ 17:00.`);
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return new Date(dayNumberOf(date) * MS_PER_DAY + minutes * 60_000 - VN_OFFSET_MS);
}

/** ISO 8601 in Vietnam time, e.g. "2026-11-26T17:00:00+07:00" (milliseconds only when non-zero). */
export function toVnIso(instant: Date): string {
  const shifted = new Date(assertValidInstant(instant) + VN_OFFSET_MS);
  const ms = shifted.getUTCMilliseconds();
  const fraction = ms === 0 ? "" : `.${String(ms).padStart(3, "0")}`;
  return (
    `${isoDateOf(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate())}` +
    `T${pad2(shifted.getUTCHours())}:${pad2(shifted.getUTCMinutes())}:${pad2(shifted.getUTCSeconds())}` +
    `${fraction}+07:00`
  );
}

/** Day of week of a calendar day: 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: IsoDate): Weekday {
  return weekdayOfDayNumber(dayNumberOf(date));
}

/** Day of week of a day number (1970-01-01 was a Thursday). */
export function weekdayOfDayNumber(dayNumber: number): Weekday {
  return ((((dayNumber + 4) % 7) + 7) % 7) as Weekday;
}

export function isWeekend(date: IsoDate): boolean {
  const w = weekdayOf(date);
  return w === 0 || w === 6;
}

/** `date` plus `n` calendar days (n may be negative). */
export function addDays(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`Số ngày phải là số nguyên, nhận được ${n}.`);
  return dateOfDayNumber(dayNumberOf(date) + n);
}

/**
 * `date` plus `n` calendar months, clamped to the last day of the target month:
 * 2026-08-31 + 6 → 2027-02-28, 2024-01-31 + 1 → 2024-02-29. This is how Vietnamese
 * law counts periods "tính theo tháng" (Civil Code 2015 Art. 148: a period ending in a
 * month without that day ends on the month's last day).
 */
export function addCalendarMonths(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`Số tháng phải là số nguyên, nhận được ${n}.`);
  const { year, month, day } = splitIsoDate(date);
  const monthIndex = year * 12 + (month - 1) + n;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = monthIndex - targetYear * 12 + 1;
  return isoDateOf(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
}

/** -1, 0 or 1, for sorting; ISO dates of the same width compare lexicographically. */
export function compareDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "dd/mm/yyyy", the way dates are written in Vietnamese text. */
export function formatVnDate(date: IsoDate): string {
  const { year, month, day } = splitIsoDate(date);
  return `${pad2(day)}/${pad2(month)}/${pad4(year)}`;
}
