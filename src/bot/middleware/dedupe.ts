/**
 * Each update is handled once, even with several instances behind one webhook, when Telegram
 * re-sends an update after a slow answer, or when an instance dies while handling it.
 *
 * What is promised: at-least-once handling, and once in practice. A process that wins an update
 * (processed_updates: its claim inserted the row, claimed_by = this boot) handles it, then marks
 * it done. A re-sent copy of a done update is dropped (answered 2xx). A copy of an update still
 * being handled elsewhere is answered 503 ("busy": `UpdateBusyError`): it may yet fail or its
 * instance may die, so it must not be dropped, and it must not run twice either; Telegram
 * re-sends on a non-2xx, and the re-send finds it done (dropped) or, once the lease has passed
 * without a done mark (its instance is presumed dead), takes it over and handles it.
 *
 * The lease (UPDATE_CLAIM_LEASE_SECONDS, webhook mode) is how long an unfinished claim stays its
 * claimant's. Exactly-once is not possible with effects outside the database (the reply is a
 * Telegram call): an update is handled twice when (1) its handling outlasts the lease and a copy
 * is re-sent meanwhile (Telegram re-sends only after a non-2xx or a lost answer, and grammY
 * answers 200 after 9 s, below the 20 s default), or (2) its instance dies after the effect and
 * before telling Telegram. Services are idempotent (one transaction each, a repeated request
 * finds its state already changed), so a repeat costs a repeated reply at worst; a loss would
 * cost the user's request, so this is the side we choose.
 * Long polling has one poller per token by construction (Telegram allows one getUpdates
 * consumer; PGlite is locked to one process): an unfinished claim of another boot is a dead
 * earlier run, taken over at once (lease 0). A restart that overlaps the previous process
 * (both handling the same unconfirmed batch) is the one way to run an update twice there.
 *
 * Done marks cost no round trip of their own: they ride on the next claim statement, or a
 * short timer (DONE_FLUSH_MS) writes them when no claim comes, and `stop()` writes the rest.
 * Until it is written, a re-sent copy reaching this instance is recognised here as done.
 *
 * When the database is unreachable nothing happened, and the update must not be lost. The error
 * goes up to the transport (webhook: non-2xx, Telegram re-sends; polling: the offset stays), and
 * a claim already taken is given back as soon as the database answers again, so the re-delivered
 * update is handled. Any other failure marks the update done: the error boundary has answered
 * the user, and a retry would fail alike.
 *
 * Long polling claims a whole batch in one statement (`claimBatch`) before handling it, so an
 * update costs no round trip of its own for the claim. Updates handed over one by one (webhook,
 * several requests in flight) are claimed together too: the claims asked for in the same turn
 * of the event loop, or while the previous claim statement is out, go out as one statement
 * (as a database's group commit), so 16 updates arriving at once cost one claim round trip,
 * not 16, and an idle bot's claim is sent at once.
 *
 * The claim statement also reads each won update's flow state (chat_sessions under
 * `flow:<chat>:<user>`), which the /doimk guard and the flow router would otherwise read in a
 * round trip of their own for every text message and button press. A prefetched state must
 * never be stale, or a password typed after /doimk would be handled as ordinary text: so it is
 * used only when (1) it is the first update of that chat and user in its statement (a later one
 * re-reads after the earlier ones, which `sequentialize` runs first, have written), and (2) no
 * write to that session through this bot started or ended since the statement was sent
 * (`SessionWrites`); otherwise `ctx.flow` reads it lazily as before.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { MiddlewareFn } from "grammy";
import { isDatabaseUnavailable } from "../../db/unavailable.ts";
import { metrics } from "../../metrics.ts";
import type { ClaimAsk, ClaimOutcome } from "../../services/chat-state.ts";
import type { BotContext, BotServices } from "../context.ts";
import { flowKeyOfUpdate } from "../flows.ts";

const RELEASE_RETRY_MS = 2_000;
/** How long a done mark may wait for a claim statement to carry it. */
const DONE_FLUSH_MS = 200;
/**
 * The claims table prunes itself: a process that handles updates purges claims older than
 * KEEP_DAYS and expired flow sessions, first shortly after its first claim, then every
 * PURGE_EVERY_MS. Several instances purging alike is harmless (the same old rows). A week is far
 * longer than Telegram keeps re-sending an update (24 h), so no copy can outlive its claim.
 */
const PURGE_FIRST_MS = 60_000;
const PURGE_EVERY_MS = 6 * 3_600_000;
const KEEP_DAYS = 7;
/** Keys remembered by SessionWrites before it forgets them all (and every older prefetch). */
const MAX_TRACKED_KEYS = 10_000;

/**
 * Which sessions this bot wrote since a moment (`mark()`): a write counts from when it starts
 * until it ends, so one that overlapped the prefetch statement invalidates it too.
 */
export class SessionWrites {
  private seq = 0;
  /** Prefetches marked before this are stale (the table of keys was cleared). */
  private floor = 0;
  private readonly lastWrite = new Map<string, number>();

  mark(): number {
    return this.seq;
  }

  wrote(key: string): void {
    this.seq++;
    if (this.lastWrite.size >= MAX_TRACKED_KEYS) {
      this.lastWrite.clear();
      this.floor = this.seq;
    }
    this.lastWrite.set(key, this.seq);
  }

  unchangedSince(key: string, mark: number): boolean {
    return mark >= this.floor && (this.lastWrite.get(key) ?? 0) <= mark;
  }
}

/** The outcome of a claim, and for a won update its prefetched flow state when still current. */
export interface Claim {
  outcome: ClaimOutcome;
  session?: { key: string; data: unknown };
}

interface Fetched {
  outcome: ClaimOutcome;
  key: string | undefined;
  data: unknown;
  /** False when an earlier update of the same key came in the same statement: `data` may be stale. */
  prefetched: boolean;
  mark: number;
}

/** Another instance is handling this update: answer non-2xx so that Telegram re-sends it later. */
export class UpdateBusyError extends Error {
  override readonly name = "UpdateBusyError";
  constructor(readonly updateId: number) {
    super(`update ${updateId} is being handled by another instance`);
  }
}

/** True for an UpdateBusyError, also inside grammY's BotError. */
export function isUpdateBusy(error: unknown): boolean {
  const inner = (error as { error?: unknown } | null)?.error;
  return error instanceof UpdateBusyError || inner instanceof UpdateBusyError;
}

/** This boot's name in claims: the instance (or host) and a random id, so a restart is another claimant. */
export function claimantName(instanceId: string | undefined): string {
  const name = (instanceId ?? hostname()).replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64) || "mailbot";
  return `${name}:${randomBytes(6).toString("hex")}`;
}

export interface UpdateClaimsOptions {
  claimant: string;
  /** Seconds another claimant's unfinished claim stays theirs (0: take over at once). */
  leaseSeconds: number;
  /** Purge timing (tests): first purge after `firstMs` from the first claim, then every `everyMs`. */
  purge?: { firstMs: number; everyMs: number };
}

export class UpdateClaims {
  /** Outcomes of `claimBatch`, waiting for their update to reach the middleware. */
  private readonly batch = new Map<number, Fetched>();
  /** Won here and being handled: a copy arriving meanwhile is busy. */
  private readonly handling = new Set<number>();
  /** Finished here, done mark not yet written (`sending`: in a statement now). */
  private pendingDone = new Set<number>();
  private sending = new Set<number>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** Claims whose handling failed for want of a database: given back before anything else. */
  private readonly toRelease = new Set<number>();
  private retry: NodeJS.Timeout | undefined;
  /** A statement for single claims is out: new ones wait for it, then go out together. */
  private claiming = false;
  /** Single claims waiting for the next statement. */
  private waiting: (ClaimAsk & { resolve: (claim: Claim) => void; reject: (e: unknown) => void })[] = [];
  readonly writes = new SessionWrites();
  private purgeTimer: NodeJS.Timeout | undefined;
  private purging: Promise<void> | undefined;
  private releasing: Promise<void> | undefined;

  constructor(
    private readonly services: BotServices,
    private readonly options: UpdateClaimsOptions,
  ) {}

  async claimBatch(updates: readonly ClaimAsk[]): Promise<void> {
    await this.releasePending();
    for (const [id, fetched] of await this.fetch(updates)) this.batch.set(id, fetched);
  }

  async claim(updateId: number, sessionKey?: string): Promise<Claim> {
    const fromBatch = this.batch.get(updateId);
    if (fromBatch !== undefined) {
      this.batch.delete(updateId);
      return this.toClaim(
        updateId,
        fromBatch.key === sessionKey ? fromBatch : { ...fromBatch, prefetched: false },
      );
    }
    const local = this.known(updateId);
    if (local) return { outcome: local };
    return new Promise<Claim>((resolve, reject) => {
      this.waiting.push({ updateId, sessionKey, resolve, reject });
      if (this.waiting.length === 1 && !this.claiming) setImmediate(() => void this.claimWaiting());
    });
  }

  /** What this instance knows without asking: handling it now, or finished it. */
  private known(updateId: number): ClaimOutcome | undefined {
    if (this.handling.has(updateId)) return "busy";
    if (this.pendingDone.has(updateId) || this.sending.has(updateId)) return "done";
    return undefined;
  }

  /**
   * A won outcome starts the handling here (a second copy of it is busy from now on), with its
   * prefetched flow state when that cannot be stale.
   */
  private toClaim(updateId: number, fetched: Fetched): Claim {
    const { outcome, key, data, prefetched, mark } = fetched;
    if (outcome !== "won") return { outcome };
    if (this.handling.has(updateId)) return { outcome: "busy" };
    this.handling.add(updateId);
    if (!prefetched || key === undefined || !this.writes.unchangedSince(key, mark)) return { outcome };
    return { outcome, session: { key, data } };
  }

  /**
   * One claim statement for `asked` (in order), carrying the done marks waiting to be written:
   * each id's outcome, and the first prefetch of each session key.
   */
  private async fetch(asked: readonly ClaimAsk[]): Promise<Map<number, Fetched>> {
    this.schedulePurge();
    const marks = this.takeMarks();
    const mark = this.writes.mark();
    let results: Awaited<ReturnType<BotServices["chatState"]["claimUpdates"]>>;
    try {
      results = await this.services.chatState.claimUpdates(asked, this.options, marks);
      for (const id of marks) this.sending.delete(id);
    } catch (error) {
      this.giveMarksBack(marks);
      throw error;
    }
    const out = new Map<number, Fetched>();
    const seenKeys = new Set<string>();
    for (const { updateId, sessionKey } of asked) {
      if (out.has(updateId)) continue;
      const first = sessionKey !== undefined && !seenKeys.has(sessionKey);
      if (sessionKey !== undefined) seenKeys.add(sessionKey);
      out.set(updateId, {
        outcome: results.outcomes.get(updateId) ?? "busy",
        key: sessionKey,
        data: results.sessions.get(updateId) ?? null,
        prefetched: first,
        mark,
      });
    }
    return out;
  }

  /** One statement for every single claim asked for since the last one. */
  private async claimWaiting(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = [];
    this.claiming = true;
    try {
      await this.releasePending();
      const fetched = await this.fetch(waiting);
      // The same id twice (a re-delivery racing the original): the first one wins, the copy is busy.
      for (const w of waiting) w.resolve(this.toClaim(w.updateId, fetched.get(w.updateId) as Fetched));
    } catch (error) {
      for (const w of waiting) w.reject(error);
    } finally {
      this.claiming = false;
      // Asked while this statement was out: they go together in the next one.
      if (this.waiting.length > 0) setImmediate(() => void this.claimWaiting());
    }
  }

  /** The update was handled (or failed for a reason a retry would not cure): mark it done. */
  finished(updateId: number): void {
    this.handling.delete(updateId);
    this.pendingDone.add(updateId);
    this.scheduleFlush(DONE_FLUSH_MS);
  }

  /** Writes the pending done marks after `ms`, unless a flush is already scheduled. */
  private scheduleFlush(ms: number): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush().catch(() => undefined);
    }, ms);
    this.flushTimer.unref();
  }

  /** The update could not be handled for want of a database: give its claim back later. */
  failed(updateId: number): void {
    this.handling.delete(updateId);
    this.toRelease.add(updateId);
    this.scheduleRetry();
  }

  /** Forgets a batch claim that will not be handled here (the polling loop gives up on it). */
  forget(updateId: number): void {
    this.batch.delete(updateId);
  }

  get pendingReleases(): number {
    return this.toRelease.size;
  }

  /**
   * Gives back the claims of updates that failed for want of a database. One release at a time,
   * and a claim statement waits for the one in flight: a release still on its way (the retry
   * timer's, on another pooled connection) would otherwise delete this instance's fresh claim of
   * the re-sent copy, and that update would be answered with no claim row left behind it.
   */
  async releasePending(): Promise<void> {
    while (this.releasing) await this.releasing.catch(() => undefined);
    if (this.toRelease.size === 0) return;
    const ids = [...this.toRelease];
    const release = this.services.chatState.releaseUpdates(ids, this.options.claimant).then(() => {
      for (const id of ids) this.toRelease.delete(id);
    });
    this.releasing = release;
    try {
      await release;
    } finally {
      if (this.releasing === release) this.releasing = undefined;
    }
  }

  /** Writes the done marks no claim statement has carried yet. */
  async flush(): Promise<void> {
    const marks = this.takeMarks();
    if (marks.length === 0) return;
    try {
      await this.services.chatState.markUpdatesDone(marks);
      for (const id of marks) this.sending.delete(id);
    } catch (error) {
      this.giveMarksBack(marks);
      // Kept, and tried again: unwritten, a re-sent copy past the lease would run again.
      this.scheduleFlush(RELEASE_RETRY_MS);
      throw error;
    }
  }

  private takeMarks(): number[] {
    const marks = [...this.pendingDone];
    this.pendingDone = new Set();
    for (const id of marks) this.sending.add(id);
    return marks;
  }

  private giveMarksBack(marks: readonly number[]): void {
    for (const id of marks) {
      this.sending.delete(id);
      this.pendingDone.add(id);
    }
  }

  /** Another instance may get the re-sent update: give the claims back without waiting for traffic. */
  private scheduleRetry(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.releasePending().catch(() => this.scheduleRetry());
    }, RELEASE_RETRY_MS);
    this.retry.unref();
  }

  /** Starts the periodic purge once this process claims updates (a bot that never does, never purges). */
  private schedulePurge(): void {
    if (this.purgeTimer) return;
    const { firstMs, everyMs } = this.options.purge ?? { firstMs: PURGE_FIRST_MS, everyMs: PURGE_EVERY_MS };
    const run = () => {
      this.purging = this.services.chatState.purge(KEEP_DAYS).then(
        () => undefined,
        () => undefined, // the database may be down: the next round purges
      );
      this.purgeTimer = setTimeout(run, everyMs);
      this.purgeTimer.unref();
    };
    this.purgeTimer = setTimeout(run, firstMs);
    this.purgeTimer.unref();
  }

  /** Resolves when the purge in progress (if any) has finished (tests). */
  async purged(): Promise<void> {
    await this.purging;
  }

  /** Stops the timers and writes what is pending (best effort: the database may be gone). */
  async stop(): Promise<void> {
    if (this.purgeTimer) clearTimeout(this.purgeTimer);
    this.purgeTimer = undefined;
    await this.purging;
    if (this.retry) clearTimeout(this.retry);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.retry = undefined;
    this.flushTimer = undefined;
    await this.releasePending().catch(() => undefined);
    await this.flush().catch(() => undefined);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }
}

/**
 * `services` whose session writes are told to `writes` (before and after), so a prefetched
 * flow state that a write may have changed is not used. Everything else is the services as given.
 */
export function trackingSessionWrites(services: BotServices, writes: SessionWrites): BotServices {
  const inner = services.chatState;
  const chatState: BotServices["chatState"] = Object.create(inner, {
    setSession: {
      value: async (key: string, data: unknown, ttlSeconds?: number | null) => {
        writes.wrote(key);
        try {
          await inner.setSession(key, data, ttlSeconds);
        } finally {
          writes.wrote(key);
        }
      },
    },
    deleteSession: {
      value: async (key: string) => {
        writes.wrote(key);
        try {
          await inner.deleteSession(key);
        } finally {
          writes.wrote(key);
        }
      },
    },
  }) as BotServices["chatState"];
  return Object.create(services, { chatState: { value: chatState } }) as BotServices;
}

export function dedupe(claims: UpdateClaims): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const started = performance.now();
    const updateId = ctx.update.update_id;
    let claim: Claim;
    try {
      claim = await claims.claim(updateId, flowKeyOfUpdate(ctx.update));
    } catch (error) {
      if (isDatabaseUnavailable(error)) metrics.updatesHandled.inc({ outcome: "deferred" });
      throw error;
    }
    const { outcome } = claim;
    if (outcome === "done") {
      metrics.updatesHandled.inc({ outcome: "duplicate" });
      ctx.log.info("duplicate update ignored");
      return;
    }
    if (outcome === "busy") {
      metrics.updatesHandled.inc({ outcome: "busy" });
      ctx.log.info("update being handled elsewhere: left for Telegram to re-send");
      throw new UpdateBusyError(updateId);
    }
    if (claim.session) ctx.flow.preload(claim.session.key, claim.session.data);
    try {
      await next();
      claims.finished(updateId);
      metrics.updatesHandled.inc({ outcome: "ok" });
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        claims.failed(updateId);
        metrics.updatesHandled.inc({ outcome: "deferred" });
      } else {
        claims.finished(updateId);
        metrics.updatesHandled.inc({ outcome: "error" });
      }
      throw error;
    } finally {
      metrics.updateDuration.observe((performance.now() - started) / 1000);
    }
  };
}
