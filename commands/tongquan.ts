/**
 * /tongquan [đơn vị] — a unit head's (trưởng phòng, thủ trưởng) overview of their unit subtree:
 * locked, idle and nearly-locked mailboxes, open requests, overdue replies by person and this
 * week's check compliance, as text and as a chart picture; "/tongquan ds" also sends the list of
 * mailboxes in use as an XLSX file (mic Điều 14.6, phuyen Điều 12.9).
 */
import { Composer, InputFile } from "grammy";
import type { BotContext, BotFeature } from "../src/bot/context.ts";
import { ensureRole, refuse } from "../src/bot/middleware/require-role.ts";
import { overviewText } from "../src/overview/text.ts";
import { vnDateOf } from "../src/calendar/time.ts";

export const TONGQUAN_DESCRIPTION = "Tổng quan hộp thư của đơn vị (dành cho lãnh đạo đơn vị)";

export const composer = new Composer<BotContext>();

composer.command("tongquan", async (ctx) => {
  const me = ctx.staff;
  if (!me) return refuse(ctx, ["unit_head"]);
  const words = ctx.match.trim().split(/\s+/).filter(Boolean);
  const wantList = words[0]?.toLowerCase() === "ds";
  const unitQuery = (wantList ? words.slice(1) : words).join(" ");
  const overview = ctx.services.overview;

  let unit: { id: number; name: string } | null;
  if (unitQuery) {
    unit = await overview.findUnit(unitQuery);
    if (!unit) {
      await ctx.reply(`Không tìm thấy đơn vị "${unitQuery}". Hãy ghi mã số hoặc tên viết tắt của đơn vị.`);
      return;
    }
  } else {
    const heads = await overview.headUnits(me.id);
    unit = heads[0] ?? null;
    if (!unit && (await ctx.services.access.hasRole(me, ["unit_head"]))) {
      // A grant over the whole system has no unit of its own to default to.
      await ctx.reply("Anh/chị quản lý toàn hệ thống: hãy ghi đơn vị, ví dụ /tongquan stttt.");
      return;
    }
    if (!unit) return refuse(ctx, ["unit_head"]);
  }
  // The permission check decides, also for a unit typed by hand (not only ones found above).
  if (!(await ensureRole(ctx, ["unit_head"], unit.id))) return;

  const data = await overview.overview(unit.id);
  // echarts, resvg and exceljs load on first use: the bot starts without them.
  const { overviewChartPng } = await import("../src/overview/chart.ts");
  await ctx.reply(overviewText(data));
  await ctx.replyWithPhoto(new InputFile(overviewChartPng(data), "tong-quan.png"), {
    caption: `Biểu đồ tổng quan hộp thư — ${data.unitName}`,
  });
  if (wantList) {
    const list = await overview.activeMailboxes(unit.id);
    const { activeMailboxesXlsx } = await import("../src/overview/xlsx.ts");
    const file = await activeMailboxesXlsx(list.unitName, list.rows, ctx.now());
    await ctx.replyWithDocument(new InputFile(file, `danh-sach-hop-thu-${vnDateOf(ctx.now())}.xlsx`), {
      caption: `Danh sách cá nhân, đơn vị đang sử dụng hộp thư công vụ — ${list.unitName} (${list.rows.length} hộp thư).`,
    });
  }
});

export const feature: BotFeature = {
  name: "tongquan",
  composer,
  commands: [
    { command: "tongquan", description: TONGQUAN_DESCRIPTION, audience: ["unit_head"], place: "any" },
  ],
};
