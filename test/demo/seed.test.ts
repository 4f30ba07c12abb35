import { expect, it } from "vitest";
import { createServices } from "../../src/services/index.ts";
import { DEMO_USERS, seedDemo } from "../../src/demo/seed.ts";
import { describeEachDb } from "../helpers/db.ts";
import { countRows } from "../services/fixtures.ts";
import { seedIfEmpty } from "../../src/main.ts";
import { silentLogger } from "../../src/logger.ts";

describeEachDb("seed demo", (getDb) => {
  it("creates a small province once; the second run changes nothing", async () => {
    const database = getDb();
    const now = new Date("2026-03-02T02:00:00Z");
    const first = await seedDemo(database, { now, services: { hash: { memoryCost: 1024, timeCost: 1 } } });
    expect(first.changed).toBe(true);
    expect(first.staff).toBeGreaterThanOrEqual(50);
    expect(first.users).toHaveLength(DEMO_USERS.length);
    expect(first.users.every((u) => u.staffId > 0)).toBe(true);
    const counts = await countRows(database);
    expect(counts.staff).toBe(50);
    expect(counts.units).toBe(11);
    expect(counts.requests).toBe(3);

    const services = createServices(database, { clock: () => now });
    const ans = await services.directory.findStaff({ name: "Nguyễn Văn An" });
    expect(ans).toHaveLength(3);
    const addresses = (await Promise.all(ans.map((a) => services.directory.mailboxesOfStaff(a.id))))
      .flat()
      .map((m) => m.address);
    expect(new Set(addresses).size).toBe(3);
    const locked = (
      await services.directory.mailboxesInUnits(
        (await services.directory.listUnits("phuyen")).map((u) => u.id),
      )
    ).filter((m) => m.status === "locked");
    expect(locked.length).toBeGreaterThanOrEqual(2);
    const queue = await services.requests.listOpen(now);
    expect(queue.length).toBe(3);

    const second = await seedDemo(database, { now: new Date("2026-04-01T02:00:00Z") });
    expect(second.changed).toBe(false);
    expect(await countRows(database)).toEqual(counts);
  });
});

describeEachDb("seed demo is atomic (issue 9 item 11)", (getDb, driver) => {
  it("a seed that fails midway leaves nothing; the next start seeds everything", async () => {
    const database = getDb();
    const now = new Date("2026-03-02T02:00:00Z");
    const seed = (): Promise<unknown> =>
      // What `npm start` does on the embedded database; the same seed on a server.
      driver === "pglite"
        ? seedIfEmpty(database, silentLogger())
        : seedDemo(database, { now, services: { hash: { memoryCost: 1024, timeCost: 1 } } });
    // Fail after units, staff and mailboxes are written: at the first role grant.
    await database.execute(`create function fail_midway() returns trigger language plpgsql as $$
      begin raise exception 'simulated crash during the demo seed'; end $$`);
    await database.execute(
      `create trigger fail_midway before insert on role_grants for each row execute function fail_midway()`,
    );
    const empty = await countRows(database);
    await expect(seed()).rejects.toThrow(/insert into "role_grants"/);
    expect(await countRows(database)).toEqual(empty);

    await database.execute(`drop trigger fail_midway on role_grants`);
    await seed();
    const counts = await countRows(database);
    expect(counts.units).toBe(11);
    expect(counts.staff).toBe(50);
    expect(counts.role_grants).toBe(20);
    expect(counts.requests).toBe(3);
  }, 180_000);
});
