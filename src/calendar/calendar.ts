// The working-day calendar: Monday–Friday in Vietnam, minus holidays and days off,
// plus swapped working weekend days, with operator overrides on top.
//
// Precedence for a day, highest first:
//   1. operator override;
//   2. the year's announced schedule (schedules.ts), or, for a year without one, the
//      provisional statutory computation (holidays.ts) — flagged `provisional`;
//   3. Vietnamese Culture Day, when switched on from `cultureDayFrom`;
//   4. the week: Saturday and Sunday off.
// Each year is built once into a table (working flag + running count per day), so a
// query is an array lookup and addWorkingDays / workingDaysBetween are binary searches.
import { z } from "zod";
import { cultureDayOff, provisionalDaysOff, statutoryHolidays, type DayRule } from "./holidays.ts";
import {
  ANNOUNCED_SCHEDULES,
  announcedScheduleSchema,
  calendarOverridesSchema,
  type AnnouncedSchedule,
  type AnnouncedScheduleInput,
  type CalendarOverride,
} from "./schedules.ts";
import {
  dateOfDayNumber,
  dayNumberOf,
  dayNumberOfParts,
  isoDateSchema,
  splitIsoDate,
  WEEKDAY_NAMES_VI,
  weekdayOfDayNumber,
} from "./time.ts";
import type { IsoDate } from "./types.ts";

/** Years the calendar can compute (bounded by the lunar algorithm's range). */
export const CALENDAR_MIN_YEAR = 1801;
export const CALENDAR_MAX_YEAR = 2198;

/** Reason given for an ordinary working day. */
export const ORDINARY_WORKING_DAY = "Ngày làm việc";

export interface CalendarOptions {
  /** Operator overrides; each wins over everything else for its date. */
  overrides?: readonly CalendarOverride[];
  /** Vietnamese Culture Day (24/11) is a day off from this date on; null/absent = off. */
  cultureDayFrom?: IsoDate | null;
  /** Newly announced years, added to (and for the same year replacing) the built-in ones. */
  schedules?: readonly AnnouncedScheduleInput[];
}

export interface DayInfo {
  date: IsoDate;
  working: boolean;
  /** Vietnamese: "Thứ Bảy", "Chủ nhật", a holiday name, "Ngày làm việc", "Làm bù (…)", an override's name. */
  reason: string;
  /** True when the day's status comes from a computation the government has not confirmed yet. */
  provisional: boolean;
}

export interface ListedDay {
  date: IsoDate;
  name: string;
  working: boolean;
  provisional: boolean;
}

export interface WorkingDayCalendar {
  isWorkingDay(date: IsoDate): boolean;
  dayInfo(date: IsoDate): DayInfo;
  /** Weekdays off and weekend days worked in `year`, sorted by date. */
  listYear(year: number): ListedDay[];
  /** The n-th working day after `date` (n ≥ 1); n = 0: `date` if working, else the next working day; n < 0: the |n|-th working day before. */
  addWorkingDays(date: IsoDate, n: number): IsoDate;
  /** The first working day strictly after `date`. */
  nextWorkingDay(date: IsoDate): IsoDate;
  /** The last working day strictly before `date`. */
  previousWorkingDay(date: IsoDate): IsoDate;
  /** Number of working days in (a, b]; negative (−count in (b, a]) when b < a. */
  workingDaysBetween(a: IsoDate, b: IsoDate): number;
  /** True when `year` has no announced schedule and is computed provisionally. */
  isProvisionalYear(year: number): boolean;
}

interface SpecialDay {
  name: string;
  working: boolean;
  provisional: boolean;
}

interface YearTable {
  year: number;
  /** Day number of 1 January. */
  start: number;
  provisional: boolean;
  /** 1 = working, per day of the year. */
  working: Uint8Array;
  /** cumulative[i] = working days from 1 January to day i inclusive. */
  cumulative: Int32Array;
  total: number;
  /** Days whose reason is not the weekday's default, by day of year. */
  special: Map<number, SpecialDay>;
}

function invalidOption(what: string, error: z.ZodError): never {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? ` (tại ${issue.path.map(String).join(".")})` : "";
  throw new RangeError(`Tùy chọn lịch không hợp lệ: ${what}${where}: ${issue?.message ?? "lỗi không rõ"}`);
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < CALENDAR_MIN_YEAR || year > CALENDAR_MAX_YEAR) {
    throw new RangeError(
      `Lịch ngày làm việc chỉ tính cho các năm ${CALENDAR_MIN_YEAR}–${CALENDAR_MAX_YEAR}, nhận được ${year}.`,
    );
  }
}

function checkCount(n: number): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`Số ngày làm việc phải là số nguyên, nhận được ${n}.`);
}

/** First index i with values[i] ≥ target (values non-decreasing); values.length if none. */
function lowerBound(values: Int32Array, target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Builds a working-day calendar. Options are validated; invalid ones throw RangeError (parse untrusted input first). */
export function createCalendar(options: CalendarOptions = {}): WorkingDayCalendar {
  const overridesParsed = calendarOverridesSchema.safeParse(options.overrides ?? []);
  if (!overridesParsed.success) invalidOption("overrides", overridesParsed.error);
  const cultureParsed = isoDateSchema.nullable().safeParse(options.cultureDayFrom ?? null);
  if (!cultureParsed.success) invalidOption("cultureDayFrom", cultureParsed.error);
  const schedulesParsed = z.array(announcedScheduleSchema).safeParse(options.schedules ?? []);
  if (!schedulesParsed.success) invalidOption("schedules", schedulesParsed.error);

  const cultureDayFrom = cultureParsed.data;
  const schedulesByYear = new Map<number, AnnouncedSchedule>();
  for (const schedule of [...ANNOUNCED_SCHEDULES, ...schedulesParsed.data])
    schedulesByYear.set(schedule.year, schedule);
  const overridesByYear = new Map<number, CalendarOverride[]>();
  for (const override of overridesParsed.data) {
    const year = splitIsoDate(override.date).year;
    const list = overridesByYear.get(year) ?? [];
    list.push(override);
    overridesByYear.set(year, list);
  }

  const tables = new Map<number, YearTable>();

  function buildYear(year: number): YearTable {
    checkYear(year);
    const start = dayNumberOfParts(year, 1, 1);
    const length = dayNumberOfParts(year + 1, 1, 1) - start;
    const schedule = schedulesByYear.get(year);
    const provisional = schedule === undefined;
    const working = new Uint8Array(length);
    const special = new Map<number, SpecialDay>();
    for (let i = 0; i < length; i++) {
      const weekday = weekdayOfDayNumber(start + i);
      working[i] = weekday === 0 || weekday === 6 ? 0 : 1;
    }
    const apply = (rule: DayRule, isProvisional: boolean): void => {
      const i = dayNumberOf(rule.date) - start;
      working[i] = rule.kind === "working" ? 1 : 0;
      special.set(i, { name: rule.name, working: rule.kind === "working", provisional: isProvisional });
    };

    // Weekend holidays change nothing but deserve their name ("Tết Nguyên đán" rather than "Chủ nhật").
    for (const holiday of statutoryHolidays(year, { cultureDayFrom })) {
      const i = dayNumberOf(holiday.date) - start;
      const weekday = weekdayOfDayNumber(start + i);
      if (weekday === 0 || weekday === 6) special.set(i, { name: holiday.name, working: false, provisional });
    }
    if (schedule) {
      for (const rule of schedule.days) apply(rule, false);
      if (!schedule.cultureDayIncluded) {
        const off = new Set(schedule.days.filter((d) => d.kind === "off").map((d) => d.date));
        // The culture-day rule is the operator's decision, not an announcement: only as firm as the switch.
        for (const rule of cultureDayOff(year, cultureDayFrom, off)) apply(rule, false);
      }
    } else {
      for (const rule of provisionalDaysOff(year, { cultureDayFrom })) apply(rule, true);
    }
    for (const override of overridesByYear.get(year) ?? []) apply(override, false);

    const cumulative = new Int32Array(length);
    let count = 0;
    for (let i = 0; i < length; i++) {
      count += working[i] as number;
      cumulative[i] = count;
    }
    return { year, start, provisional, working, cumulative, total: count, special };
  }

  function tableOfYear(year: number): YearTable {
    let table = tables.get(year);
    if (!table) {
      table = buildYear(year);
      tables.set(year, table);
    }
    return table;
  }

  /** The table holding `date` and the date's index in it. */
  function locate(date: IsoDate): { table: YearTable; index: number } {
    const { year, month, day } = splitIsoDate(date);
    const table = tableOfYear(year);
    return { table, index: dayNumberOfParts(year, month, day) - table.start };
  }

  function isWorkingDay(date: IsoDate): boolean {
    const { table, index } = locate(date);
    return table.working[index] === 1;
  }

  function dayInfo(date: IsoDate): DayInfo {
    const { table, index } = locate(date);
    const special = table.special.get(index);
    if (special)
      return { date, working: special.working, reason: special.name, provisional: special.provisional };
    const weekday = weekdayOfDayNumber(table.start + index);
    const weekend = weekday === 0 || weekday === 6;
    return {
      date,
      working: !weekend,
      reason: weekend ? WEEKDAY_NAMES_VI[weekday] : ORDINARY_WORKING_DAY,
      provisional: table.provisional,
    };
  }

  function listYear(year: number): ListedDay[] {
    const table = tableOfYear(year);
    const days: ListedDay[] = [];
    for (const [index, special] of table.special) {
      const weekday = weekdayOfDayNumber(table.start + index);
      const weekend = weekday === 0 || weekday === 6;
      if (weekend === special.working) {
        days.push({
          date: dateOfDayNumber(table.start + index),
          name: special.name,
          working: special.working,
          provisional: special.provisional,
        });
      }
    }
    return days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }

  function addWorkingDays(date: IsoDate, n: number): IsoDate {
    checkCount(n);
    const located = locate(date);
    const index = located.index;
    let table = located.table;
    if (n === 0) {
      if (table.working[index] === 1) return date;
      n = 1;
    }
    if (n > 0) {
      let needed = n;
      let countSoFar = table.cumulative[index] as number;
      for (;;) {
        if (needed <= table.total - countSoFar) {
          return dateOfDayNumber(table.start + lowerBound(table.cumulative, countSoFar + needed));
        }
        needed -= table.total - countSoFar;
        table = tableOfYear(table.year + 1);
        countSoFar = 0;
      }
    }
    let needed = -n;
    // Working days strictly before `date` in its year.
    let countBefore = (table.cumulative[index] as number) - (table.working[index] as number);
    for (;;) {
      if (needed <= countBefore) {
        // The first day at which the running count reaches countBefore − needed + 1 is that working day.
        return dateOfDayNumber(table.start + lowerBound(table.cumulative, countBefore - needed + 1));
      }
      needed -= countBefore;
      table = tableOfYear(table.year - 1);
      countBefore = table.total;
    }
  }

  function workingDaysBetween(a: IsoDate, b: IsoDate): number {
    if (a === b) return 0;
    if (b < a) return -workingDaysBetween(b, a);
    const from = locate(a);
    const to = locate(b);
    if (from.table === to.table) {
      return (to.table.cumulative[to.index] as number) - (from.table.cumulative[from.index] as number);
    }
    let count = from.table.total - (from.table.cumulative[from.index] as number);
    for (let year = from.table.year + 1; year < to.table.year; year++) count += tableOfYear(year).total;
    return count + (to.table.cumulative[to.index] as number);
  }

  return {
    isWorkingDay,
    dayInfo,
    listYear,
    addWorkingDays,
    nextWorkingDay: (date) => addWorkingDays(date, 1),
    previousWorkingDay: (date) => addWorkingDays(date, -1),
    workingDaysBetween,
    isProvisionalYear: (year) => {
      checkYear(year);
      return !schedulesByYear.has(year);
    },
  };
}
