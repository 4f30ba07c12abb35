/**
 * The reply rule is decided and claimed in SQL (reply-claims.ts, issue 13); the pure replyRule
 * composes the same pieces over in-memory facts. They must agree on who gets which item: the
 * keeper of a unit mailbox rather than its owner, the owner when the keeper has no Telegram or
 * the mailbox is personal, the unit heads (of a parent unit too) when overdue or when nobody
 * is linked, a head once when they own the mailbox, nobody for an absent mailbox, nothing for a
 * chat that blocked the bot. The dry run (same SQL, rolled back) previews exactly the digests
 * the real run then sends.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import type { Database } from "../../src/db/client.ts";
import { executeRows } from "../../src/db/client.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";
import { itemOfRow, type OwnedRow } from "../../src/reminders/claims.ts";
import { replyRenderer, replyRule, type UnansweredFact } from "../../src/reminders/rules/reply.ts";
import { runSweep } from "../../src/reminders/sweep.ts";
import type { MailboxRef, ReminderItem } from "../../src/reminders/types.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, addTracked, at, fakeTelegram, instantLimiter, seedOrg, type Org } from "./fixtures.ts";

const calendar = createCalendar();
const MONDAY_1630 = at("2026-11-23T16:30:00+07:00");
/** Overdue on Monday 16:30 (due Friday 20/11 17:00). */
const WEDNESDAY = "2026-11-18T09:00:00+07:00";
/** More than half of its time gone on Monday 16:30, due Tuesday 24/11 17:00. */
const FRIDAY = "2026-11-20T09:00:00+07:00";
/** Not due yet. */
const MONDAY = "2026-11-23T15:00:00+07:00";

async function person(db: Database, unitId: number, name: string, chat: number | null, left = false) {
  const [row] = await executeRows<{ id: number }>(
    db.db,
    sql`insert into staff (full_name, unit_id, employment_type, telegram_user_id, employment_status, left_on)
      values (${name}, ${unitId}, 'civil_servant', ${chat}, ${left ? "left" : "active"}, ${left ? "2026-11-01" : null})
      returning id`,
  );
  return Number(row?.id);
}

describeEachDb("reply rule: SQL and the pure rule", (getDb) => {
  it("agree on every recipient and line; the dry run previews what is sent", async () => {
    const db = getDb();
    const org: Org = await seedOrg(db);
    const [unit] = await executeRows<{ name: string }>(
      db.db,
      sql`select name from units where id = ${org.unitId}`,
    );
    const [sub] = await executeRows<{ id: number }>(
      db.db,
      sql`insert into units (profile_id, kind, name, abbr, parent_id)
        values ('mic', 'agency', 'Phòng Con', ${`pc${org.unitId}`}, ${org.unitId}) returning id`,
    );
    const subId = Number(sub?.id);
    const chat = (k: number): number => org.headChat + 1000 + k;
    const unlinked = await person(db, org.unitId, "Người Chưa Liên Kết", null);
    const leaver = await person(db, org.unitId, "Người Đã Nghỉ", chat(1), true);
    const blockedChat = chat(2);
    const blockedOwner = await person(db, org.unitId, "Người Chặn Bot", blockedChat);
    await db.execute(sql`insert into blocked_chats (chat_id, reason) values (${blockedChat}, 'test')`);

    const box = async (
      local: string,
      kind: "unit" | "personal" | "group",
      keeper: number | null,
      owner: number | null,
      unitId = org.unitId,
    ): Promise<number> => {
      const id = await addMailbox(db, org, local, { kind });
      await db.execute(
        sql`update mailboxes set keeper_staff_id = ${keeper}, owner_staff_id = ${owner}, unit_id = ${unitId} where id = ${id}`,
      );
      return id;
    };
    const [staffNames] = await executeRows<{ clerk: string; owner: string; head: string }>(
      db.db,
      sql`select (select full_name from staff where id = ${org.clerkStaffId}) as clerk,
        (select full_name from staff where id = ${org.ownerStaffId}) as owner,
        (select full_name from staff where id = ${org.headStaffId}) as head`,
    );
    const n = staffNames as { clerk: string; owner: string; head: string };

    // Each mailbox with the MailboxRef the facts of the pure rule would carry.
    type Case = { id: number; ref: Omit<MailboxRef, "mailboxId" | "address">; local: string };
    const ref = (
      kind: MailboxRef["kind"],
      keeper: [number | null, string | null],
      owner: [number | null, string | null],
      unitName = String(unit?.name),
      unitId = org.unitId,
    ): Case["ref"] => ({
      profileId: "mic",
      kind,
      unitId,
      unitName,
      keeperChatId: keeper[0],
      keeperName: keeper[1],
      ownerChatId: owner[0],
      ownerName: owner[1],
      headChatIds: [org.headChat],
    });
    const none: [null, null] = [null, null];
    const cases: Case[] = [
      // The keeper acts for a unit mailbox, not its owner.
      {
        local: "vp1",
        id: await box("vp1", "unit", org.clerkStaffId, org.ownerStaffId),
        ref: ref("unit", [org.clerkChat, n.clerk], [org.ownerChat, n.owner]),
      },
      // A keeper without Telegram: the owner acts.
      {
        local: "vp2",
        id: await box("vp2", "unit", unlinked, org.ownerStaffId),
        ref: ref("unit", [null, "Người Chưa Liên Kết"], [org.ownerChat, n.owner]),
      },
      // Personal: the owner, even with a keeper.
      {
        local: "cv3",
        id: await box("cv3", "personal", org.clerkStaffId, org.ownerStaffId),
        ref: ref("personal", [org.clerkChat, n.clerk], [org.ownerChat, n.owner]),
      },
      // Nobody: the heads, at half time too.
      { local: "vp4", id: await box("vp4", "unit", null, null), ref: ref("unit", none, none) },
      // A keeper who left counts as nobody.
      { local: "nh5", id: await box("nh5", "group", leaver, null), ref: ref("group", none, none) },
      // A unit without a head of its own: the parent's head.
      {
        local: "pc6",
        id: await box("pc6", "unit", org.clerkStaffId, null, subId),
        ref: ref("unit", [org.clerkChat, n.clerk], none, "Phòng Con", subId),
      },
      // The head owns it: one item, not two.
      {
        local: "tv7",
        id: await box("tv7", "personal", null, org.headStaffId),
        ref: ref("personal", none, [org.headChat, n.head]),
      },
      // The owner blocked the bot: only the head, when overdue.
      {
        local: "cb8",
        id: await box("cb8", "personal", null, blockedOwner),
        ref: ref("personal", none, [blockedChat, "Người Chặn Bot"]),
      },
      // The keeper is named but unreachable, and nobody else is linked: the heads.
      {
        local: "vp9",
        id: await box("vp9", "unit", unlinked, null),
        ref: ref("unit", [null, "Người Chưa Liên Kết"], none),
      },
    ];
    const absent = await box("vpnghi", "unit", org.clerkStaffId, null);
    await db.execute(
      sql`insert into absence_notices (mailbox_id, starts_on, ends_on) values (${absent}, '2026-11-20', '2026-11-27')`,
    );

    const facts: UnansweredFact[] = [];
    for (const c of cases) {
      for (const [i, received] of [WEDNESDAY, FRIDAY, MONDAY].entries()) {
        const subject = `V/v số ${i} của ${c.local}`;
        const trackedId = await addTracked(db, c.id, `<${c.local}-${i}@x>`, received, subject);
        facts.push({
          ...c.ref,
          mailboxId: c.id,
          address: `${c.local}@${org.domain}`,
          trackedId,
          sender: "ubnd@phuyen.gov.vn",
          subject,
          receivedAt: at(received),
        });
      }
    }
    for (const [i, received] of [WEDNESDAY, FRIDAY].entries())
      await addTracked(db, absent, `<vpnghi-${i}@x>`, received);

    const profile = getProfile("mic");
    const ctx = { now: MONDAY_1630, calendar, profile, supportChatId: null };
    const expected = replyRule(facts, ctx).reminders.filter((item) => item.chatId !== blockedChat);
    // The setup covers both stages and the heads' fallback, or the comparison proves little.
    expect(new Set(expected.map((item) => item.rule))).toEqual(new Set(["reply-overdue", "reply-half"]));

    const deps = {
      database: db,
      calendar,
      profiles: ["mic"],
      supportChatId: null,
      limiter: instantLimiter(),
    };
    const dry = await runSweep(deps, { now: MONDAY_1630, rules: ["reply"], dryRun: true });
    expect(await executeRows(db.db, sql`select key from reminder_claims`)).toEqual([]);

    const telegram = fakeTelegram();
    const real = await runSweep({ ...deps, send: telegram.send }, { now: MONDAY_1630, rules: ["reply"] });
    expect(real.claimed).toBe(expected.length);
    // Two messages a mailbox are due (Wednesday's, Friday's), Monday's is not.
    expect(real.facts.reply).toBe(2 * cases.length);
    expect(dry.facts.reply).toBe(2 * cases.length);

    const render = replyRenderer({ now: MONDAY_1630, calendar, profileOf: () => profile });
    const rows = await executeRows<OwnedRow>(
      db.db,
      sql`select key, rule, target, recipient_chat_id::text as chat, payload from reminder_claims order by key`,
    );
    const claimed = rows.map((row) => itemOfRow(row, render)).filter((i): i is ReminderItem => i !== null);
    const byKey = (a: ReminderItem, b: ReminderItem): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    expect(claimed.sort(byKey)).toEqual([...expected].sort(byKey));

    // Spot checks in the users' terms.
    const chatsOf = (local: string, rule: string): number[] =>
      expected
        .filter((i) => i.rule === rule && i.line.startsWith(`${local}@`))
        .map((i) => i.chatId)
        .sort((a, b) => a - b);
    expect(chatsOf("vp1", "reply-overdue")).toEqual([org.headChat, org.clerkChat]);
    expect(chatsOf("vp1", "reply-half")).toEqual([org.clerkChat]);
    expect(chatsOf("vp2", "reply-half")).toEqual([org.ownerChat]);
    expect(chatsOf("cv3", "reply-half")).toEqual([org.ownerChat]);
    expect(chatsOf("vp4", "reply-half")).toEqual([org.headChat]);
    expect(chatsOf("nh5", "reply-half")).toEqual([org.headChat]);
    expect(chatsOf("pc6", "reply-overdue")).toEqual([org.headChat, org.clerkChat]);
    expect(chatsOf("tv7", "reply-overdue")).toEqual([org.headChat]);
    expect(chatsOf("cb8", "reply-overdue")).toEqual([org.headChat]);
    expect(chatsOf("cb8", "reply-half")).toEqual([]);
    expect(chatsOf("vp9", "reply-half")).toEqual([org.headChat]);
    expect(claimed.some((i) => i.line.startsWith("vpnghi@"))).toBe(false);

    // The preview is what was sent.
    const texts = (list: { chatId: number; text: string }[]) =>
      list.map((d) => `${d.chatId}\n${d.text}`).sort();
    expect(texts(telegram.sent)).toEqual(texts(dry.digests));
    expect(telegram.sent.find((m) => m.chatId === org.headChat)?.text).toContain(
      'vp9@mic.gov.vn — "V/v số 1 của vp9" từ ubnd@phuyen.gov.vn, hạn trả lời 17:00 24/11/2026 (trong 02 ngày làm việc',
    );
  });
});
