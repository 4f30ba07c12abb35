/**
 * The bot's mail-server timer (MAILSERVER=dovecot): apply the outbox, then read activity, every
 * MAILSERVER_SYNC_SECONDS. Runs never overlap; an error is logged and the next run retries
 * (what must happen lives in the database: outbox rows, watermarks). `stop()` waits for the
 * run in progress so nothing touches a closed database.
 */
import type { Logger } from "pino";
import type { MailserverConfig } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { MailServerConnector } from "./connector.ts";
import { DoveadmHttpConnector } from "./doveadm.ts";
import { applyOutbox } from "./outbox.ts";
import { syncMailserverActivity } from "./sync.ts";

export interface MailserverLoop {
  /** Resolves when the first run has finished (tests, start-up logs). */
  readonly firstRun: Promise<void>;
  stop(): Promise<void>;
}

export function connectorFor(config: MailserverConfig): MailServerConnector | null {
  if (config.kind !== "dovecot" || !config.doveadmApiUrl || !config.doveadmApiKey) return null;
  return new DoveadmHttpConnector({
    url: config.doveadmApiUrl,
    apiKey: config.doveadmApiKey,
    sentFolder: config.sentFolder,
  });
}

export function startMailserverLoop(
  database: Database,
  connector: MailServerConnector,
  options: { intervalMs: number; logger: Logger },
): MailserverLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const runOnce = async (): Promise<void> => {
    try {
      const outbox = await applyOutbox(database, connector);
      const sync = await syncMailserverActivity(database, connector);
      options.logger.debug(
        { outbox, changed: sync.changedMailboxes, calls: sync.serverCalls },
        "mail server run",
      );
    } catch (error) {
      options.logger.warn({ err: error }, "mail server run failed; retrying at the next run");
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().finally(schedule);
    }, options.intervalMs);
  };
  running = runOnce().finally(schedule);
  const firstRun = running;
  return {
    firstRun,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
