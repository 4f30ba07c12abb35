/**
 * Buttons on requests (`rq:1:<action>:<id>`): the support desk's [Nhận xử lý] [Duyệt] [Từ chối]
 * on the cards in the support chat, and a unit head's [Đồng ý] [Từ chối] on a staff member's own
 * /capmoi. Every press checks the presser's role on the request's unit first; without it the
 * answer is a toast and nothing changes. A second press of a spent button is refused by the
 * service's state machine (the toast says why) and changes nothing.
 *
 * Approval delivers the temporary password ONCE, privately, to the mailbox owner (or keeper, or
 * the requester when the owner has not linked an account: the services decide), never to the
 * support chat; that message is deleted after PASSWORD_MESSAGE_TTL_MINUTES by the deletion
 * runner, which keeps its queue in the database (services.messageDeletions) so a restart does
 * not forget it.
 */
import { Composer, GrammyError, type Api } from "grammy";
import { z } from "zod";
import type { BotContext, BotFeature, BotServices } from "../src/bot/context.ts";
import { defineFlow } from "../src/bot/flows.ts";
import { escapeHtml, formatDateTime, formatDeadline, REQUEST_STATE_NAMES } from "../src/bot/i18n.ts";
import { keyboard, onCallback, requestButton, resendButton } from "../src/bot/keyboards.ts";
import { ensureMay, refuse } from "../src/bot/middleware/require-role.ts";
import { rolesFor, type Action } from "../src/policy/permissions.ts";
import type { Logger } from "../src/logger.ts";
import { findProfile } from "../src/policy/profiles/index.ts";
import type { ApproveResult } from "../src/services/requests/index.ts";
import { staffActor, type RequestView } from "../src/services/types.ts";
import { isOpenState, requestTitle, supportCard } from "./shared/format.ts";
import {
  daysLeft,
  postToSupport,
  roleLabel,
  sendSafely,
  sendToStaff,
  supportKeyboard,
  telegramIdOf,
  tellRequester,
} from "./shared/notify.ts";
import { parseReason } from "./shared/parse.ts";

const MAX_ALERT = 200;

const m = {
  notFound: (id: number) => `Không còn yêu cầu #${id}. Nút này đã hết hạn.`,
  closed: (r: RequestView) => `Yêu cầu #${r.id} ${REQUEST_STATE_NAMES[r.state]}; không còn thao tác được.`,
  notPending: (r: RequestView) =>
    `Yêu cầu #${r.id} không còn chờ xác nhận (${REQUEST_STATE_NAMES[r.state]}).`,
  taken: (r: RequestView) => `Anh/chị đã nhận xử lý yêu cầu #${r.id}.`,
  takenForRequester: (r: RequestView) =>
    `Yêu cầu #${r.id} đang được ${r.assigneeName ?? "bộ phận hỗ trợ"} xử lý.${r.dueAt ? ` Hạn: ${formatDeadline(r.dueAt)}.` : ""}`,
  endorsedCard: (r: RequestView, by: string, at: Date) =>
    `✅ Đã xác nhận yêu cầu #${r.id} (${r.address ?? ""}) — ${by}, ${formatDateTime(at)}. Yêu cầu đã chuyển bộ phận hỗ trợ.`,
  endorsedForRequester: (r: RequestView, by: string) =>
    `Yêu cầu #${r.id} (${r.address ?? ""}) đã được ${by} xác nhận và chuyển tới bộ phận hỗ trợ.` +
    (r.dueAt ? ` Hạn xử lý: ${formatDeadline(r.dueAt)}.` : ""),
  approvedCard: (r: RequestView, by: string, at: Date, delivered: boolean) =>
    `${requestTitle(r)}\n✅ #${r.id} đã duyệt bởi ${by} lúc ${formatDateTime(at)}. ` +
    (delivered
      ? "Mật khẩu tạm đã gửi riêng cho người dùng."
      : "⚠️ Chưa gửi được mật khẩu tạm cho người dùng (chưa liên kết bot hoặc đã chặn bot): người dùng cần đề nghị cấp lại mật khẩu bằng /doimk quenmk."),
  rejectedCard: (r: RequestView, by: string, at: Date) =>
    `${requestTitle(r)}\n❌ #${r.id} bị từ chối bởi ${by} lúc ${formatDateTime(at)}. Lý do: ${r.reason ?? ""}`,
  approvedForRequester: (r: RequestView) =>
    `Yêu cầu #${r.id} đã được duyệt: ${r.resolution ?? ""}.` +
    " Mật khẩu tạm được gửi riêng cho người dùng hộp thư và sẽ tự xóa sau ít phút.",
  rejectedForRequester: (r: RequestView) =>
    `Yêu cầu #${r.id} (${r.address ?? r.subjectName ?? ""}) đã bị từ chối. Lý do: ${r.reason ?? ""}\n` +
    "Nếu cần, hãy sửa thông tin và gửi yêu cầu mới.",
  askReason: (r: RequestView) =>
    `Lý do từ chối yêu cầu #${r.id}? Gửi lý do trong tin nhắn tiếp theo (trả lời tin nhắn này), hoặc gõ /huy để thôi.`,
  rejectDone: (r: RequestView) => `Đã từ chối yêu cầu #${r.id}; người yêu cầu đã được báo.`,
  approveDone: (r: RequestView) => `Đã duyệt #${r.id}.`,
  endorseDone: (r: RequestView) => `Đã xác nhận #${r.id}.`,
};

/** The private message with a temporary password: the only place it is ever shown. */
export function temporaryPasswordMessage(result: ApproveResult, ttlMinutes: number): string {
  const { request, mailbox } = result;
  const password = result.temporaryPassword?.password ?? "";
  const profile = findProfile(request.profileId);
  const hours = profile?.passwords.tempPasswordHours ?? 72;
  const what =
    request.kind === "capmoi"
      ? `Hộp thư ${mailbox.address} đã được cấp.`
      : request.kind === "khoiphuc"
        ? `Hộp thư ${mailbox.address} đã được khôi phục.`
        : `Đã cấp lại mật khẩu cho hộp thư ${mailbox.address}.`;
  const until = result.temporaryPassword
    ? ` (hạn ${hours} giờ, đến ${formatDateTime(result.temporaryPassword.expiresAt)})`
    : ` (hạn ${hours} giờ)`;
  return (
    `${escapeHtml(what)} Mật khẩu tạm: <code>${escapeHtml(password)}</code>\n` +
    `Đổi mật khẩu ngay ở lần đăng nhập đầu tiên${until}; quá hạn, mật khẩu tạm hết hiệu lực. ` +
    `Tin nhắn này sẽ tự xóa sau ${ttlMinutes} phút.`
  );
}

/** Sends the temporary password privately and schedules its deletion; false when not delivered. */
async function deliverTemporaryPassword(ctx: BotContext, result: ApproveResult): Promise<boolean> {
  const target = result.temporaryPassword;
  if (!target) return false;
  const chatId = await telegramIdOf(ctx, target.deliverToStaffId);
  // A private chat's id is the user's id (> 0); never a group, whatever the data says.
  if (chatId === null || chatId <= 0 || chatId === ctx.config.supportChatId) return false;
  const ttl = ctx.config.passwordMessageTtlMinutes;
  const sent = await sendSafely(ctx, chatId, temporaryPasswordMessage(result, ttl), { parse_mode: "HTML" });
  if (!sent) return false;
  await ctx.services.messageDeletions.schedule({
    chatId,
    messageId: sent.messageId,
    deleteAt: new Date(ctx.now().getTime() + ttl * 60_000),
  });
  return true;
}

async function editCard(
  ctx: BotContext,
  chatId: number | undefined,
  messageId: number | undefined,
  text: string,
  keep?: RequestView,
) {
  if (chatId === undefined || messageId === undefined) return;
  try {
    await ctx.api.editMessageText(
      chatId,
      messageId,
      text,
      keep ? { reply_markup: supportKeyboard(keep) } : { reply_markup: undefined },
    );
  } catch (error) {
    ctx.log.warn(
      { err: error instanceof GrammyError ? error.description : String(error) },
      "could not edit the request card",
    );
  }
}

async function toast(ctx: BotContext, text: string): Promise<void> {
  await ctx.answerCallbackQuery({ text: text.slice(0, MAX_ALERT), show_alert: text.length > 60 });
}

/** The presser's role on the request's unit, or a refusal toast; the state is checked by the service. */
function allowed(ctx: BotContext, action: Action, request: RequestView): Promise<boolean> {
  return ensureMay(ctx, action, { unitId: request.unitId });
}

// ---------------------------------------------------------------------------------------------
// The rejection reason: the presser's next message in that chat

const RejectData = z.object({
  requestId: z.number().int().positive(),
  cardChatId: z.number().int().optional(),
  cardMessageId: z.number().int().positive().optional(),
  asHead: z.boolean(),
});
type RejectData = z.infer<typeof RejectData>;

export const rejectFlow = defineFlow<RejectData, "reason">({
  id: "reject",
  schema: RejectData,
  steps: {
    async reason(ctx, data, input) {
      if (input.kind !== "text") return;
      const reason = parseReason(input.text);
      if (!reason.ok) return ctx.reply(reason.error);
      const me = ctx.staff;
      if (!me) return refuse(ctx, rolesFor("request.handle"));
      const request = data.asHead
        ? await ctx.services.requests.declineEndorsement(data.requestId, reason.value, staffActor(me.id))
        : await ctx.services.requests.reject(data.requestId, reason.value, staffActor(me.id));
      await ctx.flow.end();
      const at = ctx.now();
      await editCard(ctx, data.cardChatId, data.cardMessageId, m.rejectedCard(request, me.fullName, at));
      await tellRequester(ctx, request, m.rejectedForRequester(request), resendMarkup(request));
      await ctx.reply(m.rejectDone(request));
    },
  },
});

/** A rejected /capmoi can be sent again by its requester, with its data filled in. */
function resendMarkup(request: RequestView) {
  return request.kind === "capmoi"
    ? { reply_markup: keyboard([[resendButton.button("Gửi lại (sửa thông tin)", request.id)]]) }
    : {};
}

// ---------------------------------------------------------------------------------------------
// Buttons

export const composer = new Composer<BotContext>();

onCallback(composer, requestButton, async (ctx, [action, id]) => {
  const request = await ctx.services.requests.get(id);
  if (!request) return toast(ctx, m.notFound(id));
  const me = ctx.staff;
  if (!me) return refuse(ctx, rolesFor("request.handle"));
  const card = ctx.callbackQuery?.message;
  const actor = staffActor(me.id);

  if (action === "endorse") {
    if (!(await allowed(ctx, "request.endorse", request))) return;
    if (request.state !== "pending_endorsement") return toast(ctx, m.notPending(request));
    const endorsed = await ctx.services.requests.endorse(id, actor);
    await toast(ctx, m.endorseDone(endorsed));
    await editCard(ctx, card?.chat.id, card?.message_id, m.endorsedCard(endorsed, me.fullName, ctx.now()));
    await postToSupport(ctx, endorsed, null);
    await sendToStaff(ctx, endorsed.requesterStaffId, m.endorsedForRequester(endorsed, me.fullName));
    return;
  }

  if (action === "reject") {
    const asHead = request.state === "pending_endorsement";
    if (!(await allowed(ctx, asHead ? "request.endorse" : "request.handle", request))) return;
    if (!isOpenState(request.state)) return toast(ctx, m.closed(request));
    await rejectFlow.start(ctx, "reason", {
      requestId: id,
      ...(card ? { cardChatId: card.chat.id, cardMessageId: card.message_id } : {}),
      asHead,
    });
    await ctx.answerCallbackQuery();
    await ctx.reply(m.askReason(request), {
      reply_markup: { force_reply: true, selective: true, input_field_placeholder: "Lý do từ chối" },
      ...(card
        ? { reply_parameters: { message_id: card.message_id, allow_sending_without_reply: true } }
        : {}),
    });
    return;
  }

  if (!(await allowed(ctx, "request.handle", request))) return;

  if (action === "take") {
    const taken = await ctx.services.requests.take(id, actor);
    await toast(ctx, m.taken(taken));
    const [requester] = await ctx.services.directory.findStaff({ id: taken.requesterStaffId });
    const text = supportCard(taken, await daysLeft(ctx, taken.dueAt), roleLabel(requester ?? null));
    await editCard(ctx, card?.chat.id, card?.message_id, text, taken);
    await tellRequester(ctx, taken, m.takenForRequester(taken));
    return;
  }

  if (action === "approve") {
    const result = await ctx.services.requests.approve(id, actor);
    await toast(ctx, m.approveDone(result.request));
    const delivered = await deliverTemporaryPassword(ctx, result);
    await editCard(
      ctx,
      card?.chat.id,
      card?.message_id,
      m.approvedCard(result.request, me.fullName, ctx.now(), delivered),
    );
    // The password message already tells its recipient; the requester, if someone else, gets a note.
    const recipient = result.temporaryPassword?.deliverToStaffId;
    if (!(delivered && recipient === result.request.requesterStaffId)) {
      await tellRequester(ctx, result.request, m.approvedForRequester(result.request));
    }
    return;
  }

  // "cancel" and future actions are not support-desk buttons.
  return toast(ctx, m.closed(request));
});

// ---------------------------------------------------------------------------------------------
// Deleting the password messages when their time has come

/** Deletes every message whose time has come; failures are retried a few times, then dropped. */
export async function runDueDeletions(
  api: Api,
  services: BotServices,
  now: Date,
  log?: Logger,
): Promise<number> {
  const due = await services.messageDeletions.claimDue(now);
  let deleted = 0;
  for (const item of due) {
    try {
      await api.deleteMessage(item.chatId, item.messageId);
      deleted++;
    } catch (error) {
      const description = error instanceof GrammyError ? error.description : String(error);
      // Already gone (the user deleted it) or too old: nothing more to do.
      const final = /message to delete not found|message can't be deleted|MESSAGE_ID_INVALID/i.test(
        description,
      );
      if (!final && item.attempts < 5) {
        await services.messageDeletions.schedule({
          chatId: item.chatId,
          messageId: item.messageId,
          deleteAt: new Date(now.getTime() + 60_000 * (item.attempts + 1)),
          attempts: item.attempts + 1,
        });
      }
      log?.warn(
        { chat_id: item.chatId, message_id: item.messageId, description, final },
        "scheduled deletion failed",
      );
    }
  }
  return deleted;
}

export interface DeletionRunner {
  stop(): void;
  /** Runs once now (tests, shutdown). */
  tick(): Promise<number>;
}

/** Runs due deletions now (catching up after a restart) and then every `intervalMs`. */
export function startDeletionRunner(
  api: Api,
  services: BotServices,
  options: { clock?: () => Date; intervalMs?: number; log?: Logger } = {},
): DeletionRunner {
  const clock = options.clock ?? (() => new Date());
  let running: Promise<number> | null = null;
  const tick = async (): Promise<number> => {
    if (running) return running;
    running = runDueDeletions(api, services, clock(), options.log)
      .catch((error: unknown) => {
        options.log?.error({ err: error }, "deletion runner failed");
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  void tick();
  const timer = setInterval(() => void tick(), options.intervalMs ?? 30_000);
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}

export const feature: BotFeature = {
  name: "support",
  composer,
  flows: [rejectFlow as never],
};
