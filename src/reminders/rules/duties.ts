/**
 * Dated duties of the regulations (profile.duties): the periodic reports and lists a unit owes
 * on a date (mic Điều 14.6 and phuyen Điều 12.9 active-mailbox list every 6 months, binhtan
 * Điều 10.1 monthly report, soctrang Điều 8.5 quarterly report, ninhbinh Điều 13.6 yearly report
 * before 15 December). Outage notices are owed before each recorded outage, not on a date:
 * rules/outages.ts reminds them.
 *
 * Due dates (the rule itself is src/policy/duties.ts): end of every n-th month or a yearly date,
 * moved back to the previous working day when it is a day off. Two reminders per due date: from
 * 5 working days before it ("early") and on the day itself ("due"); the claim period is the due
 * date, so each is sent once. A sweep that missed the early day sends the early reminder on the
 * next working day before the due day; on the due day only the "due" one is sent.
 *
 * Recipients: for the units' duties, the unit heads of the profile's top-level units
 * (facts.selectTopUnitHeads) and the support chat; for the operator's own duties (duty.to =
 * "operator": phuyen Điều 14.3đ reviews, soctrang Điều 8.5 reports) the support chat only. The
 * sweep only evaluates the profiles this deployment has units of, so one profile's duties never
 * reach another deployment's support chat.
 */
import { formatVnDate, splitIsoDate, vnDateOf, vnInstant } from "../../calendar/time.ts";
import type { WorkingDayCalendar } from "../../calendar/calendar.ts";
import type { IsoDate } from "../../calendar/types.ts";
import { dutyDueDates, effectiveDueDate, type Duty } from "../../policy/duties.ts";
import type { Profile } from "../../policy/profile.ts";
import type { ReminderItem, RuleContext, RuleOutput } from "../types.ts";
import { cite } from "../../policy/cite.ts";
import { formatVnDay, itemsFor, uniqueChats } from "./common.ts";

/** Working days before the due date of the early reminder. */
export const DUTY_EARLY_WORKING_DAYS = 5;

export interface DutyOccurrence {
  duty: Duty;
  /** Nominal due date (the claim period). */
  dueDate: IsoDate;
  /** The last working day on or before dueDate. */
  deadline: IsoDate;
  kind: "early" | "due";
}

/** Duty reminders due on `today`: at most one per due date (the "due" one wins on the day). */
export function dutiesDueOn(
  profile: Profile,
  calendar: WorkingDayCalendar,
  today: IsoDate,
): DutyOccurrence[] {
  const { year } = splitIsoDate(today);
  const out: DutyOccurrence[] = [];
  for (const duty of profile.duties) {
    // An early reminder of next January's due date can fall in December.
    for (const dueDate of [...dutyDueDates(duty, year), ...dutyDueDates(duty, year + 1)]) {
      const deadline = effectiveDueDate(calendar, dueDate);
      if (today === deadline) out.push({ duty, dueDate, deadline, kind: "due" });
      else if (today < deadline && today >= calendar.addWorkingDays(deadline, -DUTY_EARLY_WORKING_DAYS)) {
        out.push({ duty, dueDate, deadline, kind: "early" });
      }
    }
  }
  return out;
}

function line(profile: Profile, o: DutyOccurrence): string {
  const due = formatVnDate(o.dueDate);
  let when: string;
  if (o.deadline === o.dueDate) when = o.kind === "due" ? `hạn hôm nay ${due}` : `hạn ${due}`;
  else if (o.kind === "due") when = `hạn ${due} là ngày nghỉ, hôm nay là ngày làm việc cuối trước hạn`;
  else when = `hạn ${due} là ngày nghỉ, hoàn thành chậm nhất ${formatVnDay(o.deadline)}`;
  return `Nhắc việc: ${o.duty.description} — ${when} (${cite(profile, o.duty.article)})`;
}

/**
 * `headChatIds`: the unit heads of the profile's top-level units (one query per profile).
 * Pure: the same facts and context give the same reminders.
 */
export function dutiesRule(headChatIds: readonly number[], ctx: RuleContext): RuleOutput {
  const { profile, now, calendar, supportChatId } = ctx;
  const unitChats = uniqueChats([...headChatIds], supportChatId);
  const operatorChats = uniqueChats(supportChatId);
  const reminders: ReminderItem[] = [];
  for (const o of dutiesDueOn(profile, calendar, vnDateOf(now))) {
    const chats = o.duty.to === "operator" ? operatorChats : unitChats;
    reminders.push(
      ...itemsFor(chats, {
        rule: o.kind === "due" ? "duty-due" : "duty-early",
        target: `duty:${profile.id}/${o.duty.id}`,
        period: o.dueDate,
        section: "duty",
        line: line(profile, o),
        sortAt: vnInstant(o.deadline, profile.workingHours.endOfDay),
        profileId: profile.id,
        about: { dutyId: o.duty.id },
      }),
    );
  }
  return { reminders, actions: [] };
}
