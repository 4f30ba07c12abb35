import schedule from "node-schedule";
import { expect, it } from "vitest";
import { schedulerJobSpecs, startScheduler } from "../../src/reminders/scheduler.ts";
import { describeEachDb } from "../helpers/db.ts";
import { fakeTelegram, instantLimiter } from "./fixtures.ts";

it("ticks every 15 minutes over working hours and at each check-slot end off the tick", () => {
  const specs = schedulerJobSpecs(["mic", "soctrang"]);
  expect(specs[0]).toEqual({ name: "reminders:tick", rule: "*/15 7-17 * * 1-6" });
  // 11:30, 15:30, 17:00, 09:30 … fall on the tick; 09:00 too; nothing else is needed for these profiles.
  expect(specs.slice(1)).toEqual([]);
  const odd = schedulerJobSpecs(["mic"], 20);
  expect(odd.map((s) => s.rule)).toContain("30 11 * * 1-6");
});

describeEachDb("scheduler", (getDb) => {
  it("creates named jobs in Asia/Ho_Chi_Minh, wakes the sweep, and cancels everything on stop", async () => {
    const tg = fakeTelegram();
    const scheduler = startScheduler({
      database: getDb(),
      send: tg.send,
      limiter: instantLimiter(),
      name: "test-reminders",
      supportChatId: null,
    });
    expect(scheduler.jobs.length).toBeGreaterThan(0);
    for (const name of scheduler.jobs) expect(schedule.scheduledJobs[name]?.nextInvocation()).toBeTruthy();
    // Starting again under the same names replaces the old jobs instead of orphaning them.
    const again = startScheduler({
      database: getDb(),
      send: tg.send,
      limiter: instantLimiter(),
      name: "test-reminders",
      supportChatId: null,
    });
    await Promise.all([scheduler.wake("test"), again.wake("test")]);
    await scheduler.stop();
    await again.stop();
    for (const name of again.jobs) expect(schedule.scheduledJobs[name]).toBeUndefined();
  });
});
