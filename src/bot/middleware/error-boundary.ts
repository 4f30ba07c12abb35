/**
 * Turns a thrown `ServiceError` into its Vietnamese message (an expected refusal: "what is wrong,
 * what to do") and anything else into a generic apology plus an error log line. A button press
 * always gets its callback query answered, so the client's spinner stops.
 */
import { BotError, GrammyError, type Context } from "grammy";
import { isDatabaseUnavailable } from "../../db/unavailable.ts";
import { isServiceError } from "../../services/errors.ts";
import type { Logger } from "../../logger.ts";
import type { BotContext } from "../context.ts";
import { t } from "../i18n.ts";

/** Telegram's limit for callback query answers. */
const MAX_ALERT = 200;

export function describeUpdate(ctx: Context): Record<string, unknown> {
  const kind = Object.keys(ctx.update).find((key) => key !== "update_id");
  return { update_id: ctx.update.update_id, kind, chat_id: ctx.chat?.id, user_id: ctx.from?.id };
}

async function safely(log: Logger, what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    log.warn({ err: error }, `could not ${what}`);
  }
}

export async function replyWithError(ctx: BotContext, error: unknown): Promise<void> {
  const log = ctx.log;
  if (isServiceError(error)) {
    log.info({ code: error.code }, "service refused");
    const message = error.message;
    if (ctx.callbackQuery && !ctx.callbackAnswered) {
      await safely(log, "answer callback", () =>
        ctx.answerCallbackQuery({ text: message.slice(0, MAX_ALERT), show_alert: true }),
      );
      if (message.length <= MAX_ALERT) return;
    }
    if (ctx.chat) await safely(log, "reply", () => ctx.reply(message));
    return;
  }
  log.error({ err: error }, "unhandled error in a handler");
  if (ctx.callbackQuery && !ctx.callbackAnswered) {
    await safely(log, "answer callback", () =>
      ctx.answerCallbackQuery({ text: t.genericError().slice(0, MAX_ALERT), show_alert: true }),
    );
    return;
  }
  if (ctx.chat) await safely(log, "reply", () => ctx.reply(t.genericError()));
}

/**
 * For `bot.errorBoundary`. An unreachable database is not answered here: the error goes on to
 * the transport, which makes Telegram deliver the update again (see dedupe.ts).
 */
export async function errorBoundaryHandler(error: BotError<BotContext>): Promise<void> {
  if (isDatabaseUnavailable(error.error)) throw error.error;
  await replyWithError(error.ctx, error.error);
}

/** Last resort (`bot.catch`): errors outside the boundary (e.g. the database is down). */
export function botCatch(logger: Logger) {
  return (error: BotError<Context>): void => {
    const inner = error.error;
    logger.error(
      {
        ...describeUpdate(error.ctx),
        err: inner instanceof GrammyError ? { method: inner.method, description: inner.description } : inner,
      },
      "update failed outside the error boundary",
    );
  };
}
