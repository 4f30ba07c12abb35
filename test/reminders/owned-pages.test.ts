/**
 * The delivery reads back what a run owns a page at a time (issue 13): pages are bounded by
 * items, yet a recipient is never split between pages (two pages would send them two digests),
 * and claims of other runs or already sent are not read.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { executeRows } from "../../src/db/client.ts";
import { claimFresh, ownedPages } from "../../src/reminders/claims.ts";
import type { ReminderItem } from "../../src/reminders/types.ts";
import { describeEachDb } from "../helpers/db.ts";

const AT = new Date("2026-11-23T09:30:00Z");

function itemsOf(chatId: number, count: number): ReminderItem[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `reply-overdue:tm:op-${chatId}-${i}@${chatId}`,
    rule: "reply-overdue",
    target: `tm:op-${chatId}-${i}`,
    chatId,
    section: "reply-overdue" as const,
    line: `hb${chatId}@mic.gov.vn — công văn số ${i}/UBND chưa trả lời`,
    sortAt: AT.toISOString(),
    profileId: "mic",
  }));
}

describeEachDb("owned claims, page by page", (getDb) => {
  it("bounds pages by items without splitting a recipient, and reads only this run's unsent claims", async () => {
    const database = getDb();
    // 7101: 3 items, 7102: 9 (more than a page), 7103: 2, 7104: 4; 7105 belongs to another run.
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
    for await (const page of ownedPages(database, "run-p", () => null, 4)) {
      pages.push([...new Set(page.map((item) => item.chatId))]);
      for (const item of page) perChat.set(item.chatId, (perChat.get(item.chatId) ?? 0) + 1);
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
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain(7105);
    expect(pages.length).toBeGreaterThan(1);
  });
});
