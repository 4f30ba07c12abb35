/**
 * `/nhacviec` in the console chat: one reminder sweep, now or as of a chosen day, delivered like
 * the scheduler's (digestSender through the bot's Api, with the 6-monthly list attached), so
 * the digests appear in the console as the chats of the linked demo staff receive them.
 */
import { InputFile, type Api } from "grammy";
import type { Database } from "../../db/client.ts";
import type { Logger } from "../../logger.ts";
import { withActiveListAttachment } from "../../overview/duty-attachment.ts";
import { formatVnDateTime } from "../../reminders/rules/common.ts";
import { runSweep } from "../../reminders/sweep.ts";
import type { Services } from "../../services/index.ts";
import { digestSender, noExtraThrottle } from "../api-config.ts";

export interface ConsoleRemindersDeps {
  database: Database;
  services: Services;
  api: Api;
  logger: Logger;
  supportChatId: number | null;
}

/** Returns the console's `remind` option: runs the sweep as of `at`, says what it did. */
export function consoleReminders(deps: ConsoleRemindersDeps): (at: Date) => Promise<string> {
  return async (at) => {
    const send = withActiveListAttachment(digestSender(deps.api), {
      services: deps.services,
      logger: deps.logger,
      now: () => at,
      makeFile: (data, filename) => new InputFile(data, filename),
      sendDocument: (chatId, file, caption) => deps.api.sendDocument(chatId, file, { caption }),
    });
    const report = await runSweep(
      {
        database: deps.database,
        send,
        supportChatId: deps.supportChatId,
        limiter: noExtraThrottle(),
        logger: deps.logger,
      },
      { now: at },
    );
    const when = formatVnDateTime(at);
    if (report.profilesSwept.length === 0) {
      const why = report.profilesSkipped.map((s) => s.reason).join("; ") || "không có hồ sơ nào";
      return `Nhắc việc ${when}: không chạy (${why}). Thử /nhacviec <một ngày làm việc dd/mm/yyyy>.`;
    }
    const items = report.delivery?.items ?? 0;
    return report.digestCount === 0
      ? `Nhắc việc ${when}: không có gì mới để nhắc (mỗi việc chỉ nhắc một lần cho mỗi kỳ). Chỉ cán bộ đã liên kết (/as) mới nhận nhắc việc.`
      : `Nhắc việc ${when}: đã gửi ${report.digestCount} tin (${items} mục) tới cán bộ đã liên kết.`;
  };
}
