/**
 * /baonghi <address> <until dd/mm/yyyy> <reason> — a unit head records that a mailbox's user is
 * away (long leave, training, secondment) until a date: meanwhile the mailbox is not judged
 * inactive and its reminders pause. The notice is kept by services.absences (audited).
 */
import { Composer } from "grammy";
import type { BotContext, BotFeature } from "../src/bot/context.ts";
import { t } from "../src/bot/i18n.ts";
import { may } from "../src/bot/middleware/require-role.ts";
import { formatVnDate, vnDateOf } from "../src/calendar/time.ts";
import { staffActor } from "../src/services/types.ts";
import { BAONGHI_HELP, parseAbsenceForm } from "./shared/parse.ts";

export const BAONGHI_DESCRIPTION = "Báo nghỉ dài ngày cho hộp thư (Thủ trưởng đơn vị)";

export const composer = new Composer<BotContext>();

composer.command("baonghi", async (ctx) => {
  const me = ctx.staff;
  if (!me) return ctx.reply(t.notLinked());
  const args = ctx.match.trim();
  if (!args) return ctx.reply(BAONGHI_HELP);
  const form = parseAbsenceForm(args, vnDateOf(ctx.now()));
  if (!form.ok) return ctx.reply(form.error);
  const mailbox = await ctx.services.directory.findMailbox(form.value.address);
  if (!mailbox || !(await may(ctx, "mailbox.report_absence", mailbox))) {
    return ctx.reply(
      `Không có hộp thư ${form.value.address} trong đơn vị anh/chị phụ trách. Chỉ Thủ trưởng đơn vị báo nghỉ cho hộp thư của đơn vị mình.`,
    );
  }
  const notice = await ctx.services.absences.create(
    { address: mailbox.address, endsOn: form.value.until, reason: form.value.reason },
    staffActor(me.id),
  );
  await ctx.reply(
    `Đã ghi nhận báo nghỉ cho ${notice.address} từ ${formatVnDate(notice.startsOn)} đến hết ${formatVnDate(notice.endsOn)} (${notice.reason ?? ""}). ` +
      "Trong thời gian này hộp thư không bị tính là không hoạt động và tạm dừng nhắc việc.",
  );
});

export const feature: BotFeature = {
  name: "baonghi",
  composer,
  commands: [{ command: "baonghi", description: BAONGHI_DESCRIPTION, audience: ["unit_head"], place: "any" }],
};
