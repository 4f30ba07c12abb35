/**
 * Reply limit. mic Điều 12.4: "phải trả lời thư điện tử gửi đến trong vòng 02 ngày làm việc"
 * (profile.replyLimitWorkingDays; binhtan and phuyen use it too, the others set none).
 * When half of the working time is left → the keeper/owner; when it is overdue → the
 * keeper/owner and the unit head. Each once per message (no period in the key).
 *
 * At national scale the sweep decides and claims in SQL (../reply-claims.ts, issue 13): a
 * message is due by its receipt instant alone, compared with two cut instants that only the
 * calendar can compute (replyCuts, here), and each claim stores the structured fact
 * (ReplyPayload), not text. The Vietnamese line is rendered from that fact when the claims are
 * read back for the digest (replyRenderer). The dry run runs the same SQL in a transaction that
 * is rolled back, so there is one decision in production; `replyRule` below composes the same
 * pure pieces over in-memory facts and is the specification the SQL is tested against
 * (test/reminders/reply-sql.test.ts): stage by cuts, recipients by mailboxRecipients, the
 * payload the SQL builds, the same renderer.
 */
import { cite } from "../../policy/cite.ts";
import { replyDeadline, replyHalfTime } from "../../policy/lifecycle.ts";
import type { Profile } from "../../policy/profile.ts";
import { findProfile } from "../../policy/profiles/index.ts";
import type { WorkingDayCalendar } from "../../calendar/calendar.ts";
import type {
  ItemAbout,
  MailboxRef,
  ReminderButton,
  ReminderItem,
  RuleContext,
  RuleOutput,
} from "../types.ts";
import { aboutMailbox, formatVnDateTime, itemsFor, mailboxRecipients, twoDigits } from "./common.ts";
import { workingTimeLeft, describeWorkingTimeLeft } from "../../calendar/deadlines.ts";
import { vnDateOf } from "../../calendar/time.ts";

export interface UnansweredFact extends MailboxRef {
  trackedId: number;
  sender: string;
  subject: string | null;
  receivedAt: Date;
}

export type ReplyStage = "reply-overdue" | "reply-half";

/** The button of every reply item (the SQL writes the same text into the payloads). */
export const REPLY_BUTTON_TEXT = "✅ Đã xử lý";

const MS_PER_DAY = 86_400_000;

/**
 * The latest receipt instant (to the millisecond) for which `due` holds at `now`, searching the
 * last 90 days; null when not even a message received 90 days ago is due. The deadline is
 * monotone in the receipt time; the half-time nearly so (it is rounded to the minute), and the
 * cut is the one boundary both the SQL and replyRule use, so they agree on every message.
 */
function latestReceipt(now: Date, due: (receivedAt: Date) => boolean): Date | null {
  let lo = now.getTime() - 90 * MS_PER_DAY;
  let hi = now.getTime();
  if (!due(new Date(lo))) return null;
  if (due(new Date(hi))) return new Date(hi);
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (due(new Date(mid))) lo = mid;
    else hi = mid;
  }
  return new Date(lo);
}

/** Receipt instants at or before which a message is overdue, or half its time is gone. */
export interface ReplyCuts {
  overdue: Date | null;
  half: Date | null;
}

/** The cuts at `now`; null when the profile has no reply limit. */
export function replyCuts(profile: Profile, now: Date, calendar: WorkingDayCalendar): ReplyCuts | null {
  if (profile.replyLimitWorkingDays === null) return null;
  const at = now.getTime();
  return {
    overdue: latestReceipt(now, (r) => {
      const deadline = replyDeadline(profile, r, calendar);
      return deadline !== null && at > deadline.getTime();
    }),
    half: latestReceipt(now, (r) => {
      const half = replyHalfTime(profile, r, calendar);
      return half !== null && half.getTime() <= at;
    }),
  };
}

/** Which reminder a message received at `receivedAt` is due for (the SQL compares the same way). */
export function replyStage(receivedAt: Date, cuts: ReplyCuts): ReplyStage | null {
  const t = receivedAt.getTime();
  if (cuts.overdue !== null && t <= cuts.overdue.getTime()) return "reply-overdue";
  if (cuts.half !== null && t <= cuts.half.getTime()) return "reply-half";
  return null;
}

/** What a reply claim stores (reminder_claims.payload): the fact, rendered when read back. */
export interface ReplyPayload {
  section: ReplyStage;
  profileId: string;
  reply: {
    trackedId: number;
    address: string;
    subject: string | null;
    sender: string;
    /** ISO instant (the SQL writes PostgreSQL's JSON form of a timestamptz: any offset, microseconds). */
    receivedAt: string;
  };
  about: ItemAbout;
  /**
   * Written by claims made before December 2026; the button is now derived from trackedId when
   * the line is rendered (35 of a claim's 600 bytes, written twice per overdue message).
   */
  button?: ReminderButton;
}

export function replyPayloadOf(fact: UnansweredFact, stage: ReplyStage): ReplyPayload {
  return {
    section: stage,
    profileId: fact.profileId,
    reply: {
      trackedId: fact.trackedId,
      address: fact.address,
      subject: fact.subject,
      sender: fact.sender,
      receivedAt: fact.receivedAt.toISOString(),
    },
    about: aboutMailbox(fact),
  };
}

function isReplyPayload(value: unknown): value is ReplyPayload {
  const p = value as Partial<ReplyPayload> | null;
  return (
    typeof p === "object" &&
    p !== null &&
    (p.section === "reply-overdue" || p.section === "reply-half") &&
    typeof p.profileId === "string" &&
    typeof p.reply === "object" &&
    p.reply !== null &&
    typeof p.reply.receivedAt === "string"
  );
}

/** profile.replyLimitArticle says where the limit comes from (mic Điều 12.4) or that it is our default. */
function replyArticle(profile: Profile): string {
  const article = profile.replyLimitArticle;
  return article ? cite(profile, article) : "mặc định của mailbot";
}

function quoteSubject(subject: string | null): string {
  if (!subject) return "(không có tiêu đề)";
  const clean = subject.replace(/\s+/g, " ").trim();
  return `"${clean.length > 80 ? `${clean.slice(0, 79)}…` : clean}"`;
}

export interface RenderedReply {
  line: string;
  /** The reply deadline: the item's sort key. */
  deadline: Date;
  sortAt: string;
  /** "Đã xử lý": marks the message answered. */
  button: ReminderButton;
}

/**
 * Renders reply payloads at `now`: the digest line and the deadline. Returns null for a payload
 * that is not a reply fact, or of a profile without a reply limit (unknown to this build).
 * The deadline depends only on the profile and the day of receipt, so it is computed once per
 * (profile, day): thousands of items share a few days.
 */
export function replyRenderer(o: {
  now: Date;
  calendar: WorkingDayCalendar;
  /** Default: any known profile (built-in or registered). */
  profileOf?: (profileId: string) => Profile | null;
}): (payload: unknown) => RenderedReply | null {
  const { now, calendar } = o;
  const profileOf = o.profileOf ?? ((id: string) => findProfile(id) ?? null);
  type Due = { deadline: Date; text: string; late: string; sortAt: string; limit: string };
  const byDay = new Map<string, Due | null>();
  return (payload) => {
    if (!isReplyPayload(payload)) return null;
    const receivedAt = new Date(payload.reply.receivedAt);
    const day = `${payload.profileId}/${vnDateOf(receivedAt)}`;
    let due = byDay.get(day);
    if (due === undefined) {
      const profile = profileOf(payload.profileId);
      const deadline = profile && replyDeadline(profile, receivedAt, calendar);
      due =
        !profile || !deadline || profile.replyLimitWorkingDays === null
          ? null
          : {
              deadline,
              text: formatVnDateTime(deadline),
              late: describeWorkingTimeLeft(workingTimeLeft(calendar, now, deadline)),
              sortAt: deadline.toISOString(),
              limit: ` (trong ${twoDigits(profile.replyLimitWorkingDays)} ngày làm việc, ${replyArticle(profile)})`,
            };
      byDay.set(day, due);
    }
    if (due === null) return null;
    const { address, subject, sender } = payload.reply;
    // Array joins build flat strings. A template literal would make a rope pointing into the
    // payload's strings, keeping every page read back alive until the sweep ends.
    const about = [address, " — ", quoteSubject(subject), " từ ", sender].join("");
    const line =
      payload.section === "reply-overdue"
        ? [about, ", hạn ", due.text, " (", due.late, ")"].join("")
        : [about, ", hạn trả lời ", due.text, due.limit].join("");
    const button = payload.button ?? { text: REPLY_BUTTON_TEXT, data: `ans:${payload.reply.trackedId}` };
    return { line, deadline: due.deadline, sortAt: due.sortAt, button };
  };
}

/** The reply rule over in-memory facts: the same pieces as the SQL route (see the file comment). */
export function replyRule(facts: readonly UnansweredFact[], ctx: RuleContext): RuleOutput {
  const { profile, now, calendar } = ctx;
  const cuts = replyCuts(profile, now, calendar);
  if (cuts === null) return { reminders: [], actions: [] };
  const render = replyRenderer({ now, calendar, profileOf: (id) => (id === profile.id ? profile : null) });
  const reminders: ReminderItem[] = [];
  for (const fact of facts) {
    const stage = replyStage(fact.receivedAt, cuts);
    if (stage === null) continue;
    const payload = replyPayloadOf(fact, stage);
    const rendered = render(payload);
    if (rendered === null) continue;
    reminders.push(
      ...itemsFor(mailboxRecipients(fact, stage === "reply-overdue"), {
        rule: stage,
        target: `tm:${fact.trackedId}`,
        period: "",
        section: stage,
        line: rendered.line,
        sortAt: rendered.deadline,
        profileId: payload.profileId,
        about: payload.about,
        button: rendered.button,
      }),
    );
  }
  return { reminders, actions: [] };
}
