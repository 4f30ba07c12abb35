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
});
