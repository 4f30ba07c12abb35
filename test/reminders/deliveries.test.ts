/**
 * Delivery bookkeeping per digest (issue 13): a sent digest settles all of its items by one row
 * of reminder_deliveries (run × recipient), and everything the per-item confirm guaranteed
 * still holds: nothing is sent twice, a crashed run's items are resent once after the lease (one
 * digest per recipient), a blocked chat or a send given up after MAX_ATTEMPTS is settled and
 * reported, and items added to a recipient after its digest went out are not lost.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { executeRows, type Database } from "../../src/db/client.ts";
import {
  claimFresh,
  claimItems,
  confirmDigests,
  DEFAULT_LEASE_MS,
  fenceDigests,
  MAX_ATTEMPTS,
  ownedPages,
  takeOverAbandoned,
} from "../../src/reminders/claims.ts";
import { deliverDigests, type SendFn } from "../../src/reminders/deliver.ts";
import { buildDigests } from "../../src/reminders/digest.ts";
import { runSweep, type SweepDeps } from "../../src/reminders/sweep.ts";
import type { ReminderItem } from "../../src/reminders/types.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, addTracked, at, fakeTelegram, instantLimiter, seedOrg, sweepDeps } from "./fixtures.ts";

const START = new Date("2026-11-23T09:30:00Z");
const later = (minutes: number): Date => new Date(START.getTime() + minutes * 60_000);

function itemsFor(chatId: number, count: number, tag: string): ReminderItem[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `reply-overdue:tm:${tag}-${chatId}-${i}@${chatId}`,
    rule: "reply-overdue",
    target: `tm:${tag}-${chatId}-${i}`,
    chatId,
    section: "reply-overdue" as const,
    line: `${tag}${chatId}@mic.gov.vn — công văn số ${i}/UBND chưa trả lời`,
    sortAt: START.toISOString(),
    profileId: "mic",
  }));
}

/** Takes over abandoned claims of `profiles` for `runId` at `now`, with the default lease. */
function takeOver(database: Database, runId: string, now: Date, profiles = ["mic"]): Promise<number> {
  return takeOverAbandoned(database, { runId, now, leaseMs: DEFAULT_LEASE_MS, profiles });
}

async function owned(database: Database, runId: string): Promise<ReminderItem[]> {
  const items: ReminderItem[] = [];
  for await (const page of ownedPages(database, runId, () => null))
    for (const item of page.items) items.push(item);
  return items;
}

/** Claims of `tag` by state: sent or not, as every reader sees it. */
async function stateOf(database: Database, tag: string): Promise<{ sent: number; unsent: number }> {
  const rows = await executeRows<{ sent: number; unsent: number }>(
    database.db,
    sql`select count(*) filter (where sent)::int as sent, count(*) filter (where not sent)::int as unsent
      from reminder_claim_state where target like ${`tm:${tag}-%`}`,
  );
  return rows[0] ?? { sent: 0, unsent: 0 };
}

const deliver = (database: Database, runId: string, items: ReminderItem[], send: SendFn, now: Date) =>
  deliverDigests(buildDigests(items, now), {
    database,
    send,
    limiter: instantLimiter(),
    runId,
    now: () => now,
  });

describeEachDb("reminder deliveries: one row per digest", (getDb, driver) => {
  it("a delivered digest settles every one of its items: nothing is read back, taken over or sent again", async () => {
    const database = getDb();
    const items = [...itemsFor(6101, 4, "one"), ...itemsFor(6102, 3, "one")];
    await claimFresh(database, items, { runId: "run-one", now: START });
    const sent: number[] = [];
    const report = await deliver(database, "run-one", items, async (chat) => void sent.push(chat), START);
    expect(report).toMatchObject({ messages: 2, items: 7 });
    expect(await stateOf(database, "one")).toEqual({ sent: 7, unsent: 0 });
    // One row per digest, sent.
    const rows = await executeRows<{ chat: string; sent: boolean }>(
      database.db,
      sql`select chat_id::text as chat, sent_at is not null as sent from reminder_deliveries
        where run_id = 'run-one' order by chat_id`,
    );
    expect(rows).toEqual([
      { chat: "6101", sent: true },
      { chat: "6102", sent: true },
    ]);
    expect(await owned(database, "run-one")).toEqual([]);
    const taken = await takeOver(database, "run-one-later", later(60));
    expect(taken).toBe(0);
    // Delivering the same digests again sends nothing: their claims are no longer this run's to send.
    const again: number[] = [];
    const second = await deliver(database, "run-one", items, async (chat) => void again.push(chat), later(1));
    expect(again).toEqual([]);
    expect(second.skipped).toBe(2);
  });

  it("a crash after the claim and before the send: after the lease each item is resent once, one digest per recipient", async () => {
    const database = getDb();
    // Two runs crashed with items for chat 6201 (and one more chat each), nothing sent.
    await claimFresh(database, [...itemsFor(6201, 2, "crash-a"), ...itemsFor(6202, 2, "crash-a")], {
      runId: "run-crash-a",
      now: START,
    });
    await claimFresh(database, [...itemsFor(6201, 3, "crash-b"), ...itemsFor(6203, 1, "crash-b")], {
      runId: "run-crash-b",
      now: later(1),
    });
    // Within the lease: nothing to take over.
    const early = await takeOver(database, "run-early", later(5));
    expect(early).toBe(0);
    // After it: a run of another profile takes nothing; the profile's next run takes every item.
    expect(await takeOver(database, "run-other-profile", later(12), ["phuyen"])).toBe(0);
    const taken = await takeOver(database, "run-retry", later(12));
    expect(taken).toBe(8);
    const items = await owned(database, "run-retry");
    expect(items).toHaveLength(8);
    const tg = fakeTelegram();
    await deliver(database, "run-retry", items, tg.send, later(12));
    expect(tg.sent.map((m) => m.chatId).sort()).toEqual([6201, 6202, 6203]);
    const lines = tg.sent.flatMap((m) => m.text.split("\n").filter((l) => l.includes("công văn số")));
    expect(lines).toHaveLength(8);
    expect(new Set(lines).size).toBe(8);
    expect(await stateOf(database, "crash-a")).toEqual({ sent: 4, unsent: 0 });
    expect(await stateOf(database, "crash-b")).toEqual({ sent: 4, unsent: 0 });
    // The crashed runs' digests are gone with their claims: nothing is left to take over.
    const left = await executeRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from reminder_deliveries where run_id like 'run-crash-%'`,
    );
    expect(left[0]?.n).toBe(0);
    expect(await takeOver(database, "run-retry-2", later(40))).toBe(0);
  });

  it("claimItems takes abandoned items over with their lines and claims fresh ones: one digest with all", async () => {
    const database = getDb();
    const abandoned = itemsFor(6501, 2, "ci-old");
    await claimFresh(database, abandoned, { runId: "run-ci-crashed", now: START });
    const fresh = itemsFor(6501, 1, "ci-new");
    const result = await claimItems(database, fresh, {
      runId: "run-ci",
      now: later(12),
      leaseMs: DEFAULT_LEASE_MS,
      retryProfiles: ["mic"],
    });
    expect(result.retried.map((i) => i.line).sort()).toEqual(abandoned.map((i) => i.line).sort());
    expect(result.claimed.map((i) => i.key)).toEqual(fresh.map((i) => i.key));
    const tg = fakeTelegram();
    await deliver(database, "run-ci", await owned(database, "run-ci"), tg.send, later(12));
    expect(tg.sent).toHaveLength(1);
    expect(tg.sent[0]?.text).toContain("ci-old6501@mic.gov.vn — công văn số 1/UBND");
    expect(tg.sent[0]?.text).toContain("ci-new6501@mic.gov.vn — công văn số 0/UBND");
    expect(await stateOf(database, "ci-old")).toEqual({ sent: 2, unsent: 0 });
  });

  // Two connections at once: a server only (PGlite is one connection).
  it.runIf(driver === "postgres")(
    "a fence refreshing a stale delivery keeps a concurrent takeover out",
    async () => {
      const database = getDb();
      const items = itemsFor(6601, 2, "race");
      await claimFresh(database, items, { runId: "run-race-owner", now: START });
      const takeover = () => takeOver(database, "run-race-taker", later(12));
      await database.db.transaction(async (tx) => {
        // The owner, slow past its lease, fences its digest: the delivery is refreshed (locked)…
        const fenced = await fenceDigests(
          tx,
          [{ chatId: 6601, keys: items.map((i) => i.key) }],
          "run-race-owner",
          later(12),
          later(10),
        );
        expect([...fenced.keys].sort()).toEqual(items.map((i) => i.key).sort());
        // …so a takeover meanwhile moves nothing.
        expect(await takeover()).toBe(0);
      });
      // After the owner's commit its lease runs again from the fence.
      expect(await takeover()).toBe(0);
      expect(await owned(database, "run-race-owner")).toHaveLength(2);
      // The owner's send is confirmed (and leaves nothing for the other tests' takeovers).
      await confirmDigests(database.db, { chats: [6601], keys: [] }, "run-race-owner", later(12));
      expect(await stateOf(database, "race")).toEqual({ sent: 2, unsent: 0 });
    },
  );

  it("a failed send keeps the items for the next run, up to MAX_ATTEMPTS; then they are settled with the error", async () => {
    const database = getDb();
    const items = itemsFor(6301, 2, "fail");
    await claimFresh(database, items, { runId: "run-fail-0", now: START });
    const failing: SendFn = async () => {
      throw Object.assign(new Error("Bad Gateway"), { error_code: 502, description: "Bad Gateway" });
    };
    let run = "run-fail-0";
    let now = START;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const report = await deliver(database, run, await owned(database, run), failing, now);
      expect(report.failed).toEqual([{ chatId: 6301, error: "Bad Gateway" }]);
      if (attempt < MAX_ATTEMPTS) {
        expect(report.gaveUp).toEqual([]);
        expect(await stateOf(database, "fail")).toEqual({ sent: 0, unsent: 2 });
        now = new Date(now.getTime() + DEFAULT_LEASE_MS + 60_000);
        run = `run-fail-${attempt}`;
        expect(await takeOver(database, run, now)).toBe(2);
      } else {
        expect(report.gaveUp.sort()).toEqual(items.map((i) => i.key).sort());
      }
    }
    expect(await stateOf(database, "fail")).toEqual({ sent: 2, unsent: 0 });
    const errors = await executeRows<{ last_error: string }>(
      database.db,
      sql`select last_error from reminder_claim_state where target like 'tm:fail-%'`,
    );
    expect(errors.map((e) => e.last_error)).toEqual(["Bad Gateway", "Bad Gateway"]);
    expect(await takeOver(database, "run-fail-after", new Date(now.getTime() + 2 * DEFAULT_LEASE_MS))).toBe(
      0,
    );
  });

  it("items added for a recipient after its digest went out (the run's report) are sent; the sent ones stay sent", async () => {
    const database = getDb();
    const first = itemsFor(6401, 3, "late");
    await claimFresh(database, first, { runId: "run-late", now: START });
    const tg = fakeTelegram();
    await deliver(database, "run-late", await owned(database, "run-late"), tg.send, START);
    expect(tg.sent).toHaveLength(1);
    const extra = itemsFor(6401, 5, "late").slice(3);
    await claimFresh(database, extra, { runId: "run-late", now: START });
    const again = await owned(database, "run-late");
    expect(again.map((i) => i.key).sort()).toEqual(extra.map((i) => i.key).sort());
    await deliver(database, "run-late", again, tg.send, START);
    expect(tg.sent).toHaveLength(2);
    expect(tg.sent[1]?.text).toContain("công văn số 4/UBND");
    expect(tg.sent[1]?.text).not.toContain("công văn số 0/UBND");
    expect(await stateOf(database, "late")).toEqual({ sent: 5, unsent: 0 });
  });
});

const MONDAY_1400 = at("2026-11-23T14:00:00+07:00");

describeEachDb(
  "reminder deliveries in a sweep",
  (getDb) => {
    const deps = (send: SweepDeps["send"]): SweepDeps => sweepDeps(getDb(), send);

    it("a head's digest that keeps failing is given up after MAX_ATTEMPTS runs and reported to the support chat", async () => {
      const db = getDb();
      const org = await seedOrg(db);
      const box = await addMailbox(db, org, "gaveup", { kind: "personal" });
      await addTracked(db, box, "<gaveup@x>", "2026-11-18T09:00:00+07:00");
      const failHead = (chatId: number) =>
        chatId === org.headChat
          ? Object.assign(new Error("Internal Server Error"), {
              error_code: 500,
              description: "Internal Server Error",
            })
          : undefined;
      const all: number[] = [];
      let report;
      for (let run = 0; run < MAX_ATTEMPTS; run++) {
        const tg = fakeTelegram(failHead);
        // Each run after the lease of the one before.
        report = await runSweep(deps(tg.send), {
          now: new Date(MONDAY_1400.getTime() + run * 11 * 60_000),
          rules: ["reply"],
        });
        for (const m of tg.sent) all.push(m.chatId);
      }
      // The owner got one digest; the head's was tried MAX_ATTEMPTS times, then reported once.
      expect(all.filter((c) => c === org.ownerChat)).toHaveLength(1);
      expect(all.filter((c) => c === 999)).toHaveLength(1);
      expect(report?.delivery?.gaveUp).toHaveLength(1);
      const unsent = await db.execute<{ n: number }>(
        sql`select count(*)::int as n from reminder_claim_state where not sent`,
      );
      expect(unsent[0]?.n).toBe(0);
      const tg = fakeTelegram();
      await runSweep(deps(tg.send), { now: new Date(MONDAY_1400.getTime() + 90 * 60_000), rules: ["reply"] });
      expect(tg.sent).toEqual([]);
    });
  },
  { resetEach: true },
);
