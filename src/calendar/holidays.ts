// Statutory public holidays (Labour Code 2019, Art. 112) and the rules that turn them
// into days off for years whose schedule the government has not announced yet.
//
// Art. 112.1: 1 January; Tết Nguyên đán 5 days; 30 April; 1 May; 2 September plus one
// adjacent day (1 or 3 September); Hùng Kings' day, 10/3 lunar.
// Art. 112.3: a holiday falling on a weekly rest day gives the next working day off
// ("nghỉ bù"). The exact Tết days, and any swaps of working days ("hoán đổi", with a
// Saturday "làm bù"), are decided each year by the Prime Minister / the Ministry; the
// announced years live in schedules.ts. Everything computed here is provisional.
import { hungKingsDate, lunarNewYearsEve } from "./lunar.ts";
import { addDays, compareDates, isoDateOf, isWeekend, weekdayOf } from "./time.ts";
import type { IsoDate } from "./types.ts";

/** Vietnamese names of holidays and special days (NFC). */
export const HOLIDAY_NAMES = {
  newYear: "Tết Dương lịch",
  tet: "Tết Nguyên đán",
  hungKings: "Giỗ Tổ Hùng Vương",
  victoryDay: "Ngày Chiến thắng",
  labourDay: "Ngày Quốc tế Lao động",
  nationalDay: "Quốc khánh",
  cultureDay: "Ngày Văn hóa Việt Nam",
  dayInLieu: "Nghỉ bù",
  makeUpDay: "Làm bù",
} as const;

/** A day that is off or, on a weekend, working; the unit of schedules and overrides. */
export interface DayRule {
  date: IsoDate;
  kind: "off" | "working";
  name: string;
}

/** One day of a statutory holiday; it may fall on a weekend. */
export interface HolidayDay {
  date: IsoDate;
  name: string;
}

/** Name of a day given off in lieu of a holiday that fell on a weekend. */
export function dayInLieuName(holidayName: string): string {
  return `${HOLIDAY_NAMES.dayInLieu} (${holidayName})`;
}

/**
 * The day added to 2 September. The law leaves the choice (1 or 3 September) to the
 * government, which so far picked the one that joins the holiday to a weekend
 * (2021 Thu → 3 Sep; 2022 Fri → 1 Sep; 2023 Sat → 1 Sep; 2024 Mon → 3 Sep;
 * 2025 Tue → 1 Sep; 2026 Wed → 1 Sep, with 31 Aug swapped). Provisional guess.
 */
export function nationalDayAdjacentDay(year: number): IsoDate {
  const weekday = weekdayOf(isoDateOf(year, 9, 2));
  // Mon (1 Sep is a Sunday), Thu (3 Sep is a Friday), Sun (3 Sep is a Monday) → 3 September.
  const useThird = weekday === 1 || weekday === 4 || weekday === 0;
  return isoDateOf(year, 9, useThird ? 3 : 1);
}

/** Whether the Vietnamese Culture Day rule applies in `year` (off by default, on from `cultureDayFrom`). */
export function cultureDayApplies(year: number, cultureDayFrom: IsoDate | null | undefined): boolean {
  return cultureDayFrom != null && compareDates(isoDateOf(year, 11, 24), cultureDayFrom) >= 0;
}

/**
 * Every statutory holiday day of `year`, weekends included, sorted. Tết is counted
 * provisionally as the last day of the old lunar year (29 or 30 tháng Chạp) plus mùng
 * 1–4, the split the government has used most often.
 */
export function statutoryHolidays(
  year: number,
  options: { cultureDayFrom?: IsoDate | null } = {},
): HolidayDay[] {
  const days: HolidayDay[] = [{ date: isoDateOf(year, 1, 1), name: HOLIDAY_NAMES.newYear }];
  const eve = lunarNewYearsEve(year);
  for (let i = 0; i < 5; i++) days.push({ date: addDays(eve, i), name: HOLIDAY_NAMES.tet });
  days.push({ date: hungKingsDate(year), name: HOLIDAY_NAMES.hungKings });
  days.push({ date: isoDateOf(year, 4, 30), name: HOLIDAY_NAMES.victoryDay });
  days.push({ date: isoDateOf(year, 5, 1), name: HOLIDAY_NAMES.labourDay });
  days.push({ date: isoDateOf(year, 9, 2), name: HOLIDAY_NAMES.nationalDay });
  days.push({ date: nationalDayAdjacentDay(year), name: HOLIDAY_NAMES.nationalDay });
  if (cultureDayApplies(year, options.cultureDayFrom)) {
    days.push({ date: isoDateOf(year, 11, 24), name: HOLIDAY_NAMES.cultureDay });
  }
  return days.sort((a, b) => compareDates(a.date, b.date));
}

/**
 * Weekday days off for `holidays` under Art. 112.3: each holiday on a weekday is off;
 * each one on a weekend (or on a day another holiday already occupies) moves to the
 * next weekday not already off. `alreadyOff` holds weekdays off from other sources.
 * With Tết on a weekend this yields the civil-service result of five weekdays off
 * (2027: mùng 1 = Sat 6 Feb → off Fri 5, Mon 8, Tue 9, Wed 10, Thu 11 Feb).
 */
export function daysOffWithLieu(
  holidays: readonly HolidayDay[],
  alreadyOff: ReadonlySet<IsoDate> = new Set(),
): DayRule[] {
  const taken = new Set(alreadyOff);
  const rules: DayRule[] = [];
  const needLieu: HolidayDay[] = [];
  const sorted = [...holidays].sort((a, b) => compareDates(a.date, b.date));
  // Holidays on free weekdays first, so that a day in lieu never lands on one of them.
  for (const holiday of sorted) {
    if (!isWeekend(holiday.date) && !taken.has(holiday.date)) {
      taken.add(holiday.date);
      rules.push({ date: holiday.date, kind: "off", name: holiday.name });
    } else {
      needLieu.push(holiday);
    }
  }
  // A weekend holiday, or one on a day already off (the Code is silent on two holidays
  // coinciding, e.g. 10/3 lunar on 30 April; a day in lieu keeps the statutory number
  // of days off; provisional), moves to the next weekday that is not already off.
  for (const holiday of needLieu) {
    let candidate = addDays(holiday.date, 1);
    while (isWeekend(candidate) || taken.has(candidate)) candidate = addDays(candidate, 1);
    taken.add(candidate);
    rules.push({ date: candidate, kind: "off", name: dayInLieuName(holiday.name) });
  }
  return rules.sort((a, b) => compareDates(a.date, b.date));
}

/** Provisional weekday days off for a year with no announced schedule. */
export function provisionalDaysOff(
  year: number,
  options: { cultureDayFrom?: IsoDate | null } = {},
): DayRule[] {
  return daysOffWithLieu(statutoryHolidays(year, options));
}

/**
 * Culture Day days off to add to an announced schedule that predates the rule:
 * 24 November, or the next weekday not already off when it falls on a weekend.
 */
export function cultureDayOff(
  year: number,
  cultureDayFrom: IsoDate | null | undefined,
  alreadyOff: ReadonlySet<IsoDate>,
): DayRule[] {
  if (!cultureDayApplies(year, cultureDayFrom)) return [];
  return daysOffWithLieu([{ date: isoDateOf(year, 11, 24), name: HOLIDAY_NAMES.cultureDay }], alreadyOff);
}
