/**
 * Role checks at the edge. Roles are scoped to a unit subtree (services.access decides, admin
 * counts for everything in its scope). Use the middleware form when the unit is known from the
 * update alone, and `ensureRole` inside a handler once the unit is known (e.g. after loading the
 * request a button refers to).
 */
import type { MiddlewareFn } from "grammy";
import { rolesFor, type Action, type Target } from "../../policy/permissions.ts";
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
 * The permission table (src/policy/permissions.ts) for the caller: the target's own people
 * (owner, keeper, requester) when the row allows it, else the row's roles over the target's unit.
 */
export async function may(ctx: BotContext, action: Action, target?: Target): Promise<boolean> {
  const me = ctx.staff;
  if (!me) return false;
  return ctx.services.access.may(me, action, target);
}

/** `may` for a mailbox. */
export async function mayActOnMailbox(ctx: BotContext, mailbox: Target, action: Action): Promise<boolean> {
  return may(ctx, action, mailbox);
}

/** `if (!(await ensureMay(ctx, "request.handle", request))) return;` */
export async function ensureMay(ctx: BotContext, action: Action, target?: Target): Promise<boolean> {
  if (await may(ctx, action, target)) return true;
  await refuse(ctx, rolesFor(action));
  return false;
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
