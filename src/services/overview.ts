/**
 * A unit head's overview of their unit subtree (/tongquan, `mailbot export active-mailboxes`):
 * one query set per overview — the subtree ids, its mailboxes with owner names, the open
 * requests, the unanswered tracked messages and this week's checks. The judgement (idle, close to
 * the inactivity lock, overdue reply) comes from the pure policy functions.
 */
import { and, eq, gte, inArray, isNull, ne, sql } from "drizzle-orm";
import { addDays, dayNumberOf, vnDateOf, vnInstant, weekdayOf } from "../calendar/time.ts";
import type { IsoDate } from "../calendar/types.ts";
import { mailboxChecks, mailboxes, requests, trackedMessages, units } from "../db/schema.ts";
import { inactivityDates, replyDeadline } from "../policy/lifecycle.ts";
import { getProfile } from "../policy/profiles/index.ts";
import type { MailboxKind, MailboxStatus } from "../policy/types.ts";
import { executeRows } from "../db/client.ts";
import type { ServiceContext } from "./context.ts";
import { ServiceError } from "./errors.ts";
import { unitSubtreeIds } from "./views.ts";

/** A mailbox with no activity for this many days counts as idle in the overview. */
export const IDLE_DAYS = 30;

export interface OverviewMailbox {
  id: number;
  address: string;
  kind: MailboxKind;
  status: MailboxStatus;
  profileId: string;
  unitName: string;
  /** Owner (personal) or keeper (unit, group) name; null when nobody is set. */
  personName: string | null;
  lastActivityAt: Date | null;
  /** Active mailboxes only: when the inactivity lock acts (the close of `lockOn`). */
  lockAt: Date | null;
  /** The last day of the inactivity period (Bộ luật Dân sự Điều 147–148): the date shown. */
  lockOn: IsoDate | null;
  createdAt: Date;
}

export interface UnitOverview {
  unitId: number;
  unitName: string;
  generatedAt: Date;
  mailboxes: OverviewMailbox[];
  locked: OverviewMailbox[];
  idle: OverviewMailbox[];
  nearLock: OverviewMailbox[];
  openRequests: number;
  overdueRequests: number;
  /** Unanswered messages past the reply limit, per person, most first. */
  overdueReplies: { personName: string; count: number }[];
  /** Active mailboxes opened at least once since Monday of this week. */
  checks: { expected: number; checked: number; weekStart: string };
}

export interface OverviewService {
  /** Root units a unit head may see; empty when they hold no unit_head/admin grant. */
  headUnits(staffId: number): Promise<{ id: number; name: string }[]>;
  overview(unitId: number): Promise<UnitOverview>;
  /** mic Điều 14.6 / phuyen Điều 12.9: every mailbox in use (all but revoked) of the subtree. */
  activeMailboxes(unitId: number): Promise<{ unitName: string; rows: OverviewMailbox[] }>;
  findUnit(query: string): Promise<{ id: number; name: string } | null>;
}

const LOCKED: readonly MailboxStatus[] = ["send_locked", "locked", "suspended"];

export function createOverviewService(ctx: ServiceContext): OverviewService {
  const { db } = ctx.database;

  async function unitName(unitId: number): Promise<string> {
    const [row] = await db.select({ name: units.name }).from(units).where(eq(units.id, unitId));
    if (!row) throw new ServiceError("not_found", `Không tìm thấy đơn vị #${unitId}.`);
    return row.name;
  }

  async function loadMailboxes(ids: number[]): Promise<OverviewMailbox[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .select({
        id: mailboxes.id,
        address: mailboxes.address,
        kind: mailboxes.kind,
        status: mailboxes.status,
        profileId: mailboxes.profileId,
        unitName: units.name,
        ownerName: sql<
          string | null
        >`(select full_name from staff s where s.id = coalesce(${mailboxes.ownerStaffId}, ${mailboxes.keeperStaffId}))`,
        lastSendAt: mailboxes.lastSendAt,
        lastReceiveAt: mailboxes.lastReceiveAt,
        lastLoginAt: mailboxes.lastLoginAt,
        lockedAt: mailboxes.lockedAt,
        createdAt: mailboxes.createdAt,
      })
      .from(mailboxes)
      .innerJoin(units, eq(units.id, mailboxes.unitId))
      .where(and(inArray(mailboxes.unitId, ids), ne(mailboxes.status, "revoked")))
      .orderBy(units.name, mailboxes.address);
    const calendar = await ctx.calendar();
    return rows.map((r) => {
      const profile = getProfile(r.profileId);
      const candidates =
        profile.inactivity.basis === "login" ? [r.lastLoginAt] : [r.lastSendAt, r.lastReceiveAt];
      const seen = candidates.filter((d): d is Date => d !== null);
      const lastActivityAt = seen.reduce<Date | null>((a, d) => (a && a >= d ? a : d), null);
      const since = new Date(
        Math.max(lastActivityAt?.getTime() ?? 0, r.createdAt.getTime(), r.lockedAt?.getTime() ?? 0),
      );
      const dates = r.status === "active" ? inactivityDates(profile, since, calendar) : null;
      return {
        id: r.id,
        address: r.address,
        kind: r.kind,
        status: r.status,
        profileId: r.profileId,
        unitName: r.unitName,
        personName: r.ownerName,
        lastActivityAt,
        lockAt: dates?.lockAt ?? null,
        lockOn: dates?.lockOn ?? null,
        createdAt: r.createdAt,
      };
    });
  }

  return {
    async headUnits(staffId) {
      const rows = await executeRows<{ id: number; name: string }>(
        db,
        sql`select u.id, u.name from role_grants g join units u on u.id = g.unit_id
            where g.staff_id = ${staffId} and g.role in ('unit_head', 'admin') order by u.id`,
      );
      return rows.map((r) => ({ id: Number(r.id), name: r.name }));
    },

    async findUnit(query) {
      const q = query.trim();
      if (/^\d+$/.test(q)) {
        const [row] = await db
          .select({ id: units.id, name: units.name })
          .from(units)
          .where(eq(units.id, Number(q)));
        return row ?? null;
      }
      const rows = await db
        .select({ id: units.id, name: units.name })
        .from(units)
        .where(
          sql`lower(${units.abbr}) = lower(${q}) or lower(${units.name}) = lower(${q}) or ${units.externalId} = ${q}`,
        )
        .orderBy(units.id)
        .limit(2);
      return rows.length === 1 ? rows[0]! : null;
    },

    async activeMailboxes(unitId) {
      const name = await unitName(unitId);
      const ids = await unitSubtreeIds(db, [unitId]);
      return { unitName: name, rows: await loadMailboxes(ids) };
    },

    async overview(unitId) {
      const now = ctx.now();
      const name = await unitName(unitId);
      const ids = await unitSubtreeIds(db, [unitId]);
      const all = await loadMailboxes(ids);
      const calendar = await ctx.calendar();
      const today = vnDateOf(now);
      const idleBefore = now.getTime() - IDLE_DAYS * 86_400_000;

      const locked = all.filter((m) => LOCKED.includes(m.status));
      const active = all.filter((m) => m.status === "active");
      const idle = active.filter((m) => (m.lastActivityAt ?? m.createdAt).getTime() < idleBefore);
      // "Close to the lock": from the profile's earliest warning on (30 days for the built-in ones).
      const nearLock = active.filter((m) => {
        if (!m.lockAt) return false;
        const days = dayNumberOf(vnDateOf(m.lockAt)) - dayNumberOf(today);
        return days <= getProfile(m.profileId).inactivity.warnDaysBefore.reduce((a, b) => Math.max(a, b), 0);
      });

      const [req] = ids.length
        ? await db
            .select({
              open: sql<number>`count(*)::int`,
              overdue: sql<number>`count(*) filter (where ${requests.dueAt} < ${now.toISOString()}::timestamptz)::int`,
            })
            .from(requests)
            .where(and(inArray(requests.unitId, ids), inArray(requests.state, ["open", "in_progress"])))
        : [{ open: 0, overdue: 0 }];

      const byId = new Map(all.map((m) => [m.id, m]));
      const unanswered = active.length
        ? await db
            .select({
              mailboxId: trackedMessages.mailboxId,
              receivedAt: trackedMessages.receivedAt,
              profileId: mailboxes.profileId,
            })
            .from(trackedMessages)
            .innerJoin(mailboxes, eq(mailboxes.id, trackedMessages.mailboxId))
            .where(and(isNull(trackedMessages.answeredAt), inArray(mailboxes.unitId, ids)))
        : [];
      const perPerson = new Map<string, number>();
      for (const t of unanswered) {
        const deadline = replyDeadline(getProfile(t.profileId), t.receivedAt, calendar);
        if (!deadline || deadline.getTime() >= now.getTime()) continue;
        const m = byId.get(t.mailboxId);
        const who = m?.personName ?? `${m?.address ?? "?"} (chưa có người giữ)`;
        perPerson.set(who, (perPerson.get(who) ?? 0) + 1);
      }
      const overdueReplies = [...perPerson]
        .map(([personName, count]) => ({ personName, count }))
        .sort((a, b) => b.count - a.count || a.personName.localeCompare(b.personName, "vi"));

      // Monday 00:00 Vietnam time of the current week.
      const weekStart = addDays(today, -((weekdayOf(today) + 6) % 7));
      const activeIds = active.map((m) => m.id);
      const checkedRows = activeIds.length
        ? await db
            .selectDistinct({ id: mailboxChecks.mailboxId })
            .from(mailboxChecks)
            .where(
              and(
                inArray(mailboxChecks.mailboxId, activeIds),
                gte(mailboxChecks.checkedAt, vnInstant(weekStart, "00:00")),
              ),
            )
        : [];

      return {
        unitId,
        unitName: name,
        generatedAt: now,
        mailboxes: all,
        locked,
        idle,
        nearLock,
        openRequests: req?.open ?? 0,
        overdueRequests: req?.overdue ?? 0,
        overdueReplies,
        checks: { expected: activeIds.length, checked: checkedRows.length, weekStart },
      };
    },
  };
}
