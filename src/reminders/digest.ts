/**
 * One digest per recipient per run: every item for a chat in one message, grouped by section
 * (most urgent first, see SECTIONS) and sorted by deadline inside a section, in Vietnamese,
 * with buttons where an action is possible. Telegram caps a message at 4096 characters: items
 * that do not fit are counted in a last line per section instead of being listed, and are still
 * settled with the message (the count is what the recipient was told).
 */
import { REMINDER_ACTIONS, reminderButton } from "../lib/callbacks.ts";
import { vnDateOf, vnTimeOf } from "../calendar/time.ts";
import { formatVnDay } from "./rules/common.ts";
import { SECTIONS, type ReminderButton, type ReminderItem, type SectionId } from "./types.ts";

export const MAX_MESSAGE_CHARS = 4000;
export const MAX_BUTTONS = 8;

export interface InlineKeyboard {
  inline_keyboard: { text: string; callback_data: string }[][];
}

export interface Digest {
  chatId: number;
  text: string;
  keyboard?: InlineKeyboard;
  /** Claim keys of the items shown or counted that were read (see `unread`). */
  keys: string[];
  /** Items the message accounts for: shown, counted, and `unread`. */
  itemCount: number;
  /**
   * Claims counted in the message but never read back (claims.ts ownedPages reads the first
   * READ_PER_SECTION of a section): they are settled with the recipient's delivery, not by key.
   */
  unread: number;
  /** The items rendered, to re-render when some of them were taken over by another run. */
  items: ReminderItem[];
}

export function compareItems(a: ReminderItem, b: ReminderItem): number {
  const rank = SECTIONS[a.section].rank - SECTIONS[b.section].rank;
  if (rank !== 0) return rank;
  if (a.sortAt !== b.sortAt) return a.sortAt < b.sortAt ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Per recipient and section, how many claims a digest counts without having read them. */
export type UnreadCounts = ReadonlyMap<number, ReadonlyMap<SectionId, number>>;

/** Groups items by chat and renders one digest per chat, in chat order. */
export function buildDigests(items: readonly ReminderItem[], now: Date, unread?: UnreadCounts): Digest[] {
  const byChat = new Map<number, ReminderItem[]>();
  for (const item of items) {
    const list = byChat.get(item.chatId);
    if (list) list.push(item);
    else byChat.set(item.chatId, [item]);
  }
  return [...byChat.entries()]
    .sort(([a], [b]) => a - b)
    .map(([chatId, list]) => renderDigest(chatId, list, now, unread?.get(chatId)));
}

/** `unread`: per section, items to count (title and "… và N mục khác") beyond those given. */
export function renderDigest(
  chatId: number,
  items: readonly ReminderItem[],
  now: Date,
  unread?: ReadonlyMap<SectionId, number>,
): Digest {
  const sorted = [...items].sort(compareItems);
  const header = `🔔 Nhắc việc ${vnTimeOf(now)} ${formatVnDay(vnDateOf(now))}`;
  const lines: string[] = [header];
  let length = header.length;
  const buttons: ReminderButton[] = [];
  const seenButtons = new Set<string>();
  let index = 0;
  while (index < sorted.length) {
    const section = (sorted[index] as ReminderItem).section;
    let end = index;
    while (end < sorted.length && (sorted[end] as ReminderItem).section === section) end++;
    const notRead = unread?.get(section) ?? 0;
    const title = `\n${titleOf(section, end - index + notRead)}:`;
    lines.push(title);
    length += title.length + 1;
    let shown = 0;
    for (let i = index; i < end; i++) {
      const item = sorted[i] as ReminderItem;
      const bullet = `  • ${item.line}${whoSuffix(item)}`;
      // Keep room for the "và N mục khác" lines of this and later sections.
      if (length + bullet.length + 1 > MAX_MESSAGE_CHARS - 200) break;
      lines.push(bullet);
      length += bullet.length + 1;
      shown++;
      // A message carries MAX_BUTTONS at most: the rest are not even encoded.
      for (const button of buttons.length < MAX_BUTTONS ? buttonsOf(item) : []) {
        const data = callbackDataOf(button);
        if (data !== null && buttons.length < MAX_BUTTONS && !seenButtons.has(data)) {
          seenButtons.add(data);
          buttons.push({ text: button.text, data });
        }
      }
    }
    if (shown < end - index || notRead > 0) {
      const more = `  … và ${end - index - shown + notRead} mục khác.`;
      lines.push(more);
      length += more.length + 1;
    }
    index = end;
  }
  let notReadTotal = 0;
  for (const n of unread?.values() ?? []) notReadTotal += n;
  const text = lines.join("\n").normalize("NFC");
  return {
    chatId,
    text: text.length > 4096 ? `${text.slice(0, 4090)}…` : text,
    ...(buttons.length > 0 ? { keyboard: keyboardOf(buttons) } : {}),
    keys: sorted.map((item) => item.key),
    itemCount: sorted.length + notReadTotal,
    unread: notReadTotal,
    items: sorted,
  };
}

/**
 * Who and which unit an item is about, for a recipient other than that person (a unit head,
 * the support desk): " — Nguyễn Văn An, Phòng CNTT". The person is not named to themselves.
 */
export function whoSuffix(item: ReminderItem): string {
  const about = item.about;
  if (!about) return "";
  const unit = about.unit ? `, ${about.unit}` : "";
  if (about.person === undefined) return about.unit ? ` — ${about.unit}` : "";
  if (about.personChatId !== null && about.personChatId !== undefined && about.personChatId === item.chatId)
    return "";
  if (about.person === null) return ` — chưa có người phụ trách${unit}`;
  const linked =
    about.personChatId === null || about.personChatId === undefined ? " (chưa liên kết Telegram)" : "";
  return ` — ${about.person}${linked}${unit}`;
}

/**
 * The item's own button, then "Nhắc cán bộ" when the recipient is not the person who must act
 * and that person can be reached (a private chat: the support group does not ping people).
 */
export function buttonsOf(item: ReminderItem): ReminderButton[] {
  const out: ReminderButton[] = item.button ? [item.button] : [];
  const about = item.about;
  if (
    about?.person &&
    about.mailboxId !== undefined &&
    about.personChatId !== null &&
    about.personChatId !== undefined &&
    about.personChatId !== item.chatId &&
    item.chatId > 0
  ) {
    const tracked = /^tm:(\d+)$/.exec(item.target);
    out.push({
      text: `🔔 Nhắc cán bộ ${about.person}`,
      data: tracked ? `pt:${tracked[1]}` : `pm:${about.mailboxId}`,
    });
  }
  return out;
}

function titleOf(section: SectionId, count: number): string {
  return `${SECTIONS[section].title} (${count})`;
}

/**
 * The one place where a rule's button (`ans:12`, kept in this short form in the claims'
 * payloads) becomes the bot's validated callback data (`rem:1:ans:12`, see reminderButton in
 * src/bot/keyboards.ts). A button that does not fit the scheme is dropped, never sent raw.
 */
export function callbackDataOf(button: ReminderButton): string | null {
  const [action, id, ...rest] = button.data.split(":");
  if (rest.length > 0 || !(REMINDER_ACTIONS as readonly string[]).includes(action ?? "")) return null;
  const decoded = reminderButton.decode(`rem:1:${action}:${id}`);
  return decoded.ok ? reminderButton.encode(...decoded.args) : null;
}

/** Two buttons per row; `data` is already the encoded callback data. */
function keyboardOf(buttons: readonly ReminderButton[]): InlineKeyboard {
  const rows: { text: string; callback_data: string }[][] = [];
  for (let i = 0; i < buttons.length; i += 2) {
    rows.push(buttons.slice(i, i + 2).map((b) => ({ text: b.text, callback_data: b.data })));
  }
  return { inline_keyboard: rows };
}
