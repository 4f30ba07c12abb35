/**
 * Messages a command sends beyond its own reply: the support-desk card of a request, notes to a
 * requester, a unit head's endorsement question. Delivery failures (the person blocked the bot,
 * never opened a private chat) are logged and reported to the caller as `false`; they never undo
 * the state change that prompted them.
 */
import { GrammyError, InlineKeyboard } from "grammy";
import { workingTimeLeft } from "../../src/calendar/deadlines.ts";
import type { BotContext } from "../../src/bot/context.ts";
import { requestButton } from "../../src/bot/keyboards.ts";
import { ROLE_NAMES } from "../../src/bot/i18n.ts";
import type { RequestView, StaffView } from "../../src/services/types.ts";
import { supportCard } from "./format.ts";

type Markup = InlineKeyboard | { force_reply: true; selective?: boolean; input_field_placeholder?: string };

export interface SendOptions {
  reply_markup?: Markup;
  parse_mode?: "HTML";
}

/** Working days left until `dueAt` (negative when overdue), by the operator's calendar. */
export async function daysLeft(ctx: BotContext, dueAt: Date | null): Promise<number | null> {
  if (!dueAt) return null;
  const calendar = await ctx.services.calendar.get();
  return workingTimeLeft(calendar, ctx.now(), dueAt);
}

/** "văn thư" / "lãnh đạo đơn vị" … : the strongest role the person holds, for the support card. */
export function roleLabel(staff: StaffView | null): string {
  if (!staff) return "";
  for (const role of ["admin", "support", "unit_head", "clerk"] as const) {
    if (staff.roles.some((r) => r.role === role)) return ROLE_NAMES[role];
  }
  return ROLE_NAMES.staff;
}

export async function sendSafely(
  ctx: BotContext,
  chatId: number,
  text: string,
  options: SendOptions = {},
): Promise<{ chatId: number; messageId: number } | null> {
  try {
    const sent = await ctx.api.sendMessage(chatId, text, options);
    return { chatId, messageId: sent.message_id };
  } catch (error) {
    ctx.log.warn(
      {
        chat_id: chatId,
        err: error instanceof GrammyError ? { description: error.description } : String(error),
      },
      "message not delivered",
    );
    return null;
  }
}

/** The Telegram user id of a staff member, or null when they never linked their account. */
export async function telegramIdOf(ctx: BotContext, staffId: number | null): Promise<number | null> {
  if (staffId === null) return null;
  if (ctx.staff?.id === staffId) return ctx.staff.telegramUserId;
  const [found] = await ctx.services.directory.findStaff({ id: staffId, limit: 1 });
  return found?.telegramUserId ?? null;
}

/** A private message to a staff member; false when they cannot be reached. */
export async function sendToStaff(
  ctx: BotContext,
  staffId: number | null,
  text: string,
  options: SendOptions = {},
): Promise<boolean> {
  const chatId = await telegramIdOf(ctx, staffId);
  if (chatId === null) return false;
  return (await sendSafely(ctx, chatId, text, options)) !== null;
}

/** Tells the requester, unless the requester is the one pressing (they see the answer already). */
export async function tellRequester(
  ctx: BotContext,
  request: RequestView,
  text: string,
  options: SendOptions = {},
): Promise<void> {
  if (ctx.staff?.id === request.requesterStaffId && ctx.chat?.type === "private") return;
  await sendToStaff(ctx, request.requesterStaffId, text, options);
}

export function supportKeyboard(request: RequestView): InlineKeyboard {
  const row = [];
  if (request.state === "open") row.push(requestButton.button("Nhận xử lý", "take", request.id));
  row.push(
    requestButton.button("Duyệt", "approve", request.id),
    requestButton.button("Từ chối", "reject", request.id),
  );
  return InlineKeyboard.from([row]);
}

/** Posts the request to the support chat with its buttons; false when no support chat is set. */
export async function postToSupport(
  ctx: BotContext,
  request: RequestView,
  requester: StaffView | null,
): Promise<boolean> {
  const chatId = ctx.config.supportChatId;
  if (chatId === undefined) {
    ctx.log.warn(
      { request_id: request.id },
      "SUPPORT_CHAT_ID is not set: request not posted to the support desk",
    );
    return false;
  }
  const text = supportCard(request, await daysLeft(ctx, request.dueAt), roleLabel(requester));
  return (await sendSafely(ctx, chatId, text, { reply_markup: supportKeyboard(request) })) !== null;
}

/** The support card of a request as a reply in this chat, with the card's buttons (/hangdoi, /trangthai #id). */
export async function replyWithCard(ctx: BotContext, request: RequestView): Promise<void> {
  const [requester] = await ctx.services.directory.findStaff({ id: request.requesterStaffId });
  const text = supportCard(request, await daysLeft(ctx, request.dueAt), roleLabel(requester ?? null));
  await ctx.reply(text, { reply_markup: supportKeyboard(request) });
}
