/** Helpers shared by the rules: recipients, claim keys, Vietnamese date formatting. */
import {
  dayNumberOf,
  formatVnDate,
  vnDateOf,
  vnTimeOf,
  WEEKDAY_NAMES_VI,
  weekdayOf,
} from "../../calendar/time.ts";
import type { IsoDate } from "../../calendar/types.ts";
import type { ItemAbout, MailboxRef, ReminderButton, ReminderItem, SectionId } from "../types.ts";

/** The person who must act on a mailbox: its keeper (unit/group mailbox), else its owner. */
export function primaryChat(ref: MailboxRef): number | null {
  if (ref.kind !== "personal" && ref.keeperChatId !== null) return ref.keeperChatId;
  return ref.ownerChatId ?? ref.keeperChatId;
}

/**
 * Whom an item about a mailbox concerns: the person who must act (as primaryChat chooses) and
 * the unit. One object per fact, shared by the items of all its recipients.
 */
export function aboutMailbox(ref: MailboxRef): ItemAbout {
  // Facts that do not carry names (a rule's own query without them) name the unit only.
  if (ref.keeperName === undefined && ref.ownerName === undefined) {
    return { unit: ref.unitName, mailboxId: ref.mailboxId };
  }
  const keeperActs = ref.kind !== "personal" && ref.keeperChatId !== null;
  const name = keeperActs ? ref.keeperName : (ref.ownerName ?? ref.keeperName);
  return {
    person: name ?? null,
    personChatId: primaryChat(ref),
    unit: ref.unitName,
    mailboxId: ref.mailboxId,
  };
}

/** Distinct chats, in order, without nulls. */
export function uniqueChats(...chats: (number | null | undefined | number[])[]): number[] {
  const out: number[] = [];
  for (const entry of chats) {
    for (const chat of Array.isArray(entry) ? entry : [entry]) {
      if (chat !== null && chat !== undefined && !out.includes(chat)) out.push(chat);
    }
  }
  return out;
}

/** Recipients for an item about a mailbox: the keeper/owner, or the unit heads when nobody is linked. */
export function mailboxRecipients(ref: MailboxRef, alsoHeads: boolean): number[] {
  const primary = primaryChat(ref);
  if (primary === null) return uniqueChats(ref.headChatIds);
  return alsoHeads ? uniqueChats(primary, ref.headChatIds) : [primary];
}

export interface ItemSpec {
  rule: string;
  target: string;
  /** Period part of the key: what makes a repetition a new reminder ("" = once ever). */
  period: string;
  section: SectionId;
  line: string;
  sortAt: Date;
  profileId: string;
  button?: ReminderButton;
  about?: ItemAbout;
}

export function claimKey(rule: string, target: string, period: string, chatId: number): string {
  // join: one flat string (a template literal makes a rope of five parts per item; 100,000
  // items are held through the whole sweep).
  return (period ? [rule, ":", target, ":", period, "@", chatId] : [rule, ":", target, "@", chatId]).join("");
}

/** One reminder item per recipient (they share the line and the sortAt string). */
export function itemsFor(chats: readonly number[], spec: ItemSpec): ReminderItem[] {
  const sortAt = spec.sortAt.toISOString();
  return chats.map((chatId) => ({
    key: claimKey(spec.rule, spec.target, spec.period, chatId),
    rule: spec.rule,
    target: spec.target,
    chatId,
    section: spec.section,
    line: spec.line,
    sortAt,
    profileId: spec.profileId,
    ...(spec.button ? { button: spec.button } : {}),
    ...(spec.about ? { about: spec.about } : {}),
  }));
}

/** "17:00 20/11/2026". */
export function formatVnDateTime(instant: Date): string {
  return `${vnTimeOf(instant)} ${formatVnDate(vnDateOf(instant))}`;
}

/** "thứ Hai 23/11/2026". */
export function formatVnDay(date: IsoDate): string {
  const name = WEEKDAY_NAMES_VI[weekdayOf(date)];
  return `${name.charAt(0).toLowerCase()}${name.slice(1)} ${formatVnDate(date)}`;
}

/** Calendar days from `a` to `b` (b − a). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return dayNumberOf(b) - dayNumberOf(a);
}

/** Where a rule comes from, for the text and the audit row: the one citation format (policy/cite.ts). */
export { cite } from "../../policy/cite.ts";

/** Two-digit number the way the regulations write periods: "02 ngày làm việc". */
export function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
