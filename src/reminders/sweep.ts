/**
 * The sweep: SQL selects what may be due (facts.ts) → pure rules decide (rules/) → enforcement
 * actions are claimed and applied (each in its own transaction, with its notices) → reminders
 * are claimed (claims.ts) together with abandoned earlier claims → one digest per recipient
 * (digest.ts) → delivery within Telegram's limits (deliver.ts).
 *
 * Timers only wake this function; everything it needs is in the database, so running it twice,
 * on two instances, or after a crash gives each reminder and action exactly once. A profile is
 * swept only inside its working hours (unless profile.workingHours.remindOutsideHours), and every
 * rule judges only the latest period, so a sweep after downtime sends one summary per recipient.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { WorkingDayCalendar } from "../calendar/calendar.ts";
import { vnDateOf, vnTimeOf } from "../calendar/time.ts";
import type { Database } from "../db/client.ts";
import type { Profile } from "../policy/profile.ts";
import { getProfile, profileIds } from "../policy/profiles/index.ts";
import type { MailboxKind } from "../policy/types.ts";
import { loadCalendar } from "../services/calendar-store.ts";
import type { Logger } from "../services/context.ts";
import { expireTemporaryPasswords } from "../services/temp-passwords.ts";
import { applyAction, blockedAmong, claimItems, DEFAULT_LEASE_MS, existingKeys } from "./claims.ts";
import { buildDigests, compareItems } from "./digest.ts";
import { deliverDigests, RateLimiter, type DeliveryReport, type SendFn } from "./deliver.ts";
import * as facts from "./facts.ts";
import { checksRule, latestClosedWindows } from "./rules/checks.ts";
import { itemsFor } from "./rules/common.ts";
import { dutiesDueOn, dutiesRule } from "./rules/duties.ts";
import { inactivityRule, removalRule } from "./rules/inactivity.ts";
import { leaverRule } from "./rules/leavers.ts";
import { firstLoginRule, passwordExpiryRule } from "./rules/passwords.ts";
import { quotaRule } from "./rules/quota.ts";
import { replyRule } from "./rules/reply.ts";
import { serviceLevelRule } from "./rules/service-levels.ts";
import {
  RULE_IDS,
  type EnforcementAction,
  type ReminderItem,
  type RuleContext,
  type RuleId,
  type RuleOutput,
} from "./types.ts";

export interface SweepDeps {
  database: Database;
  /** Sends one Telegram message; required unless every run is a dry run. */
  send?: SendFn;
  /** Support desk chat: service levels, delivery problems, removals. */
  supportChatId?: number | null;
  /** Default: built from holiday_overrides (cached, see services/calendar-store.ts). */
  calendar?: WorkingDayCalendar;
  /** Profiles to sweep (default: the known profiles this deployment has units or mailboxes of). */
  profiles?: readonly string[];
  limiter?: RateLimiter;
  leaseMs?: number;
  /** Names this process in claimed_by (default host:pid). */
  instanceId?: string;
  logger?: Logger;
  concurrency?: number;
}

export interface SweepOptions {
  /** The sweep's clock (default: now). `mailbot remind run --at` sets it. */
  now?: Date;
  rules?: readonly RuleId[];
  /** Compute and render, but claim, apply and send nothing. */
  dryRun?: boolean;
  /** Stops delivery between messages (shutdown); unsent claims are retried by a later run. */
  signal?: AbortSignal;
}

export interface SweepReport {
  runId: string;
  at: string;
  dryRun: boolean;
  profilesSwept: string[];
  profilesSkipped: { profileId: string; reason: string }[];
  /** Facts selected per rule (rows the SQL returned). */
  facts: Record<string, number>;
  actions: { key: string; kind: string; address: string; applied: boolean }[];
  claimed: number;
  retried: number;
  digests: { chatId: number; text: string; items: number }[];
  delivery: DeliveryReport | null;
  durationMs: number;
  /** Milliseconds per phase: select (SQL), rules, actions, claim, digest, deliver. */
  phases: Record<string, number>;
  /** Temporary passwords past their validity whose hash this run removed. */
  expiredTemporaryPasswords: number;
}

/** Inside the profile's working hours on a working day (or the profile allows any time). */
export function withinWorkingHours(profile: Profile, calendar: WorkingDayCalendar, now: Date): boolean {
  if (profile.workingHours.remindOutsideHours) return true;
  if (!calendar.isWorkingDay(vnDateOf(now))) return false;
  const t = vnTimeOf(now);
  const { morning, afternoon, endOfDay } = profile.workingHours;
  const afternoonEnd = afternoon.end > endOfDay ? afternoon.end : endOfDay;
  return (t >= morning.start && t <= morning.end) || (t >= afternoon.start && t <= afternoonEnd);
}

function newRunId(instanceId: string | undefined): string {
  return `${instanceId ?? `${hostname()}:${process.pid}`}:${randomBytes(4).toString("hex")}`;
}

const KIND_GROUPS: { slots: "unit" | "personal"; kinds: MailboxKind[] }[] = [
  { slots: "unit", kinds: ["unit", "group"] },
  { slots: "personal", kinds: ["personal"] },
];

/** Facts → rules for one profile. Pure decisions, SQL reads only. */
async function evaluateProfile(
  deps: SweepDeps,
  ctx: RuleContext,
  rules: ReadonlySet<RuleId>,
  counts: Record<string, number>,
  timing: Record<string, number> = {},
): Promise<RuleOutput> {
  /** Adds the time of the SQL selects to timing.select; the rest of the profile is rules. */
  const select = async <T>(query: Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await query;
    } finally {
      timing.select = (timing.select ?? 0) + performance.now() - t;
    }
  };
  const db = deps.database.db;
  const { profile, now, calendar } = ctx;
  const outputs: RuleOutput[] = [];
  const count = (name: string, n: number): void => {
    counts[name] = (counts[name] ?? 0) + n;
  };
  const today = vnDateOf(now);
  if (rules.has("checks")) {
    for (const group of KIND_GROUPS) {
      const windows = latestClosedWindows(now, calendar, profile.checks[group.slots]);
      if (!windows[0]) continue;
      const rows = await select(facts.selectUnchecked(db, profile, group.kinds, windows, today));
      count("checks", rows.length);
      outputs.push(checksRule(rows, windows[0], ctx));
    }
  }
  if (rules.has("inactivity")) {
    const inactive = await select(facts.selectInactive(db, profile, now));
    const suspended = await select(facts.selectSuspended(db, profile, now));
    count("inactivity", inactive.length + suspended.length);
    outputs.push(inactivityRule(inactive, ctx), removalRule(suspended, ctx));
  }
  if (rules.has("reply")) {
    // Page by page: each page becomes reminders (flat strings) before the next is fetched.
    const pages = facts.selectUnansweredPages(db, profile, now, calendar);
    for (;;) {
      const page = await select(pages.next());
      if (page.done) break;
      count("reply", page.value.length);
      outputs.push(replyRule(page.value, ctx));
    }
  }
  if (rules.has("service-levels")) {
    const rows = await select(facts.selectOpenRequests(db, profile, now));
    count("service-levels", rows.length);
    outputs.push(serviceLevelRule(rows, ctx));
  }
  if (rules.has("leavers")) {
    const rows = await select(facts.selectLeavers(db, profile, now));
    count("leavers", rows.length);
    outputs.push(leaverRule(rows, ctx));
  }
  if (rules.has("passwords")) {
    const ages = await select(facts.selectPasswordAges(db, profile, now));
    const pending = await select(facts.selectFirstLoginPending(db, profile));
    count("passwords", ages.length + pending.length);
    outputs.push(passwordExpiryRule(ages, ctx), firstLoginRule(pending, ctx));
  }
  if (rules.has("quota")) {
    const rows = await select(facts.selectNearQuota(db, profile));
    count("quota", rows.length);
    outputs.push(quotaRule(rows, ctx));
  }
  // Most days no duty is due: the heads are only selected when one is.
  if (rules.has("duties") && dutiesDueOn(profile, calendar, today).length > 0) {
    const heads = await select(facts.selectTopUnitHeads(db, profile));
    count("duties", heads.length);
    outputs.push(dutiesRule(heads, ctx));
  }
  return {
    reminders: outputs.flatMap((o) => o.reminders),
    actions: outputs.flatMap((o) => o.actions),
  };
}

/** Most urgent first, then one item per key (the owner may also be the unit head). */
function dedupe(items: readonly ReminderItem[]): ReminderItem[] {
  const seen = new Set<string>();
  return [...items]
    .sort(compareItems)
    .filter((item) => (seen.has(item.key) ? false : (seen.add(item.key), true)));
}

export async function runSweep(deps: SweepDeps, options: SweepOptions = {}): Promise<SweepReport> {
  const started = Date.now();
  const now = options.now ?? new Date();
  const clock = options.now ? () => now : () => new Date();
  const dryRun = options.dryRun === true;
  const runId = newRunId(deps.instanceId);
  const rules = new Set<RuleId>(options.rules && options.rules.length > 0 ? options.rules : RULE_IDS);
  const calendar = deps.calendar ?? (await loadCalendar(deps.database));
  const supportChatId = deps.supportChatId ?? null;
  const report: SweepReport = {
    runId,
    at: now.toISOString(),
    dryRun,
    profilesSwept: [],
    profilesSkipped: [],
    facts: {},
    actions: [],
    claimed: 0,
    retried: 0,
    digests: [],
    delivery: null,
    durationMs: 0,
    phases: {},
    expiredTemporaryPasswords: 0,
  };
  let mark = performance.now();
  const phase = (name: string): void => {
    const t = performance.now();
    report.phases[name] = Math.round((report.phases[name] ?? 0) + t - mark);
    mark = t;
  };

  // A security expiry, not a reminder: it applies at any hour (a temporary password not replaced
  // within its validity, 72 h by default, stops working).
  if (!dryRun && rules.has("passwords")) {
    report.expiredTemporaryPasswords = (await expireTemporaryPasswords(deps.database, now)).length;
  }

  let reminders: ReminderItem[] = [];
  let actions: EnforcementAction[] = [];
  // Only the profiles this deployment has units or mailboxes of (see facts.selectDeployedProfiles).
  const deployed = deps.profiles ?? (await facts.selectDeployedProfiles(deps.database.db));
  for (const profileId of deployed) {
    if (!profileIds().includes(profileId)) continue;
    const profile = getProfile(profileId);
    if (!withinWorkingHours(profile, calendar, now)) {
      report.profilesSkipped.push({ profileId, reason: "ngoài giờ làm việc" });
      continue;
    }
    report.profilesSwept.push(profileId);
    const timing: Record<string, number> = {};
    const out = await evaluateProfile(
      deps,
      { now, calendar, profile, supportChatId },
      rules,
      report.facts,
      timing,
    );
    phase("evaluate");
    report.phases.select = Math.round((report.phases.select ?? 0) + (timing.select ?? 0));
    reminders.push(...out.reminders);
    actions.push(...out.actions);
  }

  // Chats that blocked the bot get nothing until they write again (they were reported then).
  const chats = [...new Set([...reminders, ...actions.flatMap((a) => a.notices)].map((i) => i.chatId))];
  const blocked = await blockedAmong(deps.database.db, chats);
  if (blocked.size > 0) {
    reminders = reminders.filter((item) => !blocked.has(item.chatId));
    actions = actions.map((a) => ({ ...a, notices: a.notices.filter((item) => !blocked.has(item.chatId)) }));
  }
  reminders = dedupe(reminders);
  phase("dedupe");

  if (dryRun) {
    const known = await existingKeys(deps.database.db, [
      ...reminders.map((i) => i.key),
      ...actions.map((a) => a.key),
    ]);
    const pendingActions = actions.filter((a) => !known.has(a.key));
    report.actions = pendingActions.map((a) => ({
      key: a.key,
      kind: a.kind,
      address: a.address,
      applied: false,
    }));
    const items = dedupe([
      ...reminders.filter((i) => !known.has(i.key)),
      ...pendingActions.flatMap((a) => a.notices),
    ]);
    report.claimed = items.length;
    report.digests = buildDigests(items, now).map((d) => ({
      chatId: d.chatId,
      text: d.text,
      items: d.itemCount,
    }));
    report.durationMs = Date.now() - started;
    return report;
  }

  const toSend: ReminderItem[] = [];
  for (const action of actions) {
    const result = await applyAction(deps.database, action, { runId, now: clock() });
    if (result.applied || result.notices.length > 0) {
      report.actions.push({
        key: action.key,
        kind: action.kind,
        address: action.address,
        applied: result.applied,
      });
    }
    toSend.push(...result.notices);
  }
  phase("actions");
  const { claimed, retried } = await claimItems(deps.database, reminders, {
    runId,
    now: clock(),
    leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
    retryProfiles: report.profilesSwept,
  });
  report.claimed = claimed.length + toSend.length;
  report.retried = retried.length;
  phase("claim");
  const digests = buildDigests(dedupe([...toSend, ...claimed, ...retried]), now);
  phase("digest");
  report.digests = digests.map((d) => ({ chatId: d.chatId, text: d.text, items: d.itemCount }));
  if (digests.length === 0) {
    report.durationMs = Date.now() - started;
    return report;
  }
  if (!deps.send) throw new Error("runSweep: a send function is required unless dryRun is set.");
  const limiter = deps.limiter ?? new RateLimiter();
  const deliverOptions = {
    database: deps.database,
    send: deps.send,
    limiter,
    runId,
    now: clock,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
  };
  const delivery = await deliverDigests(digests, deliverOptions);
  phase("deliver");
  report.delivery = delivery;

  // Blocked chats and given-up claims are reported to the support chat (claimed like any item).
  if (
    supportChatId !== null &&
    !delivery.aborted &&
    (delivery.blocked.length > 0 || delivery.gaveUp.length > 0)
  ) {
    const today = vnDateOf(now);
    const problems = [
      ...delivery.blocked
        .filter((b) => b.chatId !== supportChatId)
        .flatMap((b) =>
          itemsFor([supportChatId], {
            rule: "delivery-blocked",
            target: `chat:${b.chatId}`,
            period: today,
            section: "delivery",
            line: `Cuộc trò chuyện ${b.chatId} đã chặn bot hoặc không còn tồn tại (${b.reason}). Nhắc việc cho người này không gửi được: hãy liên hệ trực tiếp.`,
            sortAt: now,
            profileId: report.profilesSwept[0] ?? "",
          }),
        ),
      ...(delivery.gaveUp.length > 0
        ? itemsFor([supportChatId], {
            rule: "delivery-failed",
            target: `run:${runId}`,
            period: "",
            section: "delivery",
            line: `${delivery.gaveUp.length} nhắc việc không gửi được sau nhiều lần thử (${delivery.failed[0]?.error ?? "lỗi mạng"}). Xem reminder_claims.last_error.`,
            sortAt: now,
            profileId: report.profilesSwept[0] ?? "",
          })
        : []),
    ];
    if (problems.length > 0) {
      const own = await claimItems(deps.database, problems, {
        runId,
        now: clock(),
        leaseMs: 0,
        retryProfiles: [],
      });
      const extra = await deliverDigests(buildDigests(own.claimed, now), deliverOptions);
      delivery.messages += extra.messages;
      delivery.items += extra.items;
    }
  }
  deps.logger?.info(
    {
      runId,
      claimed: report.claimed,
      retried: report.retried,
      messages: delivery.messages,
      blocked: delivery.blocked.length,
    },
    "reminder sweep done",
  );
  report.durationMs = Date.now() - started;
  return report;
}
