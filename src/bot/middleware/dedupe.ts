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
 * of the event loop go out as one statement (`claim` → one `claimUpdates`), so 16 updates
 * arriving at once cost one claim round trip, not 16.
 */
import type { MiddlewareFn } from "grammy";
import { isDatabaseUnavailable } from "../../db/unavailable.ts";
import { metrics } from "../../metrics.ts";
import type { BotContext, BotServices } from "../context.ts";

const RELEASE_RETRY_MS = 2_000;

export class UpdateClaims {
  /** Ids claimed by `claimBatch`: true = ours to handle, false = another instance's. */
  private readonly batch = new Map<number, boolean>();
  /** Claims whose handling failed for want of a database: given back before anything else. */
  private readonly toRelease = new Set<number>();
  private retry: NodeJS.Timeout | undefined;
  /** Single claims waiting for the next statement (filled during one event-loop turn). */
  private waiting: { id: number; resolve: (won: boolean) => void; reject: (e: unknown) => void }[] = [];

  constructor(private readonly services: BotServices) {}

  async claimBatch(updateIds: readonly number[]): Promise<void> {
    await this.releasePending();
    const won = await this.services.chatState.claimUpdates(updateIds);
    for (const id of updateIds) this.batch.set(id, won.has(id));
  }

  async claim(updateId: number): Promise<boolean> {
    const fromBatch = this.batch.get(updateId);
    if (fromBatch !== undefined) {
      this.batch.delete(updateId);
      return fromBatch;
    }
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.push({ id: updateId, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => void this.claimWaiting());
    });
  }

  /** One statement for every single claim asked for since the last one. */
  private async claimWaiting(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = [];
    try {
      await this.releasePending();
      const ids = waiting.map((w) => w.id);
      const won =
        ids.length === 1
          ? new Set((await this.services.chatState.claimUpdate(ids[0] as number)) ? ids : [])
          : await this.services.chatState.claimUpdates(ids);
      // The same id twice in one turn (a re-delivery racing the original): the first one wins.
      const given = new Set<number>();
      for (const w of waiting) {
        const mine = won.has(w.id) && !given.has(w.id);
        if (mine) given.add(w.id);
        w.resolve(mine);
      }
    } catch (error) {
      for (const w of waiting) w.reject(error);
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

export function dedupe(claims: UpdateClaims): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const started = performance.now();
    const updateId = ctx.update.update_id;
    let claimed: boolean;
    try {
      claimed = await claims.claim(updateId);
    } catch (error) {
      if (isDatabaseUnavailable(error)) metrics.updatesHandled.inc({ outcome: "deferred" });
      throw error;
    }
    if (!claimed) {
      metrics.updatesHandled.inc({ outcome: "duplicate" });
      ctx.log.info("duplicate update ignored");
      return;
    }
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
