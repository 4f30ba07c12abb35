/**
 * Quota: warn the owner/keeper when the storage used passes profile.limits.quotaWarnPercent
 * (90%) of the mailbox's quota (its own quota_mb, else profile.limits.quotaMb: mic Điều 8.3b
 * 1 GB, phuyen Điều 7.3b 2 GB; the warning itself is mic Điều 8.3c / phuyen Điều 7.3c). At most
 * once a month per mailbox (the month is the period of the key).
 */
import { vnDateOf } from "../../calendar/time.ts";
import type { MailboxRef, RuleContext, RuleOutput } from "../types.ts";
import { aboutMailbox, itemsFor, mailboxRecipients } from "./common.ts";

export interface QuotaFact extends MailboxRef {
  usedMb: number;
  quotaMb: number;
}

function gb(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(1).replace(".", ",")} GB` : `${mb} MB`;
}

export function quotaRule(facts: readonly QuotaFact[], ctx: RuleContext): RuleOutput {
  const { profile, now } = ctx;
  const percent = profile.limits.quotaWarnPercent;
  const month = vnDateOf(now).slice(0, 7);
  const reminders = facts
    .filter((f) => f.quotaMb > 0 && f.usedMb * 100 >= f.quotaMb * percent)
    .flatMap((fact) =>
      itemsFor(mailboxRecipients(fact, false), {
        rule: "quota",
        target: `mb:${fact.mailboxId}`,
        period: month,
        section: "quota",
        line:
          `${fact.address} đã dùng ${gb(fact.usedMb)} / ${gb(fact.quotaMb)} (${Math.floor((fact.usedMb * 100) / fact.quotaMb)}%). ` +
          `Hãy xóa bớt hoặc lưu trữ thư cũ để không bị từ chối nhận thư.`,
        sortAt: now,
        profileId: profile.id,
        about: aboutMailbox(fact),
      }),
    );
  return { reminders, actions: [] };
}
