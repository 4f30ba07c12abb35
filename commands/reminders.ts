/**
 * The buttons under the reminder digests (src/reminders/digest.ts encodes them with
 * `reminderButton`, src/bot/keyboards.ts):
 *   rem:1:ans:<tracked message id>  "Đã xử lý": marks the message answered. The mailbox's owner or
 *                                   keeper, or a unit head over its unit, may press it; pressing
 *                                   it again says it is already done and changes nothing.
 *   rem:1:kp:<mailbox id>           "Khôi phục …": the /khoiphuc flow for that mailbox (same entry,
 *                                   same checks as the command).
 *   rem:1:req:<request id>          "Mở #id": the request, as /trangthai <id> shows it.
 * No command of its own.
 */
import { Composer } from "grammy";
import type { BotContext, BotFeature } from "../src/bot/context.ts";
import { onCallback, reminderButton } from "../src/bot/keyboards.ts";
import { ensureMay, refuse } from "../src/bot/middleware/require-role.ts";
import { rolesFor } from "../src/policy/permissions.ts";
import { staffActor } from "../src/services/types.ts";
import { startKhoiphuc } from "./khoiphuc.ts";
import { replyRequestStatus } from "./trangthai.ts";

/** Besides the owner and the keeper, who may mark a message of a mailbox as handled. */

const m = {
  noMessage: () => "Không còn thư này trong danh sách theo dõi trả lời.",
  noMailbox: () => "Không còn hộp thư này trong danh bạ. Hãy gõ /khoiphuc <địa chỉ hộp thư> nếu cần.",
  done: (address: string, subject: string | null) =>
    `Đã ghi nhận: thư ${subject ? `"${subject}"` : "(không có tiêu đề)"} gửi ${address} đã được xử lý. Bot sẽ không nhắc thư này nữa.`,
  doneShort: () => "Đã ghi nhận là đã xử lý.",
  already: () => "Thư này đã được ghi nhận là đã xử lý từ trước; không cần bấm lại.",
};

async function markHandled(ctx: BotContext, trackedId: number): Promise<unknown> {
  const me = ctx.staff;
  if (!me) return refuse(ctx, rolesFor("mailbox.mark_handled"));
  const message = await ctx.services.activity.trackedMessage(trackedId);
  if (!message) return ctx.answerCallbackQuery({ text: m.noMessage(), show_alert: true });
  if (!(await ensureMay(ctx, "mailbox.mark_handled", message))) return;
  if (message.answeredAt !== null) return ctx.answerCallbackQuery({ text: m.already() });
  // false = someone else marked it (or the feed reported the answer) a moment ago: same answer.
  if (!(await ctx.services.activity.markHandled(trackedId, staffActor(me.id)))) {
    return ctx.answerCallbackQuery({ text: m.already() });
  }
  await ctx.answerCallbackQuery({ text: m.doneShort() });
  return ctx.reply(m.done(message.address, message.subject));
}

export const composer = new Composer<BotContext>();

onCallback(composer, reminderButton, async (ctx, [action, id]) => {
  switch (action) {
    case "ans":
      return markHandled(ctx, id);
    case "kp": {
      await ctx.answerCallbackQuery();
      const mailbox = await ctx.services.directory.getMailbox(id);
      if (!mailbox) return ctx.reply(m.noMailbox());
      return startKhoiphuc(ctx, mailbox);
    }
    case "req":
      await ctx.answerCallbackQuery();
      return replyRequestStatus(ctx, id);
  }
});

export const feature: BotFeature = { name: "reminders", composer };
