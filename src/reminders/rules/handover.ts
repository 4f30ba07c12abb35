/**
 * Handover of a unit/group mailbox when its keeper's assignment ends (the keeper left or moved,
 * recorded with `mailbot leaver` / `mailbot mover`):
 * - mic Điều 12.3d: "Khi việc ủy quyền, phân công hết hiệu lực, thực hiện bàn giao nguyên trạng
 *   hộp thư điện tử cùng mật khẩu và toàn bộ nội dung dữ liệu cho cá nhân được Thủ trưởng cơ
 *   quan, đơn vị chỉ định";
 * - binhtan Điều 7.3b: the head manages the unit mailbox and assigns the staff who monitor it (a
 *   new head takes the mailbox, password and data over);
 * - ninhbinh Điều 8.3: the clerk keeping it, on a change of post, hands over the mailbox, the
 *   password and all its data to the new clerk.
 * None sets a deadline: the unit head (the support chat when the unit has no head linked) is
 * reminded at once and then every 7 days until a new keeper is named (`mailbot keeper`); a
 * keeper who moved (still working) is reminded to hand over too. Profiles whose document is
 * silent (keeperHandoverArticle null) get nothing.
 */
import { formatVnDate, vnDateOf } from "../../calendar/time.ts";
import type { IsoDate } from "../../calendar/types.ts";
import type { MailboxRef, ReminderItem, RuleContext, RuleOutput } from "../types.ts";
import { cite, daysBetween, itemsFor, uniqueChats } from "./common.ts";

/** Days between two reminders of the same pending handover. */
export const HANDOVER_REPEAT_DAYS = 7;

export interface HandoverFact extends MailboxRef {
  /** When the keeper left or moved. */
  handoverSince: Date;
  keeperName: string | null;
  /** true: left (leaver); false: still working elsewhere (mover), and `keeperChatId` is theirs. */
  keeperLeft: boolean;
  /** The leaving day of a keeper who left (it may still be ahead when recorded early). */
  keeperLeftOn: IsoDate | null;
}

export function handoverRule(facts: readonly HandoverFact[], ctx: RuleContext): RuleOutput {
  const { profile, now, supportChatId } = ctx;
  const reminders: ReminderItem[] = [];
  const article = profile.keeperHandoverArticle;
  if (article === null) return { reminders, actions: [] };
  const today = vnDateOf(now);
  for (const f of facts) {
    const since = vnDateOf(f.handoverSince);
    const week = Math.floor(Math.max(0, daysBetween(since, today)) / HANDOVER_REPEAT_DAYS);
    const who = f.keeperName ?? "người quản lý";
    const event = f.keeperLeft
      ? `nghỉ việc từ ${formatVnDate(f.keeperLeftOn ?? since)}`
      : `đã chuyển vị trí công tác từ ${formatVnDate(since)}`;
    const line =
      `Hộp thư ${f.address} (${f.unitName}): ${who} ${event}; ` +
      `cần bàn giao hộp thư, mật khẩu và toàn bộ dữ liệu cho người được Thủ trưởng chỉ định và báo bộ phận hỗ trợ ghi nhận người quản lý mới (${cite(profile, article)})`;
    const heads = f.headChatIds.length > 0 ? f.headChatIds : uniqueChats(supportChatId);
    const chats = uniqueChats(heads, f.keeperLeft ? null : f.keeperChatId);
    reminders.push(
      ...itemsFor(chats, {
        rule: "keeper-handover",
        target: `mb:${f.mailboxId}`,
        period: `${since}/${week}`,
        section: "handover",
        line,
        sortAt: f.handoverSince,
        profileId: profile.id,
      }),
    );
  }
  return { reminders, actions: [] };
}
