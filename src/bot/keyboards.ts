/**
 * Inline keyboards: the grammY side of buttons (answering, routing, clearing). The callback data
 * codecs and the shared buttons are in src/lib/callbacks.ts (pure, also used by the reminders).
 */
import { Composer, InlineKeyboard } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { CallbackCodec, Field } from "../lib/callbacks.ts";
import type { BotContext } from "./context.ts";
import { t } from "./i18n.ts";

export {
  defineCallback,
  flowButton,
  MAX_CALLBACK_BYTES,
  REMINDER_ACTIONS,
  reminderButton,
  requestButton,
  resendButton,
  type CallbackCodec,
  type DecodeResult,
} from "../lib/callbacks.ts";

/** Answers a callback query with "button expired" (a short toast). */
export async function answerStale(ctx: BotContext): Promise<void> {
  await ctx.answerCallbackQuery({ text: t.staleButton(), show_alert: true });
}

/**
 * Registers a handler for one codec: valid data reaches `handler` with typed args; data of this
 * namespace that does not validate is answered as expired. The handler should answer the
 * callback query itself (or let `answerCallbackQuery` happen in the fallback).
 */
export function onCallback<A extends readonly Field[]>(
  composer: Composer<BotContext>,
  codec: CallbackCodec<A>,
  handler: (ctx: BotContext, args: A) => Promise<unknown>,
): void {
  composer.callbackQuery(codec.pattern, async (ctx) => {
    const decoded = codec.decode(ctx.callbackQuery.data);
    if (!decoded.ok) {
      await answerStale(ctx);
      return;
    }
    await handler(ctx, decoded.args);
  });
}

/** Clears the buttons of the message a button was pressed on, so it cannot be pressed again. */
export async function dropButtons(ctx: BotContext): Promise<void> {
  if (!ctx.callbackQuery?.message) return;
  await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
}

/** Rows of buttons → an inline keyboard. */
export function keyboard(rows: InlineKeyboardButton[][]): InlineKeyboard {
  return InlineKeyboard.from(rows);
}
