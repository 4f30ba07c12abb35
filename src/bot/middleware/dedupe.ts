/**
 * Each update is handled once, even with two instances behind one webhook or when Telegram
 * re-sends an update after a slow answer: the first to insert its update_id into
 * processed_updates handles it, everyone else drops it.
 *
 * The claim comes first, before any effect. An update that crashes half-way is therefore not
 * retried by a re-delivery; that is the safe side here (services are one transaction each, so
 * "half-way" means "the reply failed", never "half a state change"), and graceful shutdown
 * waits for in-flight updates so a stop does not drop any.
 *
 * Except when the database was unreachable: then nothing happened, and the update must not be
 * lost. The error goes up to the transport (webhook: non-2xx, Telegram re-sends; polling: the
 * offset stays), and a claim already taken is given back as soon as the database answers again,
 * so the re-delivered update is handled.
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
import type { MiddlewareFn } from "grammy";
import { isDatabaseUnavailable } from "../../db/unavailable.ts";
import { metrics } from "../../metrics.ts";
import type { BotContext, BotServices } from "../context.ts";
import { flowKeyOfUpdate } from "../flows.ts";

const RELEASE_RETRY_MS = 2_000;
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

/** The outcome of a claim: whether this instance handles the update, and its prefetched flow state. */
export interface Claim {
  won: boolean;
  /** The update's flow session as read with the claim, when it is still current. */
  session?: { key: string; data: unknown };
}

interface Asked {
  updateId: number;
  sessionKey?: string | undefined;
}

interface Fetched {
  won: boolean;
  key: string | undefined;
  data: unknown;
  /** False when an earlier update of the same key came in the same statement: `data` may be stale. */
  prefetched: boolean;
  mark: number;
}

export class UpdateClaims {
  /** Claims taken by `claimBatch`, waiting for their update to reach the middleware. */
  private readonly batch = new Map<number, Fetched>();
  /** Claims whose handling failed for want of a database: given back before anything else. */
  private readonly toRelease = new Set<number>();
  private retry: NodeJS.Timeout | undefined;
  /** A statement for single claims is out: new ones wait for it, then go out together. */
  private claiming = false;
  /** Single claims waiting for the next statement. */
  private waiting: (Asked & { resolve: (claim: Claim) => void; reject: (e: unknown) => void })[] = [];
  readonly writes = new SessionWrites();

  constructor(private readonly services: BotServices) {}

  /** One statement for `asked` (in order): who won, and the first prefetch of each key. */
  private async fetch(asked: readonly Asked[]): Promise<Map<number, Fetched>> {
    const mark = this.writes.mark();
    const won = await this.services.chatState.claimUpdatesWithSessions(asked);
    const out = new Map<number, Fetched>();
    const seenKeys = new Set<string>();
    for (const { updateId, sessionKey } of asked) {
      if (out.has(updateId)) continue;
      const first = sessionKey !== undefined && !seenKeys.has(sessionKey);
      if (sessionKey !== undefined) seenKeys.add(sessionKey);
      out.set(updateId, {
        won: won.has(updateId),
        key: sessionKey,
        data: won.get(updateId) ?? null,
        prefetched: first,
        mark,
      });
    }
    return out;
  }

  private toClaim(fetched: Fetched): Claim {
    const { won, key, data, prefetched, mark } = fetched;
    if (!won || !prefetched || key === undefined || !this.writes.unchangedSince(key, mark)) return { won };
    return { won, session: { key, data } };
  }

  async claimBatch(updates: readonly Asked[]): Promise<void> {
    await this.releasePending();
    for (const [id, fetched] of await this.fetch(updates)) this.batch.set(id, fetched);
  }

  async claim(updateId: number, sessionKey?: string): Promise<Claim> {
    const fromBatch = this.batch.get(updateId);
    if (fromBatch !== undefined) {
      this.batch.delete(updateId);
      return this.toClaim(fromBatch.key === sessionKey ? fromBatch : { ...fromBatch, prefetched: false });
    }
    return new Promise<Claim>((resolve, reject) => {
      this.waiting.push({ updateId, sessionKey, resolve, reject });
      if (this.waiting.length === 1 && !this.claiming) setImmediate(() => void this.claimWaiting());
    });
  }

  /** One statement for every single claim asked for since the last one. */
  private async claimWaiting(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = [];
    this.claiming = true;
    try {
      await this.releasePending();
      const fetched = await this.fetch(waiting);
      // The same id twice in one turn (a re-delivery racing the original): the first one wins.
      const given = new Set<number>();
      for (const w of waiting) {
        const f = fetched.get(w.updateId) as Fetched;
        if (given.has(w.updateId)) w.resolve({ won: false });
        else {
          if (f.won) given.add(w.updateId);
          w.resolve(this.toClaim(f));
        }
      }
    } catch (error) {
      for (const w of waiting) w.reject(error);
    } finally {
      this.claiming = false;
      // Asked while this statement was out: they go together in the next one.
      if (this.waiting.length > 0) setImmediate(() => void this.claimWaiting());
    }
  }

  /** The update could not be handled for want of a database: give its claim back later. */
  failed(updateId: number): void {
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

  async releasePending(): Promise<void> {
    if (this.toRelease.size === 0) return;
    const ids = [...this.toRelease];
    await this.services.chatState.releaseUpdates(ids);
    for (const id of ids) this.toRelease.delete(id);
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

  stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
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
    if (!claim.won) {
      metrics.updatesHandled.inc({ outcome: "duplicate" });
      ctx.log.info("duplicate update ignored");
      return;
    }
    if (claim.session) ctx.flow.preload(claim.session.key, claim.session.data);
    try {
      await next();
      metrics.updatesHandled.inc({ outcome: "ok" });
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        claims.failed(updateId);
        metrics.updatesHandled.inc({ outcome: "deferred" });
      } else {
        metrics.updatesHandled.inc({ outcome: "error" });
      }
      throw error;
    } finally {
      metrics.updateDuration.observe((performance.now() - started) / 1000);
    }
  };
}
