/**
 * /trangthai [address | request number] — status and deadlines.
 * Without an argument: the caller's own mailboxes (owned or kept) and requests (made by them or
 * about them). With one: that mailbox or request, if the caller is its owner, keeper, requester
 * or subject, or holds unit head, clerk or support on its unit. Otherwise the answer is the same
 * as for one that does not exist, so nobody probes the directory this way.
 */
import { Composer } from "grammy";
import type { BotContext, BotFeature } from "../src/bot/context.ts";
import { COMMAND_DESCRIPTIONS, t } from "../src/bot/i18n.ts";
import { workingTimeLeft } from "../src/calendar/deadlines.ts";
import { may } from "../src/bot/middleware/require-role.ts";
import { findProfile } from "../src/policy/profiles/index.ts";
import type { MailboxView } from "../src/services/types.ts";
import { isOpenState, mailboxLine, requestLine } from "./shared/format.ts";
import { daysLeft, replyWithCard } from "./shared/notify.ts";
import { parseStatusTarget, tooLong } from "./shared/parse.ts";

/** Who may look at a mailbox or request of a unit besides the people it is about. */
/** Closed requests shown after the open ones. */
const RECENT_CLOSED = 5;

const m = {
  noRequest: (id: number) =>
    `Không có yêu cầu #${id}, hoặc anh/chị không được xem yêu cầu này. Kiểm tra lại số yêu cầu.`,
  noMailbox: (a: string) =>
    `Không có hộp thư ${a}, hoặc anh/chị không được xem hộp thư này. Kiểm tra lại địa chỉ.`,
  mine: () => "Hộp thư của anh/chị:",
  noneMine: () => "Anh/chị chưa có hộp thư công vụ nào. Gõ /capmoi để đề nghị cấp.",
  requests: () => "Yêu cầu:",
  noRequests: () => "Chưa có yêu cầu nào.",
};

function mailboxText(mailbox: MailboxView): string {
  return mailboxLine(mailbox, findProfile(mailbox.profileId));
}

/**
 * `/trangthai <request number>`: the request, if the caller may see it (also the "Mở #id"
 * button of the reminder digests, commands/reminders.ts).
 */
export async function replyRequestStatus(ctx: BotContext, requestId: number): Promise<unknown> {
  const me = ctx.staff;
  if (!me) return ctx.reply(t.notLinked());
  const request = await ctx.services.requests.get(requestId);
  const target = request && {
    unitId: request.unitId,
    requesterStaffId: request.requesterStaffId,
    ownerStaffId: request.subjectStaffId,
  };
  if (!request || !target || !(await may(ctx, "request.view", target))) {
    return ctx.reply(m.noRequest(requestId));
  }
  // The support desk gets the card with its buttons while the request is open.
  const deskState = request.state === "open" || request.state === "in_progress";
  if (deskState && (await may(ctx, "request.handle", { unitId: request.unitId }))) {
    return replyWithCard(ctx, request);
  }
  return ctx.reply(
    requestLine(request, await daysLeft(ctx, isOpenState(request.state) ? request.dueAt : null)),
  );
}

export const composer = new Composer<BotContext>();

composer.command("trangthai", async (ctx) => {
  const me = ctx.staff;
  if (!me) return ctx.reply(t.notLinked());
  const args = ctx.match.trim();
  const long = tooLong(args, 300);
  if (long) return ctx.reply(long);

  if (args) {
    const target = parseStatusTarget(args);
    if (!target.ok) return ctx.reply(target.error);
    if (target.value.kind === "request") return replyRequestStatus(ctx, target.value.id);
    const mailbox = await ctx.services.directory.findMailbox(target.value.address);
    if (!mailbox || !(await may(ctx, "mailbox.view", mailbox))) {
      return ctx.reply(m.noMailbox(target.value.address));
    }
    return ctx.reply(mailboxText(mailbox));
  }

  // One query for the whole reply: mailboxes, requests with their names, and the calendar.
  const status = await ctx.services.status.ofStaff(me.id, { recentClosed: RECENT_CLOSED });
  const { mailboxes, open, recentClosed: closed } = status;
  const lines = mailboxes.length > 0 ? [m.mine(), ...mailboxes.map(mailboxText)] : [m.noneMine()];
  lines.push("");
  if (open.length + closed.length === 0) lines.push(m.noRequests());
  else {
    lines.push(m.requests());
    const now = ctx.now();
    for (const request of [...open, ...closed]) {
      const left =
        request.dueAt && isOpenState(request.state)
          ? workingTimeLeft(status.calendar, now, request.dueAt)
          : null;
      lines.push(requestLine(request, left));
    }
  }
  await ctx.reply(lines.join("\n"));
});

export const feature: BotFeature = {
  name: "trangthai",
  composer,
  commands: [
    { command: "trangthai", description: COMMAND_DESCRIPTIONS.trangthai, audience: "linked", place: "any" },
  ],
};
