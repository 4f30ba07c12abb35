/**
 * The 6-monthly duty reminder "thống kê danh sách cá nhân, đơn vị đang sử dụng hộp thư" (mic
 * Điều 14.6, phuyen Điều 12.9) comes with the list itself: after such a digest reaches a unit
 * head, the XLSX of each unit they head follows as a document. It wraps the sweep's SendFn, so
 * it runs once per delivered digest (the claims already make the digest exactly-once). A
 * failed attachment is logged and does not fail the digest (a retry would repeat the text).
 */
import type { InputFile } from "grammy";
import type { Logger } from "../logger.ts";
import { getProfile, profileIds } from "../policy/profiles/index.ts";
import type { SendFn } from "../reminders/deliver.ts";
import type { Services } from "../services/index.ts";

/** The id every profile gives the 6-monthly active-mailbox list duty. */
export const ACTIVE_LIST_DUTY = "active-list";

/** True when a digest text carries the active-mailbox list duty of some profile (pure). */
export function mentionsActiveListDuty(text: string): boolean {
  return profileIds().some((id) =>
    getProfile(id).duties.some((d) => d.id === ACTIVE_LIST_DUTY && text.includes(d.description)),
  );
}

export interface AttachmentDeps {
  services: Pick<Services, "identity" | "overview">;
  sendDocument(chatId: number, file: InputFile, caption: string): Promise<unknown>;
  makeFile(data: Buffer, filename: string): InputFile;
  now: () => Date;
  logger: Logger;
}

export function withActiveListAttachment(send: SendFn, deps: AttachmentDeps): SendFn {
  return async (chatId, text, keyboard) => {
    const sent = await send(chatId, text, keyboard);
    if (chatId > 0 && mentionsActiveListDuty(text)) {
      try {
        const head = await deps.services.identity.findByTelegramId(chatId);
        for (const unit of head ? await deps.services.overview.headUnits(head.id) : []) {
          const list = await deps.services.overview.activeMailboxes(unit.id);
          const { activeMailboxesXlsx } = await import("./xlsx.ts"); // exceljs only when needed
          const data = await activeMailboxesXlsx(list.unitName, list.rows, deps.now());
          const day = deps.now().toISOString().slice(0, 10);
          await deps.sendDocument(
            chatId,
            deps.makeFile(data, `danh-sach-hop-thu-${day}.xlsx`),
            `Danh sách cá nhân, đơn vị đang sử dụng hộp thư công vụ — ${list.unitName} (${list.rows.length} hộp thư), để gửi kèm báo cáo định kỳ.`,
          );
        }
      } catch (error) {
        deps.logger.warn({ err: error, chatId }, "active-list attachment failed");
      }
    }
    return sent;
  };
}
