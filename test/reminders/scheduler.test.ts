import schedule from "node-schedule";
import { expect, it } from "vitest";
import { schedulerJobSpecs, startScheduler } from "../../src/reminders/scheduler.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, addTracked, at, fakeTelegram, instantLimiter, seedOrg } from "./fixtures.ts";

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
    // What is due: two replies overdue on Monday 23/11/2026 16:30 (see sweep.test.ts).
    const db = getDb();
    const org = await seedOrg(db);
    const unitBox = await addMailbox(db, org, "vtn", { lastCheckAt: "2026-11-20T08:00:00+07:00" });
    await addTracked(db, unitBox, "<a@x>", "2026-11-18T09:00:00+07:00", "V/v báo cáo quý IV");
    const clock = () => at("2026-11-23T16:30:00+07:00");
    const tg = fakeTelegram();
    const options = {
      database: db,
      send: tg.send,
      limiter: instantLimiter(),
      name: "test-reminders",
      profiles: ["mic"],
      supportChatId: null,
      clock,
    };
    const scheduler = startScheduler(options);
    expect(scheduler.jobs.length).toBeGreaterThan(0);
    for (const name of scheduler.jobs) expect(schedule.scheduledJobs[name]?.nextInvocation()).toBeTruthy();
    // Starting again under the same names replaces the old jobs instead of orphaning them.
    const again = startScheduler(options);
    // Two wakes at once: the sweep runs, the digests go out once (the claims), never twice.
    await Promise.all([scheduler.wake("test"), again.wake("test")]);
    expect(tg.sent.map((m) => m.chatId).sort()).toEqual([org.headChat, org.clerkChat].sort());
    expect(tg.sent.find((m) => m.chatId === org.headChat)?.text).toContain("V/v báo cáo quý IV");
    await scheduler.wake("again");
    expect(tg.sent).toHaveLength(2);
    await scheduler.stop();
    await again.stop();
    for (const name of again.jobs) expect(schedule.scheduledJobs[name]).toBeUndefined();
  });
});
