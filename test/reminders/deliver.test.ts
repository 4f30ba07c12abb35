import { describe, expect, it } from "vitest";
import { classifySendError, RateLimiter } from "../../src/reminders/deliver.ts";
import { buildDigests, MAX_MESSAGE_CHARS } from "../../src/reminders/digest.ts";
import type { ReminderItem } from "../../src/reminders/types.ts";

function virtualClock() {
  let t = 0;
  return { clock: { now: () => t, sleep: async (ms: number) => void (t += ms) }, time: () => t };
}

describe("rate limiter", () => {
  it("allows a burst of 30, then about 30 per second overall", async () => {
    const { clock, time } = virtualClock();
    const limiter = new RateLimiter({ clock });
    for (let i = 0; i < 90; i++) await limiter.acquire(i);
    // 30 immediately, 60 more at 30/s.
    expect(time()).toBeGreaterThanOrEqual(1990);
    expect(time()).toBeLessThanOrEqual(2100);
  });
  it("spaces messages to one chat by one second", async () => {
    const { clock, time } = virtualClock();
    const limiter = new RateLimiter({ clock });
    for (let i = 0; i < 4; i++) await limiter.acquire(42);
    expect(time()).toBe(3000);
  });
});

describe("send errors", () => {
  it("classifies 403 and deleted chats as blocked, 429 as retry-after", () => {
    expect(
      classifySendError({ error_code: 403, description: "Forbidden: bot was blocked by the user" }).kind,
    ).toBe("blocked");
    expect(classifySendError({ error_code: 400, description: "Bad Request: chat not found" }).kind).toBe(
      "blocked",
    );
    expect(classifySendError({ error_code: 429, parameters: { retry_after: 3 } })).toMatchObject({
      kind: "retry_after",
      retryAfterMs: 3000,
    });
    expect(classifySendError(new Error("ECONNRESET")).kind).toBe("other");
  });
});

describe("digest", () => {
  const item = (i: number, section: ReminderItem["section"]): ReminderItem => ({
    key: `r:${i}@1`,
    rule: "r",
    target: `t:${i}`,
    chatId: 1,
    section,
    line: `mục số ${i} ${"x".repeat(100)}`,
    sortAt: new Date(1_700_000_000_000 + i).toISOString(),
    profileId: "mic",
  });
  it("keeps one message under Telegram's limit and counts what does not fit", () => {
    const items = [...Array.from({ length: 100 }, (_, i) => item(i, "reply-overdue")), item(1000, "quota")];
    const [digest] = buildDigests(items, new Date("2026-11-23T09:30:00Z"));
    expect(digest?.text.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    expect(digest?.text).toMatch(/… và \d+ mục khác/);
    expect(digest?.keys.length).toBe(101);
    expect(digest?.text.startsWith("🔔 Nhắc việc 16:30 thứ Hai 23/11/2026")).toBe(true);
  });
});
