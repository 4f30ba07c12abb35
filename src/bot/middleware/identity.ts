/**
 * Who is asking: the Telegram user → the linked staff member (with roles), cached briefly so a
 * burst of updates (button presses, a flow) costs one lookup. A role change takes effect within
 * the cache time (default 30 s); linking refreshes at once (`ctx.refreshStaff()`).
 */
import type { MiddlewareFn } from "grammy";
import type { StaffView } from "../../services/types.ts";
import type { BotContext, BotServices } from "../context.ts";

interface Entry {
  staff: StaffView | null;
  at: number;
}

export class IdentityCache {
  private readonly entries = new Map<number, Entry>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(userId: number, now: number): StaffView | null | undefined {
    const entry = this.entries.get(userId);
    if (!entry) return undefined;
    if (now - entry.at >= this.ttlMs) {
      this.entries.delete(userId);
      return undefined;
    }
    return entry.staff;
  }

  set(userId: number, staff: StaffView | null, now: number): void {
    if (this.entries.size >= this.maxEntries) {
      // Map iterates in insertion order: drop the oldest.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.delete(userId);
    this.entries.set(userId, { staff, at: now });
  }

  invalidate(userId: number): void {
    this.entries.delete(userId);
  }
}

export function identity(services: BotServices, cache: IdentityCache): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const user = ctx.from;
    const load = async (): Promise<StaffView | null> => {
      if (!user || user.is_bot) return null;
      const staff = await services.identity.findByTelegramId(user.id);
      cache.set(user.id, staff, Date.now());
      return staff;
    };
    ctx.refreshStaff = async () => {
      if (user) cache.invalidate(user.id);
      ctx.staff = await load();
      return ctx.staff;
    };
    const cached = user ? cache.get(user.id, Date.now()) : null;
    ctx.staff = cached === undefined ? await load() : cached;
    await next();
  };
}
