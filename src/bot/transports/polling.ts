/**
 * Long polling through @grammyjs/runner (concurrent handling; per-chat order is kept by the
 * `sequentialize` in createBot). Only one polling process may run per token (Telegram answers a
 * second one with 409): several instances means webhook mode.
 */
import { run, type RunnerHandle } from "@grammyjs/runner";
import type { Bot } from "grammy";
import type { Logger } from "../../logger.ts";
import type { BotContext } from "../context.ts";
import { drain } from "../create-bot.ts";

export const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;

export interface PollingHandle {
  /** Stops fetching, then waits for every update already being handled. */
  stop(): Promise<void>;
  /** Resolves when the runner stops (or rejects when it crashes). */
  done: Promise<void>;
}

export async function startPolling(bot: Bot<BotContext>, logger: Logger): Promise<PollingHandle> {
  await bot.init();
  // A webhook left over from webhook mode would make getUpdates fail with 409.
  await bot.api.deleteWebhook({ drop_pending_updates: false });
  const handle: RunnerHandle = run(bot, {
    runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } },
  });
  logger.info({ username: bot.botInfo.username }, "long polling started");
  return {
    async stop() {
      if (handle.isRunning()) await handle.stop();
      await drain(bot);
      logger.info("long polling stopped");
    },
    done: handle.task() ?? Promise.resolve(),
  };
}
