/**
 * Reminder sweep at scale: 100,000 mailboxes (1,000 units with a head each), 1,000,000 tracked
 * messages of which 5% are unanswered and overdue. Data is generated inside the database with
 * generate_series (no row inserts from JS). Measures, on PostgreSQL (BENCH_DATABASE_URL or
 * TEST_DATABASE_URL; skipped without one):
 *   - the sweep up to "every digest claimed and rendered" (delivery stopped before the first
 *     message: at Telegram's 30 msg/s the delivery of tens of thousands of digests takes
 *     minutes by law, whatever the code does), and its peak memory;
 *   - the steady-state sweep that follows (nothing new due: the anti-join on reminder_claims);
 *   - the per-message bookkeeping of delivery (fence + send + confirm, no rate limit).
 * Target: sweep < 5 s and < 300 MB. PGlite: same data at 1/10 scale, when it fits in a minute.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { createCalendar } from "../src/calendar/calendar.ts";
import { openDatabase, type Database } from "../src/db/client.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { claimItems } from "../src/reminders/claims.ts";
import { deliverDigests, RateLimiter } from "../src/reminders/deliver.ts";
import { buildDigests } from "../src/reminders/digest.ts";
import { itemsFor } from "../src/reminders/rules/common.ts";
import { runSweep } from "../src/reminders/sweep.ts";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const NOW = new Date("2026-11-23T16:30:00+07:00");
const calendar = createCalendar();

async function generate(database: Database, mailboxes: number, messages: number): Promise<void> {
  const units = Math.max(10, Math.round(mailboxes / 100));
  const now = NOW.toISOString();
  const run = (q: ReturnType<typeof sql>) => database.execute(q);
  await run(sql`insert into units (profile_id, kind, name, abbr)
    select 'mic', 'agency', 'Đơn vị ' || g, 'dv' || g from generate_series(1, ${units}::int) g`);
  await run(sql`insert into staff (full_name, unit_id, employment_type, telegram_user_id)
    select 'Người dùng ' || g, ((g - 1) % ${units}::int) + 1, 'civil_servant', 1000000 + g from generate_series(1, ${mailboxes}::int) g`);
  // Staff g ≤ units sits in unit g: make them the heads.
  await run(
    sql`insert into role_grants (staff_id, role, unit_id) select g, 'unit_head', g from generate_series(1, ${units}::int) g`,
  );
  await run(sql`insert into mailboxes (address, local_part, profile_id, kind, owner_staff_id, unit_id, created_at,
      last_send_at, last_receive_at, activity_reported_at, storage_used_mb, quota_mb)
    select 'hb' || g || '@mic.gov.vn', 'hb' || g, 'mic', 'personal', g, ((g - 1) % ${units}::int) + 1,
      ${now}::timestamptz - interval '2 years',
      ${now}::timestamptz - (g % 90) * interval '1 day', ${now}::timestamptz - (g % 60) * interval '1 day',
      ${now}::timestamptz - interval '1 day', case when g % 1000 = 0 then 1000 else 200 + g % 500 end, null
    from generate_series(1, ${mailboxes}::int) g`);
  // 5% unanswered and received 16–18/11: overdue on Monday 23/11 16:30. The rest answered.
  await run(sql`insert into tracked_messages (message_id, mailbox_id, sender, subject, received_at, answered_at)
    select '<m' || g || '@bench>', ((g - 1) % ${mailboxes}::int) + 1, 'vanthu' || (g % 97) || '@mic.gov.vn',
      'V/v công văn số ' || g || '/UBND',
      ${now}::timestamptz - interval '5 days' - (g % 48) * interval '1 hour',
      case when g % 20 = 0 then null else ${now}::timestamptz - interval '4 days' end
    from generate_series(1, ${messages}::int) g`);
  await run(sql`analyze`);
}

/** Kernel high-water mark of the whole process's RSS since it started (bytes; Linux reports KiB). */
const maxRssBytes = (): number => process.resourceUsage().maxRSS * 1024;

/**
 * Time and memory of `fn`. Memory is the whole process's, baseline included (modules, the
 * database client, data of earlier phases): the target (< 300 MB) is for the process running
 * the sweep, not for the sweep's own allocations.
 *  - peakRssMb: the larger of the 5 ms RSS samples and the kernel's maxRSS after the run; maxRSS
 *    catches spikes between samples. It is a lifetime maximum, so baseMaxRssMb (maxRSS before
 *    the run) is reported too: when peak = baseMax, the peak was set before the run.
 *  - baseRssMb: RSS just before the run (after a GC when node runs with --expose-gc).
 */
async function measure<T>(fn: () => Promise<T>): Promise<{
  ms: number;
  peakRssMb: number;
  peakHeapMb: number;
  baseRssMb: number;
  baseMaxRssMb: number;
  value: T;
}> {
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  const baseMaxRss = maxRssBytes();
  let peakRss = baseRss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - started;
    sample();
    return {
      ms,
      peakRssMb: Math.max(peakRss, maxRssBytes()) / 2 ** 20,
      peakHeapMb: peakHeap / 2 ** 20,
      baseRssMb: baseRss / 2 ** 20,
      baseMaxRssMb: baseMaxRss / 2 ** 20,
      value,
    };
  } finally {
    clearInterval(timer);
  }
}

function virtualLimiter(): RateLimiter {
  let t = 0;
  return new RateLimiter({ clock: { now: () => t, sleep: async (ms) => void (t += ms) } });
}

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

async function sweepBench(
  database: Database,
  label: string,
  mailboxes: number,
  messages: number,
): Promise<BenchResult[]> {
  const t0 = performance.now();
  await generate(database, mailboxes, messages);
  const generateMs = performance.now() - t0;
  if (process.env.BENCH_VERBOSE) console.warn(`[${label}] generated in ${Math.round(generateMs)} ms`);
  const stopBeforeDelivery = new AbortController();
  stopBeforeDelivery.abort();
  const deps = {
    database,
    calendar,
    profiles: ["mic"],
    supportChatId: -100,
    send: async () => undefined,
    // No rate limit: a virtual clock that jumps forward on every sleep.
    limiter: virtualLimiter(),
  };
  const first = await measure(() => runSweep(deps, { now: NOW, signal: stopBeforeDelivery.signal }));
  if (process.env.BENCH_VERBOSE)
    console.warn(`[${label}] first sweep ${Math.round(first.ms)} ms`, first.value.phases);
  const steady = await measure(() =>
    runSweep(deps, { now: new Date(NOW.getTime() + 15 * 60_000), signal: stopBeforeDelivery.signal }),
  );

  // Delivery bookkeeping: 2,000 one-item digests, fence + fake send + confirm each.
  const items = Array.from({ length: 2000 }, (_, i) =>
    itemsFor([5_000_000 + i], {
      rule: "bench",
      target: `x:${i}`,
      period: "",
      section: "quota",
      line: `Mục ${i}`,
      sortAt: NOW,
      profileId: "mic",
    }),
  ).flat();
  const runId = `bench:${randomBytes(3).toString("hex")}`;
  const claimed = await claimItems(database, items, { runId, now: NOW, leaseMs: 600_000, retryProfiles: [] });
  const digests = buildDigests(claimed.claimed, NOW);
  const delivery = await measure(() =>
    deliverDigests(digests, {
      database,
      send: async () => undefined,
      limiter: deps.limiter,
      runId,
      now: () => NOW,
      concurrency: 4,
    }),
  );
  return [
    {
      name: `reminders [${label}]: generate ${mailboxes.toLocaleString("en-US")} mailboxes + ${messages.toLocaleString("en-US")} messages (SQL)`,
      value: round(generateMs / 1000),
      unit: "s",
    },
    {
      name: `reminders [${label}]: sweep, 5% due, until all digests claimed`,
      value: round(first.ms),
      unit: "ms",
    },
    {
      name: `reminders [${label}]: whole-process peak RSS during the sweep (samples + maxRSS)`,
      value: round(first.peakRssMb),
      unit: "MB",
    },
    {
      name: `reminders [${label}]: process RSS just before the sweep`,
      value: round(first.baseRssMb),
      unit: "MB",
    },
    {
      name: `reminders [${label}]: process maxRSS before the sweep (earlier phases)`,
      value: round(first.baseMaxRssMb),
      unit: "MB",
    },
    {
      name: `reminders [${label}]: sweep RSS growth over the process before it`,
      value: round(first.peakRssMb - first.baseRssMb),
      unit: "MB",
    },
    { name: `reminders [${label}]: sweep peak JS heap`, value: round(first.peakHeapMb), unit: "MB" },
    { name: `reminders [${label}]: items claimed`, value: first.value.claimed, unit: "items" },
    {
      name: `reminders [${label}]: digests (one per recipient)`,
      value: first.value.digests.length,
      unit: "messages",
    },
    { name: `reminders [${label}]: next sweep, nothing new due`, value: round(steady.ms), unit: "ms" },
    {
      name: `reminders [${label}]: delivery bookkeeping per message (fence + confirm)`,
      value: round(delivery.ms / digests.length, 3),
      unit: "ms",
    },
  ];
}

async function withPostgres<T>(url: string, fn: (database: Database) => Promise<T>): Promise<T> {
  const name = `mailbot_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const database = await openDatabase({ url: target.toString(), maxConnections: 4 });
  try {
    await migrateDatabase(database);
    return await fn(database);
  } finally {
    await database.close();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  }
}

export async function benchReminders(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const url = (process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL)?.trim();
  if (url) {
    results.push(...(await withPostgres(url, (db) => sweepBench(db, "PostgreSQL", 100_000, 1_000_000))));
  } else {
    console.warn(
      "reminders bench: set BENCH_DATABASE_URL or TEST_DATABASE_URL for the PostgreSQL run (the target).",
    );
  }
  if (process.env.BENCH_SKIP_PGLITE !== "true") {
    // PGlite (single-threaded WASM) at 1/10 scale: the full scale does not fit in a minute here.
    const database = await openDatabase({ inMemory: true });
    try {
      await migrateDatabase(database);
      results.push(...(await sweepBench(database, "PGlite, 1/10 scale", 10_000, 100_000)));
    } finally {
      await database.close();
    }
  }
  return results;
}
