/**
 * Chat messages the bot must delete later (the private message carrying a temporary password,
 * deleted after PASSWORD_MESSAGE_TTL_MINUTES). Kept in the database so a restart, or a second
 * instance, still deletes them: rows live in chat_sessions under the key prefix "msgdel:" (no new
 * table needed; chat_sessions is technical state, like flows).
 *
 * Exactly once: `claimDue` deletes the due rows with FOR UPDATE SKIP LOCKED and returns them, so
 * two instances never both claim one. A failed deletion is scheduled again by the caller.
 * Telegram lets a bot delete a message for 48 hours; a row is kept until then and purged after.
 */
import { sql } from "drizzle-orm";
import { z } from "zod";
import { executeRows } from "../db/client.ts";
import { chatSessions } from "../db/schema.ts";
import type { ServiceContext } from "./context.ts";
import { ServiceError } from "./errors.ts";

export const MESSAGE_DELETION_PREFIX = "msgdel:";
/** Telegram refuses deleteMessage on messages older than this. */
const TELEGRAM_DELETE_WINDOW_MS = 48 * 3600_000;

export interface PendingDeletion {
  chatId: number;
  messageId: number;
  deleteAt: Date;
  attempts: number;
}

const Stored = z.object({
  chatId: z.number().int(),
  messageId: z.number().int().positive(),
  deleteAt: z.string(),
  attempts: z.number().int().min(0).default(0),
});

/** Stored rows as deletions; a row that does not parse (hand-edited, old format) is skipped. */
function pendingDeletions(rows: readonly { data: unknown }[]): PendingDeletion[] {
  return rows.flatMap((row) => {
    const data = typeof row.data === "string" ? (JSON.parse(row.data) as unknown) : row.data;
    const parsed = Stored.safeParse(data);
    return parsed.success ? [{ ...parsed.data, deleteAt: new Date(parsed.data.deleteAt) }] : [];
  });
}

export interface MessageDeletionsService {
  schedule(input: { chatId: number; messageId: number; deleteAt: Date; attempts?: number }): Promise<void>;
  /** Removes and returns up to `limit` deletions due at `now` (default: the service clock). */
  claimDue(now?: Date, limit?: number): Promise<PendingDeletion[]>;
  /** Every pending deletion (tests, diagnostics). */
  list(): Promise<PendingDeletion[]>;
}

export function createMessageDeletionsService(ctx: ServiceContext): MessageDeletionsService {
  const { db } = ctx.database;
  return {
    async schedule({ chatId, messageId, deleteAt, attempts = 0 }) {
      if (
        !Number.isSafeInteger(chatId) ||
        !Number.isSafeInteger(messageId) ||
        messageId <= 0 ||
        Number.isNaN(deleteAt.getTime())
      ) {
        throw new ServiceError("invalid_input", "Tin nhắn cần xóa không hợp lệ.");
      }
      const key = `${MESSAGE_DELETION_PREFIX}${chatId}:${messageId}`;
      const data = { chatId, messageId, deleteAt: deleteAt.toISOString(), attempts };
      const expiresAt = new Date(deleteAt.getTime() + TELEGRAM_DELETE_WINDOW_MS);
      await db
        .insert(chatSessions)
        .values({ key, data, expiresAt })
        .onConflictDoUpdate({ target: chatSessions.key, set: { data, expiresAt, updatedAt: ctx.now() } });
    },

    async claimDue(now = ctx.now(), limit = 100) {
      const rows = await executeRows<{ data: unknown }>(
        db,
        sql`delete from ${chatSessions} where ${chatSessions.key} in (
              select ${chatSessions.key} from ${chatSessions}
              where ${chatSessions.key} like ${`${MESSAGE_DELETION_PREFIX}%`}
                and (${chatSessions.data} ->> 'deleteAt')::timestamptz <= ${now.toISOString()}::timestamptz
              order by (${chatSessions.data} ->> 'deleteAt')::timestamptz
              limit ${limit}
              for update skip locked)
            returning ${chatSessions.data} as data`,
      );
      return pendingDeletions(rows);
    },

    async list() {
      const rows = await executeRows<{ data: unknown }>(
        db,
        sql`select ${chatSessions.data} as data from ${chatSessions} where ${chatSessions.key} like ${`${MESSAGE_DELETION_PREFIX}%`}`,
      );
      return pendingDeletions(rows);
    },
  };
}
