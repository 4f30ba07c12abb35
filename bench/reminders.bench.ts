/**
 * Reminder sweep at scale, each measure next to a baseline measured in the same run (issue 13):
 *   - floor: the same due rows fetched with minimal SQL (one join, no rules), and the same
 *     claims written by one INSERT … SELECT; the sweep is reported as a ratio to their sum;
 *   - the whole sweep (facts, rules, claims, enforcement, digests, delivery to a fake Bot API
 *     without rate limit) and the whole process's peak RSS (target < 300 MB);
 *   - each rule's SQL time (every page) and the scans its plans use (EXPLAIN; a sequential
 *     scan of mailboxes or tracked_messages is counted);
 *   - the steady-state sweep that follows (nothing new due).
 * Data is generated inside the database with generate_series (no rows from JS): 100,000
 * mailboxes / 1,000,000 messages (5% due) by default; BENCH_NATIONAL=true adds 1,000,000 /
 * 10,000,000 with 0.5% due (BENCH_NATIONAL_DUE=0.5,5 adds the 5% row; generating takes minutes
 * and loads the machine). BENCH_REUSE_DATA=true keeps each size's generated data in a template
 * database and clones it on later runs (see withData); BENCH_SKIP_100K=true runs only the
 * national rows. PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL); PGlite runs 1/10 of the
 * small row.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { createCalendar } from "../src/calendar/calendar.ts";
import { openDatabase, type Database } from "../src/db/client.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import type { DbOrTx } from "../src/db/client.ts";
import { getProfile } from "../src/policy/profiles/index.ts";
import { RateLimiter } from "../src/reminders/deliver.ts";
import * as facts from "../src/reminders/facts.ts";
import { latestClosedWindows } from "../src/reminders/rules/checks.ts";
import { claimReplies } from "../src/reminders/reply-claims.ts";
import { replyCuts } from "../src/reminders/rules/reply.ts";
import { runSweep } from "../src/reminders/sweep.ts";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const NOW = new Date("2026-11-23T16:30:00+07:00");
const calendar = createCalendar();

/** `dueEvery`: one message in dueEvery is unanswered and overdue (20 → 5%, 200 → 0.5%). */
export async function generate(
  database: Database,
  mailboxes: number,
  messages: number,
  dueEvery: number,
): Promise<void> {
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
  // 1/dueEvery unanswered and received 16–18/11: overdue on Monday 23/11 16:30. The rest answered.
  await run(sql`insert into tracked_messages (message_id, mailbox_id, sender, subject, received_at, answered_at)
    select '<m' || g || '@bench>', ((g - 1) % ${mailboxes}::int) + 1, 'vanthu' || (g % 97) || '@mic.gov.vn',
      'V/v công văn số ' || g || '/UBND',
      ${now}::timestamptz - interval '5 days' - (g % 48) * interval '1 hour',
      case when g % ${dueEvery}::int = 0 then null else ${now}::timestamptz - interval '4 days' end
    from generate_series(1, ${messages}::int) g`);
  await run(sql`analyze`);
}

/**
 * The kernel's high-water mark of this process's RSS (bytes). Linux lets a process reset it
 * (`5` into /proc/self/clear_refs), so a measure's peak is its own and not one left by an
 * earlier phase of the bench (the floor's fetch of 500,000 rows, the rule queries). Where the
 * reset is not possible the lifetime maximum is used, which can only overstate the peak.
 */
function resetPeakRss(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}
function peakRssBytes(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Time and memory of `fn`. Memory is the whole process's, baseline included (modules, the
 * database client, what earlier phases left on the heap): the target (< 300 MB) is for the
 * process running the sweep, not for the sweep's own allocations.
 *  - peakRssMb: the larger of the 5 ms RSS samples and the kernel's high-water mark, reset just
 *    before the run (resetPeakRss), so spikes between samples count and earlier phases do not.
 *  - baseRssMb: RSS just before the run, after a GC (the bench runner starts node with --expose-gc).
 */
async function measure<T>(fn: () => Promise<T>): Promise<{
  ms: number;
  peakRssMb: number;
  peakHeapMb: number;
  baseRssMb: number;
  value: T;
}> {
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  if (!resetPeakRss())
    console.warn(
      "reminders bench: the RSS high-water mark cannot be reset here; peaks include earlier phases.",
    );
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
      peakRssMb: Math.max(peakRss, peakRssBytes()) / 2 ** 20,
      peakHeapMb: peakHeap / 2 ** 20,
      baseRssMb: baseRss / 2 ** 20,
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

/** Every rule's facts, all pages, as the sweep reads them (without the rules or claims). */
function ruleQueries(db: DbOrTx): { rule: string; run: (heads: facts.UnitHeads) => Promise<number> }[] {
  const profile = getProfile("mic");
  const today = "2026-11-23" as const;
  const all = async <T>(fetch: (page: facts.Page) => Promise<T[]>, idOf: (row: T) => number) => {
    let n = 0;
    let after = 0;
    for (;;) {
      const rows = await fetch({ after, limit: facts.FACTS_PAGE });
      n += rows.length;
      if (rows.length < facts.FACTS_PAGE) return n;
      after = idOf(rows[rows.length - 1] as T);
    }
  };
  const byMailbox = (row: { mailboxId: number }): number => row.mailboxId;
  return [
    {
      rule: "checks",
      run: async (heads) => {
        let n = 0;
        for (const group of [
          { slots: "unit" as const, kinds: ["unit", "group"] as const },
          { slots: "personal" as const, kinds: ["personal"] as const },
        ]) {
          const windows = latestClosedWindows(NOW, calendar, profile.checks[group.slots]);
          if (!windows[0]) continue;
          n += await all(
            (p) => facts.selectUnchecked(db, profile, group.kinds, windows, today, heads, p),
            byMailbox,
          );
        }
        return n;
      },
    },
    {
      rule: "inactivity",
      run: async (heads) =>
        (await all((p) => facts.selectInactive(db, profile, NOW, heads, p), byMailbox)) +
        (await all((p) => facts.selectSuspended(db, profile, NOW, heads, p), byMailbox)),
    },
    {
      // Decided and claimed in SQL (reply-claims.ts): its statements, in a transaction rolled back.
      rule: "reply",
      run: async () => {
        const cuts = replyCuts(profile, NOW, calendar);
        let due = 0;
        if (cuts === null) return due;
        await db
          .transaction(async (tx) => {
            due = (await claimReplies(tx, profile, cuts, today, { runId: "bench-rule-sql", at: NOW })).due;
            throw new RolledBack();
          })
          .catch((error: unknown) => {
            if (!(error instanceof RolledBack)) throw error;
          });
        return due;
      },
    },
    {
      rule: "service-levels",
      run: async () =>
        all(
          (p) => facts.selectOpenRequests(db, profile, NOW, p),
          (r) => r.requestId,
        ),
    },
    {
      rule: "leavers",
      run: async (heads) => all((p) => facts.selectLeavers(db, profile, NOW, heads, p), byMailbox),
    },
    {
      rule: "passwords",
      run: async (heads) =>
        (await all((p) => facts.selectPasswordAges(db, profile, NOW, heads, p), byMailbox)) +
        (await all((p) => facts.selectFirstLoginPending(db, profile, heads, p), byMailbox)),
    },
    {
      rule: "quota",
      run: async (heads) => all((p) => facts.selectNearQuota(db, profile, heads, p), byMailbox),
    },
  ];
}

class RolledBack extends Error {}

/** The plan nodes of every statement run through the returned db (EXPLAIN before executing). */
function explaining(db: DbOrTx): { db: DbOrTx; seqScans: Set<string>; indexes: Set<string>; reset(): void } {
  const seqScans = new Set<string>();
  const indexes = new Set<string>();
  const walk = (node: Record<string, unknown>): void => {
    const type = String(node["Node Type"] ?? "");
    const relation = node["Relation Name"];
    if (type === "Seq Scan" && typeof relation === "string") seqScans.add(relation);
    if (typeof node["Index Name"] === "string") indexes.add(node["Index Name"]);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  // A transaction's statements are explained too (the reply rule's run in one).
  const wrap = <T extends DbOrTx>(db: T): T =>
    new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === "transaction") {
          return (fn: (tx: DbOrTx) => Promise<unknown>) => target.transaction((tx) => fn(wrap(tx)));
        }
        if (prop !== "execute") return Reflect.get(target, prop, receiver);
        return async (query: Parameters<DbOrTx["execute"]>[0]) => {
          const plan: unknown = await target.execute(sql`explain (format json) ${query}`);
          const rows = (Array.isArray(plan) ? plan : (plan as { rows: unknown[] }).rows) as Record<
            string,
            unknown
          >[];
          const json = rows[0]?.["QUERY PLAN"];
          const parsed = (typeof json === "string" ? JSON.parse(json) : json) as {
            Plan: Record<string, unknown>;
          }[];
          for (const p of parsed) walk(p.Plan);
          return target.execute(query);
        };
      },
    });
  return {
    db: wrap(db),
    seqScans,
    indexes,
    reset() {
      seqScans.clear();
      indexes.clear();
    },
  };
}

/** The floor: the due rows with one minimal join, and the same claims by one INSERT … SELECT. */
export async function floor(
  database: Database,
): Promise<{ fetchMs: number; claimMs: number; rows: number; claims: number }> {
  const cut = new Date(NOW.getTime() - 2 * 86_400_000).toISOString();
  const t0 = performance.now();
  const rows = await database.execute(sql`select t.id, t.sender, t.subject, t.received_at, m.address, u.name,
      os.telegram_user_id::text as owner_chat, hs.telegram_user_id::text as head_chat
    from tracked_messages t join mailboxes m on m.id = t.mailbox_id join units u on u.id = m.unit_id
      left join staff os on os.id = m.owner_staff_id
      left join role_grants g on g.unit_id = m.unit_id and g.role = 'unit_head'
      left join staff hs on hs.id = g.staff_id
    where t.answered_at is null and t.received_at <= ${cut}::timestamptz`);
  const fetchMs = performance.now() - t0;
  const count = rows.length;
  rows.length = 0;
  await database.execute(sql`create table floor_claims (like reminder_claims including all)`);
  const t1 = performance.now();
  const claimed = await database.execute<{ n: number }>(sql`with ins as (
      insert into floor_claims (key, rule, target, recipient_chat_id, claimed_at, claimed_by, attempts, payload)
      select 'reply-overdue:tm:' || t.id || '@' || c.chat, 'reply-overdue', 'tm:' || t.id, c.chat, now(), 'floor', 1,
        jsonb_build_object('section', 'reply-overdue', 'line', m.address || ' — ' || coalesce(t.subject, '') || ' từ ' || t.sender,
          'sortAt', t.received_at, 'profileId', m.profile_id)
      from tracked_messages t join mailboxes m on m.id = t.mailbox_id
        left join staff os on os.id = m.owner_staff_id
        left join role_grants g on g.unit_id = m.unit_id and g.role = 'unit_head'
        left join staff hs on hs.id = g.staff_id
        cross join lateral (select os.telegram_user_id union select hs.telegram_user_id) c(chat)
      where t.answered_at is null and t.received_at <= ${cut}::timestamptz and c.chat is not null
      on conflict (key) do nothing
      returning 1)
    select count(*)::int as n from ins`);
  const claimMs = performance.now() - t1;
  await database.execute(sql`drop table floor_claims`);
  return { fetchMs, claimMs, rows: count, claims: Number(claimed[0]?.n ?? 0) };
}

interface Size {
  mailboxes: number;
  messages: number;
  dueEvery: number;
}

async function sweepBench(
  database: Database,
  label: string,
  size: Size,
  /** How the data came: generated now (ms), or cloned from a kept copy (ms). */
  prepared: { generatedMs: number } | { clonedMs: number },
): Promise<BenchResult[]> {
  const { mailboxes, dueEvery } = size;
  const tag = `reminders [${label}, ${mailboxes.toLocaleString("en-US")} mailboxes, ${(100 / dueEvery).toLocaleString("en-US")}% due]`;
  const preparedRow: BenchResult =
    "generatedMs" in prepared
      ? {
          name: `${tag}: generate (SQL, generate_series)`,
          value: round(prepared.generatedMs / 1000),
          unit: "s",
        }
      : {
          name: `${tag}: clone of the kept generated data (BENCH_REUSE_DATA)`,
          value: round(prepared.clonedMs / 1000),
          unit: "s",
        };
  console.warn(`[${tag}] ${preparedRow.name.slice(tag.length + 2)}: ${preparedRow.value} s`);

  // Each rule's SQL, every page, with the plans' scans.
  const ruleRows: BenchResult[] = [];
  const explain = explaining(database.db);
  const tHeads = performance.now();
  const heads = await facts.loadUnitHeads(database.db, "mic");
  const headsMs = performance.now() - tHeads;
  ruleRows.push({ name: `${tag}: SQL unit heads (once per sweep)`, value: round(headsMs), unit: "ms" });
  for (const q of ruleQueries(database.db)) {
    const t = performance.now();
    const n = await q.run(heads);
    const ms = performance.now() - t;
    explain.reset();
    await ruleQueries(explain.db)
      .find((r) => r.rule === q.rule)
      ?.run(heads);
    const big = [...explain.seqScans].filter((r) => r === "mailboxes" || r === "tracked_messages");
    console.warn(
      `[${tag}] ${q.rule}: ${n} facts in ${Math.round(ms)} ms; index scans: ${[...explain.indexes].join(", ") || "none"}; seq scans: ${[...explain.seqScans].join(", ") || "none"}`,
    );
    ruleRows.push({ name: `${tag}: SQL ${q.rule} (all pages, ${n} facts)`, value: round(ms), unit: "ms" });
    ruleRows.push({
      name: `${tag}: ${q.rule} sequential scans of mailboxes/tracked_messages`,
      value: big.length,
      unit: "scans",
    });
  }

  // The reply rule's query claims in a transaction rolled back (twice: timed, explained): its
  // dead rows would slow the sweep's claims of the same keys (every unique check visits them),
  // which autovacuum spares a real deployment.
  await database.execute(sql`vacuum reminder_claims`);
  const deps = {
    database,
    calendar,
    profiles: ["mic"],
    supportChatId: -100,
    send: async () => undefined,
    // No rate limit: a virtual clock that jumps forward on every sleep.
    limiter: virtualLimiter(),
  };
  const first = await measure(() => runSweep(deps, { now: NOW }));
  console.warn(`[${tag}] sweep ${Math.round(first.ms)} ms`, first.value.phases);
  const steady = await measure(() => runSweep(deps, { now: new Date(NOW.getTime() + 15 * 60_000) }));
  // The floor after the sweeps: its one-shot fetch holds every due row in this process, which
  // would otherwise stay in the sweep's RSS baseline. It reads the same rows the rule queries
  // above already brought into PostgreSQL's cache, and writes its claims to a table of its own.
  const base = await floor(database);
  const floorMs = base.fetchMs + base.claimMs;
  const messagesSent = first.value.delivery?.messages ?? 0;
  return [
    preparedRow,
    ...ruleRows,
    {
      name: `${tag}: floor — due rows fetched with minimal SQL (${base.rows} rows)`,
      value: round(base.fetchMs),
      unit: "ms",
    },
    {
      name: `${tag}: floor — same claims by one INSERT … SELECT (${base.claims} claims)`,
      value: round(base.claimMs),
      unit: "ms",
    },
    {
      name: `${tag}: whole sweep (facts, rules, claims, digests, delivery to a fake API)`,
      value: round(first.ms),
      unit: "ms",
    },
    {
      name: `${tag}: whole sweep / floor (fetch + INSERT … SELECT)`,
      value: round(first.ms / floorMs, 2),
      unit: "×",
    },
    {
      name: `${tag}: claim phase of the sweep / floor INSERT … SELECT`,
      value: round((first.value.phases.claim ?? 0) / base.claimMs, 2),
      unit: "×",
    },
    { name: `${tag}: items claimed by the sweep`, value: first.value.claimed, unit: "items" },
    { name: `${tag}: digests delivered (one per recipient)`, value: messagesSent, unit: "messages" },
    { name: `${tag}: whole-process peak RSS during the sweep`, value: round(first.peakRssMb), unit: "MB" },
    { name: `${tag}: process RSS before the sweep (baseline)`, value: round(first.baseRssMb), unit: "MB" },
    { name: `${tag}: peak RSS / 300 MB target`, value: round(first.peakRssMb / 300, 2), unit: "×" },
    { name: `${tag}: sweep peak JS heap`, value: round(first.peakHeapMb), unit: "MB" },
    { name: `${tag}: next sweep, nothing new due`, value: round(steady.ms), unit: "ms" },
    { name: `${tag}: next sweep / floor fetch`, value: round(steady.ms / base.fetchMs, 2), unit: "×" },
  ];
}

const adminOf = (url: string) => postgres(url, { max: 1, onnotice: () => {} });
const urlOf = (url: string, name: string): string => {
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
};

/**
 * A fresh database with the generated data of `size`, dropped afterwards. With
 * BENCH_REUSE_DATA=true the generated data is kept in a template database
 * (`<prefix>_data_<mailboxes>_<messages>_<dueEvery>`, prefix BENCH_DB_PREFIX, default
 * mailbot_bench) and later runs clone it (CREATE DATABASE … TEMPLATE, a file copy: seconds, not
 * the minutes of generate_series at 10,000,000 messages). Each run sweeps its own clone, so the
 * claims and enforcement of one run never leak into the next. Newer migrations are applied to
 * the clone; drop the template (`dropdb`) when the generator changes.
 */
async function withData<T>(
  url: string,
  size: Size,
  fn: (database: Database, prepared: { generatedMs: number } | { clonedMs: number }) => Promise<T>,
): Promise<T> {
  const prefix = process.env.BENCH_DB_PREFIX?.trim() || "mailbot_bench";
  const reuse = process.env.BENCH_REUSE_DATA === "true";
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  const template = `${prefix}_data_${size.mailboxes}_${size.messages}_${size.dueEvery}`;
  const admin = adminOf(url);
  let generatedNow = false;
  let prepared: { generatedMs: number } | { clonedMs: number } = { generatedMs: 0 };
  try {
    const kept = reuse && (await admin`select 1 from pg_database where datname = ${template}`).length > 0;
    if (reuse && !kept) {
      // Generate into the template itself, then close every connection to it (a template in use
      // cannot be cloned).
      await admin.unsafe(`create database "${template}"`);
      const tpl = await openDatabase({ url: urlOf(url, template), maxConnections: 4 });
      try {
        await migrateDatabase(tpl);
        const t = performance.now();
        await generate(tpl, size.mailboxes, size.messages, size.dueEvery);
        prepared = { generatedMs: performance.now() - t };
        generatedNow = true;
      } catch (error) {
        await tpl.close();
        await admin.unsafe(`drop database if exists "${template}" with (force)`);
        throw error;
      }
      await tpl.close();
    }
    if (reuse) {
      const t = performance.now();
      await admin.unsafe(`create database "${name}" template "${template}" strategy file_copy`);
      if (!generatedNow) prepared = { clonedMs: performance.now() - t };
    } else {
      await admin.unsafe(`create database "${name}"`);
    }
  } catch (error) {
    await admin.end({ timeout: 5 });
    throw error;
  }
  const database = await openDatabase({ url: urlOf(url, name), maxConnections: 4 });
  try {
    await migrateDatabase(database);
    if (!reuse) {
      const t = performance.now();
      await generate(database, size.mailboxes, size.messages, size.dueEvery);
      prepared = { generatedMs: performance.now() - t };
    }
    return await fn(database, prepared);
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
    // BENCH_SKIP_100K=true: only the national rows (e.g. rerunning them on kept data).
    if (process.env.BENCH_SKIP_100K !== "true") {
      const size = { mailboxes: 100_000, messages: 1_000_000, dueEvery: 20 };
      for (const row of await withData(url, size, (db, prepared) =>
        sweepBench(db, "PostgreSQL", size, prepared),
      ))
        results.push(row);
    }
    if (process.env.BENCH_NATIONAL === "true") {
      // BENCH_NATIONAL_DUE: the due percentages of the national rows, "0.5" by default ("0.5,5").
      const percents = (process.env.BENCH_NATIONAL_DUE ?? "0.5").split(",").map(Number);
      for (const percent of percents) {
        if (!(percent > 0 && percent <= 100))
          throw new Error(`BENCH_NATIONAL_DUE: bad percentage ${percent}`);
        const size = { mailboxes: 1_000_000, messages: 10_000_000, dueEvery: Math.round(100 / percent) };
        const national = await withData(url, size, (db, prepared) =>
          sweepBench(db, "PostgreSQL", size, prepared),
        );
        for (const row of national) results.push(row);
      }
    }
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
      const size = { mailboxes: 10_000, messages: 100_000, dueEvery: 20 };
      const t = performance.now();
      await generate(database, size.mailboxes, size.messages, size.dueEvery);
      const prepared = { generatedMs: performance.now() - t };
      for (const row of await sweepBench(database, "PGlite", size, prepared)) results.push(row);
    } finally {
      await database.close();
    }
  }
  return results;
}
