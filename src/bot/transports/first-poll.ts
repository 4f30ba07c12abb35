/**
 * The Bot API calls a polling bot can make before its database is ready: getMe and the first
 * getUpdates. `npm start` sends them first thing, so they travel while the embedded database
 * boots; startPolling (polling.ts) takes the first batch from here and handles it only once the
 * bot is set up.
 *
 * Nothing is lost or handled twice if the process dies in between: Telegram forgets an update
 * only when a later getUpdates asks for an offset past it, and the loop asks for that only
 * after handling the batch. This module never sends an offset.
 *
 * Kept small on purpose (grammY's Api and auto-retry only): everything it imports loads before
 * the first request can leave.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { Api, GrammyError } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";

/** The update kinds the bot handles; every getUpdates asks for these. */
export const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;

export interface FirstPollOptions {
  /** getUpdates long-poll seconds (default 30). */
  timeoutSeconds?: number;
  /** Updates per batch (default 100, Telegram's maximum). */
  limit?: number;
}

/** The first getUpdates, in flight: its batch, and a way to give up waiting for it (shutdown). */
export interface FirstPoll {
  /** The first batch (offset 0: whatever Telegram still holds). Rejects as getUpdates would. */
  readonly updates: Promise<Update[]>;
  readonly signal: AbortSignal;
  abort(): void;
}

/** A webhook left over from webhook mode: Telegram refuses getUpdates with 409 until it is deleted. */
function webhookIsActive(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 409 && /webhook/i.test(error.description);
}

/**
 * Sends the first getUpdates at once. Only when Telegram answers that a webhook is still set
 * (the bot ran in webhook mode before) does it delete the webhook, keeping its pending updates,
 * and ask again: the usual start costs one round trip, not two.
 */
export function beginFirstPoll(api: Api, options: FirstPollOptions = {}): FirstPoll {
  const controller = new AbortController();
  const { signal } = controller;
  const ask = () =>
    api.getUpdates(
      {
        limit: options.limit ?? 100,
        timeout: options.timeoutSeconds ?? 30,
        allowed_updates: [...ALLOWED_UPDATES],
      },
      signal as never,
    );
  const updates = ask().catch(async (error: unknown) => {
    if (!webhookIsActive(error)) throw error;
    await api.deleteWebhook({ drop_pending_updates: false }, signal as never);
    return ask();
  });
  // Not swallowed: startPolling awaits it; this only keeps Node from calling it unhandled
  // while the database boots.
  updates.catch(() => undefined);
  return { updates, signal, abort: () => controller.abort() };
}

/** The Telegram calls of a starting polling bot, made before anything else is loaded. */
export interface EarlyTelegram {
  botInfo: Promise<UserFromGetMe>;
  /** Present in polling mode. */
  firstPoll?: FirstPoll;
}

export function beginEarlyTelegram(
  token: string,
  options: { apiRoot?: string | undefined; polling: boolean; poll?: FirstPollOptions },
): EarlyTelegram {
  // Not the bot's client (that one is built with the bot, after the database): no throttle is
  // needed for these two calls, only retries on flood waits and transient errors.
  const api = new Api(token, options.apiRoot ? { apiRoot: options.apiRoot } : undefined);
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));
  const botInfo = api.getMe();
  botInfo.catch(() => undefined);
  return { botInfo, ...(options.polling ? { firstPoll: beginFirstPoll(api, options.poll) } : {}) };
}
