/**
 * Inactivity lock. mic Điều 7.2a, phuyen Điều 6.2a: no send/receive for 6 months without a
 * notified reason → temporary lock (the mailbox still receives, Điều 7.1 / 6.1); ninhbinh
 * Điều 7.1: not logged in for 6 months → suspension, then complete removal 15 working days
 * after the notice unless a written request to reopen arrives.
 *
 * A notified reason is an absence notice: one covering today exempts the mailbox (the SQL does
 * not even select it), and a past one counts as activity up to its end date (the unexplained
 * inactivity starts the day after). Warnings go to the owner/keeper and the unit head
 * profile.inactivity.warnDaysBefore days ahead (30, 7, 1); after downtime only the nearest
 * threshold is sent, one per threshold and lock date (the key).
 *
 * The 6 months end at the close of their last day (Bộ luật Dân sự Điều 147–148): the lock
 * happens after that day, which the messages show. Where the document has no inactivity lock
 * (binhtan, soctrang: profile.inactivity.enforce = "remind"), nothing is locked: on the day the
 * lock would be due, the owner/keeper and the unit head are reminded once instead.
 */
import { addDays, dayNumberOf, vnDateOf } from "../../calendar/time.ts";
import type { IsoDate } from "../../calendar/types.ts";
import { cite } from "../../policy/cite.ts";
import { inactivityDates, removalDate } from "../../policy/lifecycle.ts";
import { vnInstant } from "../../calendar/time.ts";
import type { EnforcementAction, MailboxRef, ReminderItem, RuleContext, RuleOutput } from "../types.ts";
import {
  aboutMailbox,
  formatVnDateTime,
  formatVnDay,
  itemsFor,
  mailboxRecipients,
  uniqueChats,
} from "./common.ts";
import { formatVnDate } from "../../calendar/time.ts";

export interface InactivityFact extends MailboxRef {
  /** Last activity on the profile's basis (send/receive, or login), or creation / last lock / last restore. */
  lastActivityAt: Date;
  /** End of the latest absence notice already started (its reason covers the days up to it). */
  lastAbsenceEndsOn: IsoDate | null;
}

function effectiveLastActivity(fact: InactivityFact): Date {
  if (fact.lastAbsenceEndsOn === null) return fact.lastActivityAt;
  const afterAbsence = vnInstant(addDays(fact.lastAbsenceEndsOn, 1), "00:00");
  return afterAbsence > fact.lastActivityAt ? afterAbsence : fact.lastActivityAt;
}

export function inactivityRule(facts: readonly InactivityFact[], ctx: RuleContext): RuleOutput {
  const { profile, now, calendar } = ctx;
  const rule = profile.inactivity;
  const article = cite(profile, rule.article);
  const what = rule.basis === "login" ? "không đăng nhập" : "không phát sinh gửi, nhận thư";
  const today = vnDateOf(now);
  const thresholds = [...new Set(rule.warnDaysBefore)].sort((a, b) => a - b);
  const reminders: ReminderItem[] = [];
  const actions: EnforcementAction[] = [];
  for (const fact of facts) {
    const dates = inactivityDates(profile, effectiveLastActivity(fact), calendar);
    const lockDate = dates.lockOn;
    const daysLeft = dayNumberOf(lockDate) - dayNumberOf(today);
    const target = `mb:${fact.mailboxId}`;
    const chats = mailboxRecipients(fact, true);
    if (rule.enforce === "remind") {
      if (now.getTime() < dates.lockAt.getTime()) {
        const threshold = thresholds.find((t) => t >= daysLeft);
        if (threshold === undefined) continue;
        reminders.push(
          ...itemsFor(chats, {
            rule: "inactivity-warn",
            target,
            period: `${lockDate}:${threshold}`,
            section: "inactivity-warning",
            line:
              `${fact.address} — đến hết ngày ${formatVnDate(lockDate)} sẽ tròn ${rule.months} tháng ${what} (còn ${daysLeft} ngày). ` +
              `Hãy sử dụng hộp thư hoặc báo lý do vắng mặt (/baonghi); mailbot không tự khóa (${article}).`,
            sortAt: dates.lockAt,
            profileId: profile.id,
            about: aboutMailbox(fact),
          }),
        );
        continue;
      }
      reminders.push(
        ...itemsFor(chats, {
          rule: "inactivity-idle",
          target,
          period: lockDate,
          section: "inactivity-warning",
          line:
            `${fact.address} đã ${what} ${rule.months} tháng (đến hết ngày ${formatVnDate(lockDate)}). ` +
            `Thủ trưởng đơn vị xem xét: nếu không còn dùng, đề nghị hủy bỏ hộp thư; mailbot không tự khóa (${article}).`,
          sortAt: dates.lockAt,
          profileId: profile.id,
          about: aboutMailbox(fact),
        }),
      );
      continue;
    }
    if (now.getTime() < dates.lockAt.getTime()) {
      const threshold = thresholds.find((t) => t >= daysLeft);
      if (threshold === undefined) continue;
      reminders.push(
        ...itemsFor(chats, {
          rule: "inactivity-warn",
          target,
          period: `${lockDate}:${threshold}`,
          section: "inactivity-warning",
          line:
            `${fact.address} — ${rule.basis === "login" ? "tạm dừng" : "tạm khóa"} sau ngày ${formatVnDate(lockDate)} ` +
            `(còn ${daysLeft} ngày) do ${what} trong ${rule.months} tháng (${article}). ` +
            `Đăng nhập và sử dụng hộp thư, hoặc báo lý do vắng mặt (/baonghi), để tránh bị khóa.`,
          sortAt: dates.lockAt,
          profileId: profile.id,
          about: aboutMailbox(fact),
        }),
      );
      continue;
    }
    // Due: lock (mic, phuyen…) or suspend with a removal date (ninhbinh).
    const removeAt = rule.removalAfterNoticeWorkingDays === null ? null : removalDate(profile, now, calendar);
    const line =
      removeAt === null
        ? `Đã tạm khóa ${fact.address} từ ${formatVnDay(today)} do ${what} trong ${rule.months} tháng (${article}). ` +
          `Thư đến vẫn được nhận. Để mở lại, gửi /khoiphuc ${fact.address}.`
        : `Đã tạm dừng ${fact.address} từ ${formatVnDay(today)} do ${what} trong ${rule.months} tháng (${article}). ` +
          `Hộp thư sẽ bị xóa hẳn sau ${formatVnDateTime(removeAt)} nếu không có văn bản đề nghị mở lại: gửi /khoiphuc ${fact.address}.`;
    const kind = removeAt === null ? "lock_inactivity" : "suspend_inactivity";
    actions.push({
      key: `inactivity-lock:${target}:${lockDate}`,
      rule: "inactivity-lock",
      target,
      kind,
      mailboxId: fact.mailboxId,
      address: fact.address,
      profileId: profile.id,
      ...(removeAt ? { removeAfter: removeAt.toISOString() } : {}),
      article,
      notices: itemsFor(chats, {
        rule: "inactivity-locked",
        target,
        period: lockDate,
        section: "enforced",
        line,
        sortAt: now,
        profileId: profile.id,
        about: aboutMailbox(fact),
        button: { text: `Khôi phục ${fact.address}`.slice(0, 60), data: `kp:${fact.mailboxId}` },
      }),
    });
  }
  return { reminders, actions };
}

export interface SuspendedFact extends MailboxRef {
  suspendedAt: Date;
  removeAfter: Date;
  /** A reopen (/khoiphuc) request arrived after the suspension notice. */
  reopenRequested: boolean;
}

/** ninhbinh Điều 7.1: removal once the 15 working days after the notice have passed. */
export function removalRule(facts: readonly SuspendedFact[], ctx: RuleContext): RuleOutput {
  const { profile, now } = ctx;
  const article = cite(profile, profile.inactivity.article);
  const actions: EnforcementAction[] = [];
  for (const fact of facts) {
    if (fact.reopenRequested || fact.removeAfter.getTime() > now.getTime()) continue;
    const target = `mb:${fact.mailboxId}`;
    const period = vnDateOf(fact.suspendedAt);
    actions.push({
      key: `inactivity-remove:${target}:${period}`,
      rule: "inactivity-remove",
      target,
      kind: "remove_suspended",
      mailboxId: fact.mailboxId,
      address: fact.address,
      profileId: profile.id,
      article,
      notices: itemsFor(uniqueChats(fact.headChatIds, ctx.supportChatId), {
        rule: "inactivity-removed",
        target,
        period,
        section: "enforced",
        line:
          `Đã xóa hẳn ${fact.address}: tạm dừng từ ${formatVnDateTime(fact.suspendedAt)}, quá ${profile.inactivity.removalAfterNoticeWorkingDays ?? 15} ngày làm việc ` +
          `không có văn bản đề nghị mở lại (${article}).`,
        sortAt: now,
        profileId: profile.id,
        about: aboutMailbox(fact),
      }),
    });
  }
  return { reminders: [], actions };
}
