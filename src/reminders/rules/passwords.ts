/**
 * Passwords. Expiry (phuyen Điều 13.3: 1 month; ninhbinh Điều 11.2: users 6 months, admins 3
 * months — profile.passwords.{user,admin}.maxAgeMonths): the owner/keeper is warned
 * PASSWORD_WARN_DAYS before and on the day it expires, once per threshold and expiry date.
 * First login (binhtan Điều 6.2, profile.passwords.lockIfNotChangedWithinDays): a mailbox whose
 * issued password was not changed is warned the working day before, then locked — never
 * earlier than WARN_BEFORE_LOCK_MS after the warning was actually claimed, so nobody is
 * locked without having been warned.
 */
import { formatVnDate, vnDateOf } from "../../calendar/time.ts";
import { cite } from "../../policy/cite.ts";
import { firstLoginLockDue, passwordChangeReminder, passwordExpiry } from "../../policy/lifecycle.ts";
import type { EnforcementAction, MailboxRef, ReminderItem, RuleContext, RuleOutput } from "../types.ts";
import { aboutMailbox, daysBetween, formatVnDateTime, itemsFor, mailboxRecipients } from "./common.ts";

/** Days before expiry a warning is sent; 0 = on the day it expires. */
export const PASSWORD_WARN_DAYS = [7, 1, 0] as const;
/** Minimum time between the first-login warning and the lock. */
export const WARN_BEFORE_LOCK_MS = 20 * 3_600_000;

export interface PasswordFact extends MailboxRef {
  changedAt: Date;
  isAdmin: boolean;
}

export function passwordExpiryRule(facts: readonly PasswordFact[], ctx: RuleContext): RuleOutput {
  const { profile, now } = ctx;
  const today = vnDateOf(now);
  const reminders: ReminderItem[] = [];
  for (const fact of facts) {
    const policy = fact.isAdmin ? profile.passwords.admin : profile.passwords.user;
    const role = fact.isAdmin ? "admin" : "user";
    const remindAt = passwordChangeReminder(profile, role, fact.changedAt);
    if (remindAt !== null) {
      // mic Điều 15.2: a periodic change without a period — one gentle reminder, no expiry.
      if (now.getTime() < remindAt.getTime()) continue;
      reminders.push(
        ...itemsFor(mailboxRecipients(fact, false), {
          rule: "password-change",
          target: `mb:${fact.mailboxId}`,
          period: vnDateOf(remindAt),
          section: "password-expiry",
          line:
            `Mật khẩu ${fact.address} đã dùng hơn ${policy.remindChangeMonths} tháng: quy chế yêu cầu định kỳ thay đổi mật khẩu ` +
            `(${cite(profile, policy.article)}). Dùng /doimk. Mật khẩu hiện tại vẫn dùng được.`,
          sortAt: remindAt,
          profileId: profile.id,
          about: aboutMailbox(fact),
        }),
      );
      continue;
    }
    const expiry = passwordExpiry(profile, role, fact.changedAt);
    if (expiry === null) continue;
    const expiryDate = vnDateOf(expiry);
    const daysLeft = daysBetween(today, expiryDate);
    const threshold = [...PASSWORD_WARN_DAYS].sort((a, b) => a - b).find((t) => t >= daysLeft);
    if (threshold === undefined) continue;
    const state =
      daysLeft > 0
        ? `hết hạn ngày ${formatVnDate(expiryDate)} (còn ${daysLeft} ngày)`
        : `đã hết hạn từ ${formatVnDate(expiryDate)}`;
    reminders.push(
      ...itemsFor(mailboxRecipients(fact, false), {
        rule: "password-expiry",
        target: `mb:${fact.mailboxId}`,
        period: `${expiryDate}:${Math.max(threshold, 0)}`,
        section: "password-expiry",
        line:
          `Mật khẩu ${fact.address} ${state}: đổi định kỳ ${policy.maxAgeMonths} tháng/lần ` +
          `(${cite(profile, policy.article)}). Dùng /doimk.`,
        sortAt: expiry,
        profileId: profile.id,
        about: aboutMailbox(fact),
      }),
    );
  }
  return { reminders, actions: [] };
}

export interface FirstLoginFact extends MailboxRef {
  issuedAt: Date;
  /** When the warning claim was made, if it was. */
  warnedAt: Date | null;
  /** The latest login the activity feed reported (null: never reported). */
  lastLoginAt: Date | null;
}

/**
 * binhtan Điều 6.2: the issued password must be changed at the first login, "nếu không đổi mật
 * khẩu mới hộp thư sẽ bị khóa". Until a login is reported, the owner/keeper is told once to change
 * it at the first login; once a login after the issue is reported while the password still has to
 * be changed, the mailbox is locked — provided the warning was sent first, so nobody is locked
 * without having been told. No lock for the mere passing of days (the document sets none).
 */
export function firstLoginRule(facts: readonly FirstLoginFact[], ctx: RuleContext): RuleOutput {
  const { profile, now } = ctx;
  const article = cite(profile, profile.passwords.firstLoginArticle || "Điều 6.2");
  const reminders: ReminderItem[] = [];
  const actions: EnforcementAction[] = [];
  for (const fact of facts) {
    const target = `mb:${fact.mailboxId}`;
    const period = fact.issuedAt.toISOString().slice(0, 16);
    const due = firstLoginLockDue(profile, fact.issuedAt, fact.lastLoginAt, true);
    if (due && fact.warnedAt !== null && fact.warnedAt.getTime() <= now.getTime()) {
      actions.push({
        key: `first-login-lock:${target}:${period}`,
        rule: "first-login-lock",
        target,
        kind: "lock_first_login",
        mailboxId: fact.mailboxId,
        address: fact.address,
        profileId: profile.id,
        article,
        notices: itemsFor(mailboxRecipients(fact, true), {
          rule: "first-login-locked",
          target,
          period,
          section: "enforced",
          line:
            `Đã tạm khóa ${fact.address}: đã đăng nhập lần đầu lúc ${formatVnDateTime(fact.lastLoginAt as Date)} mà chưa đổi mật khẩu được cấp (${article}). ` +
            `Để mở lại, gửi /khoiphuc ${fact.address}.`,
          sortAt: now,
          profileId: profile.id,
          about: aboutMailbox(fact),
          button: { text: `Khôi phục ${fact.address}`.slice(0, 60), data: `kp:${fact.mailboxId}` },
        }),
      });
      continue;
    }
    reminders.push(
      ...itemsFor(mailboxRecipients(fact, false), {
        rule: "first-login-warn",
        target,
        period,
        section: "first-login",
        line:
          `${fact.address} chưa đổi mật khẩu được cấp. Hãy đổi mật khẩu ngay ở lần đăng nhập đầu tiên (/doimk): ` +
          `đăng nhập mà không đổi mật khẩu thì hộp thư sẽ bị tạm khóa (${article}).`,
        sortAt: fact.issuedAt,
        profileId: profile.id,
        about: aboutMailbox(fact),
      }),
    );
  }
  return { reminders, actions };
}
