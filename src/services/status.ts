/**
 * What /trangthai shows a staff member about themselves, in ONE statement: their mailboxes
 * (owned or kept), their open requests and the most recent closed ones (made by them or about
 * them) with the names a line displays, and the calendar fingerprint for the deadline clock.
 *
 * Why one statement: this is the bot's hottest read, and on a real server each round trip costs
 * more than the query itself (parse/plan and a socket write and read on both sides). The rows
 * come back as two JSON arrays (json_build_object with the view's own field names) so two result
 * sets fit in one reply; names are scalar subqueries on primary keys, so the plan stays a few
 * index probes whatever the table sizes. The SQL text is built once and runs as a prepared
 * statement (src/db/prepared.ts): one round trip, planned once per connection.
 */
import { sql, type Placeholder, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { WorkingDayCalendar } from "../calendar/calendar.ts";
import { prepareStatement } from "../db/prepared.ts";
import { mailboxes, requests, staff, units } from "../db/schema.ts";
import { CALENDAR_FINGERPRINT } from "./calendar-store.ts";
import type { ServiceContext } from "./context.ts";
import { OPEN_STATES } from "./requests/index.ts";
import type { MailboxView, RequestView } from "./types.ts";
import { requestViewOf, type RequestNames, type RequestViewRow } from "./views.ts";

export interface StaffStatus {
  mailboxes: MailboxView[];
  /** Open requests (at most MAX_OPEN), newest first. */
  open: RequestView[];
  /** The most recent closed requests, newest first. */
  recentClosed: RequestView[];
  /** The working-day calendar current at the time of the query (for the deadline clock). */
  calendar: WorkingDayCalendar;
}

export interface StatusService {
  ofStaff(staffId: number, options?: { recentClosed?: number }): Promise<StaffStatus>;
}

/** A person with more open requests than this is a data problem; the reply stays readable. */
export const MAX_OPEN = 200;

const MAILBOX_FIELDS = {
  id: mailboxes.id,
  address: mailboxes.address,
  localPart: mailboxes.localPart,
  profileId: mailboxes.profileId,
  kind: mailboxes.kind,
  status: mailboxes.status,
  lockReason: mailboxes.lockReason,
  operatorLockReason: mailboxes.operatorLockReason,
  lockedAt: mailboxes.lockedAt,
  suspendedAt: mailboxes.suspendedAt,
  removeAfter: mailboxes.removeAfter,
  sendLockAt: mailboxes.sendLockAt,
  revokeAt: mailboxes.revokeAt,
  unitId: mailboxes.unitId,
  ownerStaffId: mailboxes.ownerStaffId,
  keeperStaffId: mailboxes.keeperStaffId,
  mustChangePassword: mailboxes.mustChangePassword,
  passwordChangedAt: mailboxes.passwordChangedAt,
  tempPasswordExpiresAt: mailboxes.tempPasswordExpiresAt,
  quotaMb: mailboxes.quotaMb,
  lastLoginAt: mailboxes.lastLoginAt,
  lastSendAt: mailboxes.lastSendAt,
  lastReceiveAt: mailboxes.lastReceiveAt,
  createdAt: mailboxes.createdAt,
} satisfies Record<keyof MailboxView, PgColumn>;

const REQUEST_FIELDS = {
  id: requests.id,
  profileId: requests.profileId,
  kind: requests.kind,
  state: requests.state,
  requesterStaffId: requests.requesterStaffId,
  subjectStaffId: requests.subjectStaffId,
  mailboxId: requests.mailboxId,
  unitId: requests.unitId,
  payload: requests.payload,
  proposedAddress: requests.proposedAddress,
  dueAt: requests.dueAt,
  assigneeStaffId: requests.assigneeStaffId,
  resolution: requests.resolution,
  reason: requests.reason,
  idempotencyKey: requests.idempotencyKey,
  createdAt: requests.createdAt,
  decidedAt: requests.decidedAt,
} satisfies Record<keyof RequestViewRow, PgColumn>;

/** Keys are our own identifiers (never input), so they are written into the SQL as literals. */
function jsonObject(alias: string, fields: Record<string, PgColumn>, extra: string[] = []): string {
  const pairs = Object.entries(fields).map(([key, column]) => `'${key}', ${alias}."${column.name}"`);
  return `json_build_object(${[...pairs, ...extra].join(", ")})`;
}

/** JSON gives timestamps as text: the column's own mapping turns them back into Dates. */
function fromJson<T>(raw: Record<string, unknown>, fields: Record<string, PgColumn>): T {
  const out: Record<string, unknown> = { ...raw };
  for (const [key, column] of Object.entries(fields)) {
    const value = raw[key];
    if (value !== null && value !== undefined) out[key] = column.mapFromDriverValue(value);
  }
  return out as T;
}

function jsonArray(value: unknown): Record<string, unknown>[] {
  const parsed: unknown = typeof value === "string" ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? (parsed as Record<string, unknown>[]) : [];
}

const OPEN_LIST = sql.raw(OPEN_STATES.map((state) => `'${state}'`).join(", "));
const MAILBOX_JSON = sql.raw(jsonObject("m", MAILBOX_FIELDS));
const REQUEST_JSON = sql.raw(jsonObject("r", REQUEST_FIELDS));

/**
 * Requests: the two branches are each an index scan on requests_requester_idx /
 * requests_subject_idx (BitmapOr), sorted and cut per branch. Names: primary-key probes.
 */
function statusQuery(staffId: number | Placeholder, recentClosed: number | Placeholder): SQL {
  const mine = sql`(r.requester_staff_id = ${staffId} or r.subject_staff_id = ${staffId})`;
  return sql`with shown as (
      (select r.*, true as is_open from ${requests} r
        where ${mine} and r.state in (${OPEN_LIST}) order by r.id desc limit ${MAX_OPEN})
      union all
      (select r.*, false as is_open from ${requests} r
        where ${mine} and r.state not in (${OPEN_LIST}) order by r.id desc limit ${recentClosed}))
    select
      ${CALENDAR_FINGERPRINT} as calendar,
      (select json_agg(${MAILBOX_JSON} order by m.id) from ${mailboxes} m
        where m.owner_staff_id = ${staffId} or m.keeper_staff_id = ${staffId}) as mailboxes,
      (select json_agg(json_build_object(
          'row', ${REQUEST_JSON},
          'requesterName', (select s.full_name from ${staff} s where s.id = r.requester_staff_id),
          'subjectName', (select s.full_name from ${staff} s where s.id = r.subject_staff_id),
          'assigneeName', (select s.full_name from ${staff} s where s.id = r.assignee_staff_id),
          'unitName', (select u.name from ${units} u where u.id = r.unit_id),
          'mailboxAddress', (select mb.address from ${mailboxes} mb where mb.id = r.mailbox_id),
          'open', r.is_open) order by r.is_open desc, r.id desc)
        from shown r) as requests`;
}

type StatusRow = { calendar: string | null; mailboxes: unknown; requests: unknown };

export function createStatusService(ctx: ServiceContext): StatusService {
  const query = prepareStatement<StatusRow>(
    ctx.database,
    statusQuery(sql.placeholder("staffId"), sql.placeholder("recentClosed")),
    { prepare: ctx.options.preparedStatements !== false },
  );
  return {
    async ofStaff(staffId, options = {}) {
      const recent = Math.max(0, Math.min(50, Math.trunc(options.recentClosed ?? 5)));
      if (!Number.isSafeInteger(staffId)) {
        return { mailboxes: [], open: [], recentClosed: [], calendar: await ctx.calendar() };
      }
      const [row] = await query({ staffId, recentClosed: recent });
      const open: RequestView[] = [];
      const recentClosed: RequestView[] = [];
      for (const item of jsonArray(row?.requests)) {
        const r = fromJson<RequestViewRow>(item.row as Record<string, unknown>, REQUEST_FIELDS);
        const view = requestViewOf(r, item as unknown as RequestNames);
        (item.open === true ? open : recentClosed).push(view);
      }
      return {
        mailboxes: jsonArray(row?.mailboxes).map((m) => fromJson<MailboxView>(m, MAILBOX_FIELDS)),
        open,
        recentClosed,
        calendar: await ctx.calendar(row?.calendar ?? ""),
      };
    },
  };
}
