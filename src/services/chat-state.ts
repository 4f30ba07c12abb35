/**
 * Conversation state and update de-duplication in the database, so a flow survives a restart and
 * two bot instances (webhook behind a load balancer, or a re-delivered update) never handle one
 * update twice. Not audited: these are technical records, not state changes of the domain.
 */
import { and, eq, gt, isNull, lt, or } from "drizzle-orm";
import { z } from "zod";
import { chatSessions, processedUpdates } from "../db/schema.ts";
import type { ServiceContext } from "./context.ts";
import { ServiceError } from "./errors.ts";

export interface ChatStateService {
  /** True exactly once per update id, across instances. */
  claimUpdate(updateId: number): Promise<boolean>;
  getSession(key: string): Promise<unknown | null>;
  setSession(key: string, data: unknown, ttlSeconds?: number | null): Promise<void>;
  deleteSession(key: string): Promise<void>;
  /** Drops expired sessions and processed-update ids older than `keepDays` (default 7). */
  purge(keepDays?: number): Promise<{ sessions: number; updates: number }>;
}

const Key = z.string().min(1).max(200);
/** 64 KiB of JSON is far more than any flow needs; more is a bug or abuse. */
const MAX_SESSION_BYTES = 64 * 1024;

function checkKey(key: string): string {
  const parsed = Key.safeParse(key);
  if (!parsed.success) throw new ServiceError("invalid_input", "Khóa phiên trò chuyện không hợp lệ.");
  return parsed.data;
}

export function createChatStateService(ctx: ServiceContext): ChatStateService {
  const { db } = ctx.database;
  return {
    async claimUpdate(updateId) {
      if (!Number.isSafeInteger(updateId) || updateId < 0) {
        throw new ServiceError("invalid_input", "Mã cập nhật Telegram không hợp lệ.");
      }
      const rows = await db
        .insert(processedUpdates)
        .values({ updateId, processedAt: ctx.now() })
        .onConflictDoNothing()
        .returning({ updateId: processedUpdates.updateId });
      return rows.length === 1;
    },

    async getSession(key) {
      const [row] = await db
        .select({ data: chatSessions.data })
        .from(chatSessions)
        .where(
          and(
            eq(chatSessions.key, checkKey(key)),
            or(isNull(chatSessions.expiresAt), gt(chatSessions.expiresAt, ctx.now())),
          ),
        )
        .limit(1);
      return row ? row.data : null;
    },

    async setSession(key, data, ttlSeconds = 24 * 3600) {
      const k = checkKey(key);
      const json = JSON.stringify(data ?? null);
      if (json.length > MAX_SESSION_BYTES) {
        throw new ServiceError(
          "invalid_input",
          "Dữ liệu phiên trò chuyện quá lớn. Hãy bắt đầu lại thao tác.",
        );
      }
      const expiresAt = ttlSeconds === null ? null : new Date(ctx.now().getTime() + ttlSeconds * 1000);
      const value = JSON.parse(json) as unknown;
      await db
        .insert(chatSessions)
        .values({ key: k, data: value, expiresAt })
        .onConflictDoUpdate({
          target: chatSessions.key,
          set: { data: value, expiresAt, updatedAt: ctx.now() },
        });
    },

    async deleteSession(key) {
      await db.delete(chatSessions).where(eq(chatSessions.key, checkKey(key)));
    },

    async purge(keepDays = 7) {
      const now = ctx.now();
      const sessions = await db
        .delete(chatSessions)
        .where(lt(chatSessions.expiresAt, now))
        .returning({ key: chatSessions.key });
      const updates = await db
        .delete(processedUpdates)
        .where(lt(processedUpdates.processedAt, new Date(now.getTime() - keepDays * 86_400_000)))
        .returning({ id: processedUpdates.updateId });
      return { sessions: sessions.length, updates: updates.length };
    },
  };
}
