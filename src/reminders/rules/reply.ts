/**
 * Reply limit. mic Điều 12.4: "phải trả lời thư điện tử gửi đến trong vòng 02 ngày làm việc"
 * (profile.replyLimitWorkingDays; binhtan and phuyen use it too, the others set none).
 * When half of the working time is left → the keeper/owner; when it is overdue → the
 * keeper/owner and the unit head. Each once per message (no period in the key).
 */
import { cite } from "../../policy/cite.ts";
import { replyDeadline, replyHalfTime } from "../../policy/lifecycle.ts";
import type { MailboxRef, ReminderItem, RuleContext, RuleOutput } from "../types.ts";
import { formatVnDateTime, itemsFor, mailboxRecipients, twoDigits } from "./common.ts";
import { workingTimeLeft, describeWorkingTimeLeft } from "../../calendar/deadlines.ts";

export interface UnansweredFact extends MailboxRef {
  trackedId: number;
  sender: string;
  subject: string | null;
  receivedAt: Date;
}

/** profile.replyLimitArticle says where the limit comes from (mic Điều 12.4) or that it is our default. */
function replyArticle(ctx: RuleContext): string {
  const article = ctx.profile.replyLimitArticle;
  return article ? cite(ctx.profile, article) : "mặc định của mailbot";
}

function quoteSubject(subject: string | null): string {
  if (!subject) return "(không có tiêu đề)";
  const clean = subject.replace(/\s+/g, " ").trim();
  return `"${clean.length > 80 ? `${clean.slice(0, 79)}…` : clean}"`;
}

export function replyRule(facts: readonly UnansweredFact[], ctx: RuleContext): RuleOutput {
  const { profile, now, calendar } = ctx;
  const days = profile.replyLimitWorkingDays;
  if (days === null) return { reminders: [], actions: [] };
  const article = replyArticle(ctx);
  const reminders: ReminderItem[] = [];
  for (const fact of facts) {
    const deadline = replyDeadline(profile, fact.receivedAt, calendar);
    const half = replyHalfTime(profile, fact.receivedAt, calendar);
    if (deadline === null || half === null) continue;
    const target = `tm:${fact.trackedId}`;
    const about = `${fact.address} — ${quoteSubject(fact.subject)} từ ${fact.sender}`;
    const button = { text: "✅ Đã xử lý", data: `ans:${fact.trackedId}` };
    if (now.getTime() > deadline.getTime()) {
      const late = describeWorkingTimeLeft(workingTimeLeft(calendar, now, deadline));
      reminders.push(
        ...itemsFor(mailboxRecipients(fact, true), {
          rule: "reply-overdue",
          target,
          period: "",
          section: "reply-overdue",
          line: `${about}, hạn ${formatVnDateTime(deadline)} (${late})`,
          sortAt: deadline,
          profileId: profile.id,
          button,
        }),
      );
    } else if (now.getTime() >= half.getTime()) {
      reminders.push(
        ...itemsFor(mailboxRecipients(fact, false), {
          rule: "reply-half",
          target,
          period: "",
          section: "reply-half",
          line: `${about}, hạn trả lời ${formatVnDateTime(deadline)} (trong ${twoDigits(days)} ngày làm việc, ${article})`,
          sortAt: deadline,
          profileId: profile.id,
          button,
        }),
      );
    }
  }
  return { reminders, actions: [] };
}
