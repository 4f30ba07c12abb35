/** /help — exactly the commands the caller may use, by role (unlinked: /start and /help). */
import { Composer } from "grammy";
import type { BotContext, BotFeature, CommandInfo } from "../src/bot/context.ts";
import { COMMAND_DESCRIPTIONS, ROLE_NAMES, t } from "../src/bot/i18n.ts";
import type { StaffView } from "../src/services/types.ts";

export function mayUse(info: CommandInfo, staff: StaffView | null): boolean {
  if (info.audience === "everyone") return true;
  if (!staff) return false;
  if (info.audience === "linked") return true;
  const audience = info.audience;
  // Every linked member is implicitly "staff"; admin stands for every role.
  if (audience.includes("staff")) return true;
  return staff.roles.some((grant) => grant.role === "admin" || audience.includes(grant.role));
}

function placeNote(info: CommandInfo): string {
  if (info.place === "private") return " (trong chat riêng)";
  if (info.place === "support") return " (trong nhóm hỗ trợ)";
  return "";
}

export function helpText(catalog: readonly CommandInfo[], staff: StaffView | null): string {
  const lines = catalog
    .filter((info) => mayUse(info, staff))
    .map((info) => `/${info.command} — ${info.description}${placeNote(info)}`);
  if (!staff) return [t.helpHeaderUnlinked(), ...lines].join("\n");
  const roles = [...new Set(["staff" as const, ...staff.roles.map((grant) => grant.role)])]
    .map((role) => ROLE_NAMES[role])
    .join(", ");
  return [t.helpHeaderLinked(staff.fullName, roles), ...lines, "", t.helpFooter()].join("\n");
}

export const composer = new Composer<BotContext>();

composer.command("help", async (ctx) => {
  await ctx.reply(helpText(ctx.commandCatalog, ctx.staff));
});

export const feature: BotFeature = {
  name: "help",
  composer,
  commands: [{ command: "help", description: COMMAND_DESCRIPTIONS.help, audience: "everyone", place: "any" }],
};
