/**
 * Which delivered messages need an answer (the reply-limit rule tracks them). Pure.
 *
 * The documents set the 2-working-day limit for official mail between agencies; they do not
 * list headers, so the default is: mail from another official domain (`.gov.vn`, not the
 * mailbox's own) to a unit mailbox, never auto-replies (`Auto-Submitted` other than "no"),
 * bulk or list mail (`Precedence`, `List-Id`) or bounces (mailer-daemon, postmaster).
 */
export interface TrackingPolicy {
  /** Mailbox kinds whose incoming official mail is tracked. */
  mailboxKinds: readonly string[];
  /** Sender domains that count as official (suffix match). */
  officialSuffixes: readonly string[];
  /** Mail from the mailbox's own domain is internal: not tracked. */
  ignoreSameDomain: boolean;
}

export const DEFAULT_TRACKING_POLICY: TrackingPolicy = {
  mailboxKinds: ["unit"],
  officialSuffixes: [".gov.vn"],
  ignoreSameDomain: true,
};

export interface DeliveredHeaders {
  from: string;
  autoSubmitted: string;
  precedence: string;
  listId: string;
}

const BOUNCE_LOCAL = /^(mailer-daemon|postmaster|no-?reply|donotreply)$/i;

/** The bare address of a From header ("Văn thư <vt@a.gov.vn>" → "vt@a.gov.vn"), lower case. */
export function senderAddress(from: string): string | null {
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(from);
  const bare = angle?.[1] ?? /([^\s<>"',;]+@[^\s<>"',;]+)/.exec(from)?.[1];
  return bare ? bare.toLowerCase() : null;
}

export function needsAnswer(
  headers: DeliveredHeaders,
  mailbox: { address: string; kind: string },
  policy: TrackingPolicy = DEFAULT_TRACKING_POLICY,
): boolean {
  if (!policy.mailboxKinds.includes(mailbox.kind)) return false;
  const auto = headers.autoSubmitted.trim().toLowerCase();
  if (auto !== "" && auto !== "no") return false;
  if (/^(bulk|list|junk|auto_reply)$/i.test(headers.precedence.trim())) return false;
  if (headers.listId.trim() !== "") return false;
  const sender = senderAddress(headers.from);
  if (!sender) return false;
  const [local = "", domain = ""] = sender.split("@");
  if (BOUNCE_LOCAL.test(local)) return false;
  if (!policy.officialSuffixes.some((suffix) => domain.endsWith(suffix))) return false;
  const ownDomain = mailbox.address.toLowerCase().split("@")[1] ?? "";
  return !(policy.ignoreSameDomain && domain === ownDomain);
}
