/** `workdays add|is|list`: the working-day calendar from the command line. */
import { z } from "zod";
import {
  CALENDAR_MAX_YEAR,
  CALENDAR_MIN_YEAR,
  DEFAULT_END_OF_DAY,
  toVnIso,
  workingDayDeadline,
} from "../calendar/index.ts";
import { calendarDate, isoInstant, noPositionals, parseWith, PROFILE_OPTION, vnHuman } from "./common.ts";
import { defineCommand, done } from "./types.ts";

const add = defineCommand({
  path: ["workdays", "add"],
  usage: "workdays add --from ISO_DATETIME --days N [--profile P] [--json]",
  summary: {
    vi: "Hạn chót “trong N ngày làm việc” kể từ thời điểm nhận (hết giờ làm việc của ngày làm việc thứ N)",
    en: "Deadline “within N working days” of receipt (end of working hours of the N-th working day)",
  },
  details: {
    vi: "Đếm từ ngày (giờ Việt Nam) của thời điểm nhận; hết hạn lúc giờ kết thúc ngày làm việc của hồ sơ (mặc định 17:00).",
    en: "Counts from the Vietnam calendar day of receipt; expires at the profile's end of day (default 17:00).",
  },
  options: {
    from: {
      type: "string",
      value: "ISO_DATETIME",
      vi: "Thời điểm nhận, ví dụ 2026-02-13T16:00:00+07:00 (không có múi giờ = giờ Việt Nam)",
      en: "Time of receipt, e.g. 2026-02-13T16:00:00+07:00 (no offset = Vietnam time)",
    },
    days: {
      type: "string",
      value: "N",
      vi: "Số ngày làm việc (0–3650)",
      en: "Number of working days (0–3650)",
    },
    profile: PROFILE_OPTION,
  },
  schema: z.object({
    from: isoInstant,
    days: z
      .string({ message: "Thiếu --days N." })
      .regex(/^\d{1,4}$/, { message: "Số ngày làm việc phải là số nguyên không âm." })
      .transform(Number)
      .refine((n) => n <= 3650, { message: "Tối đa 3650 ngày làm việc." }),
    profile: z.string().optional(),
    positionals: noPositionals,
  }),
  examples: ["workdays add --from 2026-02-13T16:00:00+07:00 --days 1 --json"],
  async run(input, ctx) {
    const endOfDay =
      input.profile === undefined ? DEFAULT_END_OF_DAY : ctx.profile(input.profile).workingHours.endOfDay;
    const deadline = workingDayDeadline(ctx.calendar(), input.from, input.days, endOfDay);
    return done({ deadline: toVnIso(deadline) }, [`Hạn chót: ${vnHuman(deadline)} (${toVnIso(deadline)}).`]);
  },
});

const is = defineCommand({
  path: ["workdays", "is"],
  usage: "workdays is YYYY-MM-DD [--json]",
  summary: {
    vi: "Ngày này có phải ngày làm việc không, và vì sao",
    en: "Whether a day is a working day, and why",
  },
  options: {},
  positionals: [{ name: "YYYY-MM-DD", vi: "Ngày cần xem", en: "The day to look up" }],
  schema: z.object({
    positionals: z
      .array(z.string())
      .length(1, { message: "Cần đúng một ngày YYYY-MM-DD." })
      .transform((p, ctx) => parseWith(calendarDate, p[0], ctx)),
  }),
  examples: ["workdays is 2026-02-16", "workdays is 2026-08-22 --json"],
  async run(input, ctx) {
    const info = ctx.calendar().dayInfo(input.positionals);
    const flag = info.provisional ? " (dự kiến, chưa có thông báo chính thức)" : "";
    return done({ date: info.date, working: info.working, reason: info.reason }, [
      `${info.date}: ${info.working ? "ngày làm việc" : "ngày nghỉ"} — ${info.reason}${flag}.`,
    ]);
  },
});

const list = defineCommand({
  path: ["workdays", "list"],
  usage: "workdays list --year YYYY [--json]",
  summary: {
    vi: "Các ngày nghỉ rơi vào ngày thường và các ngày cuối tuần làm bù trong năm",
    en: "Weekdays off and weekend days worked (làm bù) in a year",
  },
  options: { year: { type: "string", value: "YYYY", vi: "Năm", en: "Year" } },
  schema: z.object({
    year: z
      .string({ message: "Thiếu --year YYYY." })
      .regex(/^\d{4}$/, { message: "Năm phải có dạng YYYY." })
      .transform(Number)
      .refine((y) => y >= CALENDAR_MIN_YEAR && y <= CALENDAR_MAX_YEAR, {
        message: `Năm phải từ ${CALENDAR_MIN_YEAR} đến ${CALENDAR_MAX_YEAR}.`,
      }),
    positionals: noPositionals,
  }),
  examples: ["workdays list --year 2026 --json"],
  async run(input, ctx) {
    const cal = ctx.calendar();
    const days = cal.listYear(input.year);
    const provisional = cal.isProvisionalYear(input.year);
    return done({ year: input.year, days: days.map((d) => ({ date: d.date, name: d.name })) }, [
      `Năm ${input.year}${provisional ? " (dự kiến: chưa có lịch nghỉ chính thức)" : ""}:`,
      ...days.map((d) => `${d.date}  ${d.working ? "làm việc" : "nghỉ"}  ${d.name}`),
    ]);
  },
});

export const workdaysCommands = [add, is, list];
