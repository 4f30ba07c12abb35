// Public API of the working-day calendar. Pure: no I/O, no clock reads.
export type { IsoDate, TimeOfDay } from "./types.ts";
export {
  addCalendarMonths,
  addDays,
  compareDates,
  daysInMonth,
  formatVnDate,
  isLeapYear,
  isoDateSchema,
  isWeekend,
  parseIsoDate,
  parseTimeOfDay,
  timeOfDaySchema,
  toVnIso,
  vnDateOf,
  vnInstant,
  vnTimeOf,
  VN_OFFSET_MINUTES,
  WEEKDAY_NAMES_VI,
  weekdayOf,
  type Weekday,
} from "./time.ts";
export {
  hungKingsDate,
  LUNAR_MAX_YEAR,
  LUNAR_MIN_YEAR,
  lunarNewYearsEve,
  lunarToSolar,
  solarToLunar,
  tetDate,
  tryLunarToSolar,
  type LunarDate,
} from "./lunar.ts";
export {
  cultureDayApplies,
  HOLIDAY_NAMES,
  nationalDayAdjacentDay,
  provisionalDaysOff,
  statutoryHolidays,
  type DayRule,
  type HolidayDay,
} from "./holidays.ts";
export {
  ANNOUNCED_SCHEDULES,
  announcedScheduleSchema,
  calendarOverrideSchema,
  calendarOverridesSchema,
  dayRuleSchema,
  parseAnnouncedSchedule,
  parseCalendarOverrides,
  type AnnouncedSchedule,
  type AnnouncedScheduleInput,
  type CalendarOverride,
} from "./schedules.ts";
export {
  CALENDAR_MAX_YEAR,
  CALENDAR_MIN_YEAR,
  createCalendar,
  ORDINARY_WORKING_DAY,
  type CalendarOptions,
  type DayInfo,
  type ListedDay,
  type WorkingDayCalendar,
} from "./calendar.ts";
export {
  calendarMonthsAfter,
  DEFAULT_END_OF_DAY,
  describeWorkingTimeLeft,
  isOverdue,
  workingDayDeadline,
  workingTimeLeft,
} from "./deadlines.ts";
