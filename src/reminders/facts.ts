/**
 * The set-based half of the sweep: one SQL statement per rule and profile that selects only
 * rows that may be due now, on indexes (see migration 0002), with their recipients joined in.
 * Cut-offs are computed in JS from the calendar (working days and months cannot be expressed
 * in SQL) and are deliberately a little loose: the pure rules decide exactly.
 *
 * National scale (issue 13): the unit heads are resolved once per profile and sweep
 * (loadUnitHeads), not in every rule's query, and every select returns one page, keyed by id
 * (`after`, `limit`), so the sweep holds one page of facts at a time whatever is due.
 */
import { sql, type SQL } from "drizzle-orm";
import { addCalendarMonths, addDays, vnDateOf, vnInstant } from "../calendar/time.ts";
import type { IsoDate } from "../calendar/types.ts";
import { executeRows, type DbOrTx } from "../db/client.ts";
import type { Profile } from "../policy/profile.ts";
import type { LeaderLevel, MailboxKind, MailboxStatus, RequestKind } from "../policy/types.ts";
import type { CheckWindow, UncheckedFact } from "./rules/checks.ts";
import type { InactivityFact, SuspendedFact } from "./rules/inactivity.ts";
import { LEAVER_NOTICE_DAYS, type LeaverFact } from "./rules/leavers.ts";
import { PASSWORD_WARN_DAYS, type FirstLoginFact, type PasswordFact } from "./rules/passwords.ts";
import type { QuotaFact } from "./rules/quota.ts";
import type { HandoverFact } from "./rules/handover.ts";
import type { OutageFact } from "./rules/outages.ts";
import type { StaffEventFact } from "./rules/unit-requests.ts";
import type { OpenRequestFact } from "./rules/service-levels.ts";
import type { MailboxRef } from "./types.ts";

const MS_PER_DAY = 86_400_000;

export const ts = (instant: Date): SQL => sql`${instant.toISOString()}::timestamptz`;
const epochMs = (column: SQL): SQL => sql`(extract(epoch from ${column}) * 1000)::float8`;

/** Unit heads of every unit of the profile: the heads of the nearest unit up the tree that has one. */
export function headsCte(profileId: string): SQL {
  return sql`with recursive up as (
      select u.id as unit_id, u.id as ancestor_id, u.parent_id, 0 as depth from units u where u.profile_id = ${profileId}
      union all
      select up.unit_id, p.id, p.parent_id, up.depth + 1 from up join units p on p.id = up.parent_id where up.depth < 12
    ), head_rows as (
      select up.unit_id, s.telegram_user_id as chat_id, up.depth, min(up.depth) over (partition by up.unit_id) as best
      from up
      join role_grants g on g.unit_id = up.ancestor_id and g.role = 'unit_head'
      join staff s on s.id = g.staff_id and s.telegram_user_id is not null and s.employment_status = 'active'
    ), heads as (
      select unit_id, jsonb_agg(distinct chat_id::text) as chat_ids from head_rows where depth = best group by unit_id
    )`;
}

/** Unit id → chat ids of its heads (resolved up the tree), for one profile. */
export type UnitHeads = ReadonlyMap<number, readonly number[]>;

/** The heads of every unit of the profile, once per sweep (O(units), not O(mailboxes)). */
export async function loadUnitHeads(db: DbOrTx, profileId: string): Promise<UnitHeads> {
  const heads = new Map<number, number[]>();
  const rows = await executeRows<{ unit_id: number | string; chat_ids: unknown }>(
    db,
    sql`${headsCte(profileId)} select unit_id, chat_ids from heads`,
  );
  for (const row of rows) heads.set(Number(row.unit_id), chatIds(row.chat_ids));
  return heads;
}

/** One page of a facts query: rows with id > after, in id order, at most limit. */
export interface Page {
  after: number;
  limit: number;
}
/** Facts per page: bounds the rows (and their strings) alive at once. */
export const FACTS_PAGE = 2_000;
const ALL: Page = { after: 0, limit: 2 ** 31 - 1 };
const pageOf = (column: SQL, page: Page): SQL =>
  sql`and ${column} > ${page.after}::int order by ${column} limit ${page.limit}::int`;

const REF_COLUMNS = sql`m.id as mailbox_id, m.address, m.profile_id, m.kind::text as kind, m.unit_id, u.name as unit_name,
  ks.telegram_user_id::text as keeper_chat, os.telegram_user_id::text as owner_chat,
  ks.full_name as keeper_name, os.full_name as owner_name`;

const REF_JOINS = sql`join units u on u.id = m.unit_id
  left join staff ks on ks.id = m.keeper_staff_id and ks.employment_status = 'active'
  left join staff os on os.id = m.owner_staff_id and os.employment_status = 'active'`;

export const notAbsent = (today: IsoDate): SQL =>
  sql`not exists (select 1 from absence_notices a where a.mailbox_id = m.id and a.starts_on <= ${today}::date and a.ends_on >= ${today}::date)`;

type RefRow = {
  mailbox_id: number | string;
  address: string;
  profile_id: string;
  kind: string;
  unit_id: number | string;
  unit_name: string;
  keeper_chat: string | null;
  owner_chat: string | null;
  keeper_name: string | null;
  owner_name: string | null;
};

function chatIds(value: unknown): number[] {
  const list = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(list) ? list.map(Number).filter(Number.isSafeInteger) : [];
}

const NO_HEADS: readonly number[] = [];

function refOf(row: RefRow, heads: UnitHeads): MailboxRef {
  return {
    mailboxId: Number(row.mailbox_id),
    address: row.address,
    profileId: row.profile_id,
    kind: row.kind as MailboxKind,
    unitId: Number(row.unit_id),
    unitName: row.unit_name,
    keeperChatId: row.keeper_chat === null ? null : Number(row.keeper_chat),
    ownerChatId: row.owner_chat === null ? null : Number(row.owner_chat),
    keeperName: row.keeper_name ?? null,
    ownerName: row.owner_name ?? null,
    // Shared, read-only: the rules only read the heads of a fact.
    headChatIds: (heads.get(Number(row.unit_id)) ?? NO_HEADS) as number[],
  };
}

const dateOrNull = (ms: unknown): Date | null =>
  ms === null || ms === undefined ? null : new Date(Number(ms));

// --- checks ---------------------------------------------------------------------------------

export async function selectUnchecked(
  db: DbOrTx,
  profile: Profile,
  kinds: readonly MailboxKind[],
  windows: readonly CheckWindow[],
  today: IsoDate,
  heads: UnitHeads,
  page: Page = ALL,
): Promise<UncheckedFact[]> {
  const [judged, previous] = windows;
  if (!judged) return [];
  // A window is missed when it has fewer checks than the slot asks for (soctrang Điều 13.2: 2 per
  // buổi, anywhere in it). The previous window only counts as missed if the mailbox existed then.
  const fewerChecks = (w: CheckWindow): SQL =>
    w.slot.minChecks > 1
      ? sql`(select count(*) from mailbox_checks c where c.mailbox_id = m.id and c.checked_at >= ${ts(w.from)} and c.checked_at <= ${ts(w.to)}) < ${w.slot.minChecks}::int`
      : sql`not exists (select 1 from mailbox_checks c where c.mailbox_id = m.id and c.checked_at >= ${ts(w.from)} and c.checked_at <= ${ts(w.to)})`;
  const missedPrevious = previous
    ? sql`(m.created_at < ${ts(previous.from)} and ${fewerChecks(previous)})`
    : sql`false`;
  const rows = await executeRows<RefRow & { missed_previous: boolean }>(
    db,
    sql`select ${REF_COLUMNS}, ${missedPrevious} as missed_previous
    from mailboxes m ${REF_JOINS}
    where m.profile_id = ${profile.id} and m.kind::text in (${sql.join(
      kinds.map((k) => sql`${k}`),
      sql`, `,
    )})
      and m.status in ('active', 'send_locked') and m.last_check_at is not null and m.created_at < ${ts(judged.from)}
      and ${fewerChecks(judged)}
      and ${notAbsent(today)} ${pageOf(sql`m.id`, page)}`,
  );
  return rows.map((row) => ({ ...refOf(row, heads), missedPrevious: row.missed_previous === true }));
}

// --- inactivity -----------------------------------------------------------------------------

export async function selectInactive(
  db: DbOrTx,
  profile: Profile,
  now: Date,
  heads: UnitHeads,
  page: Page = ALL,
): Promise<InactivityFact[]> {
  const rule = profile.inactivity;
  const today = vnDateOf(now);
  const maxWarn = rule.warnDaysBefore.reduce((a, b) => Math.max(a, b), 0);
  // lockDate = last activity day + months ≤ today + maxWarn; +4 days covers month-end clamping.
  const cut = vnInstant(addDays(addCalendarMonths(addDays(today, maxWarn), -rule.months), 4), "00:00");
  const basis =
    rule.basis === "login"
      ? sql`(m.last_login_at < ${ts(cut)} or m.last_login_at is null)`
      : sql`(m.last_send_at < ${ts(cut)} or m.last_send_at is null) and (m.last_receive_at < ${ts(cut)} or m.last_receive_at is null)`;
  // A restore (approved /khoiphuc) is a fresh start: the clock runs from the latest of the
  // activity, the creation, the last lock/suspension and the last restore. Without the restore
  // the old activity would give a lock date already claimed, and the mailbox would never be
  // warned or locked again.
  const greatest =
    rule.basis === "login"
      ? sql`greatest(m.last_login_at, m.created_at, m.locked_at, m.suspended_at, rs.restored_at)`
      : sql`greatest(m.last_send_at, m.last_receive_at, m.created_at, m.locked_at, m.suspended_at, rs.restored_at)`;
  const rows = await executeRows<RefRow & { last_ms: number; absence_end: string | null }>(
    db,
    sql`with restores as (
      select r.mailbox_id, max(r.decided_at) as restored_at from requests r
      where r.kind = 'khoiphuc' and r.state = 'approved' and r.mailbox_id is not null and r.profile_id = ${profile.id}
      group by r.mailbox_id
    )
    select ${REF_COLUMNS}, ${epochMs(greatest)} as last_ms,
      (select max(a.ends_on)::text from absence_notices a where a.mailbox_id = m.id and a.starts_on <= ${today}::date) as absence_end
    from mailboxes m ${REF_JOINS}
      left join restores rs on rs.mailbox_id = m.id
    where m.profile_id = ${profile.id} and m.status = 'active' and m.activity_reported_at is not null
      and ${basis} and m.created_at < ${ts(cut)} and (m.locked_at is null or m.locked_at < ${ts(cut)})
      and (rs.restored_at is null or rs.restored_at < ${ts(cut)})
      and ${notAbsent(today)} ${pageOf(sql`m.id`, page)}`,
  );
  return rows.map((row) => ({
    ...refOf(row, heads),
    lastActivityAt: new Date(Number(row.last_ms)),
    lastAbsenceEndsOn: row.absence_end,
  }));
}

export async function selectSuspended(
  db: DbOrTx,
  profile: Profile,
  now: Date,
  heads: UnitHeads,
  page: Page = ALL,
): Promise<SuspendedFact[]> {
  if (profile.inactivity.removalAfterNoticeWorkingDays === null) return [];
  const rows = await executeRows<RefRow & { suspended_ms: number; remove_ms: number; reopen: boolean }>(
    db,
    sql`select ${REF_COLUMNS}, ${epochMs(sql`m.suspended_at`)} as suspended_ms, ${epochMs(sql`m.remove_after`)} as remove_ms,
      exists (select 1 from requests r where r.mailbox_id = m.id and r.kind = 'khoiphuc'
              and r.created_at >= m.suspended_at and r.state not in ('cancelled', 'rejected')) as reopen
    from mailboxes m ${REF_JOINS}
    where m.profile_id = ${profile.id} and m.status = 'suspended' and m.remove_after is not null
      and m.remove_after <= ${ts(now)} and m.suspended_at is not null ${pageOf(sql`m.id`, page)}`,
  );
  return rows.map((row) => ({
    ...refOf(row, heads),
    suspendedAt: new Date(Number(row.suspended_ms)),
    removeAfter: new Date(Number(row.remove_ms)),
    reopenRequested: row.reopen === true,
  }));
}

// --- reply limit ----------------------------------------------------------------------------

// The reply rule decides and claims in one statement: ./reply-claims.ts.

// --- service levels -------------------------------------------------------------------------

export async function selectOpenRequests(
  db: DbOrTx,
  profile: Profile,
  now: Date,
  page: Page = ALL,
): Promise<OpenRequestFact[]> {
  const endOfToday = vnInstant(addDays(vnDateOf(now), 1), "00:00");
  const rows = await executeRows<{
    id: number | string;
    kind: string;
    state: string;
    address: string | null;
    unit_name: string;
    due_ms: number;
  }>(
    db,
    sql`select r.id, r.kind::text as kind, r.state::text as state, coalesce(r.proposed_address, m.address) as address,
      u.name as unit_name, ${epochMs(sql`r.due_at`)} as due_ms
    from requests r join units u on u.id = r.unit_id left join mailboxes m on m.id = r.mailbox_id
    where r.state in ('open', 'in_progress') and r.due_at < ${ts(endOfToday)} and r.profile_id = ${profile.id}
      and not exists (select 1 from reminder_claims c where c.rule = 'sla-overdue' and c.target = 'req:' || r.id)
      and (r.due_at < ${ts(now)} or not exists (select 1 from reminder_claims c where c.rule = 'sla-near' and c.target = 'req:' || r.id))
      ${pageOf(sql`r.id`, page)}`,
  );
  return rows.map((row) => ({
    requestId: Number(row.id),
    kind: row.kind as RequestKind,
    state: row.state,
    address: row.address,
    unitName: row.unit_name,
    dueAt: new Date(Number(row.due_ms)),
  }));
}

// --- leavers --------------------------------------------------------------------------------

export async function selectLeavers(
  db: DbOrTx,
  profile: Profile,
  now: Date,
  heads: UnitHeads,
  page: Page = ALL,
): Promise<LeaverFact[]> {
  const noticeHorizon = new Date(now.getTime() + (LEAVER_NOTICE_DAYS + 1) * MS_PER_DAY);
  const rows = await executeRows<
    RefRow & { status: string; send_lock_ms: number | null; revoke_ms: number | null }
  >(
    db,
    sql`select ${REF_COLUMNS}, m.status::text as status, ${epochMs(sql`m.send_lock_at`)} as send_lock_ms,
      ${epochMs(sql`m.revoke_at`)} as revoke_ms
    from mailboxes m ${REF_JOINS}
    where m.profile_id = ${profile.id}
      and ((m.send_lock_at is not null and m.send_lock_at <= ${ts(now)} and m.status = 'active')
        or (m.revoke_at is not null and m.revoke_at <= ${ts(noticeHorizon)} and m.status <> 'revoked'))
      ${pageOf(sql`m.id`, page)}`,
  );
  return rows.map((row) => ({
    ...refOf(row, heads),
    status: row.status as MailboxStatus,
    sendLockAt: dateOrNull(row.send_lock_ms),
    revokeAt: dateOrNull(row.revoke_ms),
  }));
}

// --- passwords ------------------------------------------------------------------------------

export async function selectPasswordAges(
  db: DbOrTx,
  profile: Profile,
  now: Date,
  heads: UnitHeads,
  page: Page = ALL,
): Promise<PasswordFact[]> {
  // remindChangeMonths: mic Điều 15.2 "định kỳ thay đổi mật khẩu" (a reminder, no expiry).
  const { user, admin } = profile.passwords;
  const ages = [
    user.maxAgeMonths ?? user.remindChangeMonths,
    admin.maxAgeMonths ?? admin.remindChangeMonths,
  ].filter((m): m is number => m !== null);
  if (ages.length === 0) return [];
  const maxWarn = PASSWORD_WARN_DAYS.reduce<number>((a, b) => Math.max(a, b), 0);
  const cut = vnInstant(
    addDays(
      addCalendarMonths(addDays(vnDateOf(now), maxWarn), -ages.reduce((a, b) => Math.min(a, b), Infinity)),
      4,
    ),
    "00:00",
  );
  const rows = await executeRows<RefRow & { changed_ms: number; is_admin: boolean }>(
    db,
    sql`select ${REF_COLUMNS}, ${epochMs(sql`m.password_changed_at`)} as changed_ms,
      exists (select 1 from role_grants g where g.staff_id = m.owner_staff_id and g.role = 'admin') as is_admin
    from mailboxes m ${REF_JOINS}
    where m.profile_id = ${profile.id} and m.status in ('active', 'send_locked')
      and m.password_changed_at < ${ts(cut)} ${pageOf(sql`m.id`, page)}`,
  );
  return rows.map((row) => ({
    ...refOf(row, heads),
    changedAt: new Date(Number(row.changed_ms)),
    isAdmin: row.is_admin === true,
  }));
}

export async function selectFirstLoginPending(
  db: DbOrTx,
  profile: Profile,
  heads: UnitHeads,
  page: Page = ALL,
): Promise<FirstLoginFact[]> {
  if (!profile.passwords.lockAfterFirstLoginWithoutChange) return [];
  const issued = sql`coalesce(m.temp_password_expires_at - make_interval(hours => ${profile.passwords.tempPasswordHours}::int), m.password_changed_at, m.created_at)`;
  const rows = await executeRows<
    RefRow & { issued_ms: number; warned_ms: number | null; last_login_ms: number | null }
  >(
    db,
    sql`select ${REF_COLUMNS}, ${epochMs(issued)} as issued_ms, ${epochMs(sql`m.last_login_at`)} as last_login_ms,
      (select ${epochMs(sql`min(c.sent_at)`)} from reminder_claim_state c
        where c.rule = 'first-login-warn' and c.target = 'mb:' || m.id and c.sent_at >= ${issued}) as warned_ms
    from mailboxes m ${REF_JOINS}
    where m.must_change_password and m.profile_id = ${profile.id} and m.status = 'active' ${pageOf(sql`m.id`, page)}`,
  );
  return rows.map((row) => ({
    ...refOf(row, heads),
    issuedAt: new Date(Number(row.issued_ms)),
    warnedAt: dateOrNull(row.warned_ms),
    lastLoginAt: dateOrNull(row.last_login_ms),
  }));
}

// --- quota ----------------------------------------------------------------------------------

export async function selectNearQuota(
  db: DbOrTx,
  profile: Profile,
  heads: UnitHeads,
  page: Page = ALL,
): Promise<QuotaFact[]> {
  const profileQuota = profile.limits.quotaMb;
  const percent = profile.limits.quotaWarnPercent;
  const quota = profileQuota === null ? sql`m.quota_mb` : sql`coalesce(m.quota_mb, ${profileQuota}::int)`;
  // A looser copy of the condition that indexes can serve (issue 13: cost what is near quota, not
  // every mailbox): a mailbox with its own quota (partial index), or one at or above the profile
  // quota's threshold (storage index). The exact test below still decides.
  const indexable =
    profileQuota === null
      ? sql`m.quota_mb is not null`
      : sql`(m.quota_mb is not null or m.storage_used_mb >= ${Math.floor((profileQuota * percent) / 100)}::int)`;
  const rows = await executeRows<RefRow & { used_mb: number | string; quota_mb: number | string }>(
    db,
    sql`select ${REF_COLUMNS}, m.storage_used_mb as used_mb, ${quota} as quota_mb
    from mailboxes m ${REF_JOINS}
    where m.profile_id = ${profile.id} and m.status in ('active', 'send_locked') and m.storage_used_mb is not null
      and ${indexable}
      and ${quota} > 0 and m.storage_used_mb::bigint * 100 >= ${quota}::bigint * ${percent}::int
      ${pageOf(sql`m.id`, page)}`,
  );
  return rows.map((row) => ({
    ...refOf(row, heads),
    usedMb: Number(row.used_mb),
    quotaMb: Number(row.quota_mb),
  }));
}

// --- dated duties ---------------------------------------------------------------------------

/**
 * Unit heads of the profile's top-level units (parent_id null: ministries' agencies, provinces'
 * departments and districts), resolved like every "head" of the sweep (headsCte). One query.
 */
export async function selectTopUnitHeads(db: DbOrTx, profile: Profile): Promise<number[]> {
  const rows = await executeRows<{ chat_id: string }>(
    db,
    sql`${headsCte(profile.id)}
    select distinct c.chat_id
    from heads h join units u on u.id = h.unit_id, jsonb_array_elements_text(h.chat_ids) as c(chat_id)
    where u.parent_id is null
    order by c.chat_id`,
  );
  return chatIds(rows.map((row) => row.chat_id));
}

// --- keeper handover -------------------------------------------------------------------------

/**
 * Unit/group mailboxes whose keeper left or moved and that have no new keeper yet
 * (mailboxes.keeper_handover_since, set by the leaver and mover services).
 */
export async function selectKeeperHandovers(
  db: DbOrTx,
  profile: Profile,
  heads: UnitHeads,
  page: Page = ALL,
): Promise<HandoverFact[]> {
  const rows = await executeRows<
    RefRow & {
      since_ms: number;
      keeper_name: string | null;
      keeper_left: boolean | null;
      keeper_left_on: string | null;
    }
  >(
    db,
    sql`select ${REF_COLUMNS}, ${epochMs(sql`m.keeper_handover_since`)} as since_ms, kn.full_name as keeper_name,
      kn.employment_status <> 'active' as keeper_left, kn.left_on::text as keeper_left_on
    from mailboxes m ${REF_JOINS}
      left join staff kn on kn.id = m.keeper_staff_id
    where m.profile_id = ${profile.id} and m.keeper_handover_since is not null and m.status <> 'revoked'
      and m.kind in ('unit', 'group') ${pageOf(sql`m.id`, page)}`,
  );
  return rows.map((row) => ({
    ...refOf(row, heads),
    handoverSince: new Date(Number(row.since_ms)),
    keeperName: row.keeper_name,
    keeperLeft: row.keeper_left === true,
    keeperLeftOn: row.keeper_left === true ? row.keeper_left_on : null,
  }));
}

// --- the unit's request after a hire or departure ----------------------------------------------

/** Events older than this are not selected: every deadline of the rule is days away. */
const STAFF_EVENT_HORIZON_DAYS = 30;

/**
 * Hires without a mailbox or a request for one, and leavers whose mailbox is not revoked and who
 * have no leaver request, of the last weeks (binhtan Điều 8.2, ninhbinh Điều 7.2). A hire is a
 * person recorded at least a day after their unit: the first import of a directory is not.
 */
export async function selectStaffEvents(
  db: DbOrTx,
  profile: Profile,
  now: Date,
  events: { hire: boolean; departure: boolean },
  heads: UnitHeads,
  page: Page = ALL,
): Promise<StaffEventFact[]> {
  if (!events.hire && !events.departure) return [];
  const since = new Date(now.getTime() - STAFF_EVENT_HORIZON_DAYS * MS_PER_DAY);
  const personalMailbox = sql`exists (select 1 from mailboxes m where m.owner_staff_id = s.id and m.kind = 'personal' and m.status <> 'revoked')`;
  const request = (kind: RequestKind): SQL =>
    sql`exists (select 1 from requests r where r.subject_staff_id = s.id and r.kind = ${kind} and r.state not in ('cancelled', 'rejected'))`;
  const rows = await executeRows<{
    id: number | string;
    full_name: string;
    unit_id: number | string;
    unit_name: string;
    leader_level: string;
    left_on: string | null;
    departed: boolean;
    created_ms: number;
  }>(
    db,
    sql`select s.id, s.full_name, s.unit_id, u.name as unit_name, s.leader_level::text as leader_level,
      s.left_on::text as left_on, s.employment_status = 'left' as departed, ${epochMs(sql`s.created_at`)} as created_ms
    from staff s join units u on u.id = s.unit_id
    where u.profile_id = ${profile.id} and (
      (${events.hire}::boolean and s.employment_status = 'active' and s.created_at >= ${ts(since)}
        and s.created_at >= u.created_at + interval '1 day' and not ${personalMailbox} and not ${request("capmoi")})
      or (${events.departure}::boolean and s.employment_status = 'left' and s.left_on >= ${vnDateOf(since)}::date
        and ${personalMailbox} and not ${request("leaver")})
    ) ${pageOf(sql`s.id`, page)}`,
  );
  return rows.map((row) => ({
    staffId: Number(row.id),
    fullName: row.full_name,
    unitId: Number(row.unit_id),
    unitName: row.unit_name,
    leaderLevel: row.leader_level as LeaderLevel,
    event: row.departed === true ? "departure" : "hire",
    eventDay:
      row.departed === true && row.left_on !== null
        ? row.left_on
        : vnDateOf(new Date(Number(row.created_ms))),
    headChatIds: heads.get(Number(row.unit_id)) ?? NO_HEADS,
  }));
}

// --- planned outages -------------------------------------------------------------------------

/** Horizon of the outage select: the notice window is a few working days, Tết is at most 9 days off. */
const OUTAGE_HORIZON_DAYS = 45;

/**
 * Live planned outages of the profile (or of every profile: profile_id null) that start after
 * `now` and within the horizon; the rule decides which are due (mic Điều 10.3, phuyen Điều 8.1c).
 */
export async function selectUpcomingOutages(db: DbOrTx, profile: Profile, now: Date): Promise<OutageFact[]> {
  const horizon = new Date(now.getTime() + OUTAGE_HORIZON_DAYS * MS_PER_DAY);
  const rows = await executeRows<{
    id: number | string;
    profile_id: string | null;
    starts_ms: number;
    ends_ms: number;
    reason: string;
  }>(
    db,
    sql`select o.id, o.profile_id, ${epochMs(sql`o.starts_at`)} as starts_ms, ${epochMs(sql`o.ends_at`)} as ends_ms, o.reason
    from planned_outages o
    where o.cancelled_at is null and (o.profile_id is null or o.profile_id = ${profile.id})
      and o.starts_at > ${ts(now)} and o.starts_at <= ${ts(horizon)}
    order by o.starts_at, o.id`,
  );
  return rows.map((row) => ({
    outageId: Number(row.id),
    profileId: row.profile_id,
    startsAt: new Date(Number(row.starts_ms)),
    endsAt: new Date(Number(row.ends_ms)),
    reason: row.reason,
  }));
}

// --- deployment ------------------------------------------------------------------------------

/**
 * The profiles this deployment runs: those with at least one unit or mailbox. The sweep evaluates
 * only these, so a profile nobody uses here (Bình Tân in a Phú Yên deployment) never sends its
 * duties to this deployment's support chat (issue 10).
 */
export async function selectDeployedProfiles(db: DbOrTx): Promise<string[]> {
  const rows = await executeRows<{ profile_id: string }>(
    db,
    sql`select profile_id from units union select profile_id from mailboxes order by 1`,
  );
  return rows.map((row) => row.profile_id);
}
