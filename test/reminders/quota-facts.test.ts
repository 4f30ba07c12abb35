/**
 * The quota facts are found through indexes (issue 13: the cost of what is near quota, not of
 * every mailbox), yet decide as before: at or above the warning percentage of the mailbox's own
 * quota when it has one, else of the profile's (mic: 90% of 1,024 MB).
 */
import { expect, it } from "vitest";
import { getProfile } from "../../src/policy/profiles/index.ts";
import * as facts from "../../src/reminders/facts.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, seedOrg } from "./fixtures.ts";

describeEachDb("quota facts", (getDb) => {
  it("warn at 90% of the mailbox's own quota or of the profile's, whatever the storage", async () => {
    const db = getDb();
    const org = await seedOrg(db);
    const box = (local: string, storageUsedMb: number | null, quotaMb: number | null = null) =>
      addMailbox(db, org, local, { storageUsedMb, quotaMb });
    const near = await box("qgan", 950); // 92.8% of 1,024
    await box("qxa", 900); // 87.9% of 1,024
    const ownSmall = await box("qrieng", 460, 500); // 92% of its own 500, far below 921 MB
    await box("qlon", 1000, 2000); // above the profile's threshold, 50% of its own quota
    await box("qkhong", 10, 0); // a zero quota warns nobody
    await box("qchuaco", null);
    await addMailbox(db, org, "qthu", { storageUsedMb: 1000, status: "revoked" });
    const heads = await facts.loadUnitHeads(db.db, "mic");
    const found = await facts.selectNearQuota(db.db, getProfile("mic"), heads);
    expect(found.map((f) => f.mailboxId).sort((a, b) => a - b)).toEqual(
      [near, ownSmall].sort((a, b) => a - b),
    );
    expect(found.find((f) => f.mailboxId === ownSmall)?.quotaMb).toBe(500);
  });
});
