// Vietnamese lunisolar calendar (âm lịch), computed for UTC+07:00.
//
// Algorithm: the one described by Hồ Ngọc Đức, "Âm lịch Việt Nam" / "Thuật toán tính
// âm lịch" (https://www.informatik.uni-leipzig.de/~duc/amlich/), which
// takes its astronomy from Jean Meeus, "Astronomical Algorithms" (1998):
//   - new moons: Meeus ch. 49, truncated periodic terms (accuracy ≈ a few minutes in
//     1800–2200, enough because only the civil day of the new moon matters, except
//     for rare near-midnight cases); ΔT approximated by a polynomial;
//   - apparent sun longitude: Meeus ch. 25, low-accuracy formula (≈ 0.01°).
// Rules (the Chinese-style rules, but evaluated at the meridian of 105° E):
//   1. A lunar month starts on the (UTC+7) civil day containing a new moon.
//   2. Month 11 (tháng Một) is the month containing the winter solstice.
//   3. If 13 new moons fall between two consecutive month-11 starts, the year has a
//      leap month: the first month after month 11 that contains no major solar term
//      (sun longitude crossing a multiple of 30°); it repeats the previous number.
// Using UTC+7 instead of China's UTC+8 is why Tết differs in 1968, 1969, 1985, 2007,
// 2030, 2053 (the new moon falls between 23:00 and 24:00 Beijing time, or a leap
// month moves). A Chinese-calendar library must therefore not be used.
//
// This is an independent implementation written from that description; it works in
// "day numbers" (days since 1970-01-01) shared with time.ts. Supported range: solar
// years 1800–2199.
import { err, ok, type Result } from "../lib/result.ts";
import { addDays, dateOfDayNumber, dayNumberOf, dayNumberOfParts, splitIsoDate } from "./time.ts";
import type { IsoDate } from "./types.ts";

/** A date in the Vietnamese lunar calendar. `year` is the lunar year whose mùng 1 tháng Giêng falls in that solar year. */
export interface LunarDate {
  year: number;
  month: number;
  day: number;
  leap: boolean;
}

/** Vietnam's offset in hours, the meridian the calendar is computed for. */
const TIME_ZONE_HOURS = 7;
/** Julian Day Number of 1970-01-01 (the day-number epoch of time.ts). */
const JDN_UNIX_EPOCH = 2_440_588;
/** Mean synodic month, days. */
const SYNODIC_MONTH = 29.530588853;
/** Julian date of the new moon with index k = 0 (1900-01-01 ≈ 13:51 UT), Meeus' 1900 epoch. */
const NEW_MOON_EPOCH_JD = 2_415_021.076998695;
const DEG = Math.PI / 180;

export const LUNAR_MIN_YEAR = 1800;
export const LUNAR_MAX_YEAR = 2199;

/** Julian date (TT ≈ UT after ΔT correction) of the k-th new moon after January 1900. Meeus ch. 49 (abridged). */
function newMoonJulianDate(k: number): number {
  const t = k / 1236.85; // Julian centuries since 1900-01-0.5
  const t2 = t * t;
  const t3 = t2 * t;
  let jd = 2_415_020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3;
  jd += 0.00033 * Math.sin((166.56 + 132.87 * t - 0.009173 * t2) * DEG);
  const m = (359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3) * DEG; // sun mean anomaly
  const mPrime = (306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3) * DEG; // moon mean anomaly
  const f = (21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3) * DEG; // moon argument of latitude
  const correction =
    (0.1734 - 0.000393 * t) * Math.sin(m) +
    0.0021 * Math.sin(2 * m) -
    0.4068 * Math.sin(mPrime) +
    0.0161 * Math.sin(2 * mPrime) -
    0.0004 * Math.sin(3 * mPrime) +
    0.0104 * Math.sin(2 * f) -
    0.0051 * Math.sin(m + mPrime) -
    0.0074 * Math.sin(m - mPrime) +
    0.0004 * Math.sin(2 * f + m) -
    0.0004 * Math.sin(2 * f - m) -
    0.0006 * Math.sin(2 * f + mPrime) +
    0.001 * Math.sin(2 * f - mPrime) +
    0.0005 * Math.sin(2 * mPrime + m);
  // ΔT (TT − UT) in days, polynomial fits valid before / after ~1800.
  const deltaT =
    t < -11
      ? 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
      : -0.000278 + 0.000265 * t + 0.000262 * t2;
  return jd + correction - deltaT;
}

/** Julian Day Number of the UTC+7 civil day containing the k-th new moon. */
function newMoonDay(k: number): number {
  return Math.floor(newMoonJulianDate(k) + 0.5 + TIME_ZONE_HOURS / 24);
}

/** Apparent sun longitude in radians, 0 ≤ L < 2π, at Julian date `jd`. Meeus ch. 25 (low accuracy). */
function sunLongitude(jd: number): number {
  const t = (jd - 2_451_545.0) / 36_525; // Julian centuries since J2000.0
  const t2 = t * t;
  const m = (357.5291 + 35_999.0503 * t - 0.0001559 * t2 - 0.00000048 * t * t2) * DEG;
  const l0 = 280.46645 + 36_000.76983 * t + 0.0003032 * t2;
  const center =
    (1.9146 - 0.004817 * t - 0.000014 * t2) * Math.sin(m) +
    (0.019993 - 0.000101 * t) * Math.sin(2 * m) +
    0.00029 * Math.sin(3 * m);
  const l = (l0 + center) * DEG;
  return l - 2 * Math.PI * Math.floor(l / (2 * Math.PI));
}

/** Index 0–11 of the 30° solar-term sector the sun is in at the start (00:00 UTC+7) of day `jdn`. */
function solarSectorAtDayStart(jdn: number): number {
  return Math.floor((sunLongitude(jdn - 0.5 - TIME_ZONE_HOURS / 24) / Math.PI) * 6);
}

const month11Cache = new Map<number, number>();

/**
 * JDN of the first day of lunar month 11 (the month containing the winter solstice)
 * that starts in solar year `year` or just before (it begins in Nov or Dec).
 */
function month11Start(year: number): number {
  const cached = month11Cache.get(year);
  if (cached !== undefined) return cached;
  const dec31 = dayNumberOfParts(year, 12, 31) + JDN_UNIX_EPOCH;
  const k = Math.floor((dec31 - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH);
  let start = newMoonDay(k);
  // Sector ≥ 9 means the sun is already past 270° (the solstice) when this month
  // starts, so the solstice belongs to the month before.
  if (solarSectorAtDayStart(start) >= 9) start = newMoonDay(k - 1);
  month11Cache.set(year, start);
  return start;
}

/**
 * In a leap lunar year starting at month 11 `a11`, the offset (in months from month
 * 11) of the leap month: the first month in which no major solar term begins.
 */
function leapMonthOffset(a11: number): number {
  const k = Math.floor((a11 - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH + 0.5);
  let i = 1;
  let sector = solarSectorAtDayStart(newMoonDay(k + i));
  let previous: number;
  do {
    previous = sector;
    i++;
    sector = solarSectorAtDayStart(newMoonDay(k + i));
  } while (sector !== previous && i < 14);
  return i - 1;
}

function checkSolarYear(year: number): void {
  if (!Number.isInteger(year) || year < LUNAR_MIN_YEAR || year > LUNAR_MAX_YEAR) {
    throw new RangeError(
      `Âm lịch chỉ tính cho các năm ${LUNAR_MIN_YEAR}–${LUNAR_MAX_YEAR}, nhận được ${year}.`,
    );
  }
}

/** The lunar date of a solar calendar day (Vietnam). */
export function solarToLunar(date: IsoDate): LunarDate {
  const { year: solarYear } = splitIsoDate(date);
  checkSolarYear(solarYear);
  const jdn = dayNumberOf(date) + JDN_UNIX_EPOCH;
  // The mean lunation only estimates k: a true new moon can be most of a day off the mean one,
  // so step to the last new moon on or before this day in either direction (without this,
  // 2054-05-07 and 2062-04-09 came out as "day 0").
  let k = Math.floor((jdn - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH) + 1;
  while (newMoonDay(k) > jdn) k -= 1;
  while (newMoonDay(k + 1) <= jdn) k += 1;
  const monthStart = newMoonDay(k);

  let a11 = month11Start(solarYear);
  let b11 = a11;
  let lunarYear: number;
  if (a11 >= monthStart) {
    lunarYear = solarYear;
    a11 = month11Start(solarYear - 1);
  } else {
    lunarYear = solarYear + 1;
    b11 = month11Start(solarYear + 1);
  }
  const day = jdn - monthStart + 1;
  const diff = Math.floor((monthStart - a11) / 29); // months since month 11
  let leap = false;
  let month = diff + 11;
  if (b11 - a11 > 365) {
    const leapOffset = leapMonthOffset(a11);
    if (diff >= leapOffset) {
      month = diff + 10;
      leap = diff === leapOffset;
    }
  }
  if (month > 12) month -= 12;
  // Months 11 and 12 at the start of the span belong to the previous lunar year.
  if (month >= 11 && diff < 4) lunarYear -= 1;
  return { year: lunarYear, month, day, leap };
}

/**
 * The solar date of a lunar date, or an error when it does not exist (a leap month
 * the year does not have, day 30 of a 29-day month, out-of-range numbers).
 */
export function tryLunarToSolar(
  lunarYear: number,
  lunarMonth: number,
  lunarDay: number,
  leap = false,
): Result<IsoDate, string> {
  if (!Number.isInteger(lunarYear) || lunarYear < LUNAR_MIN_YEAR + 1 || lunarYear > LUNAR_MAX_YEAR - 1) {
    return err(
      `Năm âm lịch phải trong khoảng ${LUNAR_MIN_YEAR + 1}–${LUNAR_MAX_YEAR - 1}, nhận được ${lunarYear}.`,
    );
  }
  if (!Number.isInteger(lunarMonth) || lunarMonth < 1 || lunarMonth > 12) {
    return err(`Tháng âm lịch phải từ 1 đến 12, nhận được ${lunarMonth}.`);
  }
  if (!Number.isInteger(lunarDay) || lunarDay < 1 || lunarDay > 30) {
    return err(`Ngày âm lịch phải từ 1 đến 30, nhận được ${lunarDay}.`);
  }
  // Months 11–12 of lunar year Y start in solar year Y; months 1–10 follow month 11 of Y−1.
  const [a11, b11] =
    lunarMonth < 11
      ? [month11Start(lunarYear - 1), month11Start(lunarYear)]
      : [month11Start(lunarYear), month11Start(lunarYear + 1)];
  const k = Math.floor(0.5 + (a11 - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH);
  let offset = lunarMonth - 11;
  if (offset < 0) offset += 12;
  if (b11 - a11 > 365) {
    const leapOffset = leapMonthOffset(a11);
    let leapMonth = leapOffset - 2;
    if (leapMonth < 0) leapMonth += 12;
    if (leap && lunarMonth !== leapMonth) {
      return err(
        `Năm âm lịch ${lunarYear} không có tháng ${lunarMonth} nhuận (tháng nhuận là tháng ${leapMonth}).`,
      );
    }
    if (leap || offset >= leapOffset) offset += 1;
  } else if (leap) {
    return err(`Năm âm lịch ${lunarYear} không có tháng nhuận.`);
  }
  const monthStart = newMoonDay(k + offset);
  if (lunarDay === 30 && newMoonDay(k + offset + 1) - monthStart < 30) {
    return err(`Tháng ${lunarMonth}${leap ? " nhuận" : ""} năm âm lịch ${lunarYear} chỉ có 29 ngày.`);
  }
  return ok(dateOfDayNumber(monthStart + lunarDay - 1 - JDN_UNIX_EPOCH));
}

/** The solar date of a lunar date; throws RangeError when that lunar date does not exist (see tryLunarToSolar). */
export function lunarToSolar(lunarYear: number, lunarMonth: number, lunarDay: number, leap = false): IsoDate {
  const result = tryLunarToSolar(lunarYear, lunarMonth, lunarDay, leap);
  if (!result.ok) throw new RangeError(result.error);
  return result.value;
}

/** Lunar New Year's day (mùng 1 tháng Giêng) falling in solar year `year`. */
export function tetDate(year: number): IsoDate {
  return lunarToSolar(year, 1, 1);
}

/** The last day of the old lunar year (30 or 29 tháng Chạp), the day before Tết. */
export function lunarNewYearsEve(year: number): IsoDate {
  return addDays(tetDate(year), -1);
}

/** Hùng Kings' Commemoration Day (Giỗ Tổ Hùng Vương), 10/3 lunar, in solar year `year`. */
export function hungKingsDate(year: number): IsoDate {
  return lunarToSolar(year, 3, 10);
}
