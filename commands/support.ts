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
  approvedCard: (r: RequestView, by: string, at: Date, delivery: string) =>
    `${requestTitle(r)}\n✅ #${r.id} đã duyệt bởi ${by} lúc ${formatDateTime(at)}. ${delivery}`,
  rejectedCard: (r: RequestView, by: string, at: Date) =>
    `${requestTitle(r)}\n❌ #${r.id} bị từ chối bởi ${by} lúc ${formatDateTime(at)}. Lý do: ${r.reason ?? ""}`,
  approvedForRequester: (r: RequestView, delivery: string) =>
    `Yêu cầu #${r.id} đã được duyệt: ${r.resolution ?? ""}. ${delivery}`,
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

/**
 * What became of a temporary password: sent to `to`, or not, and why. The group and the
 * requester are told from this, never from what was intended.
 */
type Delivery =
  | { status: "sent"; to: number }
  | { status: "no-chat"; to: number }
  | { status: "failed"; to: number }
  | { status: "none" };

/** Sends the temporary password privately and schedules its deletion. */
async function deliverTemporaryPassword(ctx: BotContext, result: ApproveResult): Promise<Delivery> {
  const target = result.temporaryPassword;
  if (!target) return { status: "none" };
  const to = target.deliverToStaffId;
  const chatId = await telegramIdOf(ctx, to);
  // A private chat's id is the user's id (> 0); never a group, whatever the data says.
  if (chatId === null || chatId <= 0 || chatId === ctx.config.supportChatId) return { status: "no-chat", to };
  const ttl = ctx.config.passwordMessageTtlMinutes;
  const sent = await sendSafely(ctx, chatId, temporaryPasswordMessage(result, ttl), { parse_mode: "HTML" });
  if (!sent) return { status: "failed", to };
  await ctx.services.messageDeletions.schedule({
    chatId,
    messageId: sent.messageId,
    deleteAt: new Date(ctx.now().getTime() + ttl * 60_000),
  });
  return { status: "sent", to };
}

/** Names of the people a delivery is about: who got it, and whose mailbox it is. */
interface DeliveryNames {
  recipient: string;
  recipientRole: string;
  /** The mailbox's owner (else keeper); null when the mailbox has nobody. */
  person: string | null;
  personIsRecipient: boolean;
}

async function deliveryNames(ctx: BotContext, result: ApproveResult, to: number): Promise<DeliveryNames> {
  const personId = result.mailbox.ownerStaffId ?? result.mailbox.keeperStaffId;
  const [recipient] = await ctx.services.directory.findStaff({ id: to, limit: 1 });
  const [person] =
    personId === null || personId === to
      ? []
      : await ctx.services.directory.findStaff({ id: personId, limit: 1 });
  return {
    recipient: recipient?.fullName ?? `cán bộ #${to}`,
    recipientRole: roleLabel(recipient ?? null),
    person: personId === to ? (recipient?.fullName ?? null) : (person?.fullName ?? null),
    personIsRecipient: personId === to,
  };
}

/**
 * The support group's sentence about the password: who actually received it, or that nobody did
 * and what the desk must do then (the password is stored nowhere: a new one must be issued).
 */
function deliveryForDesk(delivery: Delivery, names: DeliveryNames | null, address: string): string {
  if (delivery.status === "none" || !names) return "Yêu cầu này không cấp mật khẩu tạm.";
  const { recipient, person } = names;
  if (delivery.status === "sent") {
    if (names.personIsRecipient)
      return `Mật khẩu tạm đã gửi riêng cho ${recipient} (người dùng ${address}) qua Telegram.`;
    const why = person
      ? `vì ${person} chưa liên kết Telegram với bot: ${recipient} cần trao tận tay cho ${person}`
      : `vì hộp thư chưa có người dùng trong danh bạ: ${recipient} chuyển cho người sẽ dùng hộp thư`;
    return `Mật khẩu tạm đã gửi riêng cho ${recipient} (người gửi yêu cầu${names.recipientRole ? `, ${names.recipientRole}` : ""}), ${why}.`;
  }
  const reason =
    delivery.status === "no-chat"
      ? `${recipient} chưa liên kết Telegram với bot`
      : `Telegram không chuyển được tin nhắn cho ${recipient} (đã chặn bot hoặc chưa từng mở chat với bot)`;
  const who = person ?? recipient;
  return (
    `⚠️ Mật khẩu tạm CHƯA đến tay ai: ${reason}. Mật khẩu không được lưu nên không xem lại được. ` +
    `Việc cần làm: giúp ${who} liên kết bot (mã liên kết: mailbot link-code --staff ${address}, rồi gõ /start <mã>), ` +
    `sau đó ${who} gõ /doimk quenmk để được cấp mật khẩu tạm mới.`
  );
}

/** The requester's note (when the password did not go to them). */
function deliveryForRequester(delivery: Delivery, names: DeliveryNames | null): string {
  if (delivery.status === "none" || !names) return "";
  if (delivery.status === "sent")
    return `Mật khẩu tạm đã được gửi riêng cho ${names.recipient} và sẽ tự xóa sau ít phút.`;
  return `Chưa gửi được mật khẩu tạm cho ${names.recipient}; bộ phận hỗ trợ đã được báo và sẽ hướng dẫn cấp mật khẩu mới.`;
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
    const delivery = await deliverTemporaryPassword(ctx, result);
    const names = delivery.status === "none" ? null : await deliveryNames(ctx, result, delivery.to);
    const address = result.mailbox.address;
    await editCard(
      ctx,
      card?.chat.id,
      card?.message_id,
      m.approvedCard(result.request, me.fullName, ctx.now(), deliveryForDesk(delivery, names, address)),
    );
    // The password message already tells its recipient; the requester, if someone else, gets a note.
    if (!(delivery.status === "sent" && delivery.to === result.request.requesterStaffId)) {
      await tellRequester(
        ctx,
        result.request,
        m.approvedForRequester(result.request, deliveryForRequester(delivery, names)),
      );
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
