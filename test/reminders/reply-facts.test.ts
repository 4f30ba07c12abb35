/**
 * The reply rule's claims check the mailbox of every due message (profile, status, absence),
 * batch of unanswered messages by batch (issue 13): a revoked mailbox, one whose keeper filed
 * an absence notice and another profile's mailbox get no reply reminder; the others do, in
 * every batch.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";
import { claimReplies } from "../../src/reminders/reply-claims.ts";
import { replyCuts } from "../../src/reminders/rules/reply.ts";
import { runSweep } from "../../src/reminders/sweep.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, addTracked, at, fakeTelegram, instantLimiter, seedOrg } from "./fixtures.ts";

const calendar = createCalendar();
const MONDAY_1630 = at("2026-11-23T16:30:00+07:00");
const WEDNESDAY = "2026-11-18T09:00:00+07:00";

describeEachDb("reply-limit facts", (getDb) => {
  it("skip revoked, absent and other profiles' mailboxes, batch by batch", async () => {
    const db = getDb();
    const mic = await seedOrg(db);
    const other = await seedOrg(db, "binhtan", "binhtan.hochiminhcity.gov.vn");
    const open = await addMailbox(db, mic, "vpmo");
    const revoked = await addMailbox(db, mic, "vpthu", { status: "revoked" });
    const absent = await addMailbox(db, mic, "vpnghi");
    await db.execute(
      sql`insert into absence_notices (mailbox_id, starts_on, ends_on) values (${absent}, '2026-11-20', '2026-11-27')`,
    );
    const elsewhere = await addMailbox(db, other, "vpkhac");
    // Interleaved ids, so every page mixes the kept and the dropped.
    for (let i = 0; i < 5; i++) {
      for (const box of [open, revoked, absent, elsewhere])
        await addTracked(db, box, `<r${box}-${i}@x>`, WEDNESDAY);
    }
    // Batches of 3 unanswered messages, so every statement mixes the kept and the dropped.
    const claimed = await claimReplies(
      db.db,
      getProfile("mic"),
      replyCuts(getProfile("mic"), MONDAY_1630, calendar)!,
      "2026-11-23",
      { runId: "reply-facts-ranges", at: MONDAY_1630 },
      3,
    );
    expect(claimed.due).toBe(5);
    const boxes = await db.execute<{ mailbox_id: number }>(
      sql`select distinct (payload->'about'->>'mailboxId')::int as mailbox_id from reminder_claims
        where claimed_by = 'reply-facts-ranges'`,
    );
    expect(boxes.map((row) => Number(row.mailbox_id))).toEqual([open]);
    await db.execute(sql`delete from reminder_claims where claimed_by = 'reply-facts-ranges'`);

    const telegram = fakeTelegram();
    const report = await runSweep(
      {
        database: db,
        calendar,
        profiles: ["mic"],
        supportChatId: null,
        limiter: instantLimiter(),
        send: telegram.send,
      },
      { now: MONDAY_1630, rules: ["reply"] },
    );
    expect(report.facts.reply).toBe(5);
    const clerk = telegram.sent
      .filter((m) => m.chatId === mic.clerkChat)
      .map((m) => m.text)
      .join("\n");
    expect(clerk).toContain("vpmo@mic.gov.vn");
    expect(clerk).not.toContain("vpthu@");
    expect(clerk).not.toContain("vpnghi@");
    expect(telegram.sent.some((m) => m.chatId === other.clerkChat)).toBe(false);
  });
});
