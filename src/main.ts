/**
 * `npm start`: config → database (PGlite under DATA_DIR, or DATABASE_URL) → migrations → demo
 * data on the first run of the embedded database → services → bot → transport. With a token,
 * getMe and (long polling) the first getUpdates are sent before all that, and the embedded
 * database's boot begins before the rest of the program loads (README, "Start order"). Transports:
 *   no TELEGRAM_BOT_TOKEN   the local console chat (stdin/stdout), no network
 *   BOT_MODE=polling        long polling (@grammyjs/runner)
 *   BOT_MODE=webhook        the HTTP server on PORT serves the webhook; setWebhook with the secret
 * In every transport (the console too: digests appear as bot messages):
 *   - the reminder scheduler (REMINDERS=on, the default), sending through bot.api (the one
 *     Telegram client: throttled and retried, shared with the handlers);
 *   - one HTTP server (src/http): /healthz, /metrics, and POST /api/activity when
 *     ACTIVITY_API_TOKEN is set. In webhook mode it is the webhook server on PORT; otherwise it
 *     runs at ACTIVITY_HOST:ACTIVITY_PORT (127.0.0.1:8081 by default) when ACTIVITY_API_TOKEN or
 *     METRICS_TOKEN is set.
 * SIGUSR2: wake the reminder sweep now.
 * SIGINT/SIGTERM: stop the scheduler (delivery stops between two messages; unsent claims are
 * retried by the next run), stop taking updates and activity, finish the updates in flight,
 * close the database, exit 0.
 * Bad configuration exits 2; start-up failures exit 1.
 */
import { fileURLToPath } from "node:url";
import { config as loadDotenv } from "dotenv";
import pino from "pino";
import type { Bot } from "grammy";
import { databaseTargetOf, loadConfigOrExit, type Config } from "./config.ts";
import { createLogger, type Logger } from "./logger.ts";
import { beginEarlyTelegram, type EarlyTelegram } from "./bot/transports/first-poll.ts";
import { bootPglite } from "./db/pglite-boot.ts";
import type { Database } from "./db/client.ts";
import type { Services } from "./services/index.ts";
import type { BotContext } from "./bot/context.ts";
import type { DeletionRunner } from "../commands/support.ts";
import type { HttpOptions, HttpServer } from "./http/server.ts";
import type { Scheduler } from "./reminders/scheduler.ts";
import type { MailserverLoop } from "./mailserver/loop.ts";

// Only the modules above load before the first Telegram requests leave (.dependency-cruiser.cjs
// keeps it so); the rest is imported inside start(), while the embedded database boots.

/** What every start wires, whatever the transport. */
async function loadCore() {
  const [migrate, services, bot, features, support, metrics, apiConfig] = await Promise.all([
    import("./db/migrate.ts"),
    import("./services/index.ts"),
    import("./bot/create-bot.ts"),
    import("../commands/index.ts"),
    import("../commands/support.ts"),
    import("./metrics.ts"),
    import("./bot/api-config.ts"),
  ]);
  return { ...migrate, ...services, ...bot, ...features, ...support, ...metrics, ...apiConfig };
}

/** Starts loading a module that this start needs (so it loads during the database boot). */
function preload<T>(wanted: unknown, load: () => Promise<T>): Promise<T> | undefined {
  if (!wanted) return undefined;
  const loading = load();
  // Awaited where used; a start that fails before then must not report it as unhandled.
  loading.catch(() => undefined);
  return loading;
}

/** First run of the embedded database = no staff yet: load the demo data so the console is usable. */
export async function seedIfEmpty(database: Database, logger: Logger): Promise<void> {
  if (database.driver !== "pglite") return;
  const [row] = await database.execute<{ n: number }>("select count(*)::int as n from staff");
  if ((row?.n ?? 0) > 0) return;
  const { seedDemo } = await import("./demo/seed.ts");
  await seedDemo(database);
  logger.info("demo data seeded into the embedded database");
}

export interface Running {
  /** Stops taking updates, waits for in-flight ones, closes the database. Idempotent. */
  shutdown(reason: string): Promise<void>;
  /** Resolves when the transport ends by itself (console: end of input). */
  finished: Promise<void>;
  services: Services;
  /** The process's HTTP server (webhook mode always; otherwise when it has something to serve). */
  http?: HttpServer;
  /** The reminder scheduler (absent with REMINDERS=off). */
  reminders?: Scheduler;
}

export async function start(config: Config, logger: Logger): Promise<Running> {
  // getMe and (long polling) the first getUpdates leave first: they travel while the embedded
  // database boots (the boot holds the thread for a while; the answers wait in the socket).
  // The first batch is handled only once the bot is set up, and nothing is confirmed to Telegram
  // before that (first-poll.ts), so a process that dies here loses no update.
  const early: EarlyTelegram | undefined = config.telegramBotToken
    ? beginEarlyTelegram(config.telegramBotToken, {
        apiRoot: config.telegramApiRoot,
        polling: config.botMode === "polling",
      })
    : undefined;
  // Then the embedded database's boot, whose file reads and WebAssembly compile leave the
  // thread free: the rest of the program loads meanwhile.
  const opening = (async () => {
    const target = databaseTargetOf(config);
    const booting = "dataDir" in target ? bootPglite(target) : undefined;
    const { openDatabase } = await import("./db/client.ts");
    return openDatabase({ ...target, ...(booting ? { booting } : {}) });
  })();
  const loading = loadCore();
  const consoleMode = !config.telegramBotToken;
  const webhookMode = !consoleMode && config.botMode === "webhook";
  const consoleModules = preload(consoleMode, () =>
    Promise.all([
      import("./bot/transports/console.ts"),
      import("./bot/transports/console-reminders.ts"),
      import("./bot/transports/local-api.ts"),
    ]),
  );
  const pollingModule = preload(!consoleMode && !webhookMode, () => import("./bot/transports/polling.ts"));
  const webhookModule = preload(webhookMode, () => import("./bot/transports/webhook.ts"));
  const httpModule = preload(
    webhookMode || config.activityApiToken || config.metricsToken,
    () => import("./http/server.ts"),
  );
  const schedulerModules = preload(config.reminders, () =>
    Promise.all([
      import("./reminders/scheduler.ts"),
      import("./overview/duty-attachment.ts"),
      import("grammy"),
    ]),
  );
  const mailserverModule = preload(config.mailserver.kind !== "none", () => import("./mailserver/loop.ts"));
  const [opened, loaded] = await Promise.allSettled([opening, loading]);
  if (opened.status === "rejected" || loaded.status === "rejected") {
    early?.firstPoll?.abort();
    if (opened.status === "fulfilled") await opened.value.close();
    throw opened.status === "rejected" ? opened.reason : (loaded as PromiseRejectedResult).reason;
  }
  const database = opened.value;
  const {
    migrateDatabase,
    createServices,
    createBot,
    drain,
    registerCommands,
    ALL_FEATURES,
    startDeletionRunner,
    metrics,
    digestSender,
    noExtraThrottle,
  } = loaded.value;
  try {
    if (database.driver === "postgres" && !config.migrationDatabaseUrl) {
      logger.warn(
        "MIGRATION_DATABASE_URL is not set: the bot's own role runs migrations and owns the tables, so it could alter audit_log (see docs/security.md)",
      );
    }
    await migrateDatabase(database, { migrationUrl: config.migrationDatabaseUrl });
    await seedIfEmpty(database, logger);
  } catch (error) {
    early?.firstPoll?.abort();
    await database.close();
    throw error;
  }
  const services = createServices(database, {
    logger,
    cultureDayFrom: config.cultureDayFrom,
    preparedStatements: config.preparedStatements,
  });
  metrics.watchDatabase(database);
  const httpBase: HttpOptions = {
    logger,
    health: async () => {
      await database.execute("select 1");
      return true;
    },
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    ...(config.activityApiToken ? { activity: { database, token: config.activityApiToken } } : {}),
  };

  let stopTransport: () => Promise<void> = async () => {};
  let finished: Promise<void>;
  let http: HttpServer | undefined;
  // Deletes the private temporary-password messages when due; the queue is in the database.
  let deletions: DeletionRunner | undefined;
  let bot: Bot<BotContext>;

  try {
    if (consoleMode) {
      const [{ CONSOLE_SUPPORT_CHAT_ID, runConsole }, { consoleReminders }, { LocalBotApi, localBotInfo }] =
        await consoleModules!;
      // The console has its own support group; point the bot at it so triage works out of the box.
      config = { ...config, supportChatId: config.supportChatId ?? CONSOLE_SUPPORT_CHAT_ID };
      const api = new LocalBotApi(localBotInfo(config.botUsername));
      bot = createBot({
        config,
        services,
        logger,
        features: ALL_FEATURES,
        botInfo: api.botInfo,
        fetch: api.fetch,
      });
      deletions = startDeletionRunner(bot.api, services, { log: logger });
      await registerCommands(bot, config, ALL_FEATURES);
      const consoleDone = runConsole({
        bot,
        api,
        services,
        config,
        input: process.stdin,
        output: process.stdout,
        // /nhacviec is a run the user asks for, so it works even with REMINDERS off (the default):
        // the scheduler's automatic runs stay governed by REMINDERS.
        remind: consoleReminders({
          database,
          services,
          api: bot.api,
          logger,
          supportChatId: config.supportChatId ?? null,
        }),
      });
      finished = consoleDone;
      // The console handles one line at a time; stopping means waiting for the current one.
      stopTransport = async () => {
        process.stdin.pause();
        await drain(bot);
      };
    } else {
      bot = createBot({
        config,
        services,
        logger,
        features: ALL_FEATURES,
        ...(early ? { botInfo: await early.botInfo } : {}),
      });
      await bot.init();
      deletions = startDeletionRunner(bot.api, services, { log: logger });
      await registerCommands(bot, config, ALL_FEATURES);
      if (webhookMode) {
        const [{ registerWebhook, webhookPathOf }, { startHttpServer }] = await Promise.all([
          webhookModule!,
          httpModule!,
        ]);
        const server = await startHttpServer({
          ...httpBase,
          port: config.port,
          webhook: { bot, path: webhookPathOf(config.webhookUrl), secret: config.webhookSecret as string },
        });
        http = server;
        await registerWebhook(bot, config.webhookUrl as string, config.webhookSecret as string);
        stopTransport = async () => {
          await server.close();
          await drain(bot);
        };
        finished = new Promise((resolve) => server.server.once("close", () => resolve()));
      } else {
        const { startPolling } = await pollingModule!;
        const polling = await startPolling(bot, logger, {
          health: httpBase.health,
          ...(early?.firstPoll ? { firstPoll: early.firstPoll } : {}),
        });
        stopTransport = () => polling.stop();
        finished = polling.done;
      }
    }
  } catch (error) {
    // E.g. Telegram refuses the token: nothing started here may outlive the failed start.
    early?.firstPoll?.abort();
    deletions?.stop();
    await database.close();
    throw error;
  }

  // Without a webhook the HTTP server runs on its own port when it has something to serve.
  let ownHttp: HttpServer | undefined;
  let reminders: Scheduler | undefined;
  let mailserver: MailserverLoop | undefined;
  try {
    // Loaded before start() returns, not after the first poll: main() installs its SIGTERM
    // handler only then, and a later import widened the window in which a SIGTERM kills the
    // process without a clean shutdown.
    if (!http && (config.activityApiToken || config.metricsToken)) {
      const { startHttpServer } = await httpModule!;
      ownHttp = await startHttpServer({ ...httpBase, port: config.activityPort, host: config.activityHost });
      http = ownHttp;
    }
    if (config.reminders) {
      const [{ startScheduler }, { withActiveListAttachment }, { InputFile }] = await schedulerModules!;
      reminders = startScheduler({
        database,
        services,
        logger,
        send: withActiveListAttachment(digestSender(bot.api), {
          services,
          logger,
          now: () => new Date(),
          makeFile: (data, filename) => new InputFile(data, filename),
          sendDocument: (chatId, file, caption) => bot.api.sendDocument(chatId, file, { caption }),
        }),
        limiter: noExtraThrottle(),
        supportChatId: config.supportChatId ?? null,
        // Several instances on one database: each names its claims (INSTANCE_ID, else the host).
        ...(config.instanceId ? { instanceId: config.instanceId } : {}),
      });
      logger.info(
        { jobs: reminders.jobs.length, instanceId: config.instanceId ?? "(host name)" },
        "reminder scheduler started",
      );
    } else {
      logger.info("reminders are off (REMINDERS=off)");
    }
    // MAILSERVER=none (default): no mail server is contacted.
    const mailserverConfig = config.mailserver;
    const loop = await mailserverModule;
    const connector = loop?.connectorFor(mailserverConfig);
    if (loop && connector) {
      mailserver = loop.startMailserverLoop(database, connector, {
        intervalMs: mailserverConfig.syncSeconds * 1000,
        logger,
      });
      logger.info({ server: connector.kind }, "mail server outbox and activity sync started");
    }
  } catch (error) {
    await mailserver?.stop();
    // E.g. ACTIVITY_PORT already in use: stop what started, then fail the start-up.
    await reminders?.stop();
    await ownHttp?.close();
    await stopTransport();
    deletions?.stop();
    await database.close();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    services,
    ...(http ? { http } : {}),
    ...(reminders ? { reminders } : {}),
    finished,
    shutdown(reason) {
      stopping ??= (async () => {
        logger.info({ reason }, "shutting down: no new updates, finishing the ones in flight");
        try {
          // First the scheduler: a sweep in progress stops between two messages and is awaited,
          // so nothing touches the database once it is closed.
          await reminders?.stop();
          await mailserver?.stop();
          await Promise.all([stopTransport(), ownHttp?.close()]);
          deletions?.stop();
        } finally {
          await database.close();
          logger.info("stopped");
        }
      })();
      return stopping;
    },
  };
}

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const config = loadConfigOrExit();
  // In the console chat, stdout is the conversation: logs go to stderr, warnings and worse.
  const consoleMode = !config.telegramBotToken;
  const logger = createLogger({
    level: config.logLevelSet ?? (consoleMode ? "warn" : "info"),
    ...(consoleMode ? { destination: pino.destination(2) } : {}),
  });
  let running: Running;
  try {
    running = await start(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, "start-up failed");
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  const onSignal = (signal: NodeJS.Signals) => {
    void running.shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // `kill -USR2 <pid>`: sweep now rather than at the next tick, e.g. after an operator changed the
  // holiday calendar; on several instances at once the sweep lock lets one of them run it.
  process.on("SIGUSR2", () => {
    if (running.reminders) void running.reminders.wake("SIGUSR2");
    else logger.warn("SIGUSR2 ignored: reminders are off (REMINDERS=off)");
  });
  try {
    await running.finished;
  } catch (error) {
    logger.error({ err: error }, "transport stopped with an error");
    await running.shutdown("transport error");
    process.exit(1);
  }
  await running.shutdown("transport finished");
  process.exit(0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
