/**
 * `remind run`, `activity import`, `absence add`: the reminder sweep and its inputs from the
 * command line. Each runs in `ctx.withDatabase` (the configured database, migrated, closed
 * afterwards); refusals from the services (ServiceError) become exit 1 in the router.
 */
import { z } from "zod";
import type { Config } from "../config.ts";
import type { SendFn } from "../reminders/deliver.ts";
import { RULE_IDS, type RuleId } from "../reminders/types.ts";
import { CLI } from "../services/types.ts";
import { calendarDate, isoInstant, noPositionals, required, vnHuman } from "./common.ts";
import { defineCommand, done, rejected } from "./types.ts";

/**
 * Stands in for the support group in a dry run without SUPPORT_CHAT_ID: 0 is no Telegram chat,
 * and a dry run sends nothing, so the items meant for the group can be shown instead of dropped.
 */
const NO_SUPPORT_CHAT = 0;

// grammY, the sweep and the services load only when a command here runs (see types.ts).
async function telegramSend(config: Config): Promise<SendFn | null> {
  if (!config.telegramBotToken) return null;
  // The same client as the bot's: throttled to Telegram's limits and retried on 429.
  const { createTelegramApi, digestSender } = await import("../bot/api-config.ts");
  return digestSender(
    createTelegramApi(
      config.telegramBotToken,
      config.telegramApiRoot ? { apiRoot: config.telegramApiRoot } : {},
    ),
  );
}

const remindRun = defineCommand({
  path: ["remind", "run"],
  usage: "remind run [--rule R]… [--at ISO] [--dry-run] [--json]",
  summary: { vi: "Chạy một lượt nhắc việc ngay", en: "Run one reminder sweep now" },
  details: {
    vi: `Quy tắc: ${RULE_IDS.join(", ")}. --at chạy như thể đang ở thời điểm đó (để thử). --dry-run chỉ in ra những gì sẽ gửi, không ghi và không gửi gì. Gửi thật cần TELEGRAM_BOT_TOKEN; SUPPORT_CHAT_ID là nhóm hỗ trợ.`,
    en: `Rules: ${RULE_IDS.join(", ")}. --at runs as of that instant (testing). --dry-run prints what would be sent, writes and sends nothing. Sending needs TELEGRAM_BOT_TOKEN; SUPPORT_CHAT_ID is the support group.`,
  },
  options: {
    rule: {
      type: "string",
      multiple: true,
      value: "R",
      vi: "Chỉ chạy quy tắc này (lặp lại được)",
      en: "Only this rule (repeatable)",
    },
    at: {
      type: "string",
      value: "ISO",
      vi: "Thời điểm giả định, ví dụ 2026-11-23T16:30",
      en: "Pretend time, e.g. 2026-11-23T16:30",
    },
    "dry-run": {
      type: "boolean",
      vi: "Chỉ in, không ghi, không gửi",
      en: "Print only; write and send nothing",
    },
  },
  schema: z.object({
    rule: z
      .array(z.enum(RULE_IDS, { message: `Quy tắc không có. Chọn một trong: ${RULE_IDS.join(", ")}.` }))
      .optional(),
    at: isoInstant.optional(),
    "dry-run": z.boolean().optional(),
    positionals: noPositionals,
  }),
  examples: ["remind run --dry-run --at 2026-11-23T16:30", "remind run --rule reply --rule checks --json"],
  async run(input, ctx) {
    const dryRun = input["dry-run"] === true;
    const send = await telegramSend(ctx.config);
    if (!dryRun && !send) {
      return rejected(
        "no_token",
        "Chưa đặt TELEGRAM_BOT_TOKEN nên không gửi được: dùng --dry-run để xem trước, hoặc đặt biến này.",
      );
    }
    const [{ runSweep }, { noExtraThrottle }] = await Promise.all([
      import("../reminders/sweep.ts"),
      import("../bot/api-config.ts"),
    ]);
    const supportChatId = ctx.config.supportChatId ?? null;
    const options = { ...(input.at ? { now: input.at } : {}), rules: (input.rule ?? []) as RuleId[] };
    const { report, dropped, names } = await ctx.withServices(async (services, database) => {
      // The services' calendar: holiday overrides and CULTURE_DAY_FROM, as in the bot.
      const calendar = await services.calendar.get();
      const deps = { database, calendar, limiter: noExtraThrottle() };
      // Without SUPPORT_CHAT_ID the rules make nothing for the support group. A dry run then
      // addresses those items to a stand-in chat (never sent), so they are shown, not dropped;
      // after a real run the same dry pass counts what the group did not get.
      const report = await runSweep(
        {
          ...deps,
          supportChatId: supportChatId ?? (dryRun ? NO_SUPPORT_CHAT : null),
          ...(send ? { send } : {}),
        },
        { ...options, dryRun },
      );
      const dropped =
        supportChatId !== null
          ? 0
          : dryRun
            ? report.digests.filter((d) => d.chatId === NO_SUPPORT_CHAT).reduce((n, d) => n + d.items, 0)
            : (
                await runSweep({ ...deps, supportChatId: NO_SUPPORT_CHAT }, { ...options, dryRun: true })
              ).digests
                .filter((d) => d.chatId === NO_SUPPORT_CHAT)
                .reduce((n, d) => n + d.items, 0);
      const chats = [
        ...report.digests.map((d) => d.chatId),
        ...(report.delivery?.blocked.map((b) => b.chatId) ?? []),
      ];
      return { report, dropped, names: await services.directory.namesOfChats(chats) };
    });
    const recipient = (chatId: number): string => {
      if (chatId === NO_SUPPORT_CHAT) return "nhóm hỗ trợ (CHƯA ĐẶT SUPPORT_CHAT_ID: sẽ không được gửi)";
      if (chatId === supportChatId) return "nhóm hỗ trợ";
      const person = names.get(chatId);
      if (person) return `${person.fullName} (${person.unitName})`;
      return chatId < 0 ? `nhóm chat ${chatId}` : `chat ${chatId} (không khớp cán bộ nào trong danh bạ)`;
    };
    const warnings =
      supportChatId === null
        ? [
            "Cảnh báo: chưa đặt SUPPORT_CHAT_ID (mã nhóm Telegram của bộ phận hỗ trợ) nên nhắc việc cho nhóm hỗ trợ (yêu cầu đến hạn, quá hạn, nhiệm vụ định kỳ…) không gửi được" +
              (dropped > 0
                ? `: lượt này ${dryRun ? "sẽ bỏ" : "đã bỏ"} ${dropped} mục.`
                : " (lượt này không có mục nào cho nhóm).") +
              " Đặt biến này trong .env cho cả bot và lệnh.",
          ]
        : [];
    const text = [
      ...warnings,
      `${dryRun ? "Chạy thử" : "Đã chạy"} lượt nhắc việc lúc ${vnHuman(new Date(report.at))}: ` +
        `${report.digestCount} tin nhắn, ${report.claimed + report.retried} mục, ${report.actions.length} thao tác.`,
      ...(report.profilesSkipped.length > 0
        ? [`Bỏ qua (ngoài giờ làm việc): ${report.profilesSkipped.map((p) => p.profileId).join(", ")}.`]
        : []),
      ...report.actions.map(
        (a) => `• ${a.kind} ${a.address}${a.applied || dryRun ? "" : " (không áp dụng: trạng thái đã đổi)"}`,
      ),
      ...report.digests.flatMap((d) => ["", `→ ${recipient(d.chatId)}:`, d.text]),
      ...(report.delivery?.blocked.length
        ? [`Bị chặn (không gửi được): ${report.delivery.blocked.map((b) => recipient(b.chatId)).join(", ")}.`]
        : []),
    ];
    return done(
      {
        ...report,
        recipients: report.digests.map((d) => ({
          chatId: d.chatId,
          name: recipient(d.chatId),
          items: d.items,
        })),
        supportItemsNotSent: supportChatId === null ? dropped : 0,
        warnings,
      } as unknown as Record<string, unknown>,
      text,
    );
  },
});

const activityImport = defineCommand({
  path: ["activity", "import"],
  usage: "activity import FILE [--json]",
  summary: {
    vi: "Nhập dữ liệu hoạt động hộp thư (CSV hoặc JSON lines)",
    en: "Import mailbox activity (CSV or JSON lines)",
  },
  details: {
    vi: "Mỗi hộp thư: address, lastLogin, lastSend, lastReceive, checks (các thời điểm cách nhau bởi ;), storageUsedMb. Mỗi thư cần trả lời: messageId, address, sender, subject, receivedAt, answeredAt. Gửi lại cùng dữ liệu không thay đổi gì; dòng sai được báo kèm số dòng và bỏ qua.",
    en: "Per mailbox: address, lastLogin, lastSend, lastReceive, checks (';'-separated instants), storageUsedMb. Per message needing an answer: messageId, address, sender, subject, receivedAt, answeredAt. Re-sending changes nothing; bad lines are reported with their numbers and skipped.",
  },
  options: {},
  positionals: [{ name: "FILE", vi: "Tệp .csv hoặc .jsonl", en: "A .csv or .jsonl file" }],
  schema: z.object({
    positionals: z
      .array(z.string())
      .length(1, { message: "Cần đúng một tệp." })
      .transform((p) => p[0] as string),
  }),
  examples: ["activity import hoat-dong-2026-11-23.jsonl", "activity import thu-can-tra-loi.csv --json"],
  async run(input, ctx) {
    const text = await ctx.readTextFile(input.positionals);
    const { detectSource, ingestActivity } = await import("../services/activity.ts");
    const report = await ctx.withDatabase((database) =>
      ingestActivity(database, detectSource(text, input.positionals), { actor: CLI }),
    );
    const lines = [
      `Đã đọc ${report.records} bản ghi, nhận ${report.accepted}: cập nhật ${report.mailboxesUpdated} hộp thư, ` +
        `thêm ${report.checksAdded} lần kiểm tra, ${report.messagesAdded} thư mới, ${report.messagesAnswered} thư đã trả lời.`,
      ...report.errors.map((e) => `Dòng ${e.line}: ${e.message}`),
      ...(report.errorCount > report.errors.length
        ? [`… và ${report.errorCount - report.errors.length} lỗi khác.`]
        : []),
    ];
    if (report.accepted === 0 && report.errorCount > 0) {
      return rejected(
        "no_valid_records",
        "Không có bản ghi hợp lệ nào: sửa các dòng báo lỗi rồi nhập lại.",
        { report },
        lines,
      );
    }
    return done({ ...report } as unknown as Record<string, unknown>, lines);
  },
});

const absenceAdd = defineCommand({
  path: ["absence", "add"],
  usage: 'absence add --address A --until YYYY-MM-DD --reason "…" [--from YYYY-MM-DD] [--json]',
  summary: {
    vi: "Báo nghỉ cho một hộp thư (tạm dừng nhắc việc, không tính là không hoạt động)",
    en: "Record an absence notice for a mailbox",
  },
  options: {
    address: { type: "string", value: "A", vi: "Địa chỉ hộp thư", en: "Mailbox address" },
    from: {
      type: "string",
      value: "YYYY-MM-DD",
      vi: "Ngày bắt đầu (mặc định hôm nay)",
      en: "First day (default today)",
    },
    until: { type: "string", value: "YYYY-MM-DD", vi: "Ngày kết thúc", en: "Last day" },
    reason: { type: "string", value: "…", vi: "Lý do (nghỉ phép, đi học, biệt phái…)", en: "Reason" },
  },
  schema: z.object({
    address: required("Thiếu --address.", z.string().trim().min(3)),
    from: calendarDate.optional(),
    until: required("Thiếu --until YYYY-MM-DD.", calendarDate),
    reason: required('Thiếu --reason "…".', z.string().trim().min(1)),
    positionals: noPositionals,
  }),
  examples: ['absence add --address nguyenvana@phuyen.gov.vn --until 2026-12-31 --reason "Đi học dài hạn"'],
  async run(input, ctx) {
    const view = await ctx.withServices((services) =>
      services.absences.create(
        {
          address: input.address,
          endsOn: input.until,
          reason: input.reason,
          ...(input.from ? { startsOn: input.from } : {}),
        },
        CLI,
      ),
    );
    return done({ absence: view }, [
      `Đã ghi báo nghỉ cho ${view.address} từ ${view.startsOn} đến ${view.endsOn}: tạm dừng nhắc việc và không tính thời gian này là không hoạt động.`,
    ]);
  },
});

export const reminderCommands = [remindRun, activityImport, absenceAdd];
