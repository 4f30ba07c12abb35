/**
 * Timers that only WAKE the sweep (node-schedule, tz Asia/Ho_Chi_Minh): every 15 minutes in the
 * span of the profiles' working hours (Monday–Saturday: swapped working Saturdays exist; the
 * sweep checks the calendar itself), and at the end of every check slot. What is due lives in
 * the database, so a missed tick, a restart or a second instance changes nothing: the next
 * sweep finds the same rows and the claims keep it exactly-once.
 *
 * Wakes never overlap: a wake during a running sweep is folded into one follow-up run.
 *
 * At start-up the scheduler releases the unsent claims its instance's previous process left
 * (a crash or kill mid-delivery) and, if there were any, sweeps at once: those reminders go
 * out now, not after the 10-minute lease (which near 17:00 meant the next working day).
 */
import schedule, { type Job } from "node-schedule";
import type { Database } from "../db/client.ts";
import { getProfile, profileIds } from "../policy/profiles/index.ts";
import type { Logger } from "../services/context.ts";
import type { Services } from "../services/index.ts";
import { metrics } from "../metrics.ts";
import { releaseOwnClaims } from "./claims.ts";
import type { RateLimiter, SendFn } from "./deliver.ts";
import { defaultInstanceId, runSweep, type SweepReport } from "./sweep.ts";

export const TIME_ZONE = "Asia/Ho_Chi_Minh";

export interface SchedulerDeps {
  database: Database;
  services?: Services;
  send: SendFn;
  logger?: Logger;
  /** Support desk chat (config SUPPORT_CHAT_ID; main.ts passes it). Default: none. */
  supportChatId?: number | null;
  profiles?: readonly string[];
  limiter?: RateLimiter;
  /** Minutes between wakes in working hours (default 15). */
  everyMinutes?: number;
  /** The sweep's clock (tests); default the real time. */
  clock?: () => Date;
  /** Prefix of job names, so two schedulers in one process (tests) do not collide. */
  name?: string;
  /** This instance's name in claimed_by (default: the host name; see runSweep). */
  instanceId?: string;
}

export interface Scheduler {
  /** Names of the scheduled jobs. */
  readonly jobs: readonly string[];
  /** Runs a sweep now (or folds into the running one's follow-up). */
  wake(reason: string): Promise<void>;
  /** Cancels the jobs, stops delivery between messages, waits for the running sweep. */
  stop(): Promise<void>;
  /**
   * Settles when the start-up take-over is done: resolves to the number of claims of an
   * earlier process of this instance that were released (and swept at once when > 0).
   */
  readonly startup: Promise<number>;
}

interface JobSpec {
  name: string;
  rule: string;
}

/** Cron rules: the ticks over the working-hours span, plus one per check-slot end. */
export function schedulerJobSpecs(
  profiles: readonly string[],
  everyMinutes = 15,
  prefix = "reminders",
): JobSpec[] {
  const loaded = profiles.map(getProfile);
  const anyTime = loaded.some((p) => p.workingHours.remindOutsideHours);
  const hours = loaded.flatMap((p) => [
    p.workingHours.morning.start,
    p.workingHours.afternoon.end,
    p.workingHours.endOfDay,
  ]);
  const hourNumbers = hours.map((h) => Number(h.slice(0, 2)));
  const first = hourNumbers.reduce((a, b) => Math.min(a, b), 24);
  const last = hourNumbers.reduce((a, b) => Math.max(a, b), 0);
  const specs: JobSpec[] = [
    {
      name: `${prefix}:tick`,
      rule: anyTime ? `*/${everyMinutes} * * * *` : `*/${everyMinutes} ${first}-${last} * * 1-6`,
    },
  ];
  const slotEnds = new Set(loaded.flatMap((p) => [...p.checks.unit, ...p.checks.personal].map((s) => s.to)));
  for (const end of [...slotEnds].sort()) {
    const [hh, mm] = end.split(":").map(Number);
    // Already covered by the tick when it falls on one.
    if (!anyTime && (mm ?? 0) % everyMinutes === 0 && (hh ?? 0) >= first && (hh ?? 0) <= last) continue;
    specs.push({ name: `${prefix}:slot-end:${end}`, rule: `${mm} ${hh} * * 1-6` });
  }
  return specs;
}

/**
 * Starts the timers. Wire-in (src/main.ts): after the bot is created,
 *   const reminders = startScheduler({ database, services, send: (chat, text, kb) =>
 *     bot.api.sendMessage(chat, text, kb ? { reply_markup: kb } : {}), logger });
 * and `await reminders.stop()` on shutdown, before closing the database.
 */
export function startScheduler(deps: SchedulerDeps): Scheduler {
  const profiles = deps.profiles ?? profileIds();
  const prefix = deps.name ?? "reminders";
  const supportChatId = deps.supportChatId ?? null;
  const instanceId = deps.instanceId ?? defaultInstanceId();
  const controller = new AbortController();
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const sweepOnce = async (reason: string): Promise<void> => {
    try {
      const calendar = deps.services ? await deps.services.calendar.get() : undefined;
      const report: SweepReport = await runSweep(
        {
          database: deps.database,
          send: deps.send,
          supportChatId,
          profiles,
          instanceId,
          ...(calendar ? { calendar } : {}),
          ...(deps.limiter ? { limiter: deps.limiter } : {}),
          ...(deps.logger ? { logger: deps.logger } : {}),
        },
        { signal: controller.signal, ...(deps.clock ? { now: deps.clock() } : {}) },
      );
      metrics.sweepDuration.observe(report.durationMs / 1000);
      metrics.sweepItems.inc(report.claimed + report.retried);
      metrics.claimTakeovers.inc(report.retried);
      deps.logger?.info(
        { reason, claimed: report.claimed, retried: report.retried, actions: report.actions.length },
        "reminder sweep",
      );
    } catch (error) {
      // A failed sweep loses nothing: unsent claims are retried by the next wake.
      deps.logger?.error({ err: error, reason }, "reminder sweep failed");
    }
  };

  const wake = (reason: string): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await sweepOnce(reason);
      } while (again && !stopped);
      running = null;
    })();
    return running;
  };

  const jobs: Job[] = [];
  for (const spec of schedulerJobSpecs(profiles, deps.everyMinutes ?? 15, prefix)) {
    // Re-using a name orphans the old job: cancel it first.
    schedule.scheduledJobs[spec.name]?.cancel();
    const job = schedule.scheduleJob(
      spec.name,
      { rule: spec.rule, tz: TIME_ZONE },
      () => void wake(spec.name),
    );
    if (job === null) {
      for (const j of jobs) j.cancel();
      throw new Error(
        `Không tạo được lịch nhắc việc ${spec.name} (${spec.rule}): quy tắc cron không hợp lệ.`,
      );
    }
    jobs.push(job);
  }

  // Before any sweep of this process: whatever this instance still has claimed and unsent was
  // claimed by a process that is gone.
  const startup = (async (): Promise<number> => {
    try {
      const released = await releaseOwnClaims(deps.database, instanceId);
      if (released > 0) {
        deps.logger?.info({ released, instanceId }, "took over unsent reminders of the previous process");
        await wake("start-up");
      }
      return released;
    } catch (error) {
      // Not fatal: the lease still brings them back on a later sweep.
      deps.logger?.error({ err: error }, "could not take over the previous process's reminders");
      return 0;
    }
  })();

  return {
    jobs: jobs.map((j) => j.name),
    wake,
    startup,
    async stop() {
      stopped = true;
      for (const job of jobs) job.cancel();
      controller.abort();
      await startup;
      await running;
    },
  };
}
