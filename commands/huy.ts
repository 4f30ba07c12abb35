/** /huy — leaves the current step-by-step flow of this user in this chat; nothing is saved. */
import { Composer } from "grammy";
import type { BotContext, BotFeature } from "../src/bot/context.ts";
import { COMMAND_DESCRIPTIONS, t } from "../src/bot/i18n.ts";

export const composer = new Composer<BotContext>();

composer.command("huy", async (ctx) => {
  const hadFlow = await ctx.flow.end();
  await ctx.reply(hadFlow ? t.flowCancelled() : t.noFlowToCancel());
});

export const feature: BotFeature = {
  name: "huy",
  composer,
  commands: [{ command: "huy", description: COMMAND_DESCRIPTIONS.huy, audience: "linked", place: "any" }],
};
