import { eq, sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { staff } from "../../src/db/schema.ts";
import { seedDemo } from "../../src/demo/seed.ts";
import { createServices } from "../../src/services/index.ts";
import { staffViews } from "../../src/services/views.ts";
import { describeEachDb } from "../helpers/db.ts";

describeEachDb("identity.findByTelegramId (one prepared statement)", (getDb) => {
  it("gives exactly the staff view of the general lookup, roles included, for every linked person", async () => {
    const database = getDb();
    const now = new Date("2026-03-02T02:00:00Z");
    await seedDemo(database, { now, services: { hash: { memoryCost: 1024, timeCost: 1 } } });
    // Telegram ids above 2^32 (they are 64-bit on Telegram's side).
    await database.db.update(staff).set({ telegramUserId: sql`5000000000 + ${staff.id}` });
    const people = await database.db.select({ tg: staff.telegramUserId }).from(staff);
    expect(people.length).toBeGreaterThan(5);

    const services = createServices(database, { clock: () => now });
    const unprepared = createServices(database, { clock: () => now, preparedStatements: false });
    let withRoles = 0;
    for (const { tg } of people) {
      const expected = (await staffViews(database.db, eq(staff.telegramUserId, tg as number), 1))[0];
      const found = await services.identity.findByTelegramId(tg as number);
      expect(found).toEqual(expected);
      expect(await unprepared.identity.findByTelegramId(tg as number)).toEqual(expected);
      if ((found?.roles.length ?? 0) > 0) withRoles++;
    }
    expect(withRoles).toBeGreaterThan(0);
    expect(await services.identity.findByTelegramId(4_999_999_999)).toBeNull();
  });
});
