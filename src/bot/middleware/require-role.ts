/**
 * Role checks at the edge. Roles are scoped to a unit subtree (services.access decides, admin
 * counts for everything in its scope). Use the middleware form when the unit is known from the
 * update alone, and `ensureRole` inside a handler once the unit is known (e.g. after loading the
 * request a button refers to).
 */
import type { MiddlewareFn } from "grammy";
import type { Role } from "../../policy/types.ts";
import type { BotContext } from "../context.ts";
import { t } from "../i18n.ts";

type UnitOf = (ctx: BotContext) => number | null | undefined | Promise<number | null | undefined>;

/** True when the caller holds one of `roles` on `unitId` (or anywhere, when unitId is omitted). */
export async function can(
  ctx: BotContext,
  roles: Role | readonly Role[],
  unitId?: number | null,
): Promise<boolean> {
  const staff = ctx.staff;
  if (!staff) return false;
  // One query for all the roles (the unit's ancestors are looked up once).
  return ctx.services.access.hasRole(staff, roles, unitId);
}

/**
 * A mailbox's own people (owner, keeper) may always act on it; anyone else needs one of `roles`
 * over its unit (e.g. the unit head, the support desk).
 */
export async function mayActOnMailbox(
  ctx: BotContext,
  mailbox: { ownerStaffId: number | null; keeperStaffId: number | null; unitId: number },
  roles: readonly Role[],
): Promise<boolean> {
  const me = ctx.staff;
  if (!me) return false;
  if (mailbox.ownerStaffId === me.id || mailbox.keeperStaffId === me.id) return true;
  return can(ctx, roles, mailbox.unitId);
}

/** Tells the caller they may not (a toast for a button, a reply otherwise). */
export async function refuse(ctx: BotContext, roles: readonly Role[]): Promise<void> {
  if (!ctx.staff) {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: t.notLinkedShort(), show_alert: true });
    else await ctx.reply(t.notLinked());
    return;
  }
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: t.forbiddenShort(), show_alert: true });
  else await ctx.reply(t.forbidden(roles));
}

/** `if (!(await ensureRole(ctx, ["support"], request.unitId))) return;` */
export async function ensureRole(
  ctx: BotContext,
  roles: Role | readonly Role[],
  unitId?: number | null,
): Promise<boolean> {
  const list = typeof roles === "string" ? [roles] : roles;
  if (await can(ctx, list, unitId)) return true;
  await refuse(ctx, list);
  return false;
}

/** Middleware: continue only when the caller holds one of `roles` in scope of `unitOf(ctx)`. */
export function requireRole(roles: Role | readonly Role[], unitOf?: UnitOf): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const unitId = unitOf ? await unitOf(ctx) : undefined;
    if (await ensureRole(ctx, roles, unitId)) await next();
  };
}
