/**
 * `npm start`: config → database (PGlite under DATA_DIR, or DATABASE_URL) → migrations → demo
 * data on the first run of the embedded database → services → bot → transport:
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
import { databaseTargetOf, loadConfigOrExit, type Config } from "./config.ts";
import { openDatabase, type Database } from "./db/client.ts";
import { migrateDatabase } from "./db/migrate.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createServices, type Services } from "./services/index.ts";
import { withActiveListAttachment } from "./overview/duty-attachment.ts";
import { seedDemo } from "./demo/seed.ts";
import { createBot, drain, registerCommands } from "./bot/create-bot.ts";
import { CONSOLE_SUPPORT_CHAT_ID, runConsole } from "./bot/transports/console.ts";
import { consoleReminders } from "./bot/transports/console-reminders.ts";
import { LocalBotApi, localBotInfo } from "./bot/transports/local-api.ts";
import { startPolling } from "./bot/transports/polling.ts";
import { registerWebhook, webhookPathOf } from "./bot/transports/webhook.ts";
import { startHttpServer, type HttpOptions, type HttpServer } from "./http/server.ts";
import { metrics } from "./metrics.ts";
import { ALL_FEATURES } from "../commands/index.ts";
import { startDeletionRunner, type DeletionRunner } from "../commands/support.ts";
import { InputFile, type Bot } from "grammy";
import type { BotContext } from "./bot/context.ts";
import { startScheduler, type Scheduler } from "./reminders/scheduler.ts";
import { createTelegramApi, digestSender, noExtraThrottle } from "./bot/api-config.ts";
import { connectorFor, startMailserverLoop, type MailserverLoop } from "./mailserver/loop.ts";

/** First run of the embedded database = no staff yet: load the demo data so the console is usable. */
export async function seedIfEmpty(database: Database, logger: Logger): Promise<void> {
  if (database.driver !== "pglite") return;
  const [row] = await database.execute<{ n: number }>("select count(*)::int as n from staff");
  if ((row?.n ?? 0) > 0) return;
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
  // getMe travels while the embedded database boots (the boot holds the thread for a second or
  // so; the answer waits in the socket), so the bot starts without one more round trip after it.
  const botInfo = config.telegramBotToken
    ? createTelegramApi(config.telegramBotToken, {
        ...(config.telegramApiRoot ? { apiRoot: config.telegramApiRoot } : {}),
        throttle: false,
      }).getMe()
    : undefined;
  // Not swallowed: a failure is thrown where it is awaited, below; this only keeps Node from
  // reporting it as unhandled while the database opens.
  botInfo?.catch(() => undefined);
  const database = await openDatabase(databaseTargetOf(config));
  try {
    if (database.driver === "postgres" && !config.migrationDatabaseUrl) {
      logger.warn(
        "MIGRATION_DATABASE_URL is not set: the bot's own role runs migrations and owns the tables, so it could alter audit_log (see docs/security.md)",
      );
    }
    await migrateDatabase(database, { migrationUrl: config.migrationDatabaseUrl });
    await seedIfEmpty(database, logger);
  } catch (error) {
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

  if (!config.telegramBotToken) {
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
      ...(botInfo ? { botInfo: await botInfo } : {}),
    });
    await bot.init();
    deletions = startDeletionRunner(bot.api, services, { log: logger });
    await registerCommands(bot, config, ALL_FEATURES);
    if (config.botMode === "webhook") {
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
      const polling = await startPolling(bot, logger, { health: httpBase.health });
      stopTransport = () => polling.stop();
      finished = polling.done;
    }
  }

  // Without a webhook the HTTP server runs on its own port when it has something to serve.
  let ownHttp: HttpServer | undefined;
  let reminders: Scheduler | undefined;
  let mailserver: MailserverLoop | undefined;
  try {
    // Loaded with the rest, not lazily after the first poll: main() installs its SIGTERM handler
    // only once start() returns, and a late import widened the window in which a SIGTERM kills
    // the process without a clean shutdown.
    if (!http && (config.activityApiToken || config.metricsToken)) {
      ownHttp = await startHttpServer({ ...httpBase, port: config.activityPort, host: config.activityHost });
      http = ownHttp;
    }
    if (config.reminders) {
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
    const connector = connectorFor(mailserverConfig);
    if (connector) {
      mailserver = startMailserverLoop(database, connector, {
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
