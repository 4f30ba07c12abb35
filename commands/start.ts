/**
 * /start — greets, and with a code (`/start <code>` or the t.me/<bot>?start=<code> deep link)
 * links this Telegram account to a staff record via services.identity.redeemLinkCode (single
 * use, expiring, hashed, wrong guesses rate-limited: all decided by the service).
 */
import { Composer } from "grammy";
import type { BotContext, BotFeature } from "../src/bot/context.ts";
import { COMMAND_DESCRIPTIONS, t } from "../src/bot/i18n.ts";

/** Before the private-only check: a code shown to a whole group is no longer secret, take it down. */
export const early = new Composer<BotContext>();

early.chatType(["group", "supergroup"]).command("start", async (ctx, next) => {
  if (!ctx.match.trim()) return next();
  await ctx
    .deleteMessage()
    .catch((error: unknown) => ctx.log.warn({ err: error }, "could not delete a link code"));
  await ctx.reply(t.startInGroup(ctx.me.username));
});

export const composer = new Composer<BotContext>();

composer.command("start", async (ctx) => {
  const code = ctx.match.trim();
  if (!code) {
    await ctx.reply(
      ctx.staff
        ? t.startAlreadyLinked(ctx.staff.fullName, ctx.staff.unitName)
        : t.startGreeting(ctx.me.first_name),
    );
    return;
  }
  if (code.length > 64) {
    await ctx.reply(t.startBadCodeShape());
    return;
  }
  const staff = await ctx.services.identity.redeemLinkCode(ctx.from!.id, code);
  await ctx.refreshStaff();
  ctx.log.info({ staff_id: staff.id }, "telegram account linked");
  await ctx.reply(t.startLinked(staff.fullName, staff.unitName));
});

export const feature: BotFeature = {
  name: "start",
  composer,
  early,
  commands: [
    { command: "start", description: COMMAND_DESCRIPTIONS.start, audience: "everyone", place: "private" },
  ],
};
