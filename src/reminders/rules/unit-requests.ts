/**
 * The unit head's written request after a hire or a departure, where the document sets a
 * deadline (policy/unit-requests.ts): binhtan Điều 8.2 ("chậm nhất 02 ngày làm việc", hire and
 * departure), ninhbinh Điều 7.2 ("trong thời hạn 05 ngày kể từ ngày có quyết định", departure).
 *
 * A hire = a staff member recorded in mailbot at least a day after their unit (so the first
 * import of a directory is not taken for hires) who has no personal mailbox and no request for
 * one. A departure = a leaver (`mailbot leaver`; for ninhbinh the day given is the decision's)
 * whose personal mailbox is not revoked and for whom no leaver request exists. Reminded inside
 * the window only, to the heads of the person's unit (the support chat when it has no head
 * linked): once when the event is seen, once on the last day. Remind only: nothing is refused,
 * locked or revoked on this rule.
 */
import { formatVnDate, vnDateOf, vnInstant } from "../../calendar/time.ts";
import type { IsoDate } from "../../calendar/types.ts";
import type { LeaderLevel } from "../../policy/types.ts";
import { unitRequestDue, type StaffEvent } from "../../policy/unit-requests.ts";
import type { ReminderItem, RuleContext, RuleOutput } from "../types.ts";
import { cite, formatVnDay, itemsFor, uniqueChats } from "./common.ts";

export interface StaffEventFact {
  staffId: number;
  fullName: string;
  unitId: number;
  unitName: string;
  leaderLevel: LeaderLevel;
  event: StaffEvent;
  /** Hire: the day the person was recorded; departure: the leaving (ninhbinh: decision) day. */
  eventDay: IsoDate;
  /** Heads of the person's unit (nearest unit up the tree with one). */
  headChatIds: readonly number[];
}

export function unitRequestRule(facts: readonly StaffEventFact[], ctx: RuleContext): RuleOutput {
  const { profile, calendar, now, supportChatId } = ctx;
  const today = vnDateOf(now);
  const reminders: ReminderItem[] = [];
  for (const f of facts) {
    const due = unitRequestDue(profile, f.event, f.eventDay, f.leaderLevel, calendar);
    if (due === null || today > due.lastDay) continue;
    const when = today === due.lastDay ? "hôm nay là hạn cuối" : `chậm nhất ${formatVnDay(due.lastDay)}`;
    const rule = `${due.period}, ${cite(profile, due.article)}`;
    const line =
      f.event === "hire"
        ? `${f.fullName} (${f.unitName}) mới về đơn vị từ ${formatVnDate(f.eventDay)}, chưa có hộp thư: Thủ trưởng gửi văn bản đề nghị cấp mới hộp thư — ${when} (${rule})`
        : `${f.fullName} (${f.unitName}) nghỉ hưu, nghỉ việc hoặc chuyển công tác (${profile.eligibility.requestWithinWorkingDays === null ? "quyết định ngày" : "từ ngày"} ${formatVnDate(f.eventDay)}): Thủ trưởng gửi văn bản đề nghị ${profile.eligibility.requestWithinWorkingDays === null ? "chấm dứt hoạt động" : "hủy bỏ"} hộp thư — ${when} (${rule})`;
    const chats = f.headChatIds.length > 0 ? uniqueChats([...f.headChatIds]) : uniqueChats(supportChatId);
    reminders.push(
      ...itemsFor(chats, {
        rule: today === due.lastDay ? "unit-request-due" : "unit-request",
        target: `staff:${f.staffId}:${f.event}`,
        period: due.lastDay,
        section: "hr-request",
        line,
        sortAt: vnInstant(due.lastDay, profile.workingHours.endOfDay),
        profileId: profile.id,
      }),
    );
  }
  return { reminders, actions: [] };
}
