/**
 * The buttons under the reminder digests (src/reminders/digest.ts encodes them with
 * `reminderButton`, src/bot/keyboards.ts):
 *   rem:1:ans:<tracked message id>  "Đã xử lý": marks the message answered. The mailbox's owner or
 *                                   keeper, or a unit head over its unit, may press it; pressing
 *                                   it again says it is already done and changes nothing.
 *   rem:1:kp:<mailbox id>           "Khôi phục …": the /khoiphuc flow for that mailbox (same entry,
 *                                   same checks as the command).
 *   rem:1:req:<request id>          "Mở #id": the request, as /trangthai <id> shows it.
 *   rem:1:pt:<tracked message id>   "Nhắc cán bộ …" under a manager's digest: sends the person who
 *   rem:1:pm:<mailbox id>           must act (keeper of a unit mailbox, else the owner) a reminder
 *                                   now, naming who asked; once per item per day (a second press
 *                                   says so), audited. Unit heads over the mailbox's unit only.
 * "Đã xử lý" pressed by someone else than that person also stops that person's reminder about
 * the message (it is answered): the reply says so and whose reminder stops, and points to
 * "Nhắc cán bộ" for only reminding them.
 * No command of its own.
 */
import { Composer } from "grammy";
import type { BotContext, BotFeature } from "../src/bot/context.ts";
import { onCallback, reminderButton } from "../src/bot/keyboards.ts";
import { ensureMay, refuse } from "../src/bot/middleware/require-role.ts";
import { rolesFor } from "../src/policy/permissions.ts";
import { REPLY_BUTTON_TEXT, replyRenderer } from "../src/reminders/rules/reply.ts";
import type { PingAbout, PingView } from "../src/services/index.ts";
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
  doneForOther: (person: string) =>
    `${person} cũng sẽ không còn được nhắc thư này. Nếu chỉ muốn nhắc ${person} trả lời, hãy bấm "Nhắc cán bộ" thay vì "Đã xử lý".`,
  pingNoItem: () => "Không còn mục này (thư hoặc hộp thư đã bị xóa khỏi danh sách theo dõi).",
  pingAnswered: () => "Thư này đã được trả lời hoặc ghi nhận là đã xử lý; không cần nhắc nữa.",
  pingNobody: (address: string) =>
    `Hộp thư ${address} chưa có người phụ trách trong danh bạ, nên không có ai để nhắc. Hãy báo bộ phận hỗ trợ gán chủ hộp thư.`,
  pingUnlinked: (person: string, address: string) =>
    `${person} (${address}) chưa liên kết Telegram với bot, nên bot không nhắn được. Hãy nhắc trực tiếp và đề nghị ${person} gõ /start để liên kết.`,
  pingSelf: () => "Đây là hộp thư anh/chị phụ trách; nhắc việc đã gửi cho chính anh/chị.",
  pingSent: (person: string) => `Đã nhắc ${person}.`,
  pingSentLong: (person: string, address: string) =>
    `Đã gửi nhắc việc cho ${person} (${address}). Bấm lại trong hôm nay sẽ không gửi thêm.`,
  pingAlready: (person: string) =>
    `Hôm nay ${person} đã được nhắc về mục này rồi; bot không gửi thêm để tránh làm phiền.`,
  pingFailed: (person: string) =>
    `Không gửi được nhắc việc cho ${person} lúc này (Telegram báo lỗi). Hãy thử lại sau ít phút hoặc nhắc trực tiếp.`,
  pingText: (from: string, address: string, lines: readonly string[]) =>
    [
      `🔔 ${from} nhắc anh/chị về hộp thư ${address}:`,
      ...lines.map((line) => `  • ${line}`),
      "Hãy xử lý sớm; khi xong, bấm nút bên dưới (nếu có) hoặc trả lời thư như thường lệ.",
    ].join("\n"),
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
  const forOther = message.personName !== null && message.personStaffId !== me.id;
  return ctx.reply(
    forOther
      ? `${m.done(message.address, message.subject)} ${m.doneForOther(message.personName as string)}`
      : m.done(message.address, message.subject),
  );
}

/** What the ping says: the presser's own digest lines about it, else a line built from the item. */
async function pingLines(ctx: BotContext, view: PingView): Promise<string[]> {
  if (view.facts.length > 0) {
    // Reply claims store the fact: rendered as the digest renders it, at this moment.
    const render = replyRenderer({ now: ctx.now(), calendar: await ctx.services.calendar.get() });
    const rendered = view.facts.map((fact) => render(fact)?.line).filter((l): l is string => l !== undefined);
    const lines = [...new Set([...view.lines, ...rendered])];
    if (lines.length > 0) return lines;
  }
  if (view.lines.length > 0) return view.lines;
  if (view.message) {
    const subject = view.message.subject ? `"${view.message.subject}"` : "(không có tiêu đề)";
    return [`Thư ${subject} từ ${view.message.sender} chưa được trả lời.`];
  }
  return ["Có việc cần xử lý với hộp thư này (xem nhắc việc của bot)."];
}

async function pingPerson(ctx: BotContext, about: PingAbout): Promise<unknown> {
  const me = ctx.staff;
  if (!me) return refuse(ctx, rolesFor("mailbox.ping_person"));
  const view = await ctx.services.activity.pingView(about, ctx.from?.id ?? 0);
  if (!view) return ctx.answerCallbackQuery({ text: m.pingNoItem(), show_alert: true });
  if (!(await ensureMay(ctx, "mailbox.ping_person", view))) return;
  if (view.message?.answeredAt) return ctx.answerCallbackQuery({ text: m.pingAnswered(), show_alert: true });
  const person = view.person;
  if (!person) return ctx.answerCallbackQuery({ text: m.pingNobody(view.address), show_alert: true });
  if (person.staffId === me.id) return ctx.answerCallbackQuery({ text: m.pingSelf(), show_alert: true });
  if (person.chatId === null) {
    return ctx.answerCallbackQuery({ text: m.pingUnlinked(person.name, view.address), show_alert: true });
  }
  const text = m.pingText(`${me.fullName} (${me.unitName})`, view.address, await pingLines(ctx, view));
  const keyboard =
    about.kind === "message"
      ? { inline_keyboard: [[reminderButton.button(REPLY_BUTTON_TEXT, "ans", about.trackedId)]] }
      : undefined;
  let outcome: "sent" | "already";
  try {
    outcome = await ctx.services.activity.ping(view, staffActor(me.id), (chatId) =>
      ctx.api.sendMessage(chatId, text, keyboard ? { reply_markup: keyboard } : {}),
    );
  } catch (error) {
    ctx.log.warn({ err: error, target: view.target }, "ping failed");
    return ctx.answerCallbackQuery({ text: m.pingFailed(person.name), show_alert: true });
  }
  if (outcome === "already") return ctx.answerCallbackQuery({ text: m.pingAlready(person.name) });
  await ctx.answerCallbackQuery({ text: m.pingSent(person.name) });
  return ctx.reply(m.pingSentLong(person.name, view.address));
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
    case "pt":
      return pingPerson(ctx, { kind: "message", trackedId: id });
    case "pm":
      return pingPerson(ctx, { kind: "mailbox", mailboxId: id });
  }
});

export const feature: BotFeature = { name: "reminders", composer };
