/**
 * Updates handled per second through the whole bot (createBot: dedupe, identity, gate, flows,
 * the /trangthai handler, its service queries) with a real database, and the latency per
 * update. Telegram's network time is excluded: the Bot API client's `fetch` answers at once.
 *
 * Drivers: PGlite (in memory) always; PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL
 * is set (a throw-away database is created and dropped; the pool is the bot's default size).
 * Targets (issue 4): ≥ 500 updates/s and p95 < 20 ms per update for /trangthai on PostgreSQL.
 *
 * Phases, each reported: sequential (one update at a time: the latency of an update on an idle
 * bot, p50/p95), closed loops of 16 and 32 users (the throughput the bot sustains, and the p95
 * while saturated — queueing included), and an open loop at 500 updates/s (the target: does it
 * keep up, and what is p95 at that rate). The identity cache is warm (as for active users); an
 * update then costs one prepared status query plus its share of a claim statement (claims that
 * arrive together go out together, with each chat's flow state).
 */
import { randomBytes } from "node:crypto";
import type { Update } from "grammy/types";
import pino from "pino";
import postgres from "postgres";
import type { ClientFetch } from "../src/bot/context.ts";
import { ALL_FEATURES } from "../commands/index.ts";
import { createBot } from "../src/bot/create-bot.ts";
import { localBotInfo } from "../src/bot/transports/local-api.ts";
import { parseConfig } from "../src/config.ts";
import { openDatabase, type Database } from "../src/db/client.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { mailboxes, requests, roleGrants, staff, units } from "../src/db/schema.ts";
import { createServices } from "../src/services/index.ts";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const PEOPLE = 300;
const WARMUP = 300;
const SEQUENTIAL = 1000;
const CONCURRENT = 2000;
/** Users sending at once (concurrent phase); the 500/s target is for throughput here. */
const CONCURRENCY = [16, 32];
/** The target rate, offered as an open loop (arrivals do not wait for answers). */
const TARGET_RATE = 500;
const AT_RATE = 2500;

export async function seed(database: Database): Promise<number[]> {
  const { db } = database;
  const [root] = await db
    .insert(units)
    .values({ profileId: "phuyen", kind: "agency", name: "Sở TT&TT", abbr: "stttt", localPart: "stttt" })
    .returning();
  const unitId = root!.id;
  const people = await db
    .insert(staff)
    .values(
      Array.from({ length: PEOPLE }, (_, i) => ({
        fullName: `Nguyễn Văn Thử`,
        unitId,
        employmentType: "civil_servant" as const,
        telegramUserId: 900_000 + i,
      })),
    )
    .returning({ id: staff.id });
  await db.insert(roleGrants).values({ staffId: people[0]!.id, role: "support", unitId: null });
  await db.insert(mailboxes).values(
    people.map((p, i) => ({
      address: `thu${i}@phuyen.gov.vn`,
      localPart: `thu${i}`,
      profileId: "phuyen",
      kind: "personal" as const,
      ownerStaffId: p.id,
      unitId,
      status: i % 10 === 0 ? ("locked" as const) : ("active" as const),
      lockReason: i % 10 === 0 ? ("inactivity" as const) : null,
      lockedAt: i % 10 === 0 ? new Date("2026-11-02T03:00:00Z") : null,
    })),
  );
  await db.insert(requests).values(
    people.flatMap((p, i) => [
      {
        profileId: "phuyen",
        kind: "khoiphuc" as const,
        state: "open" as const,
        requesterStaffId: p.id,
        subjectStaffId: p.id,
        unitId,
        dueAt: new Date("2026-11-24T10:00:00Z"),
        payload: { address: `thu${i}@phuyen.gov.vn` },
      },
      {
        profileId: "phuyen",
        kind: "doimk" as const,
        state: "approved" as const,
        requesterStaffId: p.id,
        subjectStaffId: p.id,
        unitId,
        dueAt: new Date("2026-11-20T10:00:00Z"),
        decidedAt: new Date("2026-11-19T10:00:00Z"),
        payload: {},
      },
    ]),
  );
  return people.map((_, i) => 900_000 + i);
}

/** Answers every Bot API call at once with a plausible result. */
function instantFetch(): ClientFetch {
  let messageId = 1;
  return async (url, init) => {
    const method = url.split("/").pop() ?? "";
    const payload = JSON.parse(String(init.body ?? "{}")) as { chat_id?: number; text?: string };
    const result =
      method === "sendMessage"
        ? {
            message_id: messageId++,
            date: 0,
            chat: { id: payload.chat_id, type: "private" },
            text: payload.text,
          }
        : true;
    return { json: async () => ({ ok: true, result }) };
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function measure(database: Database, label: string): Promise<BenchResult[]> {
  const telegramIds = await seed(database);
  const clock = () => new Date("2026-11-23T02:00:00Z");
  const services = createServices(database, { clock });
  const bot = createBot({
    config: {
      ...parseConfig({}),
      telegramBotToken: "123456:BENCH-token-not-real-abcdefghij",
      supportChatId: -100,
    },
    services,
    logger: pino({ level: "silent" }),
    clock,
    botInfo: localBotInfo("mailbot_bench_bot"),
    fetch: instantFetch(),
    throttle: false,
    features: ALL_FEATURES,
  });
  await bot.init();
  let updateId = 1;
  const update = (i: number): Update => {
    const id = telegramIds[i % telegramIds.length] as number;
    return {
      update_id: updateId++,
      message: {
        message_id: updateId,
        date: 0,
        chat: { id, type: "private", first_name: "B" },
        from: { id, is_bot: false, first_name: "B" },
        text: "/trangthai",
        entities: [{ type: "bot_command", offset: 0, length: 10 }],
      },
    } as Update;
  };

  for (let i = 0; i < WARMUP; i++) await bot.handleUpdate(update(i));

  const latencies: number[] = [];
  const seqStart = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t0 = performance.now();
    await bot.handleUpdate(update(i));
    latencies.push(performance.now() - t0);
  }
  const seqSeconds = (performance.now() - seqStart) / 1000;
  latencies.sort((a, b) => a - b);

  const results: BenchResult[] = [
    {
      name: `/trangthai ${label}: sequential`,
      value: Math.round(SEQUENTIAL / seqSeconds),
      unit: "updates/s",
    },
    {
      name: `/trangthai ${label}: p50 per update`,
      value: Number(percentile(latencies, 50).toFixed(2)),
      unit: "ms",
    },
    {
      name: `/trangthai ${label}: p95 per update`,
      value: Number(percentile(latencies, 95).toFixed(2)),
      unit: "ms",
    },
  ];

  // Under @grammyjs/runner the bot handles updates of different users at once: N users each
  // send their next /trangthai as soon as the previous answer is back (a closed loop), so the
  // throughput is what the bot sustains with N updates in flight, and the latency is each
  // update's own time including its wait for a database connection.
  for (const users of CONCURRENCY) {
    let next = 0;
    const during: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: users }, async () => {
        while (next < CONCURRENT) {
          const i = next++;
          const t0 = performance.now();
          await bot.handleUpdate(update(i));
          during.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    during.sort((a, b) => a - b);
    results.push(
      {
        name: `/trangthai ${label}: ${users} users at once`,
        value: Math.round(CONCURRENT / seconds),
        unit: "updates/s",
      },
      {
        name: `/trangthai ${label}: p95 per update, ${users} users at once`,
        value: Number(percentile(during, 95).toFixed(2)),
        unit: "ms",
      },
    );
  }

  // Open loop at the target rate: updates arrive every 1000/RATE ms whether or not earlier ones
  // are done (as Telegram delivers them), and each latency counts from the update's scheduled
  // arrival, so a stall is charged to every update that waited behind it.
  const arrivals: Promise<number>[] = [];
  const interval = 1000 / TARGET_RATE;
  const openStart = performance.now();
  for (let k = 0; k < AT_RATE;) {
    const now = performance.now();
    while (k < AT_RATE && openStart + k * interval <= now) {
      const due = openStart + k * interval;
      const u = update(k++);
      arrivals.push(bot.handleUpdate(u).then(() => performance.now() - due));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const atRate = (await Promise.all(arrivals)).sort((a, b) => a - b);
  const openSeconds = (performance.now() - openStart) / 1000;
  results.push(
    {
      name: `/trangthai ${label}: ${TARGET_RATE}/s offered, handled`,
      value: Math.round(AT_RATE / openSeconds),
      unit: "updates/s",
    },
    {
      name: `/trangthai ${label}: ${TARGET_RATE}/s offered, p95 per update`,
      value: Number(percentile(atRate, 95).toFixed(2)),
      unit: "ms",
    },
  );
  return results;
}

export async function benchBot(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const pglite = await openDatabase({ inMemory: true });
  try {
    await migrateDatabase(pglite);
    results.push(...(await measure(pglite, "PGlite")));
  } finally {
    await pglite.close();
  }

  const adminUrl = (process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL)?.trim();
  if (adminUrl) {
    const name = `mailbot_bench_${randomBytes(5).toString("hex")}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE "${name}"`);
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      // The pool size the bot runs with (openDatabase's default), not one tuned for the bench.
      const database = await openDatabase({ url: url.toString() });
      try {
        await migrateDatabase(database);
        results.push(...(await measure(database, "PostgreSQL")));
      } finally {
        await database.close();
      }
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  }
  return results;
}
