/**
 * `outage add|list|cancel`: planned outages of the mail service. The regulation makes the
 * operator tell agencies, units and people at least 03 working days ahead (mic Điều 10.3, phuyen
 * Điều 8.1c); once recorded here, the reminder sweep reminds the support chat (rule "outages").
 */
import { z } from "zod";
import { formatVnDate, toVnIso } from "../calendar/time.ts";
import type { OutageView } from "../services/outages.ts";
import { CLI } from "../services/types.ts";
import { isoInstant, noPositionals, PROFILE_OPTION, required, vnHuman } from "./common.ts";
import { defineCommand, done } from "./types.ts";

const INSTANT = "ISO (2026-12-12T08:00 = giờ Việt Nam)";

function outageJson(o: OutageView): Record<string, unknown> {
  return {
    id: o.id,
    profile: o.profileId,
    from: toVnIso(o.startsAt),
    to: toVnIso(o.endsAt),
    reason: o.reason,
    noticeBy: o.noticeBy,
    article: o.article,
    cancelled: o.cancelledAt !== null,
  };
}

function outageLine(o: OutageView): string {
  const scope = o.profileId ?? "mọi hồ sơ";
  const notice = o.noticeBy
    ? `thông báo chậm nhất ${formatVnDate(o.noticeBy)} (${o.article})`
    : "hồ sơ này không quy định báo trước";
  const cancelled = o.cancelledAt !== null ? " [đã hủy]" : "";
  return `#${o.id} ${vnHuman(o.startsAt)} → ${vnHuman(o.endsAt)} (${scope}): ${o.reason}; ${notice}${cancelled}`;
}

const add = defineCommand({
  path: ["outage", "add"],
  usage: 'outage add --from ISO --to ISO --reason "…" [--profile P] [--json]',
  summary: {
    vi: "Ghi nhận lịch tạm ngừng dịch vụ thư (để nhắc thông báo trước tối thiểu 03 ngày làm việc)",
    en: "Record a planned outage (reminded to notify users at least 3 working days ahead)",
  },
  details: {
    vi: "Không có --profile: áp dụng cho mọi hồ sơ của hệ thống. Ghi lại cùng một lịch (cùng hồ sơ, bắt đầu, kết thúc) không tạo bản ghi mới.",
    en: "Without --profile it applies to every profile of the deployment. Recording the same outage again (same profile, start and end) adds nothing.",
  },
  options: {
    from: { type: "string", value: INSTANT, vi: "Thời điểm bắt đầu tạm ngừng", en: "Outage start" },
    to: { type: "string", value: INSTANT, vi: "Thời điểm kết thúc", en: "Outage end" },
    reason: { type: "string", value: "TEXT", vi: "Lý do kỹ thuật", en: "Technical reason" },
    profile: PROFILE_OPTION,
  },
  schema: z.object({
    from: required("Thiếu --from (thời điểm bắt đầu).", isoInstant),
    to: required("Thiếu --to (thời điểm kết thúc).", isoInstant),
    reason: z.string({ message: "Thiếu --reason." }).trim().min(3, "Lý do quá ngắn.").max(300),
    profile: z.string().trim().min(1).optional(),
    positionals: noPositionals,
  }),
  examples: ['outage add --from 2026-12-12T08:00 --to 2026-12-12T12:00 --reason "Nâng cấp máy chủ thư"'],
  async run(input, ctx) {
    // Validates a --profile-file id too (UsageError, exit 2, when unknown).
    const profileId = input.profile === undefined ? null : ctx.profile(input.profile).id;
    const { outage, created } = await ctx.withServices((services) =>
      services.outages.add({ startsAt: input.from, endsAt: input.to, reason: input.reason, profileId }, CLI),
    );
    return done({ ok: true, created, outage: outageJson(outage) }, [
      created
        ? `Đã ghi nhận lịch tạm ngừng #${outage.id}.`
        : `Lịch tạm ngừng này đã được ghi nhận trước đó (#${outage.id}): không ghi thêm.`,
      outageLine(outage),
      // The reminder goes to the support chat only (the operator owes the notice).
      ...(ctx.config.supportChatId === undefined
        ? [
            "Chưa đặt SUPPORT_CHAT_ID: bot sẽ không nhắc việc thông báo trước. Hãy đặt nhóm hỗ trợ trong cấu hình.",
          ]
        : []),
    ]);
  },
});

const list = defineCommand({
  path: ["outage", "list"],
  usage: "outage list [--all] [--json]",
  summary: { vi: "Các lịch tạm ngừng sắp tới", en: "Upcoming planned outages" },
  options: {
    all: {
      type: "boolean",
      vi: "Cả lịch đã qua và đã hủy",
      en: "Include past and cancelled outages",
    },
  },
  schema: z.object({ all: z.boolean().optional(), positionals: noPositionals }),
  examples: ["outage list --json"],
  async run(input, ctx) {
    const outages = await ctx.withServices((services) => services.outages.list({ all: input.all === true }));
    return done(
      { outages: outages.map(outageJson) },
      outages.length ? outages.map(outageLine) : ["Chưa có lịch tạm ngừng nào sắp tới."],
    );
  },
});

const cancel = defineCommand({
  path: ["outage", "cancel"],
  usage: "outage cancel ID [--json]",
  summary: { vi: "Hủy một lịch tạm ngừng (không nhắc nữa)", en: "Cancel a planned outage" },
  options: {},
  positionals: [{ name: "ID", vi: "Số của lịch (xem outage list)", en: "Outage number (see outage list)" }],
  schema: z.object({
    positionals: z
      .array(z.string())
      .length(1, { message: "Hãy cho biết số của lịch cần hủy, ví dụ: outage cancel 3." })
      .transform((p) => p[0] as string)
      .pipe(
        z
          .string()
          .regex(/^#?\d{1,9}$/, { message: "Số của lịch phải là số nguyên, ví dụ 3." })
          .transform((s) => Number(s.replace("#", ""))),
      ),
  }),
  examples: ["outage cancel 3"],
  async run(input, ctx) {
    const { outage, cancelled } = await ctx.withServices((services) =>
      services.outages.cancel(input.positionals, CLI),
    );
    return done({ ok: true, cancelled, outage: outageJson(outage) }, [
      cancelled ? `Đã hủy lịch tạm ngừng #${outage.id}.` : `Lịch tạm ngừng #${outage.id} đã hủy trước đó.`,
    ]);
  },
});

export const outageCommands = [add, list, cancel];
