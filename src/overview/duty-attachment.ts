/**
 * The 6-monthly duty reminder "thống kê danh sách cá nhân, đơn vị đang sử dụng hộp thư" (mic
 * Điều 14.6, phuyen Điều 12.9) comes with the list itself: after such a digest reaches a unit
 * head, the XLSX of each unit they head follows as a document. It wraps the sweep's SendFn, so
 * it runs once per delivered digest (the claims already make the digest exactly-once). A
 * failed attachment is logged and does not fail the digest (a retry would repeat the text).
 * It decides on the digest's items as data (the duty id the rule put in `about.dutyId`, or the
 * claim target `duty:<profile>/<duty id>` of an item claimed before that field existed), never
 * on the wording of the text, which the profiles may change.
 */
import type { InputFile } from "grammy";
import type { Logger } from "../logger.ts";
import type { SendFn } from "../reminders/deliver.ts";
import type { ReminderItem } from "../reminders/types.ts";
import type { Services } from "../services/index.ts";

/** The id every profile gives the 6-monthly active-mailbox list duty. */
export const ACTIVE_LIST_DUTY = "active-list";

/** The duty id of a dated-duty item, from its data (pure). */
export function dutyIdOf(item: ReminderItem): string | undefined {
  if (item.about?.dutyId) return item.about.dutyId;
  return /^duty:[^/]+\/(.+)$/.exec(item.target)?.[1];
}

/** True when a digest's items include the active-mailbox list duty of some profile (pure). */
export function carriesActiveListDuty(items: readonly ReminderItem[] | undefined): boolean {
  return (items ?? []).some((item) => item.section === "duty" && dutyIdOf(item) === ACTIVE_LIST_DUTY);
}

export interface AttachmentDeps {
  services: Pick<Services, "identity" | "overview">;
  sendDocument(chatId: number, file: InputFile, caption: string): Promise<unknown>;
  makeFile(data: Buffer, filename: string): InputFile;
  now: () => Date;
  logger: Logger;
}

export function withActiveListAttachment(send: SendFn, deps: AttachmentDeps): SendFn {
  return async (chatId, text, keyboard, items) => {
    const sent = await send(chatId, text, keyboard, items);
    if (chatId > 0 && carriesActiveListDuty(items)) {
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
