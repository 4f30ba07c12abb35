/**
 * `/trangthai` with 16 users at once, against a bare grammY bot in the same run (issue 13).
 *
 * Baseline: a bare grammY Bot (no middleware) whose /trangthai handler sends the two SQL
 * statements a /trangthai needs (the processed_updates claim, the status query) and replies.
 * Two of them: the status as a prepared statement (as mailbot sends it now), and the status
 * unprepared, as Drizzle sent it before (two round trips: Parse/Describe, then Bind/Execute),
 * i.e. the baseline of issue 13's "today" (`preparedStatements: false`).
 * Measured, all in the same closed loop (each user sends the next /trangthai once the answer to
 * the previous one is back), on PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is set,
 * else PGlite:
 *   - baseline, updates handed to bot.handleUpdate one by one (16 in flight);
 *   - mailbot the same way (per-update claim: what a webhook instance does);
 *   - mailbot through its long-polling loop against an instant fake Bot API (one claim per
 *     polled batch: what `BOT_MODE=polling` does).
 * Reported as updates/s and as the ratios to both baselines' updates/s.
 */
import { randomBytes } from "node:crypto";
import { Bot } from "grammy";
import type { Update } from "grammy/types";
import pino from "pino";
import postgres from "postgres";
import type { ClientFetch } from "../src/bot/context.ts";
import { createBot } from "../src/bot/create-bot.ts";
import { localBotInfo } from "../src/bot/transports/local-api.ts";
import { startPolling } from "../src/bot/transports/polling.ts";
import { parseConfig } from "../src/config.ts";
import { openDatabase, type Database } from "../src/db/client.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { createServices, type Services } from "../src/services/index.ts";
import { seed, type BenchResult } from "./bot.bench.ts";
import { ALL_FEATURES } from "../commands/index.ts";

const USERS = 16;
const TOTAL = 3000;
const WARMUP = 300;
const ROUNDS = 3;
const clock = () => new Date("2026-11-23T02:00:00Z");
const silent = pino({ level: "silent" });

/** An instant Bot API: getUpdates serves `queue`; each sendMessage is reported to `onReply`. */
function fakeApi(queue: Update[], onReply: (chatId: number) => void): ClientFetch {
  let messageId = 1;
  let wake: (() => void) | undefined;
  const api: ClientFetch & { push?: (u: Update) => void } = async (url, init) => {
    const method = url.split("/").pop() ?? "";
    const payload = JSON.parse(String(init.body ?? "{}")) as {
      chat_id?: number;
      text?: string;
      offset?: number;
      limit?: number;
      timeout?: number;
    };
    if (method === "getUpdates") {
      while (queue.length > 0 && (queue[0] as Update).update_id < (payload.offset ?? 0)) queue.shift();
      if (queue.length === 0 && payload.timeout === 0)
        return { json: async () => ({ ok: true, result: [] }) };
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return { json: async () => ({ ok: true, result: queue.slice(0, payload.limit ?? 100) }) };
    }
    if (method === "sendMessage") {
      const result = {
        message_id: messageId++,
        date: 0,
        chat: { id: payload.chat_id, type: "private" },
        text: payload.text,
      };
      // Answer first, then let the user type the next message.
      setImmediate(() => onReply(Number(payload.chat_id)));
      return { json: async () => ({ ok: true, result }) };
    }
    return { json: async () => ({ ok: true, result: true }) };
  };
  api.push = (u: Update) => {
    queue.push(u);
    const w = wake;
    wake = undefined;
    w?.();
  };
  return api;
}

function trangthai(updateId: number, telegramId: number): Update {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: 0,
      chat: { id: telegramId, type: "private", first_name: "B" },
      from: { id: telegramId, is_bot: false, first_name: "B" },
      text: "/trangthai",
      entities: [{ type: "bot_command", offset: 0, length: 10 }],
    },
  } as Update;
}

/** Closed loop over handleUpdate: USERS in flight, `total` updates. Returns updates/s. */
async function closedLoop(
  handle: (u: Update) => Promise<void>,
  ids: number[],
  next: () => number,
  total: number,
) {
  let sent = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: USERS }, async (_, user) => {
      while (sent < total) {
        sent++;
        await handle(trangthai(next(), ids[user % ids.length] as number));
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

function baselineBot(services: Services, fetch: ClientFetch): Bot {
  const bot = new Bot("123456:BENCH-token-not-real-abcdefghij", {
    botInfo: localBotInfo("mailbot_bench_bot"),
    client: { fetch: fetch as never },
  });
  bot.command("trangthai", async (ctx) => {
    const id = ctx.update.update_id;
    const claimed = await services.chatState.claimUpdates([{ updateId: id }], {
      claimant: "bench:baseline",
      leaseSeconds: 0,
    });
    if (claimed.outcomes.get(id) !== "won") return;
    const status = await services.status.ofStaff(Number(ctx.from?.id) - 900_000 + 1);
    await ctx.reply(`${status.mailboxes.length} hộp thư, ${status.open.length} yêu cầu đang mở`);
  });
  return bot;
}

async function measure(database: Database, label: string): Promise<BenchResult[]> {
  const ids = await seed(database);
  const services = createServices(database, { clock });
  const unpreparedServices = createServices(database, { clock, preparedStatements: false });
  let updateId = 1;
  const next = () => updateId++;
  const noReplies = fakeApi([], () => {});

  const baseline = baselineBot(services, noReplies);
  await baseline.init();
  const asBefore = baselineBot(unpreparedServices, noReplies);
  await asBefore.init();
  const mailbotConfig = {
    ...parseConfig({}),
    telegramBotToken: "123456:BENCH-token-not-real-abcdefghij",
    supportChatId: -100,
  };
  const direct = createBot({
    config: mailbotConfig,
    services,
    logger: silent,
    clock,
    botInfo: localBotInfo("mailbot_bench_bot"),
    fetch: noReplies,
    throttle: false,
    features: ALL_FEATURES,
  });
  await direct.init();

  /**
   * Through the polling loop: each user's next /trangthai is queued when its answer is sent.
   * Updates/s over `total` answers after `warmup` answers (a fresh bot each time).
   */
  const pollingRate = async (warmup: number, total: number): Promise<number> => {
    const queue: Update[] = [];
    let answered = 0;
    let finish: () => void = () => {};
    const allAnswered = new Promise<void>((resolve) => (finish = resolve));
    let startedAt = 0;
    let warmed: () => void = () => {};
    const warm = new Promise<void>((resolve) => (warmed = resolve));
    const api = fakeApi(queue, (chatId) => {
      answered++;
      if (answered === warmup) {
        startedAt = performance.now();
        warmed();
      }
      if (answered >= warmup + total) finish();
      else push(trangthai(next(), chatId));
    }) as ClientFetch & { push: (u: Update) => void };
    const push = api.push;
    const polled = createBot({
      config: mailbotConfig,
      services,
      logger: silent,
      clock,
      botInfo: localBotInfo("mailbot_bench_bot"),
      fetch: api,
      throttle: false,
      features: ALL_FEATURES,
    });
    const polling = await startPolling(polled, silent, { health: async () => true, timeoutSeconds: 1 });
    for (let user = 0; user < USERS; user++) push(trangthai(next(), ids[user] as number));
    await warm;
    await allAnswered;
    const rate = total / ((performance.now() - startedAt) / 1000);
    push(trangthai(next(), ids[0] as number)); // wakes the last getUpdates so stop() returns
    await polling.stop();
    return rate;
  };

  await closedLoop((u) => baseline.handleUpdate(u), ids, next, WARMUP);
  await closedLoop((u) => asBefore.handleUpdate(u), ids, next, WARMUP);
  await closedLoop((u) => direct.handleUpdate(u), ids, next, WARMUP);
  // Interleaved in rounds, so a busy moment on the machine does not favour one side.
  let base = 0;
  let before = 0;
  let perUpdate = 0;
  let polledRate = 0;
  for (let round = 0; round < ROUNDS; round++) {
    base += await closedLoop((u) => baseline.handleUpdate(u), ids, next, TOTAL / ROUNDS);
    before += await closedLoop((u) => asBefore.handleUpdate(u), ids, next, TOTAL / ROUNDS);
    perUpdate += await closedLoop((u) => direct.handleUpdate(u), ids, next, TOTAL / ROUNDS);
    polledRate += await pollingRate(round === 0 ? WARMUP : USERS, TOTAL / ROUNDS);
  }
  base /= ROUNDS;
  before /= ROUNDS;
  perUpdate /= ROUNDS;
  polledRate /= ROUNDS;

  const ratio = (x: number, to = base) => Number((x / to).toFixed(2));
  return [
    {
      name: `/trangthai ${label} ${USERS} users: bare grammY baseline`,
      value: Math.round(base),
      unit: "updates/s",
    },
    {
      name: `/trangthai ${label} ${USERS} users: bare grammY baseline, status unprepared (as before)`,
      value: Math.round(before),
      unit: "updates/s",
    },
    {
      name: `/trangthai ${label} ${USERS} users: mailbot, update by update`,
      value: Math.round(perUpdate),
      unit: "updates/s",
    },
    {
      name: `/trangthai ${label} ${USERS} users: mailbot, update by update / baseline`,
      value: ratio(perUpdate),
      unit: "×",
    },
    {
      name: `/trangthai ${label} ${USERS} users: mailbot, update by update / baseline as before`,
      value: ratio(perUpdate, before),
      unit: "×",
    },
    {
      name: `/trangthai ${label} ${USERS} users: mailbot, polling (batch claim)`,
      value: Math.round(polledRate),
      unit: "updates/s",
    },
    {
      name: `/trangthai ${label} ${USERS} users: mailbot, polling / baseline`,
      value: ratio(polledRate),
      unit: "×",
    },
    {
      name: `/trangthai ${label} ${USERS} users: mailbot, polling / baseline as before`,
      value: ratio(polledRate, before),
      unit: "×",
    },
  ];
}

export async function benchBotVsBaseline(): Promise<BenchResult[]> {
  const adminUrl = (process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL)?.trim();
  if (!adminUrl) {
    const pglite = await openDatabase({ inMemory: true });
    try {
      await migrateDatabase(pglite);
      return await measure(pglite, "PGlite");
    } finally {
      await pglite.close();
    }
  }
  const name = `mailbot_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const database = await openDatabase({ url: url.toString() });
    try {
      await migrateDatabase(database);
      return await measure(database, "PostgreSQL");
    } finally {
      await database.close();
    }
  } finally {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}
