/**
 * The sweep: SQL selects what may be due (facts.ts) → pure rules decide (rules/) → enforcement
 * actions are claimed and applied (each in its own transaction, with its notices) → reminders
 * are claimed (claims.ts) together with abandoned earlier claims → one digest per recipient
 * (digest.ts) → delivery within Telegram's limits (deliver.ts), each digest confirmed by its one
 * row of reminder_deliveries (run × recipient), not item by item.
 *
 * Timers only wake this function; everything it needs is in the database, so running it twice,
 * on two instances, or after a crash gives each reminder and action exactly once. A profile is
 * swept only inside its working hours (unless profile.workingHours.remindOutsideHours), and every
 * rule judges only the latest period, so a sweep after downtime sends one summary per recipient.
 *
 * Exclusive per profile (sweep-lock.ts): a second sweep at the same time skips the profile, so
 * nobody gets two digests from two runs at once (issue 9.10). National scale (issue 13): facts
 * are read a page at a time, each page is decided and claimed before the next is read, and the
 * digests are built and sent a page of recipients at a time from the claims this run owns, so
 * memory stays flat in the number of due items.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { WorkingDayCalendar } from "../calendar/calendar.ts";
import { vnDateOf, vnTimeOf } from "../calendar/time.ts";
import type { Database } from "../db/client.ts";
import { readAhead } from "../lib/read-ahead.ts";
import { outageNoticeDuty } from "../policy/outages.ts";
import type { Profile } from "../policy/profile.ts";
import { unitRequestEvents } from "../policy/unit-requests.ts";
import { getProfile, profileIds } from "../policy/profiles/index.ts";
import type { MailboxKind } from "../policy/types.ts";
import { loadCalendar } from "../services/calendar-store.ts";
import type { Logger } from "../services/context.ts";
import { expireTemporaryPasswords } from "../services/temp-passwords.ts";
import {
  applyAction,
  blockedAmong,
  claimFresh,
  claimItems,
  DEFAULT_LEASE_MS,
  existingKeys,
  ownedPages,
  refreshClaimStatistics,
  takeOverAbandoned,
} from "./claims.ts";
import { buildDigests, compareItems } from "./digest.ts";
import { deliverDigests, RateLimiter, type DeliveryReport, type SendFn } from "./deliver.ts";
import * as facts from "./facts.ts";
import { sweepLocks } from "./sweep-lock.ts";
import { checksRule, latestClosedWindows } from "./rules/checks.ts";
import { itemsFor } from "./rules/common.ts";
import { dutiesDueOn, dutiesRule } from "./rules/duties.ts";
import { handoverRule } from "./rules/handover.ts";
import { inactivityRule, removalRule } from "./rules/inactivity.ts";
import { leaverRule } from "./rules/leavers.ts";
import { outageRule } from "./rules/outages.ts";
import { firstLoginRule, passwordExpiryRule } from "./rules/passwords.ts";
import { quotaRule } from "./rules/quota.ts";
import { replyCuts, replyRenderer } from "./rules/reply.ts";
import { claimReplies, previewReplies } from "./reply-claims.ts";
import { serviceLevelRule } from "./rules/service-levels.ts";
import { unitRequestRule } from "./rules/unit-requests.ts";
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
  /**
   * Names this instance in claimed_by (`instance:pid:run`; default: the host name), so a
   * restarted process can recognise its predecessor's claims (releaseOwnClaims).
   */
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
  /** The digests, the first DIGESTS_IN_REPORT of them (all of them in a dry run). */
  digests: { chatId: number; text: string; items: number }[];
  /** How many digests were built (one per recipient). */
  digestCount: number;
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

/** Why a profile was skipped: another run (a sweep or a dry run) holds its lock. */
const BUSY_REASON = "một lượt nhắc việc khác đang chạy cho hồ sơ này";

/**
 * The profiles a run sweeps, each under its lock: those this deployment has units or mailboxes
 * of (facts.selectDeployedProfiles) and this build knows, within their working hours, and not
 * being swept by another run. The others are recorded in the report as skipped, with why.
 */
async function* profilesToSweep(
  deps: SweepDeps,
  locks: ReturnType<typeof sweepLocks>,
  report: SweepReport,
  calendar: WorkingDayCalendar,
  now: Date,
): AsyncGenerator<Profile> {
  const deployed = deps.profiles ?? (await facts.selectDeployedProfiles(deps.database.db));
  for (const profileId of deployed) {
    if (!profileIds().includes(profileId)) continue;
    const profile = getProfile(profileId);
    if (!withinWorkingHours(profile, calendar, now)) {
      report.profilesSkipped.push({ profileId, reason: "ngoài giờ làm việc" });
      continue;
    }
    if (!(await locks.tryLock(profileId))) {
      report.profilesSkipped.push({ profileId, reason: BUSY_REASON });
      continue;
    }
    report.profilesSwept.push(profileId);
    yield profile;
  }
}

/** The instance name in claimed_by when none is configured: stable across restarts of a host. */
export const defaultInstanceId = (): string => hostname();

function newRunId(instanceId: string | undefined): string {
  return `${instanceId ?? defaultInstanceId()}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

/** Digests kept in the report of a real run (the rest are counted): the report stays small. */
export const DIGESTS_IN_REPORT = 200;
/** A run that claimed this many items refreshes the claims' statistics before delivering. */
const ANALYZE_AFTER_CLAIMS = 10_000;
/**
 * A delivery page: whole recipients, up to ITEMS_PER_PAGE claims (each recipient counted as at
 * most READ_PER_SECTION, claims.ts) and RECIPIENTS_PER_PAGE recipients. What a page reads lives
 * until its digests are delivered, long enough to reach V8's old generation, so pages stay
 * small: 2,500 rather than 10,000 claims kept the 1,000,000-mailbox / 5% sweep at 243 MB peak
 * RSS instead of 361 MB, and pages of 250 recipients without the item bound (250 unit heads,
 * 150 items each) took it to 344 MB (bench/reminders.bench.ts).
 */
const ITEMS_PER_PAGE = 2_500;
const RECIPIENTS_PER_PAGE = 250;

const KIND_GROUPS: { slots: "unit" | "personal"; kinds: MailboxKind[] }[] = [
  { slots: "unit", kinds: ["unit", "group"] },
  { slots: "personal", kinds: ["personal"] },
];

/**
 * Facts → rules for one profile, a page at a time: yields each page's decisions. Pure
 * decisions, SQL reads only. Every rule but the reply limit, which decides and claims in SQL
 * (claimReplies in runSweep, previewReplies in dryRunSweep).
 */
async function* evaluateProfile(
  deps: SweepDeps,
  ctx: RuleContext,
  rules: ReadonlySet<RuleId>,
  counts: Record<string, number>,
  timing: Record<string, number>,
): AsyncGenerator<RuleOutput> {
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
  const count = (name: string, n: number): void => {
    counts[name] = (counts[name] ?? 0) + n;
  };
  /** Keyset pages of one mailbox (or request) query, until a short page. */
  async function* pages<T>(
    fetch: (page: facts.Page) => Promise<T[]>,
    idOf: (row: T) => number,
  ): AsyncGenerator<T[]> {
    let after = 0;
    for (;;) {
      const rows = await select(fetch({ after, limit: facts.FACTS_PAGE }));
      if (rows.length > 0) yield rows;
      if (rows.length < facts.FACTS_PAGE) return;
      after = idOf(rows[rows.length - 1] as T);
    }
  }
  const byMailbox = (row: { mailboxId: number }): number => row.mailboxId;
  const today = vnDateOf(now);
  // The unit heads once per profile and sweep, shared by every rule's pages.
  const heads = await select(facts.loadUnitHeads(db, profile.id));
  if (rules.has("checks")) {
    for (const group of KIND_GROUPS) {
      const windows = latestClosedWindows(now, calendar, profile.checks[group.slots]);
      const judged = windows[0];
      if (!judged) continue;
      const fetch = (page: facts.Page) =>
        facts.selectUnchecked(db, profile, group.kinds, windows, today, heads, page);
      for await (const rows of pages(fetch, byMailbox)) {
        count("checks", rows.length);
        yield checksRule(rows, judged, ctx);
      }
    }
  }
  if (rules.has("inactivity")) {
    for await (const rows of pages((p) => facts.selectInactive(db, profile, now, heads, p), byMailbox)) {
      count("inactivity", rows.length);
      yield inactivityRule(rows, ctx);
    }
    for await (const rows of pages((p) => facts.selectSuspended(db, profile, now, heads, p), byMailbox)) {
      count("inactivity", rows.length);
      yield removalRule(rows, ctx);
    }
  }
  // The reply rule decides and claims in SQL: claimReplies/previewReplies, not a page of facts.
  if (rules.has("service-levels")) {
    const fetch = (p: facts.Page) => facts.selectOpenRequests(db, profile, now, p);
    for await (const rows of pages(fetch, (row) => row.requestId)) {
      count("service-levels", rows.length);
      yield serviceLevelRule(rows, ctx);
    }
  }
  if (rules.has("leavers")) {
    for await (const rows of pages((p) => facts.selectLeavers(db, profile, now, heads, p), byMailbox)) {
      count("leavers", rows.length);
      yield leaverRule(rows, ctx);
    }
  }
  if (rules.has("passwords")) {
    for await (const rows of pages((p) => facts.selectPasswordAges(db, profile, now, heads, p), byMailbox)) {
      count("passwords", rows.length);
      yield passwordExpiryRule(rows, ctx);
    }
    for await (const rows of pages((p) => facts.selectFirstLoginPending(db, profile, heads, p), byMailbox)) {
      count("passwords", rows.length);
      yield firstLoginRule(rows, ctx);
    }
  }
  if (rules.has("quota")) {
    for await (const rows of pages((p) => facts.selectNearQuota(db, profile, heads, p), byMailbox)) {
      count("quota", rows.length);
      yield quotaRule(rows, ctx);
    }
  }
  // Most days no duty is due: the heads are only selected when one is.
  if (rules.has("duties") && dutiesDueOn(profile, calendar, today).length > 0) {
    const topHeads = await select(facts.selectTopUnitHeads(db, profile));
    count("duties", topHeads.length);
    yield dutiesRule(topHeads, ctx);
  }
  if (rules.has("handover") && profile.keeperHandoverArticle !== null) {
    for await (const rows of pages((p) => facts.selectKeeperHandovers(db, profile, heads, p), byMailbox)) {
      count("handover", rows.length);
      yield handoverRule(rows, ctx);
    }
  }
  // binhtan Điều 8.2, ninhbinh Điều 7.2: the head's request after a hire or a departure.
  const staffEvents = unitRequestEvents(profile);
  if (rules.has("hr-requests") && (staffEvents.hire || staffEvents.departure)) {
    const fetch = (p: facts.Page) => facts.selectStaffEvents(db, profile, now, staffEvents, heads, p);
    for await (const rows of pages(fetch, (row) => row.staffId)) {
      count("hr-requests", rows.length);
      yield unitRequestRule(rows, ctx);
    }
  }
  // Planned outages: only for a profile whose regulation has the notice duty (mic, phuyen).
  if (rules.has("outages") && outageNoticeDuty(profile) !== null && ctx.supportChatId !== null) {
    const outages = await select(facts.selectUpcomingOutages(db, profile, now));
    count("outages", outages.length);
    yield outageRule(outages, ctx);
  }
}

/** Most urgent first, then one item per key (the owner may also be the unit head). */
function dedupe(items: readonly ReminderItem[]): ReminderItem[] {
  const seen = new Set<string>();
  return [...items]
    .sort(compareItems)
    .filter((item) => (seen.has(item.key) ? false : (seen.add(item.key), true)));
}

const emptyDelivery = (): DeliveryReport => ({
  messages: 0,
  items: 0,
  blocked: [],
  failed: [],
  gaveUp: [],
  skipped: 0,
  aborted: false,
});

function addDelivery(total: DeliveryReport, part: DeliveryReport): void {
  total.messages += part.messages;
  total.items += part.items;
  total.skipped += part.skipped;
  total.aborted ||= part.aborted;
  for (const b of part.blocked) total.blocked.push(b);
  for (const f of part.failed) total.failed.push(f);
  for (const k of part.gaveUp) total.gaveUp.push(k);
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
    digestCount: 0,
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
  if (dryRun) return dryRunSweep(deps, report, { now, calendar, supportChatId, rules, started });

  const locks = sweepLocks(deps.database);
  try {
    const actions: EnforcementAction[] = [];
    for await (const profile of profilesToSweep(deps, locks, report, calendar, now)) {
      const timing: Record<string, number> = {};
      const ctx = { now, calendar, profile, supportChatId };
      for await (const out of evaluateProfile(deps, ctx, rules, report.facts, timing)) {
        for (const action of out.actions) actions.push(action);
        const t = performance.now();
        report.claimed += await claimFresh(deps.database, out.reminders, { runId, now: clock() });
        timing.claim = (timing.claim ?? 0) + performance.now() - t;
      }
      const cuts = rules.has("reply") ? replyCuts(profile, now, calendar) : null;
      if (cuts !== null) {
        // Selected, decided and claimed by the same statements: its time counts as claim.
        const t = performance.now();
        const got = await claimReplies(deps.database.db, profile, cuts, vnDateOf(now), {
          runId,
          at: clock(),
        });
        timing.claim = (timing.claim ?? 0) + performance.now() - t;
        if (got.due > 0) report.facts.reply = (report.facts.reply ?? 0) + got.due;
        report.claimed += got.claimed;
      }
      phase("evaluate");
      report.phases.select = Math.round((report.phases.select ?? 0) + (timing.select ?? 0));
      report.phases.claim = Math.round((report.phases.claim ?? 0) + (timing.claim ?? 0));
    }

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
      report.claimed += result.notices.length;
    }
    phase("actions");
    report.retried = await takeOverAbandoned(deps.database, {
      runId,
      now: clock(),
      leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
      profiles: report.profilesSwept,
    });
    if (report.claimed + report.retried >= ANALYZE_AFTER_CLAIMS) await refreshClaimStatistics(deps.database);
    phase("claim");

    const limiter = deps.limiter ?? new RateLimiter();
    const deliverOptions = {
      database: deps.database,
      send: deps.send ?? missingSend,
      limiter,
      runId,
      now: clock,
      leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
    };
    const delivery = emptyDelivery();
    const render = renderer(now, calendar);
    // The next page is read while this one is rendered and delivered (readAhead).
    const pages = ownedPages(deps.database, runId, render, {
      recipientsPerPage: RECIPIENTS_PER_PAGE,
      itemsPerPage: ITEMS_PER_PAGE,
    });
    for await (const page of readAhead(pages)) {
      const digests = buildDigests(page.items, now, page.unread);
      report.digestCount += digests.length;
      for (const d of digests) {
        if (report.digests.length >= DIGESTS_IN_REPORT) break;
        report.digests.push({ chatId: d.chatId, text: d.text, items: d.itemCount });
      }
      phase("digest");
      if (!deps.send) throw new Error("runSweep: a send function is required unless dryRun is set.");
      report.delivery = delivery;
      addDelivery(delivery, await deliverDigests(digests, deliverOptions));
      phase("deliver");
      if (delivery.aborted) break;
    }
    if (report.delivery === null) {
      report.durationMs = Date.now() - started;
      return report;
    }

    // Blocked chats and given-up claims are reported to the support chat (claimed like any item).
    if (
      supportChatId !== null &&
      !delivery.aborted &&
      (delivery.blocked.length > 0 || delivery.gaveUp.length > 0)
    ) {
      const problems = problemItems(delivery, supportChatId, now, runId, report.profilesSwept[0] ?? "");
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
  } finally {
    await locks.releaseAll();
  }
}

/** The lines of claims that store a fact (reply), rendered at the sweep's clock. */
function renderer(now: Date, calendar: WorkingDayCalendar): ReturnType<typeof replyRenderer> {
  return replyRenderer({ now, calendar });
}

const missingSend = async (): Promise<never> => {
  throw new Error("runSweep: a send function is required unless dryRun is set.");
};

function problemItems(
  delivery: DeliveryReport,
  supportChatId: number,
  now: Date,
  runId: string,
  profileId: string,
): ReminderItem[] {
  const today = vnDateOf(now);
  return [
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
          profileId,
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
          profileId,
        })
      : []),
  ];
}

/**
 * Compute and render, but claim, apply and send nothing: everything in memory (a preview for
 * the operator, `remind run --dry-run`), under the profile lock like a real run (it writes
 * nothing, but the reply rule's claims are made and read back in a transaction that is rolled
 * back, and must not meet a real run's).
 */
async function dryRunSweep(
  deps: SweepDeps,
  report: SweepReport,
  o: {
    now: Date;
    calendar: WorkingDayCalendar;
    supportChatId: number | null;
    rules: ReadonlySet<RuleId>;
    started: number;
  },
): Promise<SweepReport> {
  let reminders: ReminderItem[] = [];
  let actions: EnforcementAction[] = [];
  // The profile's lock, as a real run takes it: the reply rule's claims, made and rolled back,
  // are inserted in no particular order (reply-claims.ts), which a real run claiming the same
  // keys at the same time could deadlock against.
  const locks = sweepLocks(deps.database);
  try {
    for await (const profile of profilesToSweep(deps, locks, report, o.calendar, o.now)) {
      const ctx = { now: o.now, calendar: o.calendar, profile, supportChatId: o.supportChatId };
      for await (const out of evaluateProfile(deps, ctx, o.rules, report.facts, {})) {
        for (const item of out.reminders) reminders.push(item);
        for (const action of out.actions) actions.push(action);
      }
      const cuts = o.rules.has("reply") ? replyCuts(profile, o.now, o.calendar) : null;
      if (cuts !== null) {
        const runId = `dry-run:${randomBytes(4).toString("hex")}`;
        const preview = await previewReplies(
          deps.database,
          profile,
          cuts,
          vnDateOf(o.now),
          { runId, at: o.now },
          renderer(o.now, o.calendar),
        );
        if (preview.due > 0) report.facts.reply = (report.facts.reply ?? 0) + preview.due;
        for (const item of preview.items) reminders.push(item);
      }
    }
  } finally {
    await locks.releaseAll();
  }
  const chats = [...new Set([...reminders, ...actions.flatMap((a) => a.notices)].map((i) => i.chatId))];
  const blocked = await blockedAmong(deps.database.db, chats);
  if (blocked.size > 0) {
    reminders = reminders.filter((item) => !blocked.has(item.chatId));
    actions = actions.map((a) => ({ ...a, notices: a.notices.filter((item) => !blocked.has(item.chatId)) }));
  }
  reminders = dedupe(reminders);
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
  report.digests = buildDigests(items, o.now).map((d) => ({
    chatId: d.chatId,
    text: d.text,
    items: d.itemCount,
  }));
  report.digestCount = report.digests.length;
  report.durationMs = Date.now() - o.started;
  return report;
}
