/**
 * Activity from the mail server: logins, deliveries and quota that Dovecot wrote into the
 * activity tables, and the messages that need an answer, read from the server — as an
 * `ActivitySource` fed to the same `ingestActivity` as the CSV and HTTP feeds.
 *
 * Incremental: only users whose `mailserver_logins` row moved since the last run (a watermark
 * on `last_at`, with an overlap for rows committed late) are looked at, and for them only the
 * messages after the last UID read. A mailbox whose messages or flags changed has had a login
 * or a delivery, so the number of server calls grows with what changed, not with the mailbox
 * count. Re-reading the overlap changes nothing (ingestion is idempotent).
 */
import { sql } from "drizzle-orm";
import { executeRows, type Database } from "../db/client.ts";
import {
  DEFAULT_TRACKING_POLICY,
  needsAnswer,
  senderAddress,
  type TrackingPolicy,
} from "../policy/tracking.ts";
import { arraySource, ingestActivity, type ActivityReport } from "../services/activity.ts";
import type { MailServerConnector, MessageQuery } from "./connector.ts";

export interface SyncOptions {
  now?: Date;
  /** Seconds re-read before the watermark (dict writes that committed after a later one). */
  overlapSeconds?: number;
  policy?: TrackingPolicy;
}

export interface SyncReport {
  changedMailboxes: number;
  serverCalls: number;
  watermark: number;
  activity: ActivityReport;
}

interface LoginRow extends Record<string, unknown> {
  username: string;
  service: string;
  last_at: number | string;
  mailbox_id: number | string;
  kind: string;
  bytes: number | string | null;
  last_uid: number | string | null;
  last_sent_uid: number | string | null;
}

interface Changed {
  id: number;
  address: string;
  kind: string;
  services: Map<string, number>;
  bytes: number | null;
  lastUid: number;
  lastSentUid: number;
  oldestUnanswered: Date | null;
}

const WATERMARK_KEY = "logins";
const READ_SERVICES = new Set(["imap", "pop3"]);
const LOGIN_SERVICES = new Set(["imap", "pop3", "submission"]);

const isoOf = (seconds: number): string => new Date(seconds * 1000).toISOString();
const latest = (services: Map<string, number>, names: Set<string>): number | undefined => {
  let best: number | undefined;
  for (const [name, at] of services) if (names.has(name) && (best === undefined || at > best)) best = at;
  return best;
};

async function readChanged(database: Database, from: number): Promise<Changed[]> {
  const rows = await executeRows<LoginRow>(
    database.db,
    sql`select l.username, l.service, l.last_at, m.id as mailbox_id, m.kind::text as kind, q.bytes,
        s.last_uid, s.last_sent_uid
      from mailserver_logins l
        join mailboxes m on lower(m.address) = l.username
        left join mailserver_quota q on q.username = l.username
        left join mailserver_message_sync s on s.mailbox_id = m.id
      where l.last_at > ${from}
      order by l.username`,
  );
  const byUser = new Map<string, Changed>();
  for (const row of rows) {
    let entry = byUser.get(row.username);
    if (!entry) {
      entry = {
        id: Number(row.mailbox_id),
        address: row.username,
        kind: row.kind,
        services: new Map(),
        bytes: row.bytes === null ? null : Number(row.bytes),
        lastUid: Number(row.last_uid ?? 0),
        lastSentUid: Number(row.last_sent_uid ?? 0),
        oldestUnanswered: null,
      };
      byUser.set(row.username, entry);
    }
    entry.services.set(row.service, Number(row.last_at));
  }
  const changed = [...byUser.values()];
  if (changed.length === 0) return changed;
  // One grouped query for the changed mailboxes (a per-row subquery would scan the unanswered index per login row).
  const oldest = await executeRows<{ id: number | string; ms: number | string }>(
    database.db,
    sql`select t.mailbox_id as id, floor(extract(epoch from min(t.received_at)) * 1000)::bigint as ms
      from tracked_messages t
      where t.mailbox_id in (select jsonb_array_elements_text(${JSON.stringify(changed.map((c) => c.id))}::jsonb)::int)
        and t.answered_at is null
      group by t.mailbox_id`,
  );
  const byId = new Map(changed.map((c) => [c.id, c]));
  for (const row of oldest) {
    const entry = byId.get(Number(row.id));
    const ms = Number(row.ms);
    if (entry && Number.isFinite(ms)) entry.oldestUnanswered = new Date(ms);
  }
  return changed;
}

/** Of these (mailbox, Message-ID) pairs, the ones still waiting for an answer. */
async function unansweredAmong(
  database: Database,
  pairs: { id: number; mid: string }[],
): Promise<{ id: number; mid: string; sender: string; subject: string | null; received_ms: number }[]> {
  if (pairs.length === 0) return [];
  const rows = await executeRows<{
    id: number | string;
    mid: string;
    sender: string;
    subject: string | null;
    received_ms: number | string;
  }>(
    database.db,
    sql`select t.mailbox_id as id, t.message_id as mid, t.sender, t.subject,
        extract(epoch from t.received_at) * 1000 as received_ms
      from jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) as p(id int, mid text)
        join tracked_messages t on t.mailbox_id = p.id and t.message_id = p.mid
      where t.answered_at is null`,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), received_ms: Number(r.received_ms) }));
}

export async function syncMailserverActivity(
  database: Database,
  connector: MailServerConnector,
  options: SyncOptions = {},
): Promise<SyncReport> {
  const now = options.now ?? new Date();
  const policy = options.policy ?? DEFAULT_TRACKING_POLICY;
  const callsBefore = connector.calls;
  const [state] = await executeRows<{ watermark: number | string }>(
    database.db,
    sql`select watermark from mailserver_sync_state where key = ${WATERMARK_KEY}`,
  );
  const watermark = Number(state?.watermark ?? 0);
  const changed = await readChanged(database, Math.max(0, watermark - (options.overlapSeconds ?? 120)));

  const records: Record<string, unknown>[] = [];
  for (const c of changed) {
    const login = latest(c.services, LOGIN_SERVICES);
    const receive = c.services.get("lmtp");
    const send = c.services.get("submission");
    const checks = [...c.services].filter(([name]) => READ_SERVICES.has(name)).map(([, at]) => isoOf(at));
    records.push({
      type: "mailbox",
      address: c.address,
      ...(login !== undefined ? { lastLogin: isoOf(login) } : {}),
      ...(receive !== undefined ? { lastReceive: isoOf(receive) } : {}),
      ...(send !== undefined ? { lastSend: isoOf(send) } : {}),
      ...(checks.length > 0 ? { checks } : {}),
      ...(c.bytes !== null ? { storageUsedMb: Math.floor(c.bytes / 1_048_576) } : {}),
    });
  }

  const queries: MessageQuery[] = changed.map((c) => ({
    address: c.address,
    afterUid: c.lastUid,
    afterSentUid: c.lastSentUid,
    answeredSince: c.oldestUnanswered,
  }));
  const results = queries.length > 0 ? await connector.readMessages(queries) : [];
  const byAddress = new Map(changed.map((c) => [c.address, c]));
  const byId = new Map(changed.map((c) => [c.id, c]));
  const positions: { id: number; uid: number; sentUid: number }[] = [];
  const answeredCandidates: { id: number; mid: string }[] = [];
  for (const result of results) {
    const c = byAddress.get(result.address);
    if (!c) continue;
    let uid = c.lastUid;
    for (const m of result.inbox) {
      uid = Math.max(uid, m.uid);
      if (!m.messageId || !needsAnswer(m, { address: c.address, kind: c.kind }, policy)) continue;
      records.push({
        type: "message",
        address: c.address,
        messageId: m.messageId,
        sender: senderAddress(m.from) ?? m.from,
        subject: m.subject.slice(0, 998),
        receivedAt: m.receivedAt.toISOString(),
        ...(m.answered ? { answeredAt: (now > m.receivedAt ? now : m.receivedAt).toISOString() } : {}),
      });
    }
    let sentUid = c.lastSentUid;
    for (const m of result.sent) {
      sentUid = Math.max(sentUid, m.uid);
      for (const mid of m.inReplyTo.split(/\s+/).filter(Boolean)) answeredCandidates.push({ id: c.id, mid });
    }
    for (const m of result.answered) if (m.messageId) answeredCandidates.push({ id: c.id, mid: m.messageId });
    positions.push({ id: c.id, uid, sentUid });
  }
  for (const t of await unansweredAmong(database, answeredCandidates)) {
    const address = byId.get(t.id)?.address;
    if (!address) continue;
    const received = new Date(t.received_ms);
    records.push({
      type: "message",
      address,
      messageId: t.mid,
      sender: t.sender,
      ...(t.subject !== null ? { subject: t.subject } : {}),
      receivedAt: received.toISOString(),
      answeredAt: (now > received ? now : received).toISOString(),
    });
  }

  const activity = await ingestActivity(database, arraySource(records, "mailserver"), { now });
  let newWatermark = watermark;
  for (const c of changed) for (const at of c.services.values()) newWatermark = Math.max(newWatermark, at);
  // Positions and watermark only move after the activity is stored: a crash re-reads, never skips.
  await database.db.transaction(async (tx) => {
    if (positions.length > 0) {
      await tx.execute(sql`insert into mailserver_message_sync (mailbox_id, last_uid, last_sent_uid)
        select id, uid, "sentUid" from jsonb_to_recordset(${JSON.stringify(positions)}::jsonb)
          as p(id int, uid bigint, "sentUid" bigint)
        on conflict (mailbox_id) do update set
          last_uid = greatest(mailserver_message_sync.last_uid, excluded.last_uid),
          last_sent_uid = greatest(mailserver_message_sync.last_sent_uid, excluded.last_sent_uid),
          updated_at = now()`);
    }
    await tx.execute(sql`insert into mailserver_sync_state (key, watermark) values (${WATERMARK_KEY}, ${newWatermark})
      on conflict (key) do update set watermark = greatest(mailserver_sync_state.watermark, excluded.watermark), updated_at = now()`);
  });
  return {
    changedMailboxes: changed.length,
    serverCalls: connector.calls - callsBefore,
    watermark: newWatermark,
    activity,
  };
}
