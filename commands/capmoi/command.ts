/**
 * /capmoi — ask for a new mailbox.
 *
 * Who: a unit head, clerk or support member for anyone in the units of their scope (any kind:
 * personal, unit, group); any other linked staff member for themselves only (personal), which
 * first goes to their unit head for endorsement ([Đồng ý] [Từ chối], handled in support.ts).
 *
 * How: step by step (name → birth date → unit → leader level → employment), or the one-line
 * form documented in shared/parse.ts. Then the proposed address with the rule that made it,
 * alternatives when the first choice collided, and [Gửi yêu cầu] [Chọn địa chỉ khác] [Hủy].
 * Every decision (eligibility, naming, reservation, endorsement) is the services'.
 *
 * Files: form.ts (what the conversation collects), messages.ts (what it says), flow.ts (the steps),
 * command.ts (the /capmoi command, the "Gửi lại" button and the feature).
 */
import type { BotContext, BotFeature } from "../../src/bot/context.ts";
import { COMMAND_DESCRIPTIONS, t } from "../../src/bot/i18n.ts";
import { onCallback, resendButton } from "../../src/bot/keyboards.ts";
import { EmploymentType, LeaderLevel, MailboxKind } from "../../src/policy/types.ts";
import { CAPMOI_FORM_HELP, fold, parseCapmoiForm, tooLong } from "../shared/parse.ts";
import { Composer } from "grammy";
import { z } from "zod";
import { afterName, askName, flow, propose, scopeUnits, today } from "./flow.ts";
import { Data } from "./form.ts";
import { m } from "./messages.ts";

// ---------------------------------------------------------------------------------------------
// The command

export const composer = new Composer<BotContext>();

composer.command("capmoi", async (ctx) => {
  const me = ctx.staff;
  if (!me) return ctx.reply(t.notLinked());
  const args = ctx.match.trim();
  const long = tooLong(args);
  if (long) return ctx.reply(long);
  const units = await scopeUnits(ctx);

  if (units.length === 0) {
    // An ordinary staff member: only for themselves, with the data of their own record.
    const typedName = args.split(";")[0]?.trim() ?? "";
    if (typedName && fold(typedName) !== fold(me.fullName)) return ctx.reply(m.onlySelf());
    const data: Data = {
      self: true,
      kind: "personal",
      fullName: me.fullName,
      birthDate: me.birthDate,
      unitId: me.unitId,
      unitName: me.unitName,
      leaderLevel: me.leaderLevel,
      employmentType: me.employmentType,
      contractMonths: me.contractMonths,
      subjectStaffId: me.id,
    };
    await flow.start(ctx, "confirm", data);
    await ctx.reply(m.selfIntro(me));
    return propose(ctx, data);
  }

  if (!args) return askName(ctx, { self: false, kind: "personal" }, true);

  const form = parseCapmoiForm(args, today(ctx));
  if (!form.ok) return ctx.reply(form.error);
  const data: Data = {
    self: false,
    kind: form.value.kind,
    fullName: form.value.fullName,
    birthDate: form.value.birthDate,
    unitText: form.value.unitText,
    leaderLevel: form.value.leaderLevel,
    employmentType: form.value.employment.employmentType,
    contractMonths: form.value.employment.contractMonths,
  };
  await flow.start(ctx, "name", data);
  await afterName(ctx, data);
});

// "Gửi lại" under a rejection: the same form, filled in with the rejected request's data.
onCallback(composer, resendButton, async (ctx, [id]) => {
  const me = ctx.staff;
  const request = await ctx.services.requests.get(id);
  if (!me || !request || request.kind !== "capmoi" || request.requesterStaffId !== me.id) {
    return ctx.answerCallbackQuery({ text: "Không gửi lại được yêu cầu này.", show_alert: true });
  }
  if (request.state !== "rejected") {
    return ctx.answerCallbackQuery({
      text: `Yêu cầu #${id} không ở trạng thái bị từ chối.`,
      show_alert: true,
    });
  }
  await ctx.answerCallbackQuery();
  const p = ResendPayload.safeParse(request.payload);
  if (!p.success) return ctx.reply("Không đọc được dữ liệu của yêu cầu cũ. Hãy gõ /capmoi để làm lại.");
  const data: Data = {
    self: request.subjectStaffId === me.id && p.data.mailboxKind === "personal",
    kind: p.data.mailboxKind,
    fullName: p.data.fullName,
    birthDate: p.data.birthDate,
    unitId: request.unitId,
    unitName: request.unitName,
    leaderLevel: p.data.leaderLevel,
    employmentType: p.data.employmentType,
    contractMonths: p.data.contractMonths,
    ...(request.subjectStaffId ? { subjectStaffId: request.subjectStaffId } : {}),
  };
  await flow.start(ctx, "confirm", data);
  await ctx.reply(
    `Gửi lại yêu cầu #${id} (lý do từ chối: ${request.reason ?? ""}). Kiểm tra và sửa nếu cần:`,
  );
  await propose(ctx, data);
});

export const ResendPayload = z.object({
  fullName: z.string(),
  birthDate: z.string().nullable(),
  leaderLevel: LeaderLevel,
  employmentType: EmploymentType,
  contractMonths: z.number().int().nullable(),
  mailboxKind: MailboxKind,
});

export const feature: BotFeature = {
  name: "capmoi",
  composer,
  flows: [flow as never],
  commands: [
    { command: "capmoi", description: COMMAND_DESCRIPTIONS.capmoi, audience: "linked", place: "any" },
  ],
};

export { CAPMOI_FORM_HELP };
