/**
 * Delivery bookkeeping in batches (issue 13): one fence for a page of digests and one confirm per
 * batch of sent digests, without losing what the per-message statements protected: claims
 * another run owns are not sent, and a delivery that outlasts a quarter of the lease fences
 * again before each send.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { executeRows } from "../../src/db/client.ts";
import { claimFresh } from "../../src/reminders/claims.ts";
import { CONFIRM_BATCH, deliverDigests } from "../../src/reminders/deliver.ts";
import { buildDigests } from "../../src/reminders/digest.ts";
import type { ReminderItem } from "../../src/reminders/types.ts";
import { describeEachDb } from "../helpers/db.ts";
import { instantLimiter } from "./fixtures.ts";

const START = new Date("2026-11-23T09:30:00Z");

function items(chats: number, perChat: number, tag: string): ReminderItem[] {
  const out: ReminderItem[] = [];
  for (let c = 0; c < chats; c++) {
    for (let i = 0; i < perChat; i++) {
      out.push({
        key: `reply-overdue:tm:${tag}-${c}-${i}@${5000 + c}`,
        rule: "reply-overdue",
        target: `tm:${tag}-${c}-${i}`,
        chatId: 5000 + c,
        section: "reply-overdue",
        line: `hb${c}@mic.gov.vn — công văn số ${i}/UBND chưa trả lời`,
        sortAt: START.toISOString(),
        profileId: "mic",
      });
    }
  }
  return out;
}

async function unsentOf(db: Parameters<typeof executeRows>[0], tag: string): Promise<Map<string, number>> {
  const rows = await executeRows<{ claimed_by: string; n: number | string }>(
    db,
    sql`select claimed_by, count(*) as n from reminder_claim_state
      where target like ${`tm:${tag}-%`} and not sent group by claimed_by`,
  );
  return new Map(rows.map((r) => [r.claimed_by, Number(r.n)]));
}

describeEachDb("reminder delivery in batches", (getDb) => {
  it("sends every digest once, confirms them all, and skips claims another run owns", async () => {
    const database = getDb();
    const chats = CONFIRM_BATCH * 2 + 50;
    const all = items(chats, 3, "a");
    expect(await claimFresh(database, all, { runId: "run-a", now: START })).toBe(all.length);
    // Chat 5007's claims belong to another run (it took them over): not ours to send.
    await executeRows(
      database.db,
      sql`update reminder_claims set claimed_by = 'run-other' where recipient_chat_id = 5007`,
    );
    const sent: number[] = [];
    const report = await deliverDigests(buildDigests(all, START), {
      database,
      send: async (chatId) => void sent.push(chatId),
      limiter: instantLimiter(),
      runId: "run-a",
      now: () => START,
    });
    expect(sent).toHaveLength(chats - 1);
    expect(new Set(sent).size).toBe(chats - 1);
    expect(sent).not.toContain(5007);
    expect(report).toMatchObject({ messages: chats - 1, items: (chats - 1) * 3, skipped: 1 });
    // Every sent claim is confirmed once delivery returns; the other run's are left to it.
    expect(await unsentOf(database.db, "a")).toEqual(new Map([["run-other", 3]]));
  });

  it("fences again before each send once a quarter of the lease has passed", async () => {
    const database = getDb();
    const all = items(6, 2, "b");
    await claimFresh(database, all, { runId: "run-b", now: START });
    let clock = START.getTime();
    const sent: number[] = [];
    await deliverDigests(buildDigests(all, START), {
      database,
      // Each message takes a minute (rate limits, retry_after): the lease of 8 minutes runs out.
      send: async (chatId) => {
        sent.push(chatId);
        clock += 60_000;
        // After the third send, another run takes the last chat's claims over.
        if (sent.length === 3) {
          await executeRows(
            database.db,
            sql`update reminder_claims set claimed_by = 'run-late' where recipient_chat_id = 5005`,
          );
        }
      },
      limiter: instantLimiter(),
      runId: "run-b",
      now: () => new Date(clock),
      leaseMs: 8 * 60_000,
      concurrency: 1,
    });
    expect(sent).toEqual([5000, 5001, 5002, 5003, 5004]);
    expect(await unsentOf(database.db, "b")).toEqual(new Map([["run-late", 2]]));
  });
});
