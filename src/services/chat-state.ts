/**
 * Conversation state and update claims in the database, so a flow survives a restart and
 * each update is handled by one bot instance (webhook behind a load balancer, or a re-delivered
 * update; see src/bot/middleware/dedupe.ts for the promise). Not audited: these are technical records, not state changes of the domain.
 */
import { and, eq, gt, inArray, isNull, lt, or } from "drizzle-orm";
import { z } from "zod";
import { chatSessions, processedUpdates } from "../db/schema.ts";
import type { ServiceContext } from "./context.ts";
import { ServiceError } from "./errors.ts";

/** A claim's outcome: this caller handles the update, another finished it, or another is on it. */
export type ClaimOutcome = "won" | "done" | "busy";

export interface Claimant {
  /** Who claims: INSTANCE_ID (or the host) and a random id of this boot. */
  claimant: string;
  /**
   * Seconds an unfinished claim of someone else stays theirs; after that it is taken over (its
   * claimant is presumed dead). 0: at once (one poller: an unfinished claim is a dead earlier run).
   */
  leaseSeconds: number;
}

/** An update to claim, and the session key its handler would read first (none: no read). */
export interface ClaimAsk {
  updateId: number;
  sessionKey?: string | undefined;
}

export interface ClaimResults {
  outcomes: Map<number, ClaimOutcome>;
  /** Won ids → their session's data as read with the claim (null: no key or no live session). */
  sessions: Map<number, unknown | null>;
}

export interface ChatStateService {
  /**
   * Claims updates, first writing `done` (updates this claimant finished) in the same statement:
   * won (insert, or take-over of an unfinished claim past its lease), done (finished by anyone),
   * or busy (another claimant's unfinished claim within its lease). The same statement reads the
   * live session under each won update's `sessionKey` (the flow state its handler reads first).
   * One round trip when every id is won; ids not won (re-sent copies) cost a second one to tell
   * done from busy.
   */
  claimUpdates(asked: readonly ClaimAsk[], by: Claimant, done?: readonly number[]): Promise<ClaimResults>;
  /** Records updates as finished (their done marks, when no claim is going out to carry them). */
  markUpdatesDone(updateIds: readonly number[]): Promise<void>;
  /**
   * Gives this claimant's unfinished claims back (their handling failed because the database was
   * unreachable), so the update is handled when Telegram delivers it again.
   */
  releaseUpdates(updateIds: readonly number[], claimant: string): Promise<void>;
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
 * The claim is one simple-protocol multi-statement query (one round trip, one implicit
 * transaction): `SET LOCAL synchronous_commit = off`, the done marks it carries, the claim. The
 * setting ends with that transaction and touches nothing else on the connection.
 *
 * - While the server is up nothing changes: an asynchronous commit is visible to every other
 *   session at once, and the primary key still makes a second claim of the same update_id wait
 *   for the first and then find the row. Two instances still never both win one update.
 * - Only a crash of the database server (not of the bot) can lose a claim or a done mark: the
 *   last ≤ 3 × wal_writer_delay (600 ms by default) of asynchronously committed ones.
 * - The WAL is one ordered stream: any later synchronous commit flushes everything before it,
 *   including earlier asynchronous claims. Each service state change is a synchronous
 *   transaction that starts after its update's claim returned, so an update whose change was
 *   made durable has a durable claim too. A lost claim therefore belongs to an update that
 *   changed nothing durable (a read such as /trangthai, or one whose change was lost in the same
 *   crash); if Telegram re-sends it after the server restarts, handling it again repeats a reply
 *   at worst — and re-does a change the crash lost, which is what the user wanted anyway. A lost
 *   done mark leaves an answered update looking unfinished: Telegram does not re-send an
 *   answered update, and if it did, the lease would let it be handled again (a repeated reply).
 * - The cost saved is the WAL flush (fsync) on the hottest write path: one per update.
 */
const NO_FLUSH = "set local synchronous_commit = off";

/** A claimant name goes into the SQL text (the simple protocol takes no parameters): only these. */
const ClaimantName = z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/);
const LeaseSeconds = z.number().int().min(0).max(86_400);

const at = (time: Date) => `'${time.toISOString()}'::timestamptz`;
const idList = (ids: readonly number[]) => ids.join(", ");

/** Done marks: finished updates (ids are checked safe integers, hence safe inline). */
function doneMarksSql(ids: readonly number[], now: Date): string {
  return `update processed_updates set done_at = ${at(now)} where update_id in (${idList(ids)}) and done_at is null`;
}

/**
 * Session keys written into the claim's SQL text (the simple protocol takes no parameters):
 * only these characters, so a key can never end the literal.
 */
const INLINE_KEY = /^[A-Za-z0-9:_.-]{1,200}$/;

/**
 * The claim: insert, or take over a claim that is unfinished and (with a lease) older than it;
 * returns the ids won with the live session under each one's key, so the flow state costs no
 * round trip of its own. In update_id order, so two claimants lock rows alike. The losers' state
 * is not read here: a CTE that also did was measured at half the rate (see `outcomesSql`).
 * Ids are checked safe integers, keys match INLINE_KEY, the claimant ClaimantName: safe inline.
 */
function claimSql(
  asked: readonly { updateId: number; sessionKey: string | undefined }[],
  by: Claimant,
  now: Date,
): string {
  const values = [...asked]
    .sort((a, b) => a.updateId - b.updateId)
    .map((c) => `(${c.updateId}::bigint, ${c.sessionKey === undefined ? "null" : `'${c.sessionKey}'`}::text)`)
    .join(", ");
  const expired =
    by.leaseSeconds === 0 ? "" : ` and p.processed_at <= ${at(now)} - interval '${by.leaseSeconds} seconds'`;
  return `with asked (update_id, session_key) as (values ${values}),
    won as (insert into processed_updates as p (update_id, processed_at, claimed_by)
      select update_id, ${at(now)}, '${by.claimant}' from asked order by update_id
      on conflict (update_id) do update set processed_at = excluded.processed_at, claimed_by = excluded.claimed_by
      where p.done_at is null${expired} returning p.update_id)
    select won.update_id, s.data from won join asked on asked.update_id = won.update_id
      left join chat_sessions s on s.key = asked.session_key and (s.expires_at is null or s.expires_at > ${at(now)})`;
}

/**
 * Done or not, for the ids a claim did not win: a second round trip, but only for copies of
 * updates already claimed (re-sends), never on the path of a fresh update. A row gone or changed
 * since the claim reads as busy or done, both safe: asked again, it is won or dropped.
 */
function outcomesSql(ids: readonly number[]): string {
  return `select update_id, done_at is not null as done from processed_updates where update_id in (${idList(ids)})`;
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
  const markDone = async (ids: readonly number[]) => {
    if (ids.length > 0) await ctx.database.execute(doneMarksSql(ids, ctx.now()));
  };
  return {
    async claimUpdates(asked, by, done = []) {
      const ids = checkUpdateIds(asked.map((c) => c.updateId));
      const marks = checkUpdateIds(done);
      const claimant = ClaimantName.safeParse(by.claimant);
      const lease = LeaseSeconds.safeParse(by.leaseSeconds);
      if (!claimant.success || !lease.success) {
        throw new ServiceError("invalid_input", "Tên tiến trình nhận cập nhật không hợp lệ.");
      }
      const results: ClaimResults = { outcomes: new Map(), sessions: new Map() };
      if (ids.length === 0) {
        await markDone(marks);
        return results;
      }
      // The first key given for an id counts (the same id twice: a re-delivery racing the original).
      const keyOf = new Map<number, string | undefined>();
      for (const c of asked) {
        if (keyOf.has(c.updateId)) continue;
        if (c.sessionKey !== undefined && !INLINE_KEY.test(c.sessionKey)) {
          throw new ServiceError("invalid_input", "Khóa phiên trò chuyện không hợp lệ.");
        }
        keyOf.set(c.updateId, c.sessionKey);
      }
      const now = ctx.now();
      const claim = claimSql(
        ids.map((updateId) => ({ updateId, sessionKey: keyOf.get(updateId) })),
        { claimant: claimant.data, leaseSeconds: lease.data },
        now,
      );
      const { database } = ctx;
      type Won = { update_id: number | string; data: unknown };
      let won: Won[];
      if (database.driver === "postgres") {
        // One round trip, and the commit does not wait for the WAL flush: see CLAIM_WITHOUT_FLUSH.
        const statements = [NO_FLUSH, ...(marks.length > 0 ? [doneMarksSql(marks, now)] : []), claim];
        const all = (await database.client.unsafe(statements.join("; ")).simple()) as unknown as Won[][];
        won = all.at(-1) ?? [];
      } else {
        // PGlite is in-process: no round trip to save.
        if (marks.length > 0) await database.execute(doneMarksSql(marks, now));
        won = await database.execute<Won>(claim);
      }
      for (const row of won) {
        results.outcomes.set(Number(row.update_id), "won");
        results.sessions.set(Number(row.update_id), row.data ?? null);
      }
      const lost = ids.filter((id) => !results.outcomes.has(id));
      if (lost.length > 0) {
        const seen = await database.execute<{ update_id: number | string; done: boolean }>(outcomesSql(lost));
        const finished = new Set(seen.filter((row) => row.done).map((row) => Number(row.update_id)));
        for (const id of lost) results.outcomes.set(id, finished.has(id) ? "done" : "busy");
      }
      return results;
    },

    async markUpdatesDone(updateIds) {
      await markDone(checkUpdateIds(updateIds));
    },

    async releaseUpdates(updateIds, claimant) {
      const ids = checkUpdateIds(updateIds);
      if (ids.length === 0) return;
      // Only our own unfinished claims: one taken over meanwhile belongs to its new claimant.
      await db
        .delete(processedUpdates)
        .where(
          and(
            inArray(processedUpdates.updateId, ids),
            eq(processedUpdates.claimedBy, claimant),
            isNull(processedUpdates.doneAt),
          ),
        );
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
