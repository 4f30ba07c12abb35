/**
 * /doimk — change a mailbox password, in the private chat only.
 *
 * The owner (or a unit mailbox's keeper) picks the mailbox (buttons when there are several) and
 * sends the new password in the next message. The bot deletes that message before anything else
 * looks at it (in `early`, ahead of the length limit and the logs), hands the text to
 * services.mailboxes.changePassword (profile rules + history, argon2id, clears must-change) and
 * confirms without echoing it. A refused password lists what is wrong; the person may retry.
 *
 * `/doimk quenmk` files a reset request for the support desk instead (the new temporary password
 * is then delivered privately by support.ts).
 *
 * In a group: a message that may carry a password ("/doimk <anything>", or the next message of
 * someone who just sent a bare /doimk there) is deleted at once and answered with a link to the
 * private chat (t.me/<bot>?start=doimk, which /start hands over to this command).
 */
import { Composer } from "grammy";
import { z } from "zod";
import type { BotContext, BotFeature } from "../src/bot/context.ts";
import { defineFlow } from "../src/bot/flows.ts";
import { COMMAND_DESCRIPTIONS, formatDateTime, formatDay, formatDeadline, t } from "../src/bot/i18n.ts";
import { dropButtons, keyboard } from "../src/bot/keyboards.ts";
import { describePasswordPolicy, MAX_PASSWORD_LENGTH } from "../src/policy/passwords.ts";
import { findProfile } from "../src/policy/profiles/index.ts";
import { isServiceError } from "../src/services/errors.ts";
import { staffActor, type MailboxView, type RequestView } from "../src/services/types.ts";
import { postToSupport } from "./shared/notify.ts";
import { fold, looksLikePasswordCommand } from "./shared/parse.ts";

/** Commands that still act while a password is awaited; any other "/…" text is the password. */
const FLOW_COMMANDS = /^\/(huy|doimk|start|help)(@\w+)?$/i;

/** How long a bare /doimk in a group makes the sender's next message there suspect. */
const GROUP_GUARD_SECONDS = 10 * 60;

const m = {
  link: (bot: string) =>
    `Không gửi mật khẩu trong nhóm. Tin nhắn vừa rồi đã bị xóa. Hãy đổi mật khẩu trong chat riêng với bot: https://t.me/${bot}?start=doimk`,
  groupHint: (bot: string) =>
    `Đổi mật khẩu chỉ làm trong chat riêng với bot: https://t.me/${bot}?start=doimk\nĐừng gửi mật khẩu vào nhóm này.`,
  noMailbox: () =>
    "Anh/chị chưa có hộp thư nào để đổi mật khẩu (hoặc hộp thư đang bị đình chỉ, thu hồi). Gõ /trangthai để xem tình trạng, /khoiphuc nếu hộp thư bị khóa.",
  pick: () => "Đổi mật khẩu cho hộp thư nào?",
  pickReset: () => "Đề nghị cấp lại mật khẩu cho hộp thư nào?",
  ask: (address: string, policy: string) =>
    `Đổi mật khẩu cho ${address}. Gửi mật khẩu mới trong tin nhắn tiếp theo. Tin nhắn đó sẽ bị xóa ngay.\nYêu cầu: ${policy}\n(gõ /huy để dừng)`,
  inlinePassword: () =>
    "Tin nhắn có mật khẩu đã bị xóa. Đừng gõ mật khẩu ngay sau lệnh: hãy gõ /doimk rồi gửi mật khẩu trong tin nhắn tiếp theo.",
  weak: (message: string) => `${message}\nGửi lại mật khẩu khác (hoặc gõ /huy để dừng).`,
  done: (address: string, at: Date, next: Date | null) =>
    `Đã đổi mật khẩu cho ${address} lúc ${formatDateTime(at)}.` +
    (next ? ` Lần đổi tiếp theo trước ${formatDay(next)}.` : ""),
  resetSent: (r: RequestView, operator: string) =>
    `Đã gửi yêu cầu cấp lại mật khẩu #${r.id} tới ${operator}.` +
    (r.dueAt ? ` Hạn xử lý: ${formatDeadline(r.dueAt)}.` : "") +
    " Mật khẩu tạm sẽ được gửi riêng cho anh/chị và tự xóa sau ít phút.",
  tooLong: () =>
    `Mật khẩu quá dài (tối đa ${MAX_PASSWORD_LENGTH} ký tự). Gửi lại mật khẩu khác (hoặc gõ /huy để dừng).`,
  buttonsOnly: () => "Hãy bấm chọn một hộp thư trong danh sách (hoặc gõ /huy).",
  stillLocked: (address: string) =>
    `Lưu ý: hộp thư ${address} đang bị tạm khóa. Đổi mật khẩu không mở khóa hộp thư; hộp thư vẫn khóa cho tới khi được khôi phục (/khoiphuc ${address}).`,
};

const Data = z.object({
  mode: z.enum(["change", "reset"]),
  address: z.string().optional(),
  choices: z.array(z.string()).max(20).optional(),
});
type Data = z.infer<typeof Data>;

/** Mailboxes whose password this person may set: owned or kept, not suspended or revoked. */
async function ownMailboxes(ctx: BotContext): Promise<MailboxView[]> {
  const me = ctx.staff;
  if (!me) return [];
  const all = await ctx.services.directory.mailboxesOfStaff(me.id);
  return all.filter(
    (mb) =>
      (mb.ownerStaffId === me.id || mb.keeperStaffId === me.id) &&
      mb.status !== "revoked" &&
      mb.status !== "suspended",
  );
}

function policySentence(mailbox: { profileId: string }): string {
  const profile = findProfile(mailbox.profileId);
  return profile ? describePasswordPolicy(profile, "user") : "";
}

async function askPassword(ctx: BotContext, data: Data, address: string, isStart: boolean): Promise<void> {
  const next = { ...data, address };
  if (isStart) await flow.start(ctx, "password", next);
  else await flow.goto(ctx, "password", next);
  const mailbox = await ctx.services.directory.findMailbox(address);
  const locked = mailbox?.status === "locked" ? `\n${m.stillLocked(address)}` : "";
  await ctx.reply(m.ask(address, mailbox ? policySentence(mailbox) : "") + locked);
}

async function fileReset(ctx: BotContext, address: string): Promise<void> {
  const me = ctx.staff;
  if (!me) return void (await ctx.reply(t.notLinked()));
  const request = await ctx.services.requests.createPasswordReset(
    { address, idempotencyKey: `doimk:${ctx.chat?.id}:${ctx.update.update_id}` },
    staffActor(me.id),
  );
  await ctx.flow.end();
  await postToSupport(ctx, request, me);
  await ctx.reply(m.resetSent(request, findProfile(request.profileId)?.operator.name ?? "bộ phận hỗ trợ"));
}

export const flow = defineFlow<Data, "pick" | "password">({
  id: "doimk",
  schema: Data,
  sensitive: true,
  steps: {
    async pick(ctx, data, input) {
      if (input.kind !== "button") {
        // Whatever was typed here may be a password typed too early: it is already deleted (early).
        return ctx.reply(m.buttonsOnly());
      }
      const address = (data.choices ?? [])[Number(input.value.replace(/^m/, ""))];
      if (!address) return ctx.reply(m.buttonsOnly());
      await dropButtons(ctx);
      if (data.mode === "reset") return fileReset(ctx, address);
      await askPassword(ctx, data, address, false);
    },

    async password(ctx, data, input) {
      if (input.kind !== "text" || !data.address) return;
      const me = ctx.staff;
      if (!me) return ctx.reply(t.notLinked());
      if (input.text.length > MAX_PASSWORD_LENGTH) return ctx.reply(m.tooLong());
      try {
        const result = await ctx.services.mailboxes.changePassword(
          { address: data.address, newPassword: input.text },
          staffActor(me.id),
        );
        await ctx.flow.end();
        const after = await ctx.services.directory.findMailbox(data.address);
        const locked = after?.status === "locked" ? `\n${m.stillLocked(data.address)}` : "";
        await ctx.reply(m.done(data.address, result.changedAt, result.nextChangeBy) + locked);
      } catch (error) {
        if (isServiceError(error) && (error.code === "weak_password" || error.code === "password_reused")) {
          await ctx.reply(m.weak(error.message));
          return;
        }
        throw error;
      }
    },
  },
});

async function startDoimk(ctx: BotContext, args: string): Promise<void> {
  const me = ctx.staff;
  if (!me) return void (await ctx.reply(t.notLinked()));
  const word = fold(args);
  if (word !== "" && word !== "quenmk") {
    // "/doimk <password>" in the private chat: the message is already deleted by `early`.
    await ctx.reply(m.inlinePassword());
    return;
  }
  const mode = word === "quenmk" ? "reset" : "change";
  const mailboxes = await ownMailboxes(ctx);
  if (mailboxes.length === 0) return void (await ctx.reply(m.noMailbox()));
  if (mailboxes.length === 1) {
    const only = (mailboxes[0] as MailboxView).address;
    if (mode === "reset") return fileReset(ctx, only);
    return askPassword(ctx, { mode }, only, true);
  }
  const choices = mailboxes.slice(0, 20).map((mb) => mb.address);
  await flow.start(ctx, "pick", { mode, choices });
  await ctx.reply(mode === "reset" ? m.pickReset() : m.pick(), {
    reply_markup: keyboard(choices.map((address, i) => [ctx.flow.button(address, `m${i}`)])),
  });
}

// ---------------------------------------------------------------------------------------------
// Before everything else: take passwords down wherever they should not be

const guardKey = (chatId: number, userId: number) => `doimkg:${chatId}:${userId}`;

export const early = new Composer<BotContext>();

early.on("message:text", async (ctx, next) => {
  const text = ctx.message.text;
  const bot = ctx.me.username;
  const isGroup = ctx.chat.type === "group" || ctx.chat.type === "supergroup";

  if (isGroup) {
    if (looksLikePasswordCommand(text)) {
      ctx.sensitive = true;
      await ctx.deleteMessage().catch(() => undefined);
      await ctx.reply(m.link(bot));
      return;
    }
    if (/^\/doimk(@\w+)?\s*$/i.test(text.trim())) {
      await ctx.services.chatState.setSession(
        guardKey(ctx.chat.id, ctx.from.id),
        { at: ctx.now().toISOString() },
        GROUP_GUARD_SECONDS,
      );
      await ctx.reply(m.groupHint(bot));
      return;
    }
    if (!text.startsWith("/")) {
      const key = guardKey(ctx.chat.id, ctx.from.id);
      if (await ctx.services.chatState.getSession(key)) {
        ctx.sensitive = true;
        await ctx.services.chatState.deleteSession(key);
        await ctx.deleteMessage().catch(() => undefined);
        await ctx.reply(m.link(bot));
        return;
      }
    }
    return next();
  }

  if (ctx.chat.type !== "private") return next();
  if (looksLikePasswordCommand(text)) {
    ctx.sensitive = true;
    await ctx.deleteMessage().catch(() => undefined);
    return next();
  }
  const state = await ctx.flow.current();
  if (state?.flow === flow.id && !ctx.flow.isExpired(state)) {
    if (!text.startsWith("/")) {
      // The password message goes first, before the length limit, the router or any log line.
      ctx.sensitive = true;
      await ctx.deleteMessage().catch(() => undefined);
    } else if (state.step === "password" && !FLOW_COMMANDS.test(text.trim())) {
      // "/abc!23Xy" while a password is awaited is a password, not an unknown command.
      ctx.sensitive = true;
      await ctx.deleteMessage().catch(() => undefined);
      await flow.dispatch(ctx, state, { kind: "text", text, messageId: ctx.message.message_id });
      return;
    }
  }
  if (/^\/start(@\w+)?\s+doimk\s*$/i.test(text)) {
    await startDoimk(ctx, "");
    return;
  }
  return next();
});

export const composer = new Composer<BotContext>();

composer.command("doimk", async (ctx) => {
  if (ctx.chat.type !== "private") return ctx.reply(m.groupHint(ctx.me.username));
  await startDoimk(ctx, ctx.match.trim());
});

export const feature: BotFeature = {
  name: "doimk",
  composer,
  early,
  flows: [flow as never],
  commands: [
    { command: "doimk", description: COMMAND_DESCRIPTIONS.doimk, audience: "linked", place: "private" },
  ],
};
