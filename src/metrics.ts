/**
 * The Prometheus metrics of the process (prom-client), served at GET /metrics by src/http.
 *
 * Other parts only increment or observe; they never create metrics of their own, so every name
 * and label is listed here once:
 *   metrics.updatesHandled.inc({ outcome: "ok" })      per Telegram update (ok | error | duplicate | busy | deferred)
 *   metrics.updateDuration.observe(seconds)            handler latency per update
 *   metrics.sweepDuration.observe(seconds)             one reminder sweep
 *   metrics.sweepItems.inc(n)                          reminder items claimed by a sweep
 *   metrics.remindersSent.inc() / remindersFailed.inc() one digest message sent / not sent
 *   metrics.claimTakeovers.inc(n)                      abandoned reminder claims taken over
 *   metrics.activityRecords.inc({ result }, n)         POST /api/activity records (accepted | rejected)
 *   metrics.watchDatabase(database)                    pool size and a live probe, read at each scrape
 *
 * One registry per process (not prom-client's global one), so tests can read values directly.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Database } from "./db/client.ts";

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "mailbot_" });

let watched: Database | undefined;

export const metrics = {
  updatesHandled: new Counter({
    name: "mailbot_updates_handled_total",
    help: "Telegram updates handled, by outcome (ok, error, duplicate, busy = being handled by another instance, deferred = database unavailable; busy and deferred are re-sent)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  }),
  updateDuration: new Histogram({
    name: "mailbot_update_duration_seconds",
    help: "Time to handle one Telegram update",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  }),
  sweepDuration: new Histogram({
    name: "mailbot_sweep_duration_seconds",
    help: "Duration of one reminder sweep",
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  }),
  sweepItems: new Counter({
    name: "mailbot_sweep_items_total",
    help: "Reminder items claimed by sweeps (new claims and taken-over ones)",
    registers: [registry],
  }),
  remindersSent: new Counter({
    name: "mailbot_reminders_sent_total",
    help: "Reminder digest messages Telegram accepted",
    registers: [registry],
  }),
  remindersFailed: new Counter({
    name: "mailbot_reminders_failed_total",
    help: "Reminder digest messages that could not be sent",
    registers: [registry],
  }),
  claimTakeovers: new Counter({
    name: "mailbot_claim_takeovers_total",
    help: "Abandoned reminder claims (lease expired) taken over by a sweep",
    registers: [registry],
  }),
  activityRecords: new Counter({
    name: "mailbot_activity_records_total",
    help: "Activity records received over HTTP, by result",
    labelNames: ["result"] as const,
    registers: [registry],
  }),
  /** Reports the pool of `database` at each scrape (the last database watched wins). */
  watchDatabase(database: Database | undefined): void {
    watched = database;
  },
};

new Gauge({
  name: "mailbot_db_pool_size",
  help: "Database connections the pool may open (PGlite: one, in-process)",
  registers: [registry],
  collect() {
    if (!watched) return;
    // postgres.js keeps its connection lists private; its configured maximum is public.
    const max =
      watched.driver === "pglite"
        ? 1
        : Number((watched.client as unknown as { options?: { max?: number } }).options?.max ?? 0);
    this.set(max);
  },
});
new Gauge({
  name: "mailbot_db_up",
  help: "1 when the database answered `select 1` at scrape time, else 0",
  registers: [registry],
  async collect() {
    if (!watched) return;
    try {
      await watched.execute("select 1");
      this.set(1);
    } catch {
      this.set(0);
    }
  },
});
