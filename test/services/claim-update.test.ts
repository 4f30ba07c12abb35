import { expect, it } from "vitest";
import { createChatStateService, type Claimant } from "../../src/services/chat-state.ts";
import { createContext } from "../../src/services/context.ts";
import { createServices } from "../../src/services/index.ts";
import { describeEachDb } from "../helpers/db.ts";

const LEASE = 20;
const by = (name: string, leaseSeconds = LEASE): Claimant => ({ claimant: `${name}:0a1b2c`, leaseSeconds });
let nextId = Math.floor(Math.random() * 1e9);
const freshId = () => ++nextId;

describeEachDb("chatState.claimUpdates", (getDb) => {
  let now = new Date("2026-11-23T08:00:00Z");
  const service = () => createChatStateService(createContext(getDb(), { clock: () => now }));
  /** The claim outcomes only (most tests ask no session). */
  const chat = () => ({
    claimUpdates: async (ids: readonly number[], claimant: Claimant, done?: readonly number[]) =>
      (
        await service().claimUpdates(
          ids.map((updateId) => ({ updateId })),
          claimant,
          done,
        )
      ).outcomes,
    markUpdatesDone: (ids: readonly number[]) => service().markUpdatesDone(ids),
    purge: (keepDays: number) => service().purge(keepDays),
    releaseUpdates: (ids: readonly number[], claimant: string) => service().releaseUpdates(ids, claimant),
  });
  const later = (seconds: number) => {
    now = new Date(now.getTime() + seconds * 1000);
  };

  it("leaves every pooled connection with its own synchronous_commit (the claim's setting is LOCAL)", async () => {
    const database = getDb();
    const services = createServices(database);
    const ids = Array.from({ length: 20 }, freshId);
    await Promise.all(
      ids.map((id, i) =>
        services.chatState.claimUpdates([{ updateId: id }], by(`c${i}`), [ids[i - 1] ?? id]),
      ),
    );
    const settings = await Promise.all(
      Array.from({ length: 20 }, () =>
        database.execute<{ s: string }>("select current_setting('synchronous_commit') as s"),
      ),
    );
    expect(new Set(settings.map((rows) => rows[0]?.s))).toEqual(new Set(["on"]));
  });

  it("one claimant wins an update, even concurrently; the others are told it is in progress, then done", async () => {
    const id = freshId();
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => (await chat().claimUpdates([id], by(`i${i}`))).get(id)),
    );
    expect(outcomes.filter((o) => o === "won")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "busy")).toHaveLength(7);
    await chat().markUpdatesDone([id]);
    expect((await chat().claimUpdates([id], by("late"))).get(id)).toBe("done");
  });

  it("an unfinished claim is taken over once its lease has passed, never before", async () => {
    const [a, b] = [freshId(), freshId()];
    expect(await chat().claimUpdates([a, b], by("dead"))).toEqual(
      new Map([
        [a, "won"],
        [b, "won"],
      ]),
    );
    await chat().markUpdatesDone([b]);
    later(LEASE - 1);
    expect(await chat().claimUpdates([a, b], by("alive"))).toEqual(
      new Map([
        [a, "busy"],
        [b, "done"],
      ]),
    );
    later(2);
    expect((await chat().claimUpdates([a], by("alive"))).get(a)).toBe("won");
    // The take-over restarts the lease: a third claimant waits for it again.
    expect((await chat().claimUpdates([a], by("third"))).get(a)).toBe("busy");
  });

  it("with lease 0 (one poller) an unfinished claim of an earlier run is taken over at once", async () => {
    const id = freshId();
    expect((await chat().claimUpdates([id], by("previous-boot", 0))).get(id)).toBe("won");
    expect((await chat().claimUpdates([id], by("this-boot", 0))).get(id)).toBe("won");
    await chat().markUpdatesDone([id]);
    expect((await chat().claimUpdates([id], by("next-boot", 0))).get(id)).toBe("done");
  });

  it("done marks ride with the next claim, in the same statement", async () => {
    const [handled, next] = [freshId(), freshId()];
    await chat().claimUpdates([handled], by("me"));
    expect((await chat().claimUpdates([next], by("me"), [handled])).get(next)).toBe("won");
    later(LEASE + 1);
    expect((await chat().claimUpdates([handled], by("other"))).get(handled)).toBe("done");
    // Only marks, nothing to claim: still written.
    await chat().claimUpdates([], by("me"), [next]);
    expect((await chat().claimUpdates([next], by("other"))).get(next)).toBe("done");
  });

  it("a release gives back only the claimant's own unfinished claim", async () => {
    const id = freshId();
    await chat().claimUpdates([id], by("first"));
    later(LEASE + 1);
    expect((await chat().claimUpdates([id], by("second"))).get(id)).toBe("won");
    // The first comes back late with its release: the claim is the second's now, and stays.
    await chat().releaseUpdates([id], by("first").claimant);
    expect((await chat().claimUpdates([id], by("third"))).get(id)).toBe("busy");
    await chat().releaseUpdates([id], by("second").claimant);
    expect((await chat().claimUpdates([id], by("third"))).get(id)).toBe("won");
  });

  it("the purge drops claims older than the kept days, finished or not, and keeps recent ones", async () => {
    const [oldDone, oldUnfinished, recent] = [freshId(), freshId(), freshId()];
    await chat().claimUpdates([oldDone, oldUnfinished], by("gone"));
    await chat().markUpdatesDone([oldDone]);
    later(8 * 86_400);
    await chat().claimUpdates([recent], by("me"));
    const { updates } = await chat().purge(7);
    expect(updates).toBeGreaterThanOrEqual(2);
    const left = await getDb().execute<{ update_id: string | number }>(
      `select update_id from processed_updates where update_id in (${oldDone}, ${oldUnfinished}, ${recent})`,
    );
    expect(left.map((row) => Number(row.update_id))).toEqual([recent]);
  });

  it("refuses a claimant name that could break out of the statement", async () => {
    await expect(
      chat().claimUpdates([freshId()], { claimant: "x'; drop table staff; --", leaseSeconds: 1 }),
    ).rejects.toThrow(/không hợp lệ/);
  });

  it("claims many in one statement and returns each won update's live session, nothing for the lost", async () => {
    const services = service();
    await services.setSession("flow:1:1", { step: "password" }, 600);
    await services.setSession("flow:3:3", { step: "old" }, 1);
    const [a, b, c, d, e] = [freshId(), freshId(), freshId(), freshId(), freshId()];
    await chat().claimUpdates([d], by("other"));
    later(2); // flow:3:3 has expired
    const claimed = await service().claimUpdates(
      [
        { updateId: a, sessionKey: "flow:1:1" },
        { updateId: b, sessionKey: "flow:2:2" },
        { updateId: c, sessionKey: "flow:3:3" },
        { updateId: d, sessionKey: "flow:1:1" },
        { updateId: e },
      ],
      by("me"),
    );
    expect(Object.fromEntries(claimed.sessions)).toEqual({
      [a]: { step: "password" },
      [b]: null,
      [c]: null,
      [e]: null,
    });
    expect(claimed.outcomes.get(d)).toBe("busy");
    // A key that could end the SQL literal is refused, and nothing is claimed.
    const f = freshId();
    await expect(
      service().claimUpdates([{ updateId: f, sessionKey: "x'; drop table staff; --" }], by("me")),
    ).rejects.toThrow("Khóa phiên");
    expect((await chat().claimUpdates([f], by("me"))).get(f)).toBe("won");
  });
});
