/**
 * Exactly-once bookkeeping in reminder_claims. A row per reminder (and per enforcement action)
 * keyed `rule:target:period@chat`:
 *  - claim: INSERT … ON CONFLICT DO NOTHING RETURNING, inside a transaction holding an advisory
 *    lock, so when two instances sweep at once the first takes every item and the second finds
 *    them taken (one digest per recipient, never two);
 *  - fence: just before a send, the instance re-asserts ownership (claimed_by = its run) and
 *    refreshes claimed_at; a claim another run has taken over is skipped;
 *  - confirm: sent_at = now after the send returned (sent_at also settles a claim that can
 *    never be delivered: blocked chat, too many attempts; last_error says which);
 *  - retry: a claim still unsent after LEASE_MS (crash, network error) is re-claimed by the next
 *    run with FOR UPDATE SKIP LOCKED and resent once.
 * The one window left is a crash between Telegram accepting a message and the confirm: that
 * message is sent again (at-least-once there), which is the best any external send can do.
 *
 * The sweep (sweep.ts) claims page by page (claimFresh), takes abandoned claims over in SQL
 * (takeOverAbandoned) and reads what its run owns back a page of whole recipients at a time
 * (ownedPages), so no phase holds every due item in memory. A restarted process releases the unsent claims
 * of its dead predecessor at start-up (releaseOwnClaims) instead of waiting for the lease.
 */
import { sql } from "drizzle-orm";
import { executeRows, type Database, type DbOrTx } from "../db/client.ts";
import { applyEnforcement } from "../services/enforcement.ts";
import type { EnforcementAction, ItemAbout, ReminderButton, ReminderItem, SectionId } from "./types.ts";

/** A claim older than this and still unsent is considered abandoned and is retried. */
export const DEFAULT_LEASE_MS = 10 * 60_000;
/** After this many attempts a claim is settled as failed and reported to the support chat. */
export const MAX_ATTEMPTS = 5;
/** Advisory lock key serialising the claim phase of concurrent sweeps. */
const CLAIM_LOCK_KEY = 727_005_001;
const CHUNK = 2_000;

interface Payload {
  section: SectionId;
  line: string;
  sortAt: string;
  profileId: string;
  button?: ReminderButton;
  about?: ItemAbout;
}

const payloadOf = (item: ReminderItem): Payload => ({
  section: item.section,
  line: item.line,
  sortAt: item.sortAt,
  profileId: item.profileId,
  ...(item.button ? { button: item.button } : {}),
  ...(item.about ? { about: item.about } : {}),
});

function jsonText(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * A PostgreSQL array literal of texts, sent as ONE parameter (`${textArray(keys)}::text[]`):
 * the same text on PostgreSQL and PGlite, parsed by the server's array input (cheaper than
 * a JSON array expanded by jsonb_array_elements_text).
 */
export function textArray(values: readonly string[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    out += `"${(values[i] as string).replace(/[\\"]/g, "\\$&")}"`;
  }
  return `${out}}`;
}

/**
 * Payloads of a chunk without repeats: the items of one fact (owner, keeper, heads) share their
 * line, so each distinct payload is sent once and the rows point at it by index. That halves the
 * JSON of a big claim (the largest transient allocation of a 100,000-item sweep).
 */
function chunkJson(slice: readonly ReminderItem[]): { rows: string; payloads: string } {
  const index = new Map<string, { payload: Payload; at: number }[]>();
  const payloads: Payload[] = [];
  const rows = slice.map((item) => {
    const payload = payloadOf(item);
    const same = index.get(item.line);
    let at = same?.find((p) => samePayload(p.payload, payload))?.at;
    if (at === undefined) {
      at = payloads.push(payload) - 1;
      if (same) same.push({ payload, at });
      else index.set(item.line, [{ payload, at }]);
    }
    return { k: item.key, r: item.rule, t: item.target, c: String(item.chatId), p: at };
  });
  return { rows: jsonText(rows), payloads: jsonText(payloads) };
}

function samePayload(a: Payload, b: Payload): boolean {
  return (
    a.section === b.section &&
    a.sortAt === b.sortAt &&
    a.profileId === b.profileId &&
    a.button?.text === b.button?.text &&
    a.button?.data === b.button?.data &&
    (a.about === b.about || JSON.stringify(a.about) === JSON.stringify(b.about))
  );
}

/**
 * Inserts claims for `items` in chunks, in the given order (the rules emit the items of one fact
 * together, which chunkJson relies on); each statement inserts in (chat, key) order. Returns the
 * items this run won.
 */
async function insertClaims(
  tx: DbOrTx,
  items: readonly ReminderItem[],
  runId: string,
  now: Date,
): Promise<ReminderItem[]> {
  const won: ReminderItem[] = [];
  for (let i = 0; i < items.length; i += CHUNK) {
    const slice = items.slice(i, i + CHUNK);
    const json = chunkJson(slice);
    // json (not jsonb): parsed once by json_to_recordset, cheaper for a one-shot batch.
    const rows = await executeRows<{ key: string }>(
      tx,
      sql`insert into reminder_claims (key, rule, target, recipient_chat_id, claimed_at, claimed_by, attempts, payload)
        select x.k, x.r, x.t, x.c::bigint, ${now.toISOString()}::timestamptz, ${runId}, 1, p.value::jsonb
        from json_to_recordset(${json.rows}::json) as x(k text, r text, t text, c text, p int)
          join json_array_elements(${json.payloads}::json) with ordinality as p(value, n) on p.n = x.p + 1
        -- Chats that blocked the bot get nothing until they write again (they were reported then).
        where not exists (select 1 from blocked_chats b where b.chat_id = x.c::bigint)
        order by x.c::bigint, x.k
        on conflict (key) do nothing
        returning key`,
    );
    if (rows.length === slice.length) {
      for (const item of slice) won.push(item);
    } else if (rows.length > 0) {
      const got = new Set(rows.map((row) => row.key));
      for (const item of slice) if (got.has(item.key)) won.push(item);
    }
  }
  return won;
}

/**
 * Renders a claim whose payload stores a fact instead of a line (the reply rule's, see
 * rules/reply.ts replyRenderer): its line and sort key at the time of reading. null = not such
 * a payload.
 */
export type FactRenderer = (payload: unknown) => { line: string; sortAt: string } | null;

/** A claim as read back: its recipient as text (a bigint), its payload as stored. */
export type OwnedRow = { key: string; rule: string; target: string; chat: string; payload: unknown };

/**
 * A claim as an item. `render` is required (null only where the query reads claims with a line):
 * a reader without it would silently skip the reply rule's claims, which would never be sent.
 */
export function itemOfRow(row: OwnedRow, render: FactRenderer | null): ReminderItem | null {
  const payload = (typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload) as Payload | null;
  if (!payload || typeof payload !== "object") return null;
  const text =
    typeof payload.line === "string"
      ? { line: payload.line, sortAt: payload.sortAt }
      : (render?.(payload) ?? null);
  if (text === null) return null;
  return {
    key: row.key,
    rule: row.rule,
    target: row.target,
    chatId: Number(row.chat),
    section: payload.section,
    line: text.line,
    sortAt: text.sortAt,
    profileId: payload.profileId,
    ...(payload.button ? { button: payload.button } : {}),
    ...(payload.about && typeof payload.about === "object" ? { about: payload.about } : {}),
  };
}

export interface ClaimResult {
  /** Fresh items this run claimed. */
  claimed: ReminderItem[];
  /** Abandoned claims (older than the lease, unsent) this run took over. */
  retried: ReminderItem[];
}

/**
 * Claims new items and takes over abandoned ones of the given profiles (those in working
 * hours now), in one transaction under the advisory lock.
 */
export async function claimItems(
  database: Database,
  items: readonly ReminderItem[],
  options: { runId: string; now: Date; leaseMs: number; retryProfiles: readonly string[] },
): Promise<ClaimResult> {
  const { runId, now, leaseMs, retryProfiles } = options;
  return database.db.transaction(async (tx) => {
    await executeRows(tx, sql`select pg_advisory_xact_lock(${CLAIM_LOCK_KEY})`);
    const retried: ReminderItem[] = [];
    if (retryProfiles.length > 0) {
      const rows = await executeRows<{
        key: string;
        rule: string;
        target: string;
        chat: string;
        payload: unknown;
      }>(
        tx,
        sql`update reminder_claims c set claimed_by = ${runId}, claimed_at = ${now.toISOString()}::timestamptz, attempts = c.attempts + 1
          where c.key in (
            select key from reminder_claims
            where sent_at is null and claimed_at < ${new Date(now.getTime() - leaseMs).toISOString()}::timestamptz
              -- Claims with a line only: a stored fact (reply) needs the sweep's renderer (takeOverAbandoned).
              and payload is not null and payload ? 'line'
              and payload->>'profileId' in (select jsonb_array_elements_text(${jsonText(retryProfiles)}::jsonb))
            order by claimed_at, key
            limit 20000
            for update skip locked)
          returning c.key, c.rule, c.target, c.recipient_chat_id::text as chat, c.payload`,
      );
      for (const row of rows) {
        const item = itemOfRow(row, null);
        if (item) retried.push(item);
      }
    }
    const retriedKeys = new Set(retried.map((item) => item.key));
    const fresh = items.filter((item) => !retriedKeys.has(item.key));
    const claimed = await insertClaims(tx, fresh, runId, now);
    return { claimed, retried };
  });
}

/** Keys among `keys` that already have a claim (dry run: what would not be sent again). */
export async function existingKeys(db: DbOrTx, keys: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const rows = await executeRows<{ key: string }>(
      db,
      sql`select key from reminder_claims where key in (select jsonb_array_elements_text(${jsonText(keys.slice(i, i + CHUNK))}::jsonb))`,
    );
    for (const row of rows) found.add(row.key);
  }
  return found;
}

/**
 * Claims and applies one enforcement action, and claims its notices, in one transaction.
 * Returns the notices this run must deliver ([] when another run already did it, or when the
 * mailbox was no longer in the expected state).
 */
export async function applyAction(
  database: Database,
  action: EnforcementAction,
  options: { runId: string; now: Date },
): Promise<{ applied: boolean; notices: ReminderItem[] }> {
  const { runId, now } = options;
  return database.db.transaction(async (tx) => {
    const got = await executeRows<{ key: string }>(
      tx,
      sql`insert into reminder_claims (key, rule, target, recipient_chat_id, claimed_at, claimed_by, attempts, payload)
        values (${action.key}, ${action.rule}, ${action.target}, 0, ${now.toISOString()}::timestamptz, ${runId}, 1,
                ${jsonText({ action: action.kind, mailboxId: action.mailboxId, profileId: action.profileId })}::jsonb)
        on conflict (key) do nothing returning key`,
    );
    if (got.length === 0) return { applied: false, notices: [] };
    const applied = await applyEnforcement(
      tx,
      {
        kind: action.kind,
        mailboxId: action.mailboxId,
        article: action.article,
        key: action.key,
        ...(action.removeAfter ? { removeAfter: new Date(action.removeAfter) } : {}),
      },
      now,
    );
    // Action claims are settled at once: sent_at = applied (or skipped) at.
    await executeRows(
      tx,
      sql`update reminder_claims set sent_at = ${now.toISOString()}::timestamptz,
            last_error = ${applied ? null : "skipped: mailbox no longer in the expected state"}
          where key = ${action.key}`,
    );
    if (!applied) return { applied: false, notices: [] };
    const notices = await insertClaims(tx, action.notices, runId, now);
    return { applied: true, notices };
  });
}

/**
 * Claims named by key, with their recipients: the chats let each statement reach the claims
 * through the unsent-by-chat index (a few hundred probes) instead of testing every unsent claim
 * against thousands of keys, whatever the planner believes of the table's size (a first big
 * sweep runs before any ANALYZE has seen the claims).
 */
export interface ClaimSet {
  keys: readonly string[];
  /** The recipients of those keys (each at least once). */
  chats: readonly number[];
}

const bigintArray = (chats: readonly number[]): string => `{${chats.map((c) => String(c)).join(",")}}`;

/**
 * Re-asserts ownership of `claims` just before sending; returns the keys still ours and unsent.
 * Claims taken or refreshed after `refreshBefore` keep their claimed_at (their lease has most of
 * its time left, and no other run may take them over before it ends), so fencing a whole page
 * of fresh claims reads them by key and writes nothing; older ones get claimed_at = now.
 */
export async function fenceKeys(
  db: DbOrTx,
  claims: ClaimSet,
  runId: string,
  now: Date,
  refreshBefore: Date = now,
): Promise<string[]> {
  if (claims.keys.length === 0) return [];
  const rows = await executeRows<{ key: string }>(
    db,
    sql`with mine as (
        select key, claimed_at from reminder_claims
        where recipient_chat_id = any(${bigintArray(claims.chats)}::bigint[]) and sent_at is null
          and key = any(${textArray(claims.keys)}::text[]) and claimed_by = ${runId}),
      refreshed as (
        update reminder_claims c set claimed_at = ${now.toISOString()}::timestamptz
        from mine where c.key = mine.key and mine.claimed_at < ${refreshBefore.toISOString()}::timestamptz
          and c.claimed_by = ${runId} and c.sent_at is null
        returning c.key)
      select key from mine`,
  );
  return rows.map((row) => row.key);
}

/** Marks `claims` sent (one statement for any number of keys, e.g. a batch of delivered digests). */
export async function confirmKeys(
  db: DbOrTx,
  claims: ClaimSet,
  runId: string,
  now: Date,
  note: string | null = null,
): Promise<void> {
  if (claims.keys.length === 0) return;
  await executeRows(
    db,
    sql`update reminder_claims set sent_at = ${now.toISOString()}::timestamptz, last_error = ${note}
      where recipient_chat_id = any(${bigintArray(claims.chats)}::bigint[]) and sent_at is null
        and key = any(${textArray(claims.keys)}::text[]) and claimed_by = ${runId}`,
  );
}

/**
 * Records a failed send. Claims that reached MAX_ATTEMPTS are settled (sent_at set, error kept)
 * and returned, to be reported; the others stay unsent for the next run after the lease.
 */
export async function failKeys(
  db: DbOrTx,
  keys: readonly string[],
  runId: string,
  now: Date,
  error: string,
): Promise<string[]> {
  const rows = await executeRows<{ key: string; settled: boolean }>(
    db,
    sql`update reminder_claims
      set last_error = ${error.slice(0, 500)},
          sent_at = case when attempts >= ${MAX_ATTEMPTS}::int then ${now.toISOString()}::timestamptz else null end
      where key in (select jsonb_array_elements_text(${jsonText(keys)}::jsonb)) and claimed_by = ${runId} and sent_at is null
      returning key, sent_at is not null as settled`,
  );
  return rows.filter((row) => row.settled).map((row) => row.key);
}

export async function recordBlockedChat(
  db: DbOrTx,
  chatId: number,
  reason: string,
  now: Date,
): Promise<void> {
  await executeRows(
    db,
    sql`insert into blocked_chats (chat_id, recorded_at, reason) values (${String(chatId)}::bigint, ${now.toISOString()}::timestamptz, ${reason.slice(0, 500)})
      on conflict (chat_id) do update set recorded_at = excluded.recorded_at, reason = excluded.reason`,
  );
}

/** Chats among `chatIds` that blocked the bot: their items are not claimed. */
export async function blockedAmong(db: DbOrTx, chatIds: readonly number[]): Promise<Set<number>> {
  if (chatIds.length === 0) return new Set();
  const rows = await executeRows<{ chat: string }>(
    db,
    sql`select chat_id::text as chat from blocked_chats
      where chat_id in (select (jsonb_array_elements_text(${jsonText(chatIds.map(String))}::jsonb))::bigint)`,
  );
  return new Set(rows.map((row) => Number(row.chat)));
}

/**
 * Claims fresh items for this run (one page of the sweep); returns how many it won. No
 * transaction: every chunk is idempotent (ON CONFLICT DO NOTHING) and the sweep holds the
 * profile's lock, so a crash in between only leaves claims that a later run retries.
 */
export async function claimFresh(
  database: Database,
  items: readonly ReminderItem[],
  options: { runId: string; now: Date },
): Promise<number> {
  if (items.length === 0) return 0;
  return (await insertClaims(database.db, items, options.runId, options.now)).length;
}

/**
 * Takes over, for this run, the unsent claims of `profiles` older than the lease (a run that
 * crashed, was stopped, or could not send). Set-based: nothing is loaded; ownedPages reads
 * them back with the fresh claims. Returns how many were taken over.
 */
export async function takeOverAbandoned(
  database: Database,
  options: { runId: string; now: Date; leaseMs: number; profiles: readonly string[] },
): Promise<number> {
  const { runId, now, leaseMs, profiles } = options;
  if (profiles.length === 0) return 0;
  const rows = await executeRows<{ n: number | string }>(
    database.db,
    sql`with taken as (
        update reminder_claims c set claimed_by = ${runId}, claimed_at = ${now.toISOString()}::timestamptz,
          attempts = c.attempts + 1
        where c.sent_at is null and c.claimed_at < ${new Date(now.getTime() - leaseMs).toISOString()}::timestamptz
          and c.payload is not null and (c.payload ? 'line' or c.payload ? 'reply')
          and c.payload->>'profileId' in (select jsonb_array_elements_text(${jsonText(profiles)}::jsonb))
        returning 1)
      select count(*) as n from taken`,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * A restarted process takes over its own stale claims at start-up (issue 9.12): the unsent
 * claims of an earlier process of the same instance (claimed_by starts with `instance:`) are
 * released, i.e. their lease ends now, so the next sweep retries them at once instead of after
 * 10 minutes. Safe with a run of the same instance still delivering (a CLI run on the same
 * host): its fence re-asserts claimed_by, and the sweep lock keeps any retry out until it ends.
 */
export async function releaseOwnClaims(database: Database, instanceId: string): Promise<number> {
  const prefix = `${instanceId}:`;
  const rows = await executeRows<{ n: number | string }>(
    database.db,
    sql`with released as (
        update reminder_claims set claimed_at = 'epoch'::timestamptz
        where sent_at is null and left(claimed_by, ${prefix.length}::int) = ${prefix}
        returning 1)
      select count(*) as n from released`,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * The unsent claims this run owns, a page of whole recipients at a time (chat order), as items:
 * the sweep renders and delivers each page before reading the next. Fresh, taken-over and notice
 * claims alike, so each recipient gets one digest with all of them. Keyset pages of about
 * `itemsPerPage` claims on the unsent-by-chat index (each page reads only its own rows); the last
 * recipient of a full page is completed by a second read, so no recipient is split. `render`
 * gives the lines of claims that store a fact (the reply rule's) at the time of reading.
 */
export async function* ownedPages(
  database: Database,
  runId: string,
  render: FactRenderer,
  itemsPerPage = 10_000,
): AsyncGenerator<ReminderItem[]> {
  const columns = sql`key, rule, target, recipient_chat_id::text as chat, payload`;
  let after = "-9223372036854775808";
  for (;;) {
    // Chat order only: the index gives it, and the digest orders a recipient's items itself.
    const rows = await executeRows<OwnedRow>(
      database.db,
      sql`select ${columns} from reminder_claims
        where recipient_chat_id > ${after}::bigint and sent_at is null and claimed_by = ${runId}
        order by recipient_chat_id limit ${itemsPerPage}::int`,
    );
    const last = rows[rows.length - 1];
    if (!last) return;
    if (rows.length === itemsPerPage) {
      // The page may have cut the last recipient: read that recipient again, whole.
      while (rows.length > 0 && (rows[rows.length - 1] as OwnedRow).chat === last.chat) rows.pop();
      const whole = await executeRows<OwnedRow>(
        database.db,
        sql`select ${columns} from reminder_claims
          where recipient_chat_id = ${last.chat}::bigint and sent_at is null and claimed_by = ${runId}`,
      );
      for (const row of whole) rows.push(row);
    }
    after = last.chat;
    const items: ReminderItem[] = [];
    for (const row of rows) {
      const item = itemOfRow(row, render);
      if (item) items.push(item);
    }
    rows.length = 0;
    yield items;
  }
}

/**
 * Refreshes the planner's statistics of reminder_claims after a run claimed many items, when
 * this role owns the table (single-role and embedded deployments): the delivery's reads by
 * recipient are then planned on the unsent-by-chat index. Without it, the first big sweep of a
 * fresh table is planned as if the table were empty (full sorts of every unsent claim per
 * page) until autovacuum analyzes it, which is what happens under a separate owner role.
 */
export async function refreshClaimStatistics(database: Database): Promise<boolean> {
  const owner = await executeRows<{ mine: boolean }>(
    database.db,
    sql`select pg_has_role(current_user, c.relowner, 'USAGE') as mine
      from pg_class c where c.oid = 'reminder_claims'::regclass`,
  );
  if (owner[0]?.mine !== true) return false;
  // The columns the delivery's reads filter on; not the payloads (wide JSON, slow to sample).
  await executeRows(
    database.db,
    sql`analyze reminder_claims (recipient_chat_id, claimed_by, sent_at, claimed_at, rule, target)`,
  );
  return true;
}
