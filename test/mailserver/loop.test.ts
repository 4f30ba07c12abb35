import { sql } from "drizzle-orm";
import { pino } from "pino";
import { expect, it } from "vitest";
import type { MailServerConnector } from "../../src/mailserver/connector.ts";
import { startMailserverLoop } from "../../src/mailserver/loop.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, addUnit, uniq } from "../services/fixtures.ts";

describeEachDb("mail server loop", (getDb) => {
  it("applies the outbox at start, keeps running after a server error, and stops cleanly", async () => {
    const database = getDb();
    const unit = await addUnit(database);
    const mailbox = await addMailbox(database, { unitId: unit.id, localPart: `loop${uniq()}` });
    await database.db.execute(sql`update mailboxes set status = 'locked' where id = ${mailbox.id}`);
    const kicked: string[] = [];
    let reads = 0;
    const connector: MailServerConnector = {
      kind: "fake",
      calls: 0,
      kick: (address) => {
        kicked.push(address);
        return Promise.resolve();
      },
      removeMail: () => Promise.resolve(),
      readMessages: () => {
        reads++;
        return Promise.reject(new Error("down"));
      },
    };
    // A login row so the sync has something to read from the (failing) server.
    await database.db.execute(
      sql`insert into mailserver_logins (username, service, last_at) values (${mailbox.address}, 'imap', ${Math.floor(Date.now() / 1000)})`,
    );
    const loop = startMailserverLoop(database, connector, {
      intervalMs: 20,
      logger: pino({ level: "silent" }),
    });
    await loop.firstRun;
    expect(kicked).toEqual([mailbox.address]);
    // Next runs happen (the read keeps failing, the loop keeps going), then stop waits for the current one.
    const deadline = Date.now() + 10_000;
    while (reads < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await loop.stop();
    expect(reads).toBeGreaterThanOrEqual(3);
    const after = reads;
    await new Promise((r) => setTimeout(r, 100));
    expect(reads).toBe(after);
  });
});
