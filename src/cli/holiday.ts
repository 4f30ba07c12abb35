/**
 * `holiday add|remove|list`: the operator's calendar overrides (a newly announced day off, a
 * swapped working Saturday). They win over the statutory rules and the announced schedules, and
 * every instance picks them up at its next deadline computation (see services/calendar-store.ts).
 */
import { z } from "zod";
import { CLI } from "../services/types.ts";
import { calendarDate, noPositionals } from "./common.ts";
import { defineCommand, done } from "./types.ts";

const DATE_OPTION = { type: "string", value: "YYYY-MM-DD", vi: "Ngày", en: "Day" } as const;

const add = defineCommand({
  path: ["holiday", "add"],
  usage: 'holiday add --date YYYY-MM-DD --kind off|working --name "…" [--json]',
  summary: {
    vi: "Thêm ngày nghỉ hoặc ngày làm bù do Nhà nước công bố (ưu tiên hơn mọi quy tắc)",
    en: "Add an announced day off or swapped working day (wins over every rule)",
  },
  options: {
    date: DATE_OPTION,
    kind: {
      type: "string",
      value: "off|working",
      vi: "off = nghỉ, working = làm việc (làm bù)",
      en: "off = day off, working = working day",
    },
    name: {
      type: "string",
      value: "TEXT",
      vi: "Tên ngày, ví dụ “Nghỉ bù Quốc khánh”",
      en: "Name of the day",
    },
  },
  schema: z.object({
    date: calendarDate,
    kind: z.enum(["off", "working"], { message: "--kind chỉ nhận off hoặc working." }),
    name: z.string({ message: "Thiếu --name." }).trim().min(1).max(200),
    positionals: noPositionals,
  }),
  examples: ['holiday add --date 2027-02-12 --kind off --name "Nghỉ Tết Nguyên đán"'],
  async run(input, ctx) {
    const changed = await ctx.withServices((services) =>
      services.calendar.setOverride({ date: input.date, kind: input.kind, name: input.name }, CLI),
    );
    const what = input.kind === "off" ? "ngày nghỉ" : "ngày làm việc";
    return done({ ok: true, changed, date: input.date, kind: input.kind, name: input.name }, [
      changed
        ? `Đã đặt ${input.date} là ${what}: ${input.name}.`
        : `${input.date} đã là ${what}: không thay đổi.`,
    ]);
  },
});

const remove = defineCommand({
  path: ["holiday", "remove"],
  usage: "holiday remove --date YYYY-MM-DD [--json]",
  summary: { vi: "Bỏ điều chỉnh của một ngày", en: "Remove one day's override" },
  options: { date: DATE_OPTION },
  schema: z.object({ date: calendarDate, positionals: noPositionals }),
  examples: ["holiday remove --date 2027-02-12"],
  async run(input, ctx) {
    const removed = await ctx.withServices((services) => services.calendar.removeOverride(input.date, CLI));
    return done({ ok: true, removed, date: input.date }, [
      removed ? `Đã bỏ điều chỉnh ngày ${input.date}.` : `Ngày ${input.date} không có điều chỉnh nào.`,
    ]);
  },
});

const list = defineCommand({
  path: ["holiday", "list"],
  usage: "holiday list [--json]",
  summary: { vi: "Các ngày điều chỉnh của đơn vị vận hành", en: "The operator's overrides" },
  options: {},
  schema: z.object({ positionals: noPositionals }),
  examples: ["holiday list --json"],
  async run(_input, ctx) {
    const days = await ctx.withServices((services) => services.calendar.list());
    return done(
      { days },
      days.length
        ? days.map((d) => `${d.date}  ${d.kind === "off" ? "nghỉ" : "làm việc"}  ${d.name}`)
        : ["Chưa có ngày điều chỉnh nào."],
    );
  },
});

export const holidayCommands = [add, remove, list];
