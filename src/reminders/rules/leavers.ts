/**
 * Leavers (mic Điều 6.4c, phuyen Điều 5.3b; ninhbinh Điều 7.2 has only the revocation): the
 * dates are computed when the leaver is recorded (src/policy/lifecycle.ts leaverDates, stored
 * in mailboxes.send_lock_at / revoke_at); the sweep applies them: lock sending (the mailbox
 * still receives), revoke; the unit head is told a week before the revocation. The revocation
 * happens at the close of the last day of the period (Bộ luật Dân sự Điều 148), which messages
 * show (lastDayOf).
 *
 * Where the document sets no timeline (binhtan: the unit head asks for "hủy bỏ", Điều 8.1;
 * soctrang: nothing), profile.leaver.enforce = "remind": nothing is locked or revoked; on each
 * date the unit head (and the support desk) is reminded that the step is due.
 */
import { lastDayOf } from "../../calendar/deadlines.ts";
import { vnDateOf } from "../../calendar/time.ts";
import { formatVnDate } from "../../calendar/time.ts";
import { cite } from "../../policy/cite.ts";
import type { MailboxStatus } from "../../policy/types.ts";
import type { EnforcementAction, MailboxRef, ReminderItem, RuleContext, RuleOutput } from "../types.ts";
import { aboutMailbox, daysBetween, itemsFor, uniqueChats } from "./common.ts";

/** Notice to the unit head this many days before the revocation. */
export const LEAVER_NOTICE_DAYS = 7;

export interface LeaverFact extends MailboxRef {
  status: MailboxStatus;
  sendLockAt: Date | null;
  revokeAt: Date | null;
}

export function leaverRule(facts: readonly LeaverFact[], ctx: RuleContext): RuleOutput {
  const { now, profile } = ctx;
  const article = cite(profile, profile.leaver.article);
  const reminders: ReminderItem[] = [];
  const actions: EnforcementAction[] = [];
  const today = vnDateOf(now);
  for (const fact of facts) {
    const target = `mb:${fact.mailboxId}`;
    const heads = uniqueChats(fact.headChatIds);
    const revokeDate = fact.revokeAt ? lastDayOf(fact.revokeAt) : null;
    if (profile.leaver.enforce === "remind") {
      // No legal basis to act: remind the head (Bình Tân Điều 8.1: the head asks for "hủy bỏ").
      const headsAndDesk = uniqueChats(heads, ctx.supportChatId);
      if (fact.sendLockAt && fact.status === "active" && fact.sendLockAt.getTime() <= now.getTime()) {
        reminders.push(
          ...itemsFor(headsAndDesk, {
            rule: "leaver-remind-send-lock",
            target,
            period: vnDateOf(fact.sendLockAt),
            section: "leaver-notice",
            line: `${fact.address}: người dùng đã nghỉ việc hoặc chuyển công tác. Thủ trưởng đơn vị đề nghị khóa gửi hoặc hủy bỏ hộp thư nếu cần; mailbot không tự khóa (${article}).`,
            sortAt: fact.sendLockAt,
            profileId: profile.id,
            about: aboutMailbox(fact),
          }),
        );
      }
      if (
        fact.revokeAt &&
        revokeDate &&
        fact.status !== "revoked" &&
        fact.revokeAt.getTime() <= now.getTime()
      ) {
        reminders.push(
          ...itemsFor(headsAndDesk, {
            rule: "leaver-remind-revoke",
            target,
            period: revokeDate,
            section: "leaver-notice",
            line: `${fact.address}: đã hết ngày ${formatVnDate(revokeDate)} (mốc thu hồi mặc định). Thủ trưởng đơn vị đề nghị hủy bỏ hộp thư; mailbot không tự thu hồi (${article}).`,
            sortAt: fact.revokeAt,
            profileId: profile.id,
            about: aboutMailbox(fact),
          }),
        );
      }
      continue;
    }
    if (fact.revokeAt && fact.status !== "revoked" && fact.revokeAt.getTime() <= now.getTime()) {
      actions.push({
        key: `leaver-revoke:${target}:${revokeDate}`,
        rule: "leaver-revoke",
        target,
        kind: "revoke_leaver",
        mailboxId: fact.mailboxId,
        address: fact.address,
        profileId: profile.id,
        article,
        notices: itemsFor(heads, {
          rule: "leaver-revoked",
          target,
          period: revokeDate ?? "",
          section: "enforced",
          line: `Đã thu hồi ${fact.address} (người dùng đã nghỉ hưu, nghỉ việc hoặc chuyển công tác; ${article}).`,
          sortAt: now,
          profileId: profile.id,
          about: aboutMailbox(fact),
        }),
      });
      continue;
    }
    if (fact.sendLockAt && fact.status === "active" && fact.sendLockAt.getTime() <= now.getTime()) {
      const sendLockDate = vnDateOf(fact.sendLockAt);
      actions.push({
        key: `leaver-send-lock:${target}:${sendLockDate}`,
        rule: "leaver-send-lock",
        target,
        kind: "send_lock_leaver",
        mailboxId: fact.mailboxId,
        address: fact.address,
        profileId: profile.id,
        article,
        notices: itemsFor(uniqueChats(heads, fact.ownerChatId), {
          rule: "leaver-send-locked",
          target,
          period: sendLockDate,
          section: "enforced",
          line:
            `Đã khóa chức năng gửi thư của ${fact.address} (${article}); thư đến vẫn được nhận` +
            `${revokeDate ? `, thu hồi khi hết ngày ${formatVnDate(revokeDate)}` : ""}.`,
          sortAt: now,
          profileId: profile.id,
          about: aboutMailbox(fact),
        }),
      });
    }
    if (revokeDate && fact.status !== "revoked") {
      const daysLeft = daysBetween(today, revokeDate);
      if (daysLeft > 0 && daysLeft <= LEAVER_NOTICE_DAYS) {
        reminders.push(
          ...itemsFor(heads, {
            rule: "leaver-notice",
            target,
            period: revokeDate,
            section: "leaver-notice",
            line:
              `${fact.address} sẽ bị thu hồi khi hết ngày ${formatVnDate(revokeDate)} (còn ${daysLeft} ngày; ${article}). ` +
              `Hãy chuyển giao dữ liệu cần giữ trước ngày đó.`,
            sortAt: fact.revokeAt as Date,
            profileId: profile.id,
            about: aboutMailbox(fact),
          }),
        );
      }
    }
  }
  return { reminders, actions };
}
