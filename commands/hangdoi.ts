/**
 * /hangdoi — the support desk's queue: open and in-progress requests of the caller's support
 * scope, overdue first, then by due time, each with the working-day clock ("còn 2 ngày làm
 * việc" / "quá hạn 1 ngày làm việc"). Ordering and the clock come from services.requests.listOpen.
 */
import { Composer } from "grammy";
import type { BotContext, BotFeature } from "../src/bot/context.ts";
import { COMMAND_DESCRIPTIONS, formatDeadline, REQUEST_STATE_NAMES } from "../src/bot/i18n.ts";
import { ensureMay } from "../src/bot/middleware/require-role.ts";
import { rolesFor } from "../src/policy/permissions.ts";
import type { QueueItem } from "../src/services/types.ts";
import { clockText, requestTitle } from "./shared/format.ts";
import { replyWithCard } from "./shared/notify.ts";

/** Lines shown; the rest is counted. Telegram messages stop at 4,096 characters. */
const MAX_LINES = 25;
/** Requests also sent as cards with buttons, the most urgent first. */
const MAX_CARDS = 5;

function line(item: QueueItem, index: number): string {
  const mark = item.overdue ? "⚠️ " : "";
  const due = item.dueAt
    ? `hạn ${formatDeadline(item.dueAt)}${clockText(item.workingDaysLeft)}`
    : "chưa có hạn";
  const who = item.state === "in_progress" && item.assigneeName ? `; ${item.assigneeName} đang xử lý` : "";
  return `${index + 1}. ${mark}${requestTitle(item)} — ${due}; ${REQUEST_STATE_NAMES[item.state]}${who}`;
}

export const composer = new Composer<BotContext>();

composer.command("hangdoi", async (ctx) => {
  if (!(await ensureMay(ctx, "request.handle"))) return;
  const me = ctx.staff!;
  const global = me.roles.some((r) => (r.role === "support" || r.role === "admin") && r.unitId === null);
  const unitIds = global
    ? undefined
    : (await ctx.services.access.unitsInScope(me, rolesFor("request.handle"))).map((u) => u.id);
  const queue = await ctx.services.requests.listOpen(ctx.now(), unitIds ? { unitIds } : {});
  if (queue.length === 0) return ctx.reply("Hàng đợi trống: không có yêu cầu nào đang chờ xử lý.");
  const overdue = queue.filter((q) => q.overdue).length;
  const head = `Hàng đợi: ${queue.length} yêu cầu${overdue ? `, ${overdue} quá hạn` : ""}.`;
  const lines = queue.slice(0, MAX_LINES).map(line);
  if (queue.length > MAX_LINES) lines.push(`… và ${queue.length - MAX_LINES} yêu cầu khác.`);
  await ctx.reply([head, ...lines].join("\n"));
  // The first ones as cards with the same buttons as in the support chat.
  for (const item of queue.slice(0, MAX_CARDS)) await replyWithCard(ctx, item);
});

export const feature: BotFeature = {
  name: "hangdoi",
  composer,
  commands: [
    { command: "hangdoi", description: COMMAND_DESCRIPTIONS.hangdoi, audience: ["support"], place: "any" },
  ],
};
