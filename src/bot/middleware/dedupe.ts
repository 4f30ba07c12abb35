/**
 * Each update is handled once, even with two instances behind one webhook or when Telegram
 * re-sends an update after a slow answer: the first to insert its update_id into
 * processed_updates handles it, everyone else drops it.
 *
 * The claim comes first, before any effect. An update that crashes half-way is therefore not
 * retried by a re-delivery; that is the safe side here (services are one transaction each, so
 * "half-way" means "the reply failed", never "half a state change"), and graceful shutdown
 * waits for in-flight updates so a stop does not drop any.
 */
import type { MiddlewareFn } from "grammy";
import type { BotContext, BotServices } from "../context.ts";

export function dedupe(services: BotServices): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const claimed = await services.chatState.claimUpdate(ctx.update.update_id);
    if (!claimed) {
      ctx.log.info("duplicate update ignored");
      return;
    }
    await next();
  };
}
