/**
 * Activity ingestion: what a mail server can export, fed into the tables the reminder sweep
 * reads (mailboxes.last_*_at, mailbox_checks, tracked_messages).
 *
 * Sources sit behind `ActivitySource` (raw records with their line numbers): CSV and JSON-lines
 * files and HTTP bodies today, an IMAP / server-log connector later, all through the same
 * `ingestActivity`. Every record is validated with zod; a bad record is reported with its line
 * number and skipped, the others are applied. Re-sending the same data changes nothing:
 * timestamps only move forward (greatest), checks and messages have unique keys (ON CONFLICT
 * DO NOTHING), an answered message stays answered, and rows are only updated when a value
 * actually changes. One transaction and one audit row per import that changed something.
 */
import { parse as parseCsv } from "csv-parse/sync";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { executeRows, type Database } from "../db/client.ts";
import { writeAudit } from "./audit.ts";
import { SYSTEM, type Actor } from "./types.ts";

/** One raw record and where it came from (1-based line of the file or body). */
export interface RawRecord {
  line: number;
  data: unknown;
}

/** Where activity comes from: files, HTTP bodies, later an IMAP or log connector. */
export interface ActivitySource {
  readonly name: string;
  records(): AsyncIterable<RawRecord> | Iterable<RawRecord>;
}

/** Future instants beyond this tolerance are rejected (clock skew of the exporting server). */
const FUTURE_TOLERANCE_MS = 60 * 60_000;

const instant = z.iso
  .datetime({
    offset: true,
    message: "thời điểm phải theo ISO 8601 có múi giờ, ví dụ 2026-11-23T08:15:00+07:00",
  })
  .transform((s) => new Date(s));
const optionalInstant = z.preprocess((v) => (v === "" || v === null ? undefined : v), instant.optional());
const address = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "địa chỉ hộp thư không hợp lệ" }));

const checksField = z.preprocess(
  (v) => {
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v === "string") return v.split(/[;|\s]+/).filter(Boolean);
    return v;
  },
  z.array(instant).max(1000, { message: "tối đa 1000 lần kiểm tra mỗi bản ghi" }).optional(),
);

export const MailboxActivitySchema = z.object({
  type: z.literal("mailbox").optional(),
  address,
  lastLogin: optionalInstant,
  lastSend: optionalInstant,
  lastReceive: optionalInstant,
  checks: checksField,
  storageUsedMb: z.preprocess(
    (v) => (v === "" || v === null || v === undefined ? undefined : typeof v === "string" ? Number(v) : v),
    z.number({ message: "storageUsedMb phải là số" }).int().min(0).max(10_000_000).optional(),
  ),
});
export type MailboxActivity = z.infer<typeof MailboxActivitySchema>;

export const MessageActivitySchema = z
  .object({
    type: z.literal("message").optional(),
    messageId: z.string().trim().min(1, { message: "thiếu messageId" }).max(998),
    address,
    sender: z.string().trim().min(1, { message: "thiếu người gửi (sender)" }).max(320),
    subject: z.preprocess((v) => (v === null ? undefined : v), z.string().max(998).optional()),
    receivedAt: instant,
    answeredAt: optionalInstant,
  })
  .refine((m) => !m.answeredAt || m.answeredAt >= m.receivedAt, {
    message: "answeredAt không được trước receivedAt",
    path: ["answeredAt"],
  });
export type MessageActivity = z.infer<typeof MessageActivitySchema>;

export type ActivityRecord =
  ({ kind: "mailbox" } & MailboxActivity) | ({ kind: "message" } & MessageActivity);

export interface ActivityError {
  line: number;
  message: string;
}

export interface ActivityReport {
  source: string;
  records: number;
  accepted: number;
  mailboxesUpdated: number;
  checksAdded: number;
  messagesAdded: number;
  messagesAnswered: number;
  errors: ActivityError[];
  /** Errors beyond the first MAX_REPORTED_ERRORS are only counted. */
  errorCount: number;
}

const MAX_REPORTED_ERRORS = 200;
const CHUNK = 2000;

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "bản ghi không hợp lệ";
  const where = issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ` : "";
  return `${where}${issue.message}`;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first field holding text PostgreSQL cannot store (a NUL character, a lone UTF-16
 * surrogate): such a record is refused on its own line instead of failing the whole batch.
 */
export function unstorableText(data: unknown, path = ""): string | undefined {
  if (typeof data === "string") {
    if (data.includes("\u0000")) return `${path || "giá trị"}: chứa ký tự NUL (\\u0000), không lưu được`;
    if (LONE_SURROGATE.test(data))
      return `${path || "giá trị"}: chứa ký tự Unicode hỏng (nửa cặp thay thế), không lưu được`;
    return undefined;
  }
  if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) {
      const found = unstorableText(data[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (data && typeof data === "object") {
    for (const [key, value] of Object.entries(data)) {
      const where = path ? `${path}.${key}` : key;
      const found = unstorableText(key, "tên trường") ?? unstorableText(value, where);
      if (found) return found;
    }
  }
  return undefined;
}

/** Validates one raw record: a message when it has a messageId (or type "message"), else a mailbox. */
export function parseActivityRecord(
  data: unknown,
  now: Date,
): { ok: true; record: ActivityRecord } | { ok: false; message: string } {
  if (!data || typeof data !== "object" || Array.isArray(data))
    return { ok: false, message: "bản ghi phải là một đối tượng" };
  const unstorable = unstorableText(data);
  if (unstorable) return { ok: false, message: unstorable };
  const raw = data as Record<string, unknown>;
  const isMessage =
    raw.type === "message" || (raw.type === undefined && raw.messageId !== undefined && raw.messageId !== "");
  if (raw.type !== undefined && raw.type !== "message" && raw.type !== "mailbox") {
    return { ok: false, message: `type phải là "mailbox" hoặc "message", nhận được "${String(raw.type)}"` };
  }
  const parsed = isMessage ? MessageActivitySchema.safeParse(raw) : MailboxActivitySchema.safeParse(raw);
  if (!parsed.success) return { ok: false, message: firstIssue(parsed.error) };
  const limit = now.getTime() + FUTURE_TOLERANCE_MS;
  const instants = isMessage
    ? [(parsed.data as MessageActivity).receivedAt, (parsed.data as MessageActivity).answeredAt]
    : [
        (parsed.data as MailboxActivity).lastLogin,
        (parsed.data as MailboxActivity).lastSend,
        (parsed.data as MailboxActivity).lastReceive,
        ...((parsed.data as MailboxActivity).checks ?? []),
      ];
  if (instants.some((d) => d !== undefined && d.getTime() > limit)) {
    return { ok: false, message: "thời điểm ở tương lai: kiểm tra đồng hồ của máy chủ thư" };
  }
  return {
    ok: true,
    record: isMessage
      ? { kind: "message", ...(parsed.data as MessageActivity) }
      : { kind: "mailbox", ...(parsed.data as MailboxActivity) },
  };
}

// --- sources --------------------------------------------------------------------------------

/** JSON lines: one object per line; blank lines are skipped. */
export function jsonLinesSource(text: string, name = "jsonl"): ActivitySource {
  return {
    name,
    *records() {
      const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
      for (let i = 0; i < lines.length; i++) {
        const line = (lines[i] as string).trim();
        if (!line) continue;
        try {
          yield { line: i + 1, data: JSON.parse(line) as unknown };
        } catch {
          yield { line: i + 1, data: Symbol.for("invalid-json") };
        }
      }
    },
  };
}

/**
 * CSV with a header row. Columns: address, lastLogin, lastSend, lastReceive, checks (instants
 * separated by ";"), storageUsedMb — and/or messageId, sender, subject, receivedAt, answeredAt;
 * an optional `type` column (mailbox|message) may mix both in one file.
 */
export function csvSource(text: string, name = "csv"): ActivitySource {
  return {
    name,
    *records() {
      const rows = parseCsv(text, {
        bom: true,
        columns: true,
        skip_empty_lines: true,
        trim: true,
        relax_column_count: true,
        info: true,
      }) as { record: Record<string, string>; info: { lines: number } }[];
      for (const row of rows) {
        const data: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(row.record)) if (value !== "") data[key] = value;
        yield { line: row.info.lines, data };
      }
    },
  };
}

/** Records already in memory (an HTTP JSON array, a connector): line = index + 1. */
export function arraySource(items: readonly unknown[], name = "array"): ActivitySource {
  return {
    name,
    *records() {
      for (let i = 0; i < items.length; i++) yield { line: i + 1, data: items[i] };
    },
  };
}

/** JSON lines when the first non-blank character is "{" or "[" (a JSON array), CSV otherwise. */
export function detectSource(text: string, name: string): ActivitySource {
  const first = text.replace(/^\uFEFF/, "").trimStart()[0];
  if (first === "[") {
    try {
      const parsed = JSON.parse(text.replace(/^\uFEFF/, "")) as unknown;
      if (Array.isArray(parsed)) return arraySource(parsed, name);
    } catch {
      // fall through: reported line by line as JSON lines
    }
  }
  return first === "{" || first === "[" ? jsonLinesSource(text, name) : csvSource(text, name);
}

// --- ingestion ------------------------------------------------------------------------------

export interface IngestOptions {
  now?: Date;
  actor?: Actor;
}

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);

export async function ingestActivity(
  database: Database,
  source: ActivitySource,
  options: IngestOptions = {},
): Promise<ActivityReport> {
  const now = options.now ?? new Date();
  const report: ActivityReport = {
    source: source.name,
    records: 0,
    accepted: 0,
    mailboxesUpdated: 0,
    checksAdded: 0,
    messagesAdded: 0,
    messagesAnswered: 0,
    errors: [],
    errorCount: 0,
  };
  const fail = (line: number, message: string): void => {
    report.errorCount++;
    if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push({ line, message });
  };
  const valid: { line: number; record: ActivityRecord }[] = [];
  try {
    for await (const raw of source.records()) {
      report.records++;
      if (typeof raw.data === "symbol") {
        fail(raw.line, "dòng không phải JSON hợp lệ");
        continue;
      }
      const parsed = parseActivityRecord(raw.data, now);
      if (parsed.ok) valid.push({ line: raw.line, record: parsed.record });
      else fail(raw.line, parsed.message);
    }
  } catch (error) {
    // A CSV that cannot be parsed at all (unbalanced quotes…): report where it broke.
    const e = error as { lines?: number; message?: string };
    fail(e.lines ?? report.records + 1, `không đọc được tệp: ${e.message ?? String(error)}`);
  }

  await database.db.transaction(async (tx) => {
    for (let i = 0; i < valid.length; i += CHUNK) {
      const chunk = valid.slice(i, i + CHUNK);
      const addresses = [...new Set(chunk.map((v) => v.record.address))];
      const known = await executeRows<{ address: string; id: number | string }>(
        tx,
        sql`select lower(address) as address, id from mailboxes
          where lower(address) in (select jsonb_array_elements_text(${JSON.stringify(addresses)}::jsonb))`,
      );
      const ids = new Map(known.map((row) => [row.address, Number(row.id)]));
      const mailboxRows: Record<string, unknown>[] = [];
      const checkRows: Record<string, unknown>[] = [];
      const messageRows: Record<string, unknown>[] = [];
      for (const { line, record } of chunk) {
        const id = ids.get(record.address);
        if (id === undefined) {
          fail(
            line,
            `không có hộp thư ${record.address} trong danh bạ: thêm hộp thư trước, rồi gửi lại dòng này`,
          );
          continue;
        }
        report.accepted++;
        if (record.kind === "mailbox") {
          mailboxRows.push({
            id,
            login: iso(record.lastLogin),
            send: iso(record.lastSend),
            receive: iso(record.lastReceive),
            lastcheck: iso(
              record.checks?.reduce<Date | undefined>((a, b) => (!a || b > a ? b : a), undefined),
            ),
            storage: record.storageUsedMb ?? null,
            line,
          });
          for (const check of record.checks ?? []) checkRows.push({ id, at: check.toISOString() });
        } else {
          messageRows.push({
            id,
            mid: record.messageId,
            sender: record.sender,
            subject: record.subject ?? null,
            received: record.receivedAt.toISOString(),
            answered: iso(record.answeredAt),
          });
        }
      }
      if (mailboxRows.length > 0) {
        // Several records for one mailbox in a batch: the greatest of each, the last storage value.
        const rows = await executeRows<{ id: number }>(
          tx,
          sql`with x as (
              select id, max(login) as login, max(send) as send, max(receive) as receive, max(lastcheck) as lastcheck,
                (array_agg(storage order by line desc) filter (where storage is not null))[1] as storage
              from jsonb_to_recordset(${JSON.stringify(mailboxRows)}::jsonb)
                as r(id int, login timestamptz, send timestamptz, receive timestamptz, lastcheck timestamptz, storage int, line int)
              group by id)
            update mailboxes m set
              last_login_at = greatest(m.last_login_at, x.login),
              last_send_at = greatest(m.last_send_at, x.send),
              last_receive_at = greatest(m.last_receive_at, x.receive),
              last_check_at = greatest(m.last_check_at, x.lastcheck),
              storage_used_mb = coalesce(x.storage, m.storage_used_mb),
              activity_reported_at = coalesce(m.activity_reported_at, ${now.toISOString()}::timestamptz),
              updated_at = ${now.toISOString()}::timestamptz
            from x
            where m.id = x.id and (
              m.last_login_at is distinct from greatest(m.last_login_at, x.login)
              or m.last_send_at is distinct from greatest(m.last_send_at, x.send)
              or m.last_receive_at is distinct from greatest(m.last_receive_at, x.receive)
              or m.last_check_at is distinct from greatest(m.last_check_at, x.lastcheck)
              or m.storage_used_mb is distinct from coalesce(x.storage, m.storage_used_mb)
              or m.activity_reported_at is null)
            returning m.id`,
        );
        report.mailboxesUpdated += rows.length;
      }
      if (checkRows.length > 0) {
        const rows = await executeRows(
          tx,
          sql`insert into mailbox_checks (mailbox_id, checked_at)
            select distinct id, at from jsonb_to_recordset(${JSON.stringify(checkRows)}::jsonb) as r(id int, at timestamptz)
            on conflict do nothing returning mailbox_id`,
        );
        report.checksAdded += rows.length;
      }
      if (messageRows.length > 0) {
        const rows = await executeRows<{ inserted: boolean }>(
          tx,
          sql`insert into tracked_messages (message_id, mailbox_id, sender, subject, received_at, answered_at)
            select distinct on (id, mid) mid, id, sender, subject, received, answered
            from jsonb_to_recordset(${JSON.stringify(messageRows)}::jsonb)
              as r(id int, mid text, sender text, subject text, received timestamptz, answered timestamptz)
            order by id, mid, answered nulls last
            on conflict (mailbox_id, message_id) do update set answered_at = excluded.answered_at
              where tracked_messages.answered_at is null and excluded.answered_at is not null
            returning (xmax = 0) as inserted`,
        );
        for (const row of rows) {
          if (row.inserted) report.messagesAdded++;
          else report.messagesAnswered++;
        }
      }
    }
    report.errors.sort((a, b) => a.line - b.line);
    const changed =
      report.mailboxesUpdated + report.checksAdded + report.messagesAdded + report.messagesAnswered;
    if (changed > 0) {
      await writeAudit(tx, {
        actor: options.actor ?? SYSTEM,
        action: "activity.import",
        entity: "activity",
        entityId: source.name,
        details: {
          records: report.records,
          accepted: report.accepted,
          mailboxesUpdated: report.mailboxesUpdated,
          checksAdded: report.checksAdded,
          messagesAdded: report.messagesAdded,
          messagesAnswered: report.messagesAnswered,
          errors: report.errorCount,
        },
      });
    }
  });
  return report;
}

/**
 * "Đã xử lý" on a reply reminder: marks a tracked message answered (idempotent). Returns false
 * when it does not exist or was already answered.
 */
export async function markMessageHandled(
  database: Database,
  trackedId: number,
  actor: Actor,
  now = new Date(),
): Promise<boolean> {
  return database.db.transaction(async (tx) => {
    const rows = await executeRows(
      tx,
      sql`update tracked_messages set answered_at = ${now.toISOString()}::timestamptz
        where id = ${trackedId} and answered_at is null returning id`,
    );
    if (rows.length === 0) return false;
    await writeAudit(tx, {
      actor,
      action: "message.handled",
      entity: "tracked_message",
      entityId: trackedId,
    });
    return true;
  });
}

/** A tracked message with what a "đã xử lý" button needs to check who may press it. */
export interface TrackedMessageView {
  id: number;
  mailboxId: number;
  address: string;
  unitId: number;
  ownerStaffId: number | null;
  keeperStaffId: number | null;
  subject: string | null;
  sender: string;
  answeredAt: Date | null;
  /** Who is reminded about it (the keeper of a unit mailbox, else the owner), when known. */
  personName: string | null;
  personStaffId: number | null;
}

export async function trackedMessageView(
  database: Database,
  trackedId: number,
): Promise<TrackedMessageView | null> {
  if (!Number.isSafeInteger(trackedId) || trackedId <= 0 || trackedId > 2_147_483_647) return null;
  const [row] = await executeRows<{
    id: number | string;
    mailbox_id: number | string;
    address: string;
    unit_id: number | string;
    owner_staff_id: number | string | null;
    keeper_staff_id: number | string | null;
    subject: string | null;
    sender: string;
    answered_ms: number | string | null;
    person_name: string | null;
    person_staff_id: number | string | null;
  }>(
    database.db,
    sql`select t.id, t.mailbox_id, m.address, m.unit_id, m.owner_staff_id, m.keeper_staff_id, t.subject, t.sender,
        (extract(epoch from t.answered_at) * 1000)::float8 as answered_ms,
        case when m.kind <> 'personal' and ks.telegram_user_id is not null then ks.full_name
          else coalesce(os.full_name, ks.full_name) end as person_name,
        case when m.kind <> 'personal' and ks.telegram_user_id is not null then ks.id
          else coalesce(os.id, ks.id) end as person_staff_id
      from tracked_messages t join mailboxes m on m.id = t.mailbox_id
        left join staff os on os.id = m.owner_staff_id and os.employment_status = 'active'
        left join staff ks on ks.id = m.keeper_staff_id and ks.employment_status = 'active'
      where t.id = ${trackedId}`,
  );
  if (!row) return null;
  const num = (v: number | string | null): number | null => (v === null ? null : Number(v));
  return {
    id: Number(row.id),
    mailboxId: Number(row.mailbox_id),
    address: row.address,
    unitId: Number(row.unit_id),
    ownerStaffId: num(row.owner_staff_id),
    keeperStaffId: num(row.keeper_staff_id),
    subject: row.subject,
    sender: row.sender,
    answeredAt: row.answered_ms === null ? null : new Date(Number(row.answered_ms)),
    personName: row.person_name,
    personStaffId: num(row.person_staff_id),
  };
}

// --- "Nhắc cán bộ" ----------------------------------------------------------------------------

/** What a manager's "Nhắc cán bộ" is about: a tracked message (`tm:<id>`) or a mailbox (`mb:<id>`). */
export type PingAbout = { kind: "message"; trackedId: number } | { kind: "mailbox"; mailboxId: number };

/** The person a ping reaches and what it says, read before anything is sent. */
export interface PingView {
  /** Claim target, the same as the reminders' (`tm:12`, `mb:5`). */
  target: string;
  mailboxId: number;
  address: string;
  unitId: number;
  unitName: string;
  ownerStaffId: number | null;
  keeperStaffId: number | null;
  /** Who must act: the keeper of a unit/group mailbox (when there is one), else the owner. */
  person: { staffId: number; name: string; chatId: number | null } | null;
  /** The message, for a ping about a message. */
  message: { subject: string | null; sender: string; answeredAt: Date | null } | null;
  /** The lines the presser's own digests said about it in the last 7 days, newest first. */
  lines: string[];
  /** The same for claims that store a fact instead of a line (reply): the caller renders them. */
  facts: unknown[];
}

export async function pingView(
  database: Database,
  about: PingAbout,
  presserChatId: number,
  now = new Date(),
): Promise<PingView | null> {
  const id = about.kind === "message" ? about.trackedId : about.mailboxId;
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) return null;
  const [row] = await executeRows<{
    mailbox_id: number | string;
    address: string;
    kind: string;
    unit_id: number | string;
    unit_name: string;
    owner_staff_id: number | string | null;
    keeper_staff_id: number | string | null;
    owner_name: string | null;
    keeper_name: string | null;
    owner_chat: string | null;
    keeper_chat: string | null;
    subject: string | null;
    sender: string | null;
    answered_ms: number | string | null;
  }>(
    database.db,
    about.kind === "message"
      ? sql`select m.id as mailbox_id, m.address, m.kind::text as kind, m.unit_id, u.name as unit_name,
            m.owner_staff_id, m.keeper_staff_id, os.full_name as owner_name, ks.full_name as keeper_name,
            os.telegram_user_id::text as owner_chat, ks.telegram_user_id::text as keeper_chat,
            t.subject, t.sender, (extract(epoch from t.answered_at) * 1000)::float8 as answered_ms
          from tracked_messages t join mailboxes m on m.id = t.mailbox_id join units u on u.id = m.unit_id
            left join staff os on os.id = m.owner_staff_id and os.employment_status = 'active'
            left join staff ks on ks.id = m.keeper_staff_id and ks.employment_status = 'active'
          where t.id = ${id}`
      : sql`select m.id as mailbox_id, m.address, m.kind::text as kind, m.unit_id, u.name as unit_name,
            m.owner_staff_id, m.keeper_staff_id, os.full_name as owner_name, ks.full_name as keeper_name,
            os.telegram_user_id::text as owner_chat, ks.telegram_user_id::text as keeper_chat,
            null::text as subject, null::text as sender, null::float8 as answered_ms
          from mailboxes m join units u on u.id = m.unit_id
            left join staff os on os.id = m.owner_staff_id and os.employment_status = 'active'
            left join staff ks on ks.id = m.keeper_staff_id and ks.employment_status = 'active'
          where m.id = ${id}`,
  );
  if (!row) return null;
  const num = (v: number | string | null): number | null => (v === null ? null : Number(v));
  const chat = (v: string | null): number | null => (v === null ? null : Number(v));
  // The same choice as the reminders' primaryChat: a linked keeper acts for a unit mailbox.
  const keeperActs = row.kind !== "personal" && row.keeper_name !== null && row.keeper_chat !== null;
  const person = keeperActs
    ? { staffId: Number(row.keeper_staff_id), name: row.keeper_name as string, chatId: chat(row.keeper_chat) }
    : row.owner_name !== null
      ? { staffId: Number(row.owner_staff_id), name: row.owner_name, chatId: chat(row.owner_chat) }
      : row.keeper_name !== null
        ? { staffId: Number(row.keeper_staff_id), name: row.keeper_name, chatId: chat(row.keeper_chat) }
        : null;
  const target = about.kind === "message" ? `tm:${id}` : `mb:${id}`;
  const since = new Date(now.getTime() - 7 * 86_400_000);
  // A claim stores its line, or (the reply rule's) the fact its line is rendered from.
  const said = await executeRows<{ line: string | null; payload: unknown }>(
    database.db,
    sql`select payload->>'line' as line, case when payload ? 'line' then null else payload end as payload
      from reminder_claim_state
      where target = ${target} and recipient_chat_id = ${presserChatId}
        and sent_at >= ${since.toISOString()}::timestamptz and (payload ? 'line' or payload ? 'reply')
      order by sent_at desc limit 5`,
  );
  const lines = said.filter((row): row is { line: string; payload: unknown } => row.line !== null);
  return {
    target,
    mailboxId: Number(row.mailbox_id),
    address: row.address,
    unitId: Number(row.unit_id),
    unitName: row.unit_name,
    ownerStaffId: num(row.owner_staff_id),
    keeperStaffId: num(row.keeper_staff_id),
    person,
    message:
      about.kind === "message"
        ? {
            subject: row.subject,
            sender: row.sender ?? "",
            answeredAt: row.answered_ms === null ? null : new Date(Number(row.answered_ms)),
          }
        : null,
    lines: [...new Set(lines.map((l) => l.line))],
    facts: said.filter((row) => row.line === null).map((row) => row.payload),
  };
}

/**
 * Sends the person one ping about `view.target`, at most once per Vietnamese day: the day's
 * claim in reminder_claims (`ping:<target>:<day>@<chat>`) decides, so two presses (two heads,
 * a double tap) send one message. The claim is taken before the send and released if the send
 * fails (a later press may try again); the audit row is written with the confirmation.
 * A ping is settled on its own claim row (it is no digest: it has no reminder_deliveries row).
 * "already" = this person was pinged about it today.
 */
export async function pingPerson(
  database: Database,
  view: PingView,
  actor: Actor,
  send: (chatId: number) => Promise<unknown>,
  now = new Date(),
): Promise<"sent" | "already"> {
  const person = view.person;
  if (!person || person.chatId === null) throw new Error("pingPerson: nobody to ping");
  const day = new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
  const key = `ping:${view.target}:${day}@${person.chatId}`;
  const claimed = await executeRows(
    database.db,
    sql`insert into reminder_claims (key, rule, target, recipient_chat_id, claimed_at, claimed_by, attempts)
      values (${key}, 'ping', ${view.target}, ${person.chatId}, ${now.toISOString()}::timestamptz, 'ping', 1)
      on conflict (key) do nothing returning key`,
  );
  if (claimed.length === 0) return "already";
  try {
    await send(person.chatId);
  } catch (error) {
    await database.db.execute(
      sql`delete from reminder_claims
        where key in (select key from reminder_claim_state where key = ${key} and not sent)`,
    );
    throw error;
  }
  await database.db.transaction(async (tx) => {
    await executeRows(
      tx,
      sql`update reminder_claims set sent_at = ${now.toISOString()}::timestamptz
        where key in (select key from reminder_claim_state where key = ${key} and not sent) returning key`,
    );
    await writeAudit(tx, {
      actor,
      action: "reminder.ping",
      entity: view.target.startsWith("tm:") ? "tracked_message" : "mailbox",
      entityId: Number(view.target.slice(3)),
      details: { to: person.staffId, mailbox: view.address },
    });
  });
  return "sent";
}
