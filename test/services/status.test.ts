import { expect, it } from "vitest";
import { holidayOverrides, requests } from "../../src/db/schema.ts";
import { createServices } from "../../src/services/index.ts";
import { OPEN_STATES } from "../../src/services/requests/index.ts";
import { seedDemo } from "../../src/demo/seed.ts";
import { describeEachDb } from "../helpers/db.ts";

describeEachDb("status.ofStaff (/trangthai in one query)", (getDb) => {
  it("gives the same mailboxes and requests as the directory and request lookups, with names and Dates", async () => {
    const database = getDb();
    const now = new Date("2026-03-02T02:00:00Z");
    const seeded = await seedDemo(database, { now, services: { hash: { memoryCost: 1024, timeCost: 1 } } });
    const services = createServices(database, { clock: () => now });
    const [someone] = await database.db
      .select({ id: requests.requesterStaffId, unitId: requests.unitId })
      .from(requests)
      .limit(1);
    const who = someone!.id;
    // Closed requests: more than are shown.
    const base = { profileId: "phuyen", kind: "doimk" as const, unitId: someone!.unitId };
    const filed = await database.db
      .insert(requests)
      .values(
        Array.from({ length: 7 }, (_, i) => ({
          ...base,
          state: i % 2 === 0 ? ("approved" as const) : ("cancelled" as const),
          requesterStaffId: who,
          subjectStaffId: who,
          decidedAt: new Date(now.getTime() - i * 60_000),
        })),
      )
      .returning({ id: requests.id });
    expect(filed).toHaveLength(7);

    const people = [...new Set([who, ...seeded.users.map((u) => u.staffId)])];
    for (const id of people) {
      const status = await services.status.ofStaff(id, { recentClosed: 5 });
      expect(status.mailboxes).toEqual(await services.directory.mailboxesOfStaff(id));
      const all = await services.requests.listForStaff(id);
      expect(status.open).toEqual(all.filter((r) => OPEN_STATES.includes(r.state)));
      expect(status.recentClosed).toEqual(all.filter((r) => !OPEN_STATES.includes(r.state)).slice(0, 5));
      for (const m of status.mailboxes) expect(m.createdAt).toBeInstanceOf(Date);
    }
    const mine = await services.status.ofStaff(who, { recentClosed: 5 });
    expect(mine.recentClosed).toHaveLength(5);
    expect(mine.recentClosed.map((r) => r.id)).toEqual(
      filed
        .map((r) => r.id)
        .sort((a, b) => b - a)
        .slice(0, 5),
    );
    expect(mine.recentClosed[0]!.requesterName).toBeTruthy();
    expect(mine.recentClosed[0]!.unitName).toBeTruthy();
    expect(mine.recentClosed[0]!.decidedAt).toBeInstanceOf(Date);

    // Unprepared (for a transaction-mode pooler): the same answer.
    const unprepared = createServices(database, { clock: () => now, preparedStatements: false });
    const same = await unprepared.status.ofStaff(who, { recentClosed: 5 });
    expect({ ...same, calendar: undefined }).toEqual({ ...mine, calendar: undefined });

    expect(await services.status.ofStaff(999_999)).toMatchObject({
      mailboxes: [],
      open: [],
      recentClosed: [],
    });
  });

  it("returns the calendar with the current holiday overrides (read in the same query)", async () => {
    const database = getDb();
    const services = createServices(database);
    const day = "2026-03-04" as const;
    const before = (await services.status.ofStaff(1)).calendar;
    expect(before.isWorkingDay(day)).toBe(true);
    // Written by another process (no cache invalidation here): seen through the fingerprint.
    await database.db
      .insert(holidayOverrides)
      .values({ date: day, kind: "off", name: "Nghỉ bù", createdBy: "cli" });
    expect((await services.status.ofStaff(1)).calendar.isWorkingDay(day)).toBe(false);
  });
});
