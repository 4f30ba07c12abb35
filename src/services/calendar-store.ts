/**
 * The working-day calendar with the operator's holiday overrides (table holiday_overrides).
 *
 * Building a calendar is cheap but not free, and deadlines are computed on every request, so the
 * built calendar is cached per database handle together with a fingerprint of the overrides
 * table. Each `loadCalendar` asks the database for the fingerprint (one tiny aggregate query) and
 * rebuilds only when it changed — so an override added by another instance or by the CLI is seen
 * at the next call, without any message between processes. Changes made through this module
 * also drop the cache at once. Vietnamese Culture Day (24/11) counts from `cultureDayFrom`
 * (CULTURE_DAY_FROM in the configuration; the entry points pass it in).
 */
import { asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { createCalendar, type WorkingDayCalendar } from "../calendar/calendar.ts";
import { calendarOverrideSchema } from "../calendar/schedules.ts";
import { isoDateSchema } from "../calendar/time.ts";
import type { IsoDate } from "../calendar/types.ts";
import { executeRows, type Database } from "../db/client.ts";
import { holidayOverrides } from "../db/schema.ts";
import { actorLabel, writeAudit } from "./audit.ts";
import { ServiceError } from "./errors.ts";
import type { Actor } from "./types.ts";

interface CacheEntry {
  fingerprint: string;
  calendar: WorkingDayCalendar;
}
const cache = new WeakMap<object, CacheEntry>();

/**
 * A scalar subquery giving the fingerprint of holiday_overrides. Queries that need the calendar
 * may select it alongside their own rows and pass it to `loadCalendar`, saving a round trip.
 */
export const CALENDAR_FINGERPRINT = sql`(select md5(coalesce(string_agg(${holidayOverrides.date}::text || ${holidayOverrides.kind}::text || ${holidayOverrides.name}, '|' order by ${holidayOverrides.date}), '')) from ${holidayOverrides})`;

async function fingerprintOf(database: Database): Promise<string> {
  const rows = await executeRows<{ fp: string | null }>(
    database.db,
    sql`select ${CALENDAR_FINGERPRINT} as fp`,
  );
  return rows[0]?.fp ?? "";
}

/**
 * The calendar with the current overrides; rebuilt only when the overrides changed.
 * `fingerprint`: the value of CALENDAR_FINGERPRINT the caller has just read, if it has.
 */
export async function loadCalendar(
  database: Database,
  fingerprint?: string,
  cultureDayFrom: IsoDate | null = null,
): Promise<WorkingDayCalendar> {
  fingerprint ??= await fingerprintOf(database);
  fingerprint += `|culture:${cultureDayFrom ?? ""}`;
  const cached = cache.get(database);
  if (cached && cached.fingerprint === fingerprint) return cached.calendar;
  const rows = await database.db
    .select({ date: holidayOverrides.date, kind: holidayOverrides.kind, name: holidayOverrides.name })
    .from(holidayOverrides)
    .orderBy(asc(holidayOverrides.date));
  const calendar = createCalendar({ overrides: rows, cultureDayFrom });
  cache.set(database, { fingerprint, calendar });
  return calendar;
}

export function invalidateCalendar(database: Database): void {
  cache.delete(database);
}

const OverrideInput = z.object({
  date: isoDateSchema,
  kind: z.enum(["off", "working"]),
  name: z.string().trim().min(1).max(200),
});

/** Adds or replaces the operator override for one day. */
export async function setHolidayOverride(
  database: Database,
  input: { date: IsoDate; kind: "off" | "working"; name: string },
  actor: Actor,
): Promise<boolean> {
  const parsed = OverrideInput.safeParse(input);
  if (!parsed.success) {
    throw new ServiceError(
      "invalid_input",
      `Ngày điều chỉnh không hợp lệ: ${parsed.error.issues[0]?.message}. Hãy nhập ngày dạng YYYY-MM-DD, loại off hoặc working và tên ngày.`,
    );
  }
  // The calendar's own schema (e.g. name length rules) must accept it too.
  const checked = calendarOverrideSchema.safeParse(parsed.data);
  if (!checked.success) {
    throw new ServiceError(
      "invalid_input",
      `Ngày điều chỉnh không hợp lệ: ${checked.error.issues[0]?.message}.`,
    );
  }
  const changed = await database.db.transaction(async (tx) => {
    // One statement decides: insert, or update only when kind or name differ. The same override
    // again (a retry, a re-run script, two at once) returns no row and writes no audit row.
    const written = await tx
      .insert(holidayOverrides)
      .values({ ...parsed.data, createdBy: actorLabel(actor) })
      .onConflictDoUpdate({
        target: holidayOverrides.date,
        set: { kind: parsed.data.kind, name: parsed.data.name, createdBy: actorLabel(actor) },
        setWhere: sql`(${holidayOverrides.kind}, ${holidayOverrides.name}) is distinct from (${parsed.data.kind}::holiday_override_kind, ${parsed.data.name})`,
      })
      .returning({ id: holidayOverrides.id });
    if (written.length === 0) return false;
    await writeAudit(tx, {
      actor,
      action: "holiday.set",
      entity: "holiday_override",
      entityId: parsed.data.date,
      details: parsed.data,
    });
    return true;
  });
  invalidateCalendar(database);
  return changed;
}

/** The operator's overrides, by date. */
export async function listHolidayOverrides(
  database: Database,
): Promise<{ date: IsoDate; kind: "off" | "working"; name: string; createdBy: string | null }[]> {
  return database.db
    .select({
      date: holidayOverrides.date,
      kind: holidayOverrides.kind,
      name: holidayOverrides.name,
      createdBy: holidayOverrides.createdBy,
    })
    .from(holidayOverrides)
    .orderBy(asc(holidayOverrides.date));
}

export async function removeHolidayOverride(
  database: Database,
  date: IsoDate,
  actor: Actor,
): Promise<boolean> {
  const parsed = isoDateSchema.safeParse(date);
  if (!parsed.success)
    throw new ServiceError("invalid_input", "Ngày không hợp lệ: hãy nhập dạng YYYY-MM-DD.");
  const removed = await database.db.transaction(async (tx) => {
    const rows = await tx
      .delete(holidayOverrides)
      .where(eq(holidayOverrides.date, parsed.data))
      .returning({ id: holidayOverrides.id });
    if (rows.length > 0) {
      await writeAudit(tx, {
        actor,
        action: "holiday.remove",
        entity: "holiday_override",
        entityId: parsed.data,
      });
    }
    return rows.length > 0;
  });
  invalidateCalendar(database);
  return removed;
}
