/**
 * Unchecked mailboxes. The profile's check slots are windows of a working day in which the
 * keeper (unit/group mailbox) or owner (personal) must open the mailbox at least `minChecks`
 * times: mic Điều 12.3a (unit: đầu giờ sáng, cuối giờ sáng, cuối giờ chiều), binhtan Điều 7.3c
 * (unit 4, personal 3), soctrang Điều 13.2 ("tối thiểu 2 lần/buổi": 2 anywhere in each half-day),
 * ninhbinh Điều 8.2 ("hằng ngày": once in the working day), phuyen Điều 13.1 (personal, only
 * encouraged: a gentle reminder, never escalated).
 *
 * Only the latest closed window is judged (after downtime, older missed windows collapse into
 * it: one reminder, not a flood); the window before it only decides the escalation: two missed
 * windows in a row (the mailbox existed in both) → the unit head is told too.
 */
import type { WorkingDayCalendar } from "../../calendar/calendar.ts";
import { vnDateOf, vnInstant, vnTimeOf } from "../../calendar/time.ts";
import type { IsoDate } from "../../calendar/types.ts";
import { cite } from "../../policy/cite.ts";
import type { CheckSlot, Profile } from "../../policy/profile.ts";
import type { MailboxRef, RuleContext, RuleOutput } from "../types.ts";
import { aboutMailbox, itemsFor, primaryChat, uniqueChats } from "./common.ts";

export interface CheckWindow {
  date: IsoDate;
  slot: CheckSlot;
  from: Date;
  to: Date;
}

/**
 * The latest check window that has ended by `now`, and the one before it, over working days
 * (searching back at most 40 days: Tết plus weekends is the longest break). [] when the
 * profile has no slots for this kind of mailbox.
 */
export function latestClosedWindows(
  now: Date,
  calendar: WorkingDayCalendar,
  slots: readonly CheckSlot[],
): CheckWindow[] {
  if (slots.length === 0) return [];
  const sorted = [...slots].sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  const found: CheckWindow[] = [];
  let date = vnDateOf(now);
  for (let i = 0; i < 40 && found.length < 2; i++) {
    if (calendar.isWorkingDay(date)) {
      for (let s = sorted.length - 1; s >= 0 && found.length < 2; s--) {
        const slot = sorted[s] as CheckSlot;
        const to = vnInstant(date, slot.to);
        if (to.getTime() <= now.getTime()) found.push({ date, slot, from: vnInstant(date, slot.from), to });
      }
    }
    date = calendar.previousWorkingDay(date);
  }
  return found;
}

/** Slots of a mailbox kind: group mailboxes are kept like unit mailboxes. */
export function slotsFor(profile: Profile, kind: MailboxRef["kind"]): CheckSlot[] {
  return kind === "personal" ? profile.checks.personal : profile.checks.unit;
}

export interface UncheckedFact extends MailboxRef {
  /** Not checked in the window before the judged one either. */
  missedPrevious: boolean;
}

/** `window` is the judged (latest closed) window for the kind of mailbox of these facts. */
export function checksRule(
  facts: readonly UncheckedFact[],
  window: CheckWindow,
  ctx: RuleContext,
): RuleOutput {
  const { profile } = ctx;
  const checks = profile.checks;
  const period = `${window.date}T${window.slot.to}`;
  const reminders = [];
  for (const fact of facts) {
    const kind = fact.kind === "personal" ? "personal" : "unit";
    const article = cite(
      profile,
      kind === "personal" ? (checks.personalArticle ?? checks.article) : checks.article,
    );
    const encouraged = checks.encouragedOnly.includes(kind);
    const target = `mb:${fact.mailboxId}`;
    const when = `${window.slot.label} (${window.slot.from}–${window.slot.to} ${window.date.slice(8, 10)}/${window.date.slice(5, 7)})`;
    const escalate = !encouraged && fact.missedPrevious;
    const again = escalate ? " — lần thứ 2 liên tiếp" : "";
    const times = window.slot.minChecks > 1 ? ` đủ ${window.slot.minChecks} lần` : "";
    const primary = primaryChat(fact);
    reminders.push(
      ...itemsFor(primary === null ? [] : [primary], {
        rule: "check",
        target,
        period,
        section: escalate ? "check-escalated" : "check-missed",
        line: encouraged
          ? `Nhắc nhẹ: ${fact.address} chưa được mở ${when}. Quy chế khuyến khích kiểm tra thư hằng ngày (${article}).`
          : `${fact.address} chưa được mở${times} ${when}${again}. Hãy mở hộp thư (${article}).`,
        sortAt: window.to,
        profileId: profile.id,
        about: aboutMailbox(fact),
      }),
    );
    // Escalate: two genuinely missed windows in a row, or nobody linked to ping — never for a
    // check the document only encourages.
    if (!encouraged && (fact.missedPrevious || primary === null)) {
      reminders.push(
        ...itemsFor(uniqueChats(fact.headChatIds), {
          rule: "check-escalate",
          target,
          period,
          section: "check-escalated",
          line: `${fact.address} chưa được mở${times} ${when}${again}.`,
          sortAt: window.to,
          profileId: profile.id,
          about: aboutMailbox(fact),
        }),
      );
    }
  }
  return { reminders, actions: [] };
}

/** "07:30" of a window, for logs. */
export function describeWindow(window: CheckWindow): string {
  return `${window.date} ${window.slot.from}–${window.slot.to} (${vnTimeOf(window.to)})`;
}
