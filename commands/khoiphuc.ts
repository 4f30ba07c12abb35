/**
 * /khoiphuc <address> — ask to restore a locked mailbox. The owner, the keeper, a unit head or
 * clerk of the mailbox's unit, or the support desk may ask; anyone else learns nothing about the
 * mailbox. The bot explains the lock (since when, why, which article; mail still arrives) and
 * asks [Gửi] [Hủy]; on [Gửi] the services file the request (and refuse it when the mailbox is
 * not locked, revoked, or past its removal date) and the support desk gets the card.
 */
import { Composer } from "grammy";
import { z } from "zod";
import type { BotContext, BotFeature } from "../src/bot/context.ts";
import { defineFlow } from "../src/bot/flows.ts";
import { COMMAND_DESCRIPTIONS, formatDay, formatDeadline, t } from "../src/bot/i18n.ts";
import { dropButtons, keyboard } from "../src/bot/keyboards.ts";
import { mayActOnMailbox } from "../src/bot/middleware/require-role.ts";
import { findProfile } from "../src/policy/profiles/index.ts";
import { REQUEST_STATE_PHRASES as STATE_PHRASE } from "../src/policy/vocabulary.ts";
import { staffActor, type MailboxView, type RequestView } from "../src/services/types.ts";
import { lockText } from "./shared/format.ts";
import { postToSupport } from "./shared/notify.ts";
import { parseAddress, tooLong } from "./shared/parse.ts";
import { operatorLockRefusal } from "../src/services/mailboxes.ts";

const m = {
  usage: () => "Cú pháp: /khoiphuc <địa chỉ hộp thư>, ví dụ: /khoiphuc nguyenvana@phuyen.gov.vn",
  /** The same for "no such mailbox" and "not yours": nobody learns which addresses exist. */
  notFound: (a: string) =>
    `Không tìm thấy hộp thư ${a} trong số hộp thư anh/chị được đề nghị khôi phục (của mình, hộp thư đơn vị mình giữ, hoặc với Thủ trưởng, văn thư: hộp thư trong đơn vị mình). Kiểm tra lại địa chỉ, hoặc liên hệ bộ phận hỗ trợ.`,
  pickOwn: () => "Hộp thư nào cần khôi phục?",
  noneLocked: () =>
    "Anh/chị không có hộp thư nào đang bị khóa. Nếu cần khôi phục hộp thư khác, gõ /khoiphuc <địa chỉ hộp thư>.",
  alreadyOpen: (r: RequestView) =>
    `Hộp thư ${r.address ?? ""} đã có yêu cầu khôi phục #${r.id} ${STATE_PHRASE[r.state]}` +
    (r.dueAt ? ` (hạn ${formatDeadline(r.dueAt)})` : "") +
    `; không cần gửi thêm. Dùng /trangthai ${r.id} để theo dõi.`,
  active: (a: string) =>
    `Hộp thư ${a} đang hoạt động bình thường, không cần khôi phục. Nếu quên mật khẩu, hãy dùng /doimk quenmk trong chat riêng với bot.`,
  revoked: (a: string) =>
    `Hộp thư ${a} đã bị thu hồi nên không thể khôi phục. Nếu người dùng vẫn cần hộp thư, hãy gửi yêu cầu cấp mới (/capmoi).`,
  sendLocked: (a: string) =>
    `Hộp thư ${a} đang bị khóa chiều gửi do người dùng nghỉ việc hoặc chuyển công tác; không khôi phục qua lệnh này. Hãy liên hệ bộ phận hỗ trợ.`,
  pastRemoval: (a: string, d: Date) =>
    `Hộp thư ${a} đã quá hạn đề nghị mở lại (hạn cuối ${formatDay(d)}) và sẽ bị xóa. Hãy gửi yêu cầu cấp mới (/capmoi).`,
  locked: (mb: MailboxView, explanation: string, operator: string) =>
    `Hộp thư ${mb.address} ${explanation}. Thư đến vẫn được nhận.\nGửi yêu cầu khôi phục tới ${operator}?`,
  suspended: (mb: MailboxView, operator: string) =>
    `Hộp thư ${mb.address} đang bị đình chỉ do không hoạt động` +
    (mb.removeAfter ? ` và sẽ bị xóa sau ${formatDay(mb.removeAfter)} nếu không được mở lại` : "") +
    `.\nGửi yêu cầu khôi phục tới ${operator}?`,
  sent: (r: RequestView, operator: string, days: number | null) =>
    `Đã gửi yêu cầu #${r.id}. ${operator} xác minh và kích hoạt` +
    (days ? ` trong ${String(days).padStart(2, "0")} ngày làm việc` : "") +
    (r.dueAt ? ` (hạn ${formatDeadline(r.dueAt)})` : "") +
    ". Sau khi kích hoạt, anh/chị phải đổi mật khẩu ở lần đăng nhập đầu.",
  cancelled: () => "Đã hủy. Chưa có yêu cầu nào được gửi.",
};

const Data = z.object({
  address: z.string(),
  choices: z.array(z.number().int().positive()).max(10).optional(),
});
type Data = z.infer<typeof Data>;

function mayAsk(ctx: BotContext, mailbox: MailboxView): Promise<boolean> {
  return mayActOnMailbox(ctx, mailbox, "mailbox.restore");
}

export const flow = defineFlow<Data, "confirm" | "pick">({
  id: "khoiphuc",
  schema: Data,
  steps: {
    async pick(ctx, data, input) {
      if (input.kind !== "button") return ctx.reply("Hãy bấm một hộp thư (hoặc gõ /huy).");
      const id = Number(input.value.replace(/^m/, ""));
      if (!(data.choices ?? []).includes(id)) return;
      await dropButtons(ctx);
      await ctx.flow.end();
      const mailbox = await ctx.services.directory.getMailbox(id);
      if (!mailbox) return ctx.reply(m.noneLocked());
      return startKhoiphuc(ctx, mailbox);
    },

    async confirm(ctx, data, input) {
      if (input.kind !== "button") return ctx.reply("Hãy bấm Gửi hoặc Hủy (hoặc gõ /huy).");
      await dropButtons(ctx);
      await ctx.flow.end();
      if (input.value !== "send") return ctx.reply(m.cancelled());
      const me = ctx.staff;
      if (!me) return ctx.reply(t.notLinked());
      const state = `${ctx.chat?.id}:${ctx.from?.id}:${ctx.callbackQuery?.message?.message_id ?? ctx.update.update_id}`;
      const request = await ctx.services.requests.createKhoiphuc(
        { address: data.address, idempotencyKey: `khoiphuc:${state}` },
        staffActor(me.id),
      );
      const profile = findProfile(request.profileId);
      await postToSupport(ctx, request, me);
      await ctx.reply(
        m.sent(
          request,
          profile?.operator.name ?? "Bộ phận hỗ trợ",
          profile?.serviceLevels.restoreWorkingDays ?? null,
        ),
      );
    },
  },
});

export const composer = new Composer<BotContext>();

composer.command("khoiphuc", async (ctx) => {
  if (!ctx.staff) return ctx.reply(t.notLinked());
  const args = ctx.match.trim();
  if (!args) return offerOwnLocked(ctx);
  const long = tooLong(args, 300);
  if (long) return ctx.reply(long);
  const address = parseAddress(await withDomain(ctx, args));
  if (!address.ok) return ctx.reply(`${address.error}\n${m.usage()}`);
  const mailbox = await ctx.services.directory.findMailbox(address.value);
  // Same answer for "no such mailbox" and "not yours": nobody probes the directory this way.
  if (!mailbox || !(await mayAsk(ctx, mailbox))) return ctx.reply(m.notFound(address.value));
  return startKhoiphuc(ctx, mailbox);
});

/** A bare local part ("hovantai") is read in the domain of the caller's profile. */
async function withDomain(ctx: BotContext, typed: string): Promise<string> {
  if (typed.includes("@") || !ctx.staff) return typed;
  const unit = await ctx.services.directory.getUnit(ctx.staff.unitId);
  const domain = unit ? findProfile(unit.profileId)?.domain : undefined;
  return domain ? `${typed}@${domain}` : typed;
}

/** No argument: the person's own locked or suspended mailboxes as buttons. */
async function offerOwnLocked(ctx: BotContext): Promise<unknown> {
  const me = ctx.staff;
  if (!me) return ctx.reply(t.notLinked());
  const locked = (await ctx.services.directory.mailboxesOfStaff(me.id)).filter(
    (mb) => mb.status === "locked" || mb.status === "suspended",
  );
  if (locked.length === 0) return ctx.reply(`${m.noneLocked()}\n${m.usage()}`);
  if (locked.length === 1) return startKhoiphuc(ctx, locked[0] as MailboxView);
  await flow.start(ctx, "pick", { address: "", choices: locked.slice(0, 10).map((mb) => mb.id) });
  const rows = locked.slice(0, 10).map((mb) => [ctx.flow.button(mb.address, `m${mb.id}`)]);
  return ctx.reply(m.pickOwn(), { reply_markup: keyboard(rows) });
}

/**
 * The entry of the /khoiphuc flow once the mailbox is known: who may ask, what its state allows,
 * the explanation and [Gửi] [Hủy]. Also the "Khôi phục" button of the reminder digests.
 */
export async function startKhoiphuc(ctx: BotContext, mailbox: MailboxView): Promise<unknown> {
  if (!ctx.staff) return ctx.reply(t.notLinked());
  if (!(await mayAsk(ctx, mailbox))) return ctx.reply(m.notFound(mailbox.address));
  // A second /khoiphuc for the same mailbox: said at once, before any confirmation.
  const open = await ctx.services.requests.openRequestFor(mailbox.id, "khoiphuc");
  if (open) return ctx.reply(m.alreadyOpen(open));
  const profile = findProfile(mailbox.profileId);
  const operator = profile?.operator.name ?? "bộ phận hỗ trợ";
  // An operator's security lock is lifted by the operator only: said at once, no request.
  const operatorLock = operatorLockRefusal(mailbox);
  if (operatorLock) return ctx.reply(operatorLock.message);
  switch (mailbox.status) {
    case "active":
      return ctx.reply(m.active(mailbox.address));
    case "revoked":
      return ctx.reply(m.revoked(mailbox.address));
    case "send_locked":
      return ctx.reply(m.sendLocked(mailbox.address));
    case "suspended":
      if (mailbox.removeAfter && mailbox.removeAfter.getTime() < ctx.now().getTime()) {
        return ctx.reply(m.pastRemoval(mailbox.address, mailbox.removeAfter));
      }
      break;
    case "locked":
      break;
  }
  await flow.start(ctx, "confirm", { address: mailbox.address });
  const text =
    mailbox.status === "locked" && profile
      ? m.locked(mailbox, lockText(mailbox, profile), operator)
      : m.suspended(mailbox, operator);
  return ctx.reply(text, {
    reply_markup: keyboard([[ctx.flow.button("Gửi", "send"), ctx.flow.button("Hủy", "cancel")]]),
  });
}

export const feature: BotFeature = {
  name: "khoiphuc",
  composer,
  flows: [flow as never],
  commands: [
    { command: "khoiphuc", description: COMMAND_DESCRIPTIONS.khoiphuc, audience: "linked", place: "any" },
  ],
};
