/**
 * Restore vs inactivity: a mailbox locked for inactivity and restored through /khoiphuc starts a
 * fresh inactivity period at the restore. Its old send/receive timestamps must not lock it again
 * at the next sweep; only another full period (6 months) without activity may.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { runSweep, type SweepDeps } from "../../src/reminders/sweep.ts";
import { createServices } from "../../src/services/index.ts";
import { SYSTEM, staffActor } from "../../src/services/types.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, at, fakeTelegram, seedOrg, sweepDeps } from "./fixtures.ts";

const calendar = createCalendar();
const FAST_HASH = { memoryCost: 1024, timeCost: 1 };
// Monday 23/11/2026, 16:30 Vietnam time.
const MONDAY_1630 = at("2026-11-23T16:30:00+07:00");
const minutes = (date: Date, n: number): Date => new Date(date.getTime() + n * 60_000);

describeEachDb(
  "restore vs inactivity",
  (getDb) => {
    const deps = (send: SweepDeps["send"]): SweepDeps => sweepDeps(getDb(), send);
    const statusOf = async (id: number): Promise<string | undefined> =>
      (
        await getDb().execute<{ status: string }>(
          sql`select status::text as status from mailboxes where id = ${id}`,
        )
      )[0]?.status;

    it("a restored mailbox starts a fresh inactivity period: no re-lock until 6 more months pass", async () => {
      const db = getDb();
      const org = await seedOrg(db);
      const box = await addMailbox(db, org, "ngu-quen", {
        kind: "personal",
        lastSendAt: "2026-05-20T10:00:00+07:00",
        lastReceiveAt: "2026-05-20T10:00:00+07:00",
        activityReportedAt: "2026-11-23T06:00:00+07:00",
      });
      const locked = await runSweep(deps(fakeTelegram().send), { now: MONDAY_1630, rules: ["inactivity"] });
      expect(locked.actions).toEqual([expect.objectContaining({ kind: "lock_inactivity", applied: true })]);
      expect(await statusOf(box)).toBe("locked");

      // The owner asks for a restore, the support desk approves it five minutes later.
      let clock = minutes(MONDAY_1630, 2);
      const services = createServices(db, { clock: () => clock, hash: FAST_HASH, calendar });
      const request = await services.requests.createKhoiphuc(
        { address: "ngu-quen@mic.gov.vn" },
        staffActor(org.ownerStaffId),
      );
      clock = minutes(MONDAY_1630, 5);
      await services.requests.approve(request.id, SYSTEM);
      expect(await statusOf(box)).toBe("active");

      // Sweeps minutes and days later: the mailbox stays active, nobody is told it was locked.
      for (const now of [minutes(MONDAY_1630, 15), at("2026-11-26T09:00:00+07:00")]) {
        const tg = fakeTelegram();
        const report = await runSweep(deps(tg.send), { now, rules: ["inactivity"] });
        expect(report.actions).toEqual([]);
        expect(tg.sent).toEqual([]);
        expect(await statusOf(box)).toBe("active");
      }

      // Still nothing (only warnings) just before the 6 months since the restore are over…
      const before = fakeTelegram();
      const warned = await runSweep(deps(before.send), {
        now: at("2027-05-21T16:30:00+07:00"),
        rules: ["inactivity"],
      });
      expect(warned.actions).toEqual([]);
      expect(await statusOf(box)).toBe("active");
      expect(before.sent.map((m) => m.text).join("\n")).toContain("tạm khóa sau ngày 23/05/2027");

      // …and locked on the first working day after them.
      const after = await runSweep(deps(fakeTelegram().send), {
        now: at("2027-05-24T09:00:00+07:00"),
        rules: ["inactivity"],
      });
      expect(after.actions).toEqual([expect.objectContaining({ kind: "lock_inactivity", applied: true })]);
      expect(await statusOf(box)).toBe("locked");
    });

    it("activity after the restore moves the next lock further out", async () => {
      const db = getDb();
      const org = await seedOrg(db);
      const box = await addMailbox(db, org, "dung-lai", {
        kind: "personal",
        lastSendAt: "2026-05-20T10:00:00+07:00",
        lastReceiveAt: "2026-05-20T10:00:00+07:00",
        activityReportedAt: "2026-11-23T06:00:00+07:00",
      });
      await runSweep(deps(fakeTelegram().send), { now: MONDAY_1630, rules: ["inactivity"] });
      const services = createServices(db, {
        clock: () => minutes(MONDAY_1630, 5),
        hash: FAST_HASH,
        calendar,
      });
      const request = await services.requests.createKhoiphuc(
        { address: "dung-lai@mic.gov.vn" },
        staffActor(org.ownerStaffId),
      );
      await services.requests.approve(request.id, SYSTEM);
      await db.execute(
        sql`update mailboxes set last_send_at = '2027-01-04T10:00:00+07:00'::timestamptz where id = ${box}`,
      );
      const report = await runSweep(deps(fakeTelegram().send), {
        now: at("2027-05-24T09:00:00+07:00"),
        rules: ["inactivity"],
      });
      expect(report.actions).toEqual([]);
      expect(await statusOf(box)).toBe("active");
    });
  },
  { resetEach: true },
);
