import { expect, it } from "vitest";
import { createServices } from "../../src/services/index.ts";
import { describeEachDb } from "../helpers/db.ts";

describeEachDb("chatState.claimUpdate", (getDb) => {
  it("leaves every pooled connection with its own synchronous_commit (the claim's setting is LOCAL)", async () => {
    const database = getDb();
    const services = createServices(database);
    await Promise.all(Array.from({ length: 20 }, (_, i) => services.chatState.claimUpdate(1000 + i)));
    const settings = await Promise.all(
      Array.from({ length: 20 }, () =>
        database.execute<{ s: string }>("select current_setting('synchronous_commit') as s"),
      ),
    );
    expect(new Set(settings.map((rows) => rows[0]?.s))).toEqual(new Set(["on"]));
  });

  it("claims many in one call and returns each won update's live session, nothing for the lost", async () => {
    const database = getDb();
    let now = new Date("2026-11-23T02:00:00Z");
    const services = createServices(database, { clock: () => now });
    await services.chatState.setSession("flow:1:1", { step: "password" }, 600);
    await services.chatState.setSession("flow:3:3", { step: "old" }, 1);
    expect(await services.chatState.claimUpdate(2_000_004)).toBe(true);
    now = new Date(now.getTime() + 2_000); // flow:3:3 has expired
    const won = await services.chatState.claimUpdatesWithSessions([
      { updateId: 2_000_001, sessionKey: "flow:1:1" },
      { updateId: 2_000_002, sessionKey: "flow:2:2" },
      { updateId: 2_000_003, sessionKey: "flow:3:3" },
      { updateId: 2_000_004, sessionKey: "flow:1:1" },
      { updateId: 2_000_005 },
    ]);
    expect(Object.fromEntries(won)).toEqual({
      2000001: { step: "password" },
      2000002: null,
      2000003: null,
      2000005: null,
    });
    // Claimed once: asked again, nothing is won.
    expect((await services.chatState.claimUpdatesWithSessions([{ updateId: 2_000_001 }])).size).toBe(0);
    // A key that could end the SQL literal is refused, and nothing is claimed.
    await expect(
      services.chatState.claimUpdatesWithSessions([
        { updateId: 2_000_006, sessionKey: "x'; drop table staff; --" },
      ]),
    ).rejects.toThrow("Khóa phiên");
    expect(await services.chatState.claimUpdate(2_000_006)).toBe(true);
  });
});
