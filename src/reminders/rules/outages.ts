/**
 * Planned outages (mic Điều 10.3, phuyen Điều 8.1c): the operator must tell agencies, units and
 * people at least 03 working days before it stops the service for technical reasons. Outages
 * are recorded with `mailbot outage add`; this rule reminds the support chat (the operator's
 * desk: the duty is the operator's, `duties[].to = "operator"`) to send that notice.
 *
 * Two reminders per outage, each sent once (claim period = the last notice day):
 * - "outage-early" from OUTAGE_EARLY_WORKING_DAYS working days before the last notice day;
 * - "outage-due" on the last notice day, or, when the outage was recorded (or the sweep ran)
 *   too late, on the first sweep after it, saying the notice is late and must go out at once.
 * Nothing once the outage has started, and nothing for a profile without the duty (the sweep
 * only selects outages for the profiles that have it). Last notice day: policy/outages.ts.
 */
import { vnDateOf, vnInstant } from "../../calendar/time.ts";
import { outageNoticeBy, outageNoticeDuty, workingDaysBeforeOutage } from "../../policy/outages.ts";
import type { ReminderItem, RuleContext, RuleOutput } from "../types.ts";
import { cite, formatVnDateTime, formatVnDay, itemsFor, twoDigits, uniqueChats } from "./common.ts";

/** Working days before the last notice day from which the first reminder is sent. */
export const OUTAGE_EARLY_WORKING_DAYS = 3;

export interface OutageFact {
  outageId: number;
  /** null: recorded for every profile of the deployment. */
  profileId: string | null;
  startsAt: Date;
  endsAt: Date;
  reason: string;
}

export function outageRule(facts: readonly OutageFact[], ctx: RuleContext): RuleOutput {
  const { profile, calendar, now, supportChatId } = ctx;
  const duty = outageNoticeDuty(profile);
  const chats = uniqueChats(supportChatId);
  const reminders: ReminderItem[] = [];
  if (duty === null || chats.length === 0) return { reminders, actions: [] };
  const today = vnDateOf(now);
  const days = duty.beforeOutageWorkingDays;
  for (const o of facts) {
    if (o.profileId !== null && o.profileId !== profile.id) continue;
    if (o.startsAt.getTime() <= now.getTime()) continue;
    const noticeBy = outageNoticeBy(calendar, o.startsAt, days);
    if (today < calendar.addWorkingDays(noticeBy, -OUTAGE_EARLY_WORKING_DAYS)) continue;
    const kind = today < noticeBy ? "early" : "due";
    const what = `Tạm ngừng dịch vụ thư điện tử từ ${formatVnDateTime(o.startsAt)} đến ${formatVnDateTime(o.endsAt)} (${o.reason})`;
    const rule = `tối thiểu trước ${twoDigits(days)} ngày làm việc, ${cite(profile, duty.article)}`;
    let todo: string;
    if (today < noticeBy) {
      todo = `thông báo cho các cơ quan, đơn vị, cá nhân chậm nhất ${formatVnDay(noticeBy)}`;
    } else if (today === noticeBy) {
      todo = "hôm nay là hạn cuối để thông báo cho các cơ quan, đơn vị, cá nhân";
    } else {
      const left = workingDaysBeforeOutage(calendar, today, o.startsAt);
      todo = `đã quá hạn thông báo (${formatVnDay(noticeBy)}), chỉ còn ${twoDigits(left)} ngày làm việc: hãy thông báo ngay cho các cơ quan, đơn vị, cá nhân`;
    }
    reminders.push(
      ...itemsFor(chats, {
        rule: kind === "early" ? "outage-early" : "outage-due",
        target: `outage:${o.outageId}`,
        period: noticeBy,
        section: "outage",
        line: `${what}: ${todo} (${rule})`,
        sortAt: vnInstant(noticeBy, profile.workingHours.endOfDay),
        profileId: profile.id,
      }),
    );
  }
  return { reminders, actions: [] };
}
