// Announced working-day schedules for civil servants (cán bộ, công chức, viên chức),
// kept as data. Values: docs/regulations.md §6, "Announced schedules", taken from the
// official announcements for each year. A year listed here replaces the provisional
// computation of holidays.ts for that year. To add a newly announced year, append an
// entry here, or pass it at run time as `createCalendar({ schedules: [...] })` after
// validating it with `announcedScheduleSchema`; single days can also be changed with
// operator overrides.
import { z } from "zod";
import { err, ok, type Result } from "../lib/result.ts";
import { HOLIDAY_NAMES, type DayRule } from "./holidays.ts";
import { isoDateSchema, weekdayOf } from "./time.ts";
import type { IsoDate } from "./types.ts";

const dayNameSchema = z
  .string({ error: "Tên ngày phải là chuỗi, ví dụ “Nghỉ bù”." })
  .trim()
  .min(1, { message: "Thiếu tên ngày (ví dụ “Nghỉ bù”)." })
  .max(120, { message: "Tên ngày dài quá 120 ký tự: hãy rút gọn." })
  .transform((s) => s.normalize("NFC"));

/** A day rule `{ date, kind: "off" | "working", name }`, as in schedules and overrides. */
export const dayRuleSchema = z.object(
  {
    date: isoDateSchema,
    kind: z.enum(["off", "working"], { error: "kind phải là “off” (nghỉ) hoặc “working” (làm việc)." }),
    name: dayNameSchema,
  },
  { error: "Mỗi ngày phải có dạng { date, kind, name }." },
);

/** An operator override: wins over the announced schedule, the statutory rules and weekends. */
export const calendarOverrideSchema = dayRuleSchema;
export type CalendarOverride = DayRule;

function rejectDuplicateDates(
  days: readonly { date: IsoDate }[],
  ctx: z.RefinementCtx,
  path: PropertyKey[],
): void {
  const seen = new Set<IsoDate>();
  days.forEach((day, i) => {
    if (seen.has(day.date)) {
      ctx.addIssue({
        code: "custom",
        path: [...path, i, "date"],
        message: `Ngày ${day.date} xuất hiện hai lần: mỗi ngày chỉ được khai báo một lần.`,
      });
    }
    seen.add(day.date);
  });
}

/** A list of operator overrides (a file, or rows from the database); each date at most once. */
export const calendarOverridesSchema = z
  .array(calendarOverrideSchema, { error: "Danh sách ngày điều chỉnh phải là một mảng." })
  .superRefine((days, ctx) => rejectDuplicateDates(days, ctx, []));

/** Parses untrusted overrides (file, database rows) into CalendarOverride[]. */
export function parseCalendarOverrides(input: unknown): Result<CalendarOverride[], string> {
  const parsed = calendarOverridesSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` (tại ${issue.path.map(String).join(".")})` : "";
  return err(`Danh sách ngày điều chỉnh không hợp lệ${where}: ${issue?.message ?? "lỗi không rõ"}`);
}

/**
 * One year's announced schedule: the weekdays off ("off") and the weekend days worked
 * instead ("working", làm bù). Weekend holidays are not listed: they are off anyway.
 */
export const announcedScheduleSchema = z
  .object({
    year: z.number().int().min(1801).max(2198),
    /** Where the days come from (announcement, digest). */
    source: z.string().trim().min(1),
    /** True once the announcement includes Vietnamese Culture Day (24/11); otherwise the rule adds it. */
    cultureDayIncluded: z.boolean().default(false),
    days: z.array(dayRuleSchema).min(1),
  })
  .superRefine((schedule, ctx) => {
    rejectDuplicateDates(schedule.days, ctx, ["days"]);
    schedule.days.forEach((day, i) => {
      if (!day.date.startsWith(`${schedule.year}-`)) {
        ctx.addIssue({
          code: "custom",
          path: ["days", i, "date"],
          message: `Ngày ${day.date} không thuộc năm ${schedule.year} của lịch này.`,
        });
      }
      const weekend = weekdayOf(day.date) === 0 || weekdayOf(day.date) === 6;
      if (day.kind === "off" && weekend) {
        ctx.addIssue({
          code: "custom",
          path: ["days", i],
          message: `Ngày ${day.date} là cuối tuần, vốn đã nghỉ: chỉ khai báo ngày nghỉ rơi vào ngày thường.`,
        });
      }
      if (day.kind === "working" && !weekend) {
        ctx.addIssue({
          code: "custom",
          path: ["days", i],
          message: `Ngày ${day.date} là ngày thường, vốn đã làm việc: chỉ khai báo ngày làm bù rơi vào cuối tuần.`,
        });
      }
    });
  });

export type AnnouncedSchedule = z.output<typeof announcedScheduleSchema>;
export type AnnouncedScheduleInput = z.input<typeof announcedScheduleSchema>;

const { newYear, tet, hungKings, victoryDay, labourDay, nationalDay } = HOLIDAY_NAMES;
const SOURCE = "Lịch nghỉ lễ, Tết công bố cho cán bộ, công chức, viên chức (docs/regulations.md §6)";

/** Name of a weekday given off in exchange for a Saturday worked (hoán đổi ngày làm việc). */
const swappedOff = (makeUpDay: string): string => `Nghỉ bù (hoán đổi, làm bù Thứ Bảy ${makeUpDay})`;
/** Name of a Saturday worked in exchange for a weekday off. */
const makeUp = (dayOff: string): string => `${HOLIDAY_NAMES.makeUpDay} (cho ngày nghỉ ${dayOff})`;

const ANNOUNCED_SCHEDULES_DATA: AnnouncedScheduleInput[] = [
  {
    year: 2024,
    source: SOURCE,
    days: [
      { date: "2024-01-01", kind: "off", name: newYear },
      { date: "2024-02-08", kind: "off", name: tet },
      { date: "2024-02-09", kind: "off", name: tet },
      { date: "2024-02-12", kind: "off", name: tet },
      { date: "2024-02-13", kind: "off", name: tet },
      { date: "2024-02-14", kind: "off", name: tet },
      { date: "2024-04-18", kind: "off", name: hungKings },
      { date: "2024-04-29", kind: "off", name: swappedOff("04/05/2024") },
      { date: "2024-04-30", kind: "off", name: victoryDay },
      { date: "2024-05-01", kind: "off", name: labourDay },
      { date: "2024-05-04", kind: "working", name: makeUp("29/04/2024") },
      { date: "2024-09-02", kind: "off", name: nationalDay },
      { date: "2024-09-03", kind: "off", name: nationalDay },
    ],
  },
  {
    year: 2025,
    source: SOURCE,
    days: [
      { date: "2025-01-01", kind: "off", name: newYear },
      { date: "2025-01-27", kind: "off", name: tet },
      { date: "2025-01-28", kind: "off", name: tet },
      { date: "2025-01-29", kind: "off", name: tet },
      { date: "2025-01-30", kind: "off", name: tet },
      { date: "2025-01-31", kind: "off", name: tet },
      { date: "2025-04-07", kind: "off", name: hungKings },
      { date: "2025-04-26", kind: "working", name: makeUp("02/05/2025") },
      { date: "2025-04-30", kind: "off", name: victoryDay },
      { date: "2025-05-01", kind: "off", name: labourDay },
      { date: "2025-05-02", kind: "off", name: swappedOff("26/04/2025") },
      { date: "2025-09-01", kind: "off", name: nationalDay },
      { date: "2025-09-02", kind: "off", name: nationalDay },
    ],
  },
  {
    year: 2026,
    source: SOURCE,
    days: [
      { date: "2026-01-01", kind: "off", name: newYear },
      { date: "2026-01-02", kind: "off", name: swappedOff("10/01/2026") },
      { date: "2026-01-10", kind: "working", name: makeUp("02/01/2026") },
      { date: "2026-02-16", kind: "off", name: tet },
      { date: "2026-02-17", kind: "off", name: tet },
      { date: "2026-02-18", kind: "off", name: tet },
      { date: "2026-02-19", kind: "off", name: tet },
      { date: "2026-02-20", kind: "off", name: tet },
      { date: "2026-04-27", kind: "off", name: `${HOLIDAY_NAMES.dayInLieu} (${hungKings})` },
      { date: "2026-04-30", kind: "off", name: victoryDay },
      { date: "2026-05-01", kind: "off", name: labourDay },
      { date: "2026-08-22", kind: "working", name: makeUp("31/08/2026") },
      { date: "2026-08-31", kind: "off", name: swappedOff("22/08/2026") },
      { date: "2026-09-01", kind: "off", name: nationalDay },
      { date: "2026-09-02", kind: "off", name: nationalDay },
    ],
  },
];

/** The built-in announced schedules (validated when this module loads). */
export const ANNOUNCED_SCHEDULES: readonly AnnouncedSchedule[] = z
  .array(announcedScheduleSchema)
  .parse(ANNOUNCED_SCHEDULES_DATA);

/** Parses an untrusted announced schedule (operator file) for `createCalendar({ schedules })`. */
export function parseAnnouncedSchedule(input: unknown): Result<AnnouncedSchedule, string> {
  const parsed = announcedScheduleSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` (tại ${issue.path.map(String).join(".")})` : "";
  return err(`Lịch nghỉ công bố không hợp lệ${where}: ${issue?.message ?? "lỗi không rõ"}`);
}
