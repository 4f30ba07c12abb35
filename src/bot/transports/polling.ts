/**
 * Long polling, one batch at a time (as grammY's own `bot.start()`): getUpdates, claim the whole
 * batch for de-duplication in one statement (which also fetches the flow state of each chat), handle its updates concurrently (per-chat order is
 * kept by the `sequentialize` in createBot), then confirm the offset — only past updates that
 * were handled. An update that failed because the database was unreachable keeps the offset at
 * its id: the loop waits until the database answers again and fetches from there, so Telegram
 * delivers it (and what followed it) again; updates already handled are dropped by their claims.
 *
 * Only one polling process may run per token (Telegram answers a second one with 409): several
 * instances means webhook mode.
 */
import { GrammyError, type Bot } from "grammy";
import type { Update } from "grammy/types";
import { isDatabaseUnavailable } from "../../db/unavailable.ts";
import type { Logger } from "../../logger.ts";
import { metrics } from "../../metrics.ts";
import type { BotContext } from "../context.ts";
import { drain, updateClaimsOf } from "../create-bot.ts";
import { flowKeyOfUpdate } from "../flows.ts";
import { isUpdateBusy } from "../middleware/dedupe.ts";
import { ALLOWED_UPDATES, type FirstPoll } from "./first-poll.ts";

export { ALLOWED_UPDATES };

export interface PollingHandle {
  /** Stops fetching, then waits for every update already being handled. */
  stop(): Promise<void>;
  /** Resolves when polling stops (or rejects when it cannot go on, e.g. 401 or 409). */
  done: Promise<void>;
}

export interface PollingOptions {
  /** Database liveness: polled while the database is away, before fetching again. */
  health: () => Promise<boolean>;
  /** getUpdates long-poll seconds (default 30). */
  timeoutSeconds?: number;
  /** Updates per batch (default 100, Telegram's maximum). */
  limit?: number;
  /** Waits between retries (tests shorten them). */
  retryMs?: number;
  /**
   * The first getUpdates, already sent (first-poll.ts: `npm start` sends it while the database
   * boots; it also took care of a leftover webhook). Its batch is handled like any other.
   */
  firstPoll?: FirstPoll;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const wake = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal.addEventListener("abort", wake);
  });

/** Telegram refuses this token or another process polls it: retrying cannot help. */
const fatal = (error: unknown) =>
  error instanceof GrammyError && (error.error_code === 401 || error.error_code === 409);

export async function startPolling(
  bot: Bot<BotContext>,
  logger: Logger,
  options: PollingOptions,
): Promise<PollingHandle> {
  await bot.init();
  let firstPoll = options.firstPoll;
  // A webhook left over from webhook mode would make getUpdates fail with 409.
  if (!firstPoll) await bot.api.deleteWebhook({ drop_pending_updates: false });
  const claims = updateClaimsOf(bot);
  const retryMs = options.retryMs ?? 3_000;
  const controller = new AbortController();
  const { signal } = controller;
  if (firstPoll) signal.addEventListener("abort", firstPoll.abort, { once: true });
  let offset = 0;
  let confirmed = 0;

  const waitForDatabase = async () => {
    logger.warn("database unavailable: polling paused, updates stay with Telegram");
    while (!signal.aborted) {
      if (await options.health().catch(() => false)) break;
      await sleep(retryMs, signal);
    }
    if (!signal.aborted) logger.info("database back: polling resumes");
  };

  /** Handles one batch; returns the offset to fetch from next. */
  const handleBatch = async (updates: Update[]): Promise<number> => {
    const ids = updates.map((u) => u.update_id);
    const next = ids.reduce((max, id) => (id > max ? id : max), 0) + 1;
    try {
      await claims?.claimBatch(
        updates.map((update) => ({ updateId: update.update_id, sessionKey: flowKeyOfUpdate(update) })),
      );
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        metrics.updatesHandled.inc({ outcome: "deferred" }, ids.length);
        await waitForDatabase();
        return offset;
      }
      // Anything else: each update claims for itself in the middleware.
      for (const id of ids) claims?.forget(id);
      logger.error({ err: error }, "batch claim failed; claiming update by update");
    }
    const results = await Promise.allSettled(updates.map((update) => bot.handleUpdate(update)));
    let firstDeferred: number | undefined;
    let waitDatabase = false;
    for (const [i, result] of results.entries()) {
      if (result.status === "fulfilled") continue;
      const id = ids[i] as number;
      claims?.forget(id);
      if (isDatabaseUnavailable(result.reason)) {
        firstDeferred = Math.min(firstDeferred ?? id, id);
        waitDatabase = true;
      } else if (isUpdateBusy(result.reason)) {
        // Another claimant took it in the same instant (not a previous run: those are taken over).
        firstDeferred = Math.min(firstDeferred ?? id, id);
      } else {
        await Promise.resolve(bot.errorHandler(result.reason as never)).catch((error: unknown) =>
          logger.error({ err: error }, "error handler failed"),
        );
      }
    }
    if (firstDeferred === undefined) return next;
    if (waitDatabase) await waitForDatabase();
    else await sleep(retryMs, signal);
    return firstDeferred;
  };

  const loop = async () => {
    while (!signal.aborted) {
      let updates: Update[];
      try {
        const sent = firstPoll?.updates;
        firstPoll = undefined;
        updates = await (sent ??
          bot.api.getUpdates(
            {
              offset,
              limit: options.limit ?? 100,
              timeout: options.timeoutSeconds ?? 30,
              allowed_updates: [...ALLOWED_UPDATES],
            },
            signal as never,
          ));
      } catch (error) {
        if (signal.aborted) break;
        if (fatal(error)) throw error;
        logger.warn({ err: error }, "getUpdates failed; retrying");
        await sleep(retryMs, signal);
        continue;
      }
      if (updates.length > 0) offset = await handleBatch(updates);
    }
    // Tell Telegram what was handled, so a restart does not receive it again.
    if (offset > confirmed) {
      await bot.api.getUpdates({ offset, limit: 1, timeout: 0 }).catch(() => undefined);
      confirmed = offset;
    }
  };

  const done = loop();
  logger.info({ username: bot.botInfo.username }, "long polling started");
  return {
    async stop() {
      controller.abort();
      await done.catch(() => undefined);
      await drain(bot);
      logger.info("long polling stopped");
    },
    done,
  };
}
