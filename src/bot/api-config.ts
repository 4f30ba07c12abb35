/**
 * Outgoing Bot API calls: throttled to Telegram's limits and retried on 429 (flood wait) and
 * transient 5xx/network errors.
 *
 * Limits (Telegram's FAQ): about 30 messages per second overall, 20 per minute in one group,
 * and "avoid more than one per second" in one private chat, where short bursts are tolerated.
 * The throttler's defaults hold every private chat to one call per second, which makes a flow
 * step that deletes a message and then replies wait a second for nothing; so private chats get a
 * token bucket instead (burst 5, refilled one per second), groups 20 per minute with a burst.
 *
 * The transformers are installed on `bot.api`; grammY copies them into every `ctx.api`, so they
 * apply to handlers too. (We do not use @grammyjs/conversations, whose own Api instances would
 * bypass them.)
 *
 * One client per process: the bot's handlers, the reminder scheduler and `mailbot remind run` all
 * send through an Api configured here (`digestSender`), so digests wait in this one throttle and
 * not also in the sweep's own limiter (`noExtraThrottle`).
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { apiThrottler } from "@grammyjs/transformer-throttler";
import { Api } from "grammy";
import { metrics } from "../metrics.ts";
import { RateLimiter, type SendFn } from "../reminders/deliver.ts";

export function installApiTransformers(api: Api, options: { throttle: boolean }): void {
  if (options.throttle) {
    api.config.use(
      apiThrottler({
        global: { reservoir: 30, reservoirRefreshAmount: 30, reservoirRefreshInterval: 1000 },
        group: {
          maxConcurrent: 1,
          reservoir: 20,
          reservoirIncreaseAmount: 1,
          reservoirIncreaseInterval: 3000,
          reservoirIncreaseMaximum: 20,
        },
        out: {
          maxConcurrent: 1,
          reservoir: 5,
          reservoirIncreaseAmount: 1,
          reservoirIncreaseInterval: 1000,
          reservoirIncreaseMaximum: 5,
        },
      }),
    );
  }
  // Installed last, so it is the outermost: a retried call queues through the throttler again.
  // A webhook update must finish within ~10 s, so very long flood waits fail instead of hanging.
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));
}

/** The Telegram client of a process without a Bot (`mailbot remind run`): same transformers. */
export function createTelegramApi(
  token: string,
  options: { apiRoot?: string; throttle?: boolean } = {},
): Api {
  const api = new Api(token, options.apiRoot ? { apiRoot: options.apiRoot } : undefined);
  installApiTransformers(api, { throttle: options.throttle ?? true });
  return api;
}

/** Digests go out through `api` (throttled, retried on 429), counted for /metrics. */
export function digestSender(api: Api): SendFn {
  return async (chatId, text, keyboard) => {
    try {
      const sent = await api.sendMessage(chatId, text, keyboard ? { reply_markup: keyboard } : {});
      metrics.remindersSent.inc();
      return sent;
    } catch (error) {
      metrics.remindersFailed.inc();
      throw error;
    }
  };
}

/**
 * For the sweep when it sends through `digestSender`: the client's throttler already holds
 * Telegram's limits, so the sweep's own limiter must not make each digest wait a second time.
 */
export function noExtraThrottle(): RateLimiter {
  // Finite on purpose: the limiter's refill arithmetic turns Infinity × 0 into NaN.
  return new RateLimiter({ perSecond: 1e9, perChatIntervalMs: 0 });
}
