/**
 * The delivery reads back what a run owns a page of recipients at a time (issue 13): a
 * recipient is never split between pages (two pages would send them two digests), claims of
 * other runs or already sent are not read, and a recipient with more claims in a section than a
 * digest can show has only the first ones read and the rest counted, yet settled with the
 * digest (nothing is sent again).
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { executeRows } from "../../src/db/client.ts";
import { claimFresh, ownedPages } from "../../src/reminders/claims.ts";
import { deliverDigests } from "../../src/reminders/deliver.ts";
import { buildDigests } from "../../src/reminders/digest.ts";
import type { ReminderItem, SectionId } from "../../src/reminders/types.ts";
import { describeEachDb } from "../helpers/db.ts";
import { fakeTelegram, instantLimiter } from "./fixtures.ts";

const AT = new Date("2026-11-23T09:30:00Z");

/** `count` overdue replies for `chatId`, item i due i minutes after AT (i = 0 most urgent). */
function itemsOf(chatId: number, count: number, tag = "op"): ReminderItem[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `reply-overdue:tm:${tag}-${chatId}-${i}@${chatId}`,
    rule: "reply-overdue",
    target: `tm:${tag}-${chatId}-${i}`,
    chatId,
    section: "reply-overdue" as const,
    line: `hb${chatId}@mic.gov.vn — công văn số ${i}/UBND chưa trả lời`,
    sortAt: new Date(AT.getTime() + i * 60_000).toISOString(),
    profileId: "mic",
  }));
}

describeEachDb("owned claims, page by page", (getDb) => {
  it("pages by recipients without splitting one, and reads only this run's unsent claims", async () => {
    const database = getDb();
    // 7101: 3 items, 7102: 9, 7103: 2, 7104: 4; 7105 belongs to another run.
    const sizes = new Map([
      [7101, 3],
      [7102, 9],
      [7103, 2],
      [7104, 4],
    ]);
    for (const [chat, n] of sizes) await claimFresh(database, itemsOf(chat, n), { runId: "run-p", now: AT });
    await claimFresh(database, itemsOf(7105, 2), { runId: "run-q", now: AT });
    // One of 7104's items was already sent: not read again.
    await executeRows(
      database.db,
      sql`update reminder_claims set sent_at = ${AT.toISOString()}::timestamptz where key = 'reply-overdue:tm:op-7104-0@7104'`,
    );

    const pages: number[][] = [];
    const perChat = new Map<number, number>();
    for await (const page of ownedPages(database, "run-p", () => null, { recipientsPerPage: 3 })) {
      pages.push([...new Set(page.items.map((item) => item.chatId))].sort((a, b) => a - b));
      for (const item of page.items) perChat.set(item.chatId, (perChat.get(item.chatId) ?? 0) + 1);
      expect(page.unread.size).toBe(0);
    }
    // Every recipient whole, in exactly one page.
    expect(perChat).toEqual(
      new Map([
        [7101, 3],
        [7102, 9],
        [7103, 2],
        [7104, 3],
      ]),
    );
    expect(pages).toEqual([[7101, 7102, 7103], [7104]]);
  });

  it("ends a page at the item budget, counting a crowded section as what is read of it", async () => {
    const database = getDb();
    // Budget 7, at most 6 read per section. 7301: 3 items, 7302: 3, 7303: 10 (read as 6), 7304: 1,
    // 7305: 40 (read as 6), 7306: 1.
    const sizes = new Map([
      [7301, 3],
      [7302, 3],
      [7303, 10],
      [7304, 1],
      [7305, 40],
      [7306, 1],
    ]);
    // Each recipient claimed in two statements, as the reply rule's batches do: the counts add up.
    for (const [chat, n] of sizes) {
      const items = itemsOf(chat, n, "bd");
      await claimFresh(database, items.slice(0, Math.ceil(n / 2)), { runId: "run-b", now: AT });
      await claimFresh(database, items.slice(Math.ceil(n / 2)), { runId: "run-b", now: AT });
    }
    const pages: number[][] = [];
    for await (const page of ownedPages(database, "run-b", () => null, { itemsPerPage: 7, perSection: 6 })) {
      pages.push([...new Set(page.items.map((item) => item.chatId))].sort((a, b) => a - b));
    }
    // 7303 with 7304 (6 + 1) and 7305 with 7306: counted as 10 and 40 they would be alone.
    expect(pages).toEqual([
      [7301, 7302],
      [7303, 7304],
      [7305, 7306],
    ]);
  });

  it("reads the most urgent claims of a crowded section, counts the rest, and the digest settles them all", async () => {
    const database = getDb();
    // A unit head with 12 overdue replies (claimed in scrambled order) and an owner with 2.
    const head = itemsOf(7201, 12, "hd");
    await claimFresh(database, [...head.slice(5), ...head.slice(0, 5)], { runId: "run-c", now: AT });
    await claimFresh(database, itemsOf(7202, 2, "ow"), { runId: "run-c", now: AT });

    const items: ReminderItem[] = [];
    const unread = new Map<number, Map<SectionId, number>>();
    for await (const page of ownedPages(database, "run-c", () => null, { perSection: 4 })) {
      for (const item of page.items) items.push(item);
      for (const [chat, sections] of page.unread) unread.set(chat, sections);
    }
    // The four earliest deadlines of the head's section, and both of the owner's.
    expect(
      items
        .filter((item) => item.chatId === 7201)
        .map((item) => item.target)
        .sort(),
    ).toEqual(["tm:hd-7201-0", "tm:hd-7201-1", "tm:hd-7201-2", "tm:hd-7201-3"]);
    expect(items.filter((item) => item.chatId === 7202)).toHaveLength(2);
    expect(unread).toEqual(new Map([[7201, new Map([["reply-overdue", 8]])]]));

    const digests = buildDigests(items, AT, unread);
    const headDigest = digests.find((d) => d.chatId === 7201);
    // The head is told of all twelve, and that eight are not listed.
    expect(headDigest?.text).toContain("Quá hạn trả lời (12)");
    expect(headDigest?.text).toContain("… và 8 mục khác.");
    expect(headDigest?.itemCount).toBe(12);

    const telegram = fakeTelegram();
    const report = await deliverDigests(digests, {
      database,
      send: telegram.send,
      limiter: instantLimiter(),
      runId: "run-c",
      now: () => AT,
    });
    expect(report.messages).toBe(2);
    expect(report.items).toBe(14);
    // Every claim settled, the eight never read included: nothing is read back again.
    const left = await executeRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from reminder_claim_state where claimed_by = 'run-c' and not sent`,
    );
    expect(left[0]?.n).toBe(0);
    const again: ReminderItem[] = [];
    for await (const page of ownedPages(database, "run-c", () => null))
      for (const item of page.items) again.push(item);
    expect(again).toEqual([]);
  });
});
