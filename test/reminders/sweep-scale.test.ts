/**
 * Issue 13: above ~125,000 items the sweep died with "RangeError: Maximum call stack size
 * exceeded" (push(...items) passes every item as an argument). The 200,000 items run through
 * the pure code in memory (sweep-scale-pure.test.ts, seconds); here the database half at 20,000
 * items, still several pages of facts (2,000), claims and recipients (500 per page): every item
 * claimed and delivered, one digest per recipient, nothing left unsent.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { runSweep } from "../../src/reminders/sweep.ts";
import { openTestDatabase, testDatabases, type Database } from "../helpers/db.ts";
import { at, instantLimiter } from "./fixtures.ts";

const MONDAY_1630 = at("2026-11-23T16:30:00+07:00");
const UNITS = 10;
const MAILBOXES = 1_000;
const MESSAGES = 10_000;

// One driver, not both: minutes of work on a busy machine. PostgreSQL when configured (the
// production set-up), else PGlite; the fix is in driver-independent code.
const driver = testDatabases().at(-1) ?? "pglite";

describe(`reminder sweep with 20,000 due items, paged [${driver}]`, () => {
  let database: Database | undefined;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  }, 300_000);
  afterAll(async () => {
    await database?.close();
  });
  const getDb = (): Database => {
    if (!database) throw new Error("test database not open");
    return database;
  };
  it("claims every item and sends one digest per recipient without overflowing the stack", async () => {
    const db = getDb();
    // Units 1..10; staff 1..1000 own one mailbox each; staff 1001..1010 head units 1..10.
    await db.execute(sql`insert into units (id, profile_id, kind, name, abbr)
        select g, 'mic', 'agency', 'Đơn vị ' || g, 'dvt' || g from generate_series(1, ${UNITS}::int) g`);
    await db.execute(sql`insert into staff (id, full_name, unit_id, employment_type, telegram_user_id)
        select g, 'Người ' || g, ((g - 1) % ${UNITS}::int) + 1, 'civil_servant', 7000000 + g
        from generate_series(1, ${MAILBOXES + UNITS}::int) g`);
    await db.execute(sql`insert into role_grants (staff_id, role, unit_id)
        select ${MAILBOXES}::int + g, 'unit_head', g from generate_series(1, ${UNITS}::int) g`);
    await db.execute(sql`insert into mailboxes (id, address, local_part, profile_id, kind, owner_staff_id, unit_id, created_at)
        select g, 'tai' || g || '@mic.gov.vn', 'tai' || g, 'mic', 'personal', g, ((g - 1) % ${UNITS}::int) + 1,
          '2025-01-01T00:00:00Z'::timestamptz
        from generate_series(1, ${MAILBOXES}::int) g`);
    // Received Wednesday 18/11: overdue on Monday 23/11 16:30 → owner and unit head, 2 items each.
    await db.execute(sql`insert into tracked_messages (message_id, mailbox_id, sender, subject, received_at)
        select '<s' || g || '@scale>', ((g - 1) % ${MAILBOXES}::int) + 1, 'vanthu@mic.gov.vn', 'V/v số ' || g,
          '2026-11-18T09:00:00+07:00'::timestamptz
        from generate_series(1, ${MESSAGES}::int) g`);
    // Keep the id sequences ahead of the explicit ids.
    for (const table of ["units", "staff", "mailboxes"]) {
      await db.execute(
        sql.raw(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`),
      );
    }

    const perChat = new Map<number, number>();
    const report = await runSweep(
      {
        database: db,
        calendar: createCalendar(),
        profiles: ["mic"],
        supportChatId: null,
        limiter: instantLimiter(),
        send: async (chatId) => {
          perChat.set(chatId, (perChat.get(chatId) ?? 0) + 1);
          return { message_id: 1, chat: { id: chatId }, date: 0 };
        },
      },
      { now: MONDAY_1630, rules: ["reply"] },
    );

    expect(report.claimed).toBe(2 * MESSAGES);
    // 1,000 owners and 10 heads, no one twice.
    expect(perChat.size).toBe(MAILBOXES + UNITS);
    expect([...perChat.values()].every((n) => n === 1)).toBe(true);
    expect(report.delivery?.items).toBe(2 * MESSAGES);
    const unsent = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from reminder_claim_state where not sent`,
    );
    expect(unsent[0]?.n).toBe(0);
  }, 900_000);
});
