/**
 * Webhook mode: Telegram posts updates to the path of WEBHOOK_URL on the process's one HTTP
 * server (src/http/server.ts checks the secret header and the body size there). This module
 * only knows the path and registers the webhook with Telegram.
 */
import type { Bot } from "grammy";
import type { BotContext } from "../context.ts";
import { ALLOWED_UPDATES } from "./polling.ts";

export function webhookPathOf(url: string | undefined): string {
  if (!url) return "/telegram";
  const path = new URL(url).pathname;
  return path === "" || path === "/" ? "/telegram" : path;
}

/** Tells Telegram where to post, with the secret it must send back on every call. */
export async function registerWebhook(bot: Bot<BotContext>, url: string, secret: string): Promise<void> {
  await bot.api.setWebhook(url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] });
}
