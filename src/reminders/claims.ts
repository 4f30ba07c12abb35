/**
 * Exactly-once bookkeeping. A row per reminder (and per enforcement action) in reminder_claims,
 * keyed `rule:target:period@chat`, and a row per digest (run × recipient) in
 * reminder_deliveries, written by a statement trigger on reminder_claims for every claim that
 * waits for a digest (migration `reminder_deliveries`):
 *  - claim: INSERT … ON CONFLICT DO NOTHING RETURNING (under the profile's sweep lock, or an
 *    advisory lock), so when two instances sweep at once the first takes every item and the
 *    second finds them taken (one digest per recipient, never two);
 *  - fence: just before a send, the run re-asserts that the digest's claims are still its own
 *    and unsent, and refreshes its delivery's claimed_at (the lease clock); a claim another run
 *    has taken over is left out;
 *  - confirm: the delivery's sent_at = now after the send returned, one row for all the digest's
 *    items (it also settles a digest that can never be delivered: blocked chat). A claim is also
 *    settled on its own row: an action, a ping, one given up after MAX_ATTEMPTS;
 *  - retry: a delivery still unsent after LEASE_MS (crash, network error) is taken over by the
 *    next run: its claims move to that run (claimed_by), which sends them once.
 * Whether a claim was sent is defined once, by the view reminder_claim_state; read it there.
 * The one window left is a crash between Telegram accepting a message and the confirm: that
 * message is sent again (at-least-once there), which is the best any external send can do.
 *
 * The sweep (sweep.ts) claims page by page (claimFresh), takes abandoned claims over in SQL
 * (takeOverAbandoned) and reads what its run owns back a page of whole recipients at a time
 * (ownedPages), so no phase holds every due item in memory. A restarted process releases the
 * unsent deliveries of its dead predecessor at start-up (releaseOwnClaims) instead of waiting
 * for the lease.
 */
import { sql, type SQL } from "drizzle-orm";
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
export type FactRenderer = (
  payload: unknown,
) => { line: string; sortAt: string; button?: ReminderButton } | null;

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
      ? { line: payload.line, sortAt: payload.sortAt, button: undefined }
      : (render?.(payload) ?? null);
  if (text === null) return null;
  const button = payload.button ?? text.button;
  return {
    key: row.key,
    rule: row.rule,
    target: row.target,
    chatId: Number(row.chat),
    section: payload.section,
    line: text.line,
    sortAt: text.sortAt,
    profileId: payload.profileId,
    ...(button ? { button } : {}),
    ...(payload.about && typeof payload.about === "object" ? { about: payload.about } : {}),
  };
}

export interface ClaimResult {
  /** Fresh items this run claimed. */
  claimed: ReminderItem[];
  /** Abandoned claims (their delivery older than the lease, unsent) this run took over. */
  retried: ReminderItem[];
}

/**
 * Moves to `runId` the unsent claims of `profiles` whose delivery is unsent and older than the
 * lease. An unsent delivery makes the claim's own sent_at its whole state (reminder_claim_state);
 * the trigger then opens the new owner's deliveries and drops the emptied ones. The stale
 * deliveries are locked (a delivery its owner is refreshing right now is skipped: it is alive),
 * so an owner's fence and a takeover never both believe the claims are theirs.
 */
/** Claims that wait for a digest: a line, or the fact a line is rendered from (the reply rule's). */
const DIGEST_PAYLOAD = sql`(c.payload ? 'line' or c.payload ? 'reply')`;

function takeOver(
  runId: string,
  now: Date,
  leaseMs: number,
  profiles: readonly string[],
  returning: SQL,
  which: SQL,
): SQL {
  return sql`update reminder_claims c set claimed_by = ${runId}, claimed_at = ${now.toISOString()}::timestamptz,
      attempts = c.attempts + 1
    from (select run_id, chat_id from reminder_deliveries
      where sent_at is null and claimed_at < ${new Date(now.getTime() - leaseMs).toISOString()}::timestamptz
        and run_id <> ${runId}
      for update skip locked) d
    where c.claimed_by = d.run_id and c.recipient_chat_id = d.chat_id and c.sent_at is null
      and ${which}
      and c.payload->>'profileId' in (select jsonb_array_elements_text(${jsonText(profiles)}::jsonb))
    returning ${returning}`;
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
      const rows = await executeRows<OwnedRow>(
        tx,
        // Claims with a line only: a stored fact (reply) needs the sweep's renderer (takeOverAbandoned).
        takeOver(runId, now, leaseMs, retryProfiles, OWNED_COLUMNS, sql`c.payload ? 'line'`),
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

/** A digest's claims: its recipient, the keys it read, and how many claims it accounts for. */
export interface DigestClaims {
  chatId: number;
  keys: readonly string[];
  /** Claims the digest accounts for, read or only counted (default: its keys). */
  itemCount?: number;
}

/** What the fence found still this run's to send. */
export interface Fenced {
  /** Keys still this run's and unsent. */
  keys: Set<string>;
  /**
   * Recipients whose digest holds every unsent claim this run has for them: their delivery row
   * settles them all (confirmDigests). Another digest is settled claim by claim.
   */
  whole: Set<number>;
}

const bigintArray = (chats: readonly number[]): string => `{${chats.map((c) => String(c)).join(",")}}`;

/**
 * Re-asserts ownership of the digests' claims just before sending. Reads how many unsent claims
 * this run has per recipient: a digest that shows exactly that many holds all of them (the run
 * read them back whole, and only it adds claims to its deliveries), so its keys need not be
 * sent to the server; only a digest that lost claims (taken over, settled one by one) or does
 * not show them all has its keys compared. Deliveries fenced or claimed after `refreshBefore`
 * keep their claimed_at (their lease has most of its time left, and no other run may take them
 * over before it ends), so fencing a page of fresh digests writes nothing; older ones get
 * claimed_at = now.
 */
export async function fenceDigests(
  db: DbOrTx,
  digests: readonly DigestClaims[],
  runId: string,
  now: Date,
  refreshBefore: Date = now,
): Promise<Fenced> {
  const fenced: Fenced = { keys: new Set(), whole: new Set() };
  if (digests.length === 0) return fenced;
  const chats = bigintArray(digests.map((d) => d.chatId));
  // Two statements: the count must see a takeover that the refresh waited for (a takeover locks
  // the stale deliveries it moves; see takeOver), which the refresh's own snapshot would not.
  await executeRows(
    db,
    sql`update reminder_deliveries set claimed_at = ${now.toISOString()}::timestamptz
      where run_id = ${runId} and chat_id = any(${chats}::bigint[]) and sent_at is null
        and claimed_at < ${refreshBefore.toISOString()}::timestamptz`,
  );
  // reminder_claim_state's "not sent", written from the deliveries' side so that the page's
  // chats narrow both tables (the view's join would read every delivery of the run for each
  // page: 50,000 rows a page at national scale). Every unsent claim of a digest has its delivery
  // row (the claim trigger), so starting from the deliveries misses none.
  const rows = await executeRows<{ chat: string; n: number | string }>(
    db,
    sql`select d.chat_id::text as chat, count(*) as n from reminder_deliveries d
        join reminder_claims c on c.claimed_by = d.run_id and c.recipient_chat_id = d.chat_id
      where d.run_id = ${runId} and d.chat_id = any(${chats}::bigint[]) and d.sent_at is null
        and c.sent_at is null
      group by d.chat_id`,
  );
  const unsent = new Map(rows.map((row) => [Number(row.chat), Number(row.n)]));
  // Two digests to one chat: neither holds all of its claims.
  const digestsTo = new Map<number, number>();
  for (const digest of digests) digestsTo.set(digest.chatId, (digestsTo.get(digest.chatId) ?? 0) + 1);
  const partial: DigestClaims[] = [];
  for (const digest of digests) {
    const n = unsent.get(digest.chatId) ?? 0;
    if (n === 0) continue;
    if (n === (digest.itemCount ?? digest.keys.length) && digestsTo.get(digest.chatId) === 1) {
      fenced.whole.add(digest.chatId);
      for (const key of digest.keys) fenced.keys.add(key);
    } else partial.push(digest);
  }
  if (partial.length > 0) {
    const found = await executeRows<{ key: string }>(
      db,
      sql`select key from reminder_claim_state
        where claimed_by = ${runId} and recipient_chat_id = any(${bigintArray(partial.map((d) => d.chatId))}::bigint[])
          and not sent`,
    );
    const ours = new Set(found.map((row) => row.key));
    for (const digest of partial) for (const key of digest.keys) if (ours.has(key)) fenced.keys.add(key);
  }
  return fenced;
}

/** Delivered digests: whole ones by recipient (one delivery row each), the others by key. */
export interface SentDigests {
  chats: readonly number[];
  keys: readonly string[];
}

/**
 * Marks delivered digests sent: one statement for any number of whole digests (e.g. a batch),
 * and one for the claims of the others. `note` says why a digest was settled unsent (blocked).
 */
export async function confirmDigests(
  db: DbOrTx,
  sent: SentDigests,
  runId: string,
  now: Date,
  note: string | null = null,
): Promise<void> {
  if (sent.chats.length > 0) {
    await executeRows(
      db,
      sql`update reminder_deliveries set sent_at = ${now.toISOString()}::timestamptz, last_error = ${note}
        where run_id = ${runId} and chat_id = any(${bigintArray(sent.chats)}::bigint[]) and sent_at is null`,
    );
  }
  if (sent.keys.length > 0) {
    await executeRows(
      db,
      sql`update reminder_claims set sent_at = ${now.toISOString()}::timestamptz, last_error = ${note}
        where key in (select key from reminder_claim_state
          where key = any(${textArray(sent.keys)}::text[]) and claimed_by = ${runId} and not sent)`,
    );
  }
}

/**
 * Records a failed send on a digest's claims: whole digests by recipient (their claims counted
 * but not read included), the others by key. Claims that reached MAX_ATTEMPTS are settled
 * (sent_at set, error kept) and returned, to be reported; the others stay unsent, and their
 * delivery is taken over by the next run after the lease.
 */
export async function failClaims(
  db: DbOrTx,
  failed: SentDigests,
  runId: string,
  now: Date,
  error: string,
): Promise<string[]> {
  const rows = await executeRows<{ key: string; settled: boolean }>(
    db,
    sql`update reminder_claims
      set last_error = ${error.slice(0, 500)},
          sent_at = case when attempts >= ${MAX_ATTEMPTS}::int then ${now.toISOString()}::timestamptz else null end
      where key in (select key from reminder_claim_state
        where claimed_by = ${runId} and not sent
          and (key = any(${textArray(failed.keys)}::text[])
               or recipient_chat_id = any(${bigintArray(failed.chats)}::bigint[])))
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
 * Takes over, for this run, the unsent claims of `profiles` whose delivery is older than the
 * lease (a run that crashed, was stopped, or could not send). Set-based: nothing is loaded;
 * ownedPages reads them back with the fresh claims. Returns how many were taken over.
 */
export async function takeOverAbandoned(
  database: Database,
  options: { runId: string; now: Date; leaseMs: number; profiles: readonly string[] },
): Promise<number> {
  const { runId, now, leaseMs, profiles } = options;
  if (profiles.length === 0) return 0;
  const rows = await executeRows<{ n: number | string }>(
    database.db,
    sql`with taken as (${takeOver(runId, now, leaseMs, profiles, sql`1`, DIGEST_PAYLOAD)}) select count(*) as n from taken`,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * A restarted process takes over its own stale claims at start-up (issue 9.12): the unsent
 * deliveries of an earlier process of the same instance (run_id starts with `instance:`) are
 * released, i.e. their lease ends now, so the next sweep retries them at once instead of after
 * 10 minutes. Safe with a run of the same instance still delivering (a CLI run on the same
 * host): its fence re-asserts claimed_by, and the sweep lock keeps any retry out until it ends.
 * Returns how many unsent claims were released.
 */
export async function releaseOwnClaims(database: Database, instanceId: string): Promise<number> {
  const prefix = `${instanceId}:`;
  const rows = await executeRows<{ n: number | string }>(
    database.db,
    sql`with released as (
        update reminder_deliveries set claimed_at = 'epoch'::timestamptz
        where sent_at is null and left(run_id, ${prefix.length}::int) = ${prefix}
        returning run_id, chat_id)
      select count(*) as n from reminder_claims c
        join released r on c.claimed_by = r.run_id and c.recipient_chat_id = r.chat_id
      where c.sent_at is null`,
  );
  return Number(rows[0]?.n ?? 0);
}

const OWNED_COLUMNS = sql`key, rule, target, recipient_chat_id::text as chat, payload`;

/**
 * Claims read back per recipient and section. A digest is one message of at most 4,000
 * characters (digest.ts MAX_MESSAGE_CHARS), so it shows well under 150 items of a section (a
 * line is 60–200 characters); the rest is only counted ("… và N mục khác"). A unit head with a
 * thousand overdue replies therefore costs 150 rows, not a thousand, and what is not read is
 * still settled with the digest (its delivery row covers every claim of the recipient).
 */
export const READ_PER_SECTION = 150;

/** One page of recipients: the items read, and per recipient the claims counted but not read. */
export interface OwnedPage {
  items: ReminderItem[];
  /** Unsent claims of a recipient's section beyond the READ_PER_SECTION read (recipient → section → count). */
  unread: Map<number, Map<SectionId, number>>;
}

/**
 * The first recipients of `candidates` (in chat order) whose claims fit `budget` items, counting
 * each as at most `perSection` (what a recipient with one big section is read as), and at least
 * one recipient. A delivery row's count is an upper bound of its unsent claims (schema.ts items).
 */
function pageOfChats<T extends { items: number }>(
  candidates: readonly T[],
  budget: number,
  perSection: number,
): T[] {
  let total = 0;
  let end = 0;
  while (end < candidates.length) {
    total += Math.min(Number((candidates[end] as T).items), perSection);
    if (end > 0 && total > budget) break;
    end++;
  }
  return candidates.slice(0, end);
}

/**
 * The unsent claims this run owns, a page of recipients at a time (chat order, keyset on the
 * run's deliveries), as items: the sweep renders and delivers each page before reading the
 * next, so memory is bounded by the page, not by what is due. Fresh, taken-over and notice
 * claims alike, so each recipient gets one digest with all of them. Of each recipient's section
 * only the first `perSection` claims in digest order are read (earliest deadline first, as
 * digest.ts compareItems orders them), and the others are counted. `render` gives the lines of
 * claims that store a fact (the reply rule's) at the time of reading.
 */
export async function* ownedPages(
  database: Database,
  runId: string,
  render: FactRenderer,
  options: { recipientsPerPage?: number; itemsPerPage?: number; perSection?: number } = {},
): AsyncGenerator<OwnedPage> {
  const recipients = options.recipientsPerPage ?? 250;
  const budget = options.itemsPerPage ?? 2_500;
  const perSection = options.perSection ?? READ_PER_SECTION;
  let after = "-9223372036854775808";
  for (;;) {
    const read = await database.db.transaction(async (tx) => {
      const candidates = await executeRows<{ chat: string; items: number }>(
        tx,
        sql`select chat_id::text as chat, items from reminder_deliveries
          where run_id = ${runId} and chat_id > ${after}::bigint and sent_at is null
          order by chat_id limit ${recipients}::int`,
      );
      const chats = pageOfChats(candidates, budget, perSection);
      if (chats.length === 0) return null;
      // Recipients whose claims all fit the cap are read as they are (the digest sorts them);
      // only crowded ones (a unit head) are ranked per section, so that the sort and the
      // payload fields it reads are paid for their claims alone.
      const small: number[] = [];
      const crowded: number[] = [];
      for (const row of chats) (Number(row.items) > perSection ? crowded : small).push(Number(row.chat));
      // Not the view (reminder_claim_state): its digest half of "sent" is the chats' (unsent
      // deliveries of this run, read above and settled only by this run), so the claims' own
      // half is all that is left; joining every delivery of the run for each page would scan
      // 50,000 rows a page at national scale.
      const mine = sql`c.claimed_by = ${runId} and c.sent_at is null`;
      const parts: SQL[] = [];
      if (small.length > 0) {
        parts.push(sql`select ${OWNED_COLUMNS}, 0 as n from reminder_claims c
          where ${mine} and c.recipient_chat_id = any(${bigintArray(small)}::bigint[])`);
      }
      if (crowded.length > 0) {
        // Tens of thousands of claims for a page of heads: sorted in memory, not compiled (JIT).
        await executeRows(
          tx,
          sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`,
        );
        parts.push(sql`select key, rule, target, chat, payload, n from (
            select ${OWNED_COLUMNS},
              row_number() over (partition by c.recipient_chat_id, c.payload->>'section'
                -- A line's sortAt is an ISO instant (UTC, fixed width); a reply fact sorts by its
                -- receipt, which orders its deadline (rules/reply.ts).
                order by c.payload->>'sortAt' collate "C", (c.payload->'reply'->>'receivedAt')::timestamptz,
                  c.key collate "C") as rn,
              count(*) over (partition by c.recipient_chat_id, c.payload->>'section') as n
            from reminder_claims c
            where ${mine} and c.recipient_chat_id = any(${bigintArray(crowded)}::bigint[])
          ) ranked where rn <= ${perSection}::int`);
      }
      const rows = await executeRows<OwnedRow & { n: number | string }>(
        tx,
        sql.join(parts, sql` union all `),
      );
      return { rows, end: (chats[chats.length - 1] as { chat: string }).chat };
    });
    if (read === null) return;
    const { rows } = read;
    after = read.end;
    const page: OwnedPage = { items: [], unread: new Map() };
    for (const row of rows) {
      const item = itemOfRow(row, render);
      if (!item) continue;
      page.items.push(item);
      const beyond = Number(row.n) - perSection;
      if (beyond > 0) {
        const sections = page.unread.get(item.chatId) ?? new Map<SectionId, number>();
        sections.set(item.section, beyond);
        page.unread.set(item.chatId, sections);
      }
    }
    rows.length = 0;
    if (page.items.length > 0) yield page;
  }
}

/**
 * Refreshes the planner's statistics of reminder_claims and reminder_deliveries after a run
 * claimed many items, when this role owns them (single-role and embedded deployments): the
 * delivery's reads by recipient are then planned on the (run, chat) index. Without it, the
 * first big sweep of a fresh table is planned as if the table were empty (full sorts of every
 * claim per page) until autovacuum analyzes it, which is what happens under a separate owner
 * role.
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
  await executeRows(database.db, sql`analyze reminder_deliveries`);
  return true;
}
