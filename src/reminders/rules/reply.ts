/**
 * Reply limit. mic Điều 12.4: "phải trả lời thư điện tử gửi đến trong vòng 02 ngày làm việc"
 * (profile.replyLimitWorkingDays; binhtan and phuyen use it too, the others set none).
 * When half of the working time is left → the keeper/owner; when it is overdue → the
 * keeper/owner and the unit head. Each once per message (no period in the key).
 */
import { cite } from "../../policy/cite.ts";
import { replyDeadline, replyHalfTime } from "../../policy/lifecycle.ts";
import type { MailboxRef, ReminderItem, RuleContext, RuleOutput } from "../types.ts";
import { aboutMailbox, formatVnDateTime, itemsFor, mailboxRecipients, twoDigits } from "./common.ts";
import { workingTimeLeft, describeWorkingTimeLeft } from "../../calendar/deadlines.ts";
import { vnDateOf } from "../../calendar/time.ts";

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
  // The deadline depends only on the day of receipt: thousands of facts share a few days.
  const byDay = new Map<string, { deadline: Date; text: string; late: string; iso: string } | null>();
  for (const fact of facts) {
    const day = vnDateOf(fact.receivedAt);
    let due = byDay.get(day);
    if (due === undefined) {
      const deadline = replyDeadline(profile, fact.receivedAt, calendar);
      due =
        deadline === null
          ? null
          : {
              deadline,
              text: formatVnDateTime(deadline),
              late: describeWorkingTimeLeft(workingTimeLeft(calendar, now, deadline)),
              iso: deadline.toISOString(),
            };
      byDay.set(day, due);
    }
    if (due === null) continue;
    const deadline = due.deadline;
    const overdue = now.getTime() > deadline.getTime();
    // The half-time depends on the exact receipt instant; only needed when not yet overdue.
    const half = overdue ? null : replyHalfTime(profile, fact.receivedAt, calendar);
    const target = `tm:${fact.trackedId}`;
    // Array joins build flat strings. A template literal would make a rope pointing into the
    // row's strings, keeping every fetched page alive until the sweep ends (the bench's memory).
    const about = [fact.address, " — ", quoteSubject(fact.subject), " từ ", fact.sender].join("");
    const button = { text: "✅ Đã xử lý", data: `ans:${fact.trackedId}` };
    if (overdue) {
      reminders.push(
        ...itemsFor(mailboxRecipients(fact, true), {
          rule: "reply-overdue",
          target,
          period: "",
          section: "reply-overdue",
          line: [about, ", hạn ", due.text, " (", due.late, ")"].join(""),
          sortAt: deadline,
          profileId: profile.id,
          about: aboutMailbox(fact),
          button,
        }),
      );
    } else if (half !== null && now.getTime() >= half.getTime()) {
      reminders.push(
        ...itemsFor(mailboxRecipients(fact, false), {
          rule: "reply-half",
          target,
          period: "",
          section: "reply-half",
          line: [
            about,
            ", hạn trả lời ",
            due.text,
            ` (trong ${twoDigits(days)} ngày làm việc, ${article})`,
          ].join(""),
          sortAt: deadline,
          profileId: profile.id,
          about: aboutMailbox(fact),
          button,
        }),
      );
    }
  }
  return { reminders, actions: [] };
}
