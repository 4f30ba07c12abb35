/**
 * Conversation state and update de-duplication in the database, so a flow survives a restart and
 * two bot instances (webhook behind a load balancer, or a re-delivered update) never handle one
 * update twice. Not audited: these are technical records, not state changes of the domain.
 */
import { and, eq, gt, inArray, isNull, lt, or } from "drizzle-orm";
import { z } from "zod";
import { chatSessions, processedUpdates } from "../db/schema.ts";
import type { ServiceContext } from "./context.ts";
import { ServiceError } from "./errors.ts";

export interface ChatStateService {
  /** True exactly once per update id, across instances. */
  claimUpdate(updateId: number): Promise<boolean>;
  /**
   * claimUpdate for many updates (a polled batch, webhook updates arriving together) in one
   * round trip, which also reads the live session under each won update's `sessionKey` (the flow
   * state its handler reads first): won id → session data, or null when the update has no key or
   * no live session. Ids missing from the map were not won.
   */
  claimUpdatesWithSessions(
    claims: readonly { updateId: number; sessionKey?: string | undefined }[],
  ): Promise<Map<number, unknown | null>>;
  /**
   * Gives claims back (their handling failed because the database was unreachable), so the
   * update is handled when Telegram delivers it again.
   */
  releaseUpdates(updateIds: readonly number[]): Promise<void>;
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

/**
 * CLAIM_WITHOUT_FLUSH — why the claim may commit with synchronous_commit = off (PostgreSQL).
 *
 * The claim is one INSERT … ON CONFLICT DO NOTHING RETURNING in an implicit transaction with
 * `SET LOCAL synchronous_commit = off` (a simple-protocol multi-statement query: one round trip;
 * the setting ends with that transaction and touches nothing else on the connection).
 *
 * - While the server is up nothing changes: an asynchronous commit is visible to every other
 *   session at once, and the primary key still makes a second claim of the same update_id wait
 *   for the first and then find the row. Two instances still never both handle one update.
 * - Only a crash of the database server (not of the bot) can lose a claim: the last
 *   ≤ 3 × wal_writer_delay (600 ms by default) of asynchronously committed claims.
 * - The WAL is one ordered stream: any later synchronous commit flushes everything before it,
 *   including earlier asynchronous claims. Each service state change is a synchronous
 *   transaction that starts after its update's claim returned, so an update whose change was
 *   made durable has a durable claim too. A lost claim therefore belongs to an update that
 *   changed nothing durable (a read such as /trangthai, or one whose change was lost in the same
 *   crash); if Telegram re-sends it after the server restarts, handling it again repeats a reply
 *   at worst — and re-does a change the crash lost, which is what the user wanted anyway.
 * - The cost saved is the WAL flush (fsync) on the hottest write path: one per update.
 */
function claimWithoutFlush(updateId: number, at: Date): string {
  return `set local synchronous_commit = off; insert into processed_updates (update_id, processed_at) values (${updateId}, '${at.toISOString()}') on conflict do nothing returning update_id`;
}

/**
 * Session keys written into the claim's SQL text (the simple protocol takes no parameters):
 * only these characters, so a key can never end the literal.
 */
const INLINE_KEY = /^[A-Za-z0-9:_.-]{1,200}$/;

/**
 * claimWithoutFlush for a batch that also reads each won update's session in the same statement
 * (ids are checked safe integers and keys match INLINE_KEY, hence safe inline).
 */
function claimWithSessionsWithoutFlush(
  claims: readonly { updateId: number; sessionKey: string | undefined }[],
  at: Date,
): string {
  const values = claims
    .map((c) => `(${c.updateId}::bigint, ${c.sessionKey === undefined ? "null" : `'${c.sessionKey}'`}::text)`)
    .join(", ");
  const now = `'${at.toISOString()}'::timestamptz`;
  return `set local synchronous_commit = off; with asked (update_id, session_key) as (values ${values}),
    won as (insert into processed_updates (update_id, processed_at) select update_id, ${now} from asked
      on conflict do nothing returning update_id)
    select won.update_id, s.data from won join asked on asked.update_id = won.update_id
      left join chat_sessions s on s.key = asked.session_key and (s.expires_at is null or s.expires_at > ${now})`;
}

function checkUpdateIds(updateIds: readonly number[]): number[] {
  const ids = [...new Set(updateIds)];
  if (ids.some((id) => !Number.isSafeInteger(id) || id < 0)) {
    throw new ServiceError("invalid_input", "Mã cập nhật Telegram không hợp lệ.");
  }
  return ids;
}

export function createChatStateService(ctx: ServiceContext): ChatStateService {
  const { db } = ctx.database;
  return {
    async claimUpdate(updateId) {
      if (!Number.isSafeInteger(updateId) || updateId < 0) {
        throw new ServiceError("invalid_input", "Mã cập nhật Telegram không hợp lệ.");
      }
      const processedAt = ctx.now();
      const { database } = ctx;
      if (database.driver === "postgres") {
        // One round trip, and the commit does not wait for the WAL flush: see CLAIM_WITHOUT_FLUSH.
        // Both values are ours (a checked safe integer, a Date's ISO text), hence safe inline.
        const results = (await database.client
          .unsafe(claimWithoutFlush(updateId, processedAt))
          .simple()) as unknown as unknown[][];
        return results[1]?.length === 1;
      }
      const rows = await db
        .insert(processedUpdates)
        .values({ updateId, processedAt })
        .onConflictDoNothing()
        .returning({ updateId: processedUpdates.updateId });
      return rows.length === 1;
    },

    async claimUpdatesWithSessions(asked) {
      const ids = checkUpdateIds(asked.map((c) => c.updateId));
      if (ids.length === 0) return new Map();
      const keyOf = new Map<number, string | undefined>();
      for (const c of asked) {
        if (keyOf.has(c.updateId)) continue;
        if (c.sessionKey !== undefined && !INLINE_KEY.test(c.sessionKey)) {
          throw new ServiceError("invalid_input", "Khóa phiên trò chuyện không hợp lệ.");
        }
        keyOf.set(c.updateId, c.sessionKey);
      }
      const claims = ids.map((updateId) => ({ updateId, sessionKey: keyOf.get(updateId) }));
      const processedAt = ctx.now();
      const { database } = ctx;
      const found = new Map<number, unknown | null>();
      if (database.driver === "postgres") {
        const results = (await database.client
          .unsafe(claimWithSessionsWithoutFlush(claims, processedAt))
          .simple()) as unknown as { update_id: number | string; data: unknown }[][];
        for (const row of results[1] ?? []) found.set(Number(row.update_id), row.data ?? null);
        return found;
      }
      // PGlite is in-process (no round trips to save): the claim, then the sessions of the won.
      const won = await db
        .insert(processedUpdates)
        .values(ids.map((updateId) => ({ updateId, processedAt })))
        .onConflictDoNothing()
        .returning({ updateId: processedUpdates.updateId });
      const keys = [...new Set(won.map((w) => keyOf.get(w.updateId)).filter((k) => k !== undefined))];
      const sessions = new Map<string, unknown>();
      if (keys.length > 0) {
        const rows = await db
          .select({ key: chatSessions.key, data: chatSessions.data })
          .from(chatSessions)
          .where(
            and(
              inArray(chatSessions.key, keys),
              or(isNull(chatSessions.expiresAt), gt(chatSessions.expiresAt, processedAt)),
            ),
          );
        for (const row of rows) sessions.set(row.key, row.data);
      }
      for (const { updateId } of won) {
        const key = keyOf.get(updateId);
        found.set(updateId, key === undefined ? null : (sessions.get(key) ?? null));
      }
      return found;
    },

    async releaseUpdates(updateIds) {
      const ids = checkUpdateIds(updateIds);
      if (ids.length === 0) return;
      await db.delete(processedUpdates).where(inArray(processedUpdates.updateId, ids));
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
