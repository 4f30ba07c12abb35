/**
 * Issue 13: above ~125,000 items the sweep died with "RangeError: Maximum call stack size
 * exceeded" (push(...items) passes every item as an argument). The pure half of the sweep, in
 * memory and in seconds: 200,000 due items from synthetic facts through the reply rule and the
 * digests, all at once (as a dry run holds them). The database half, paged, is
 * sweep-scale.test.ts at a smaller size.
 */
import { describe, expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";
import { buildDigests } from "../../src/reminders/digest.ts";
import { replyRule, type UnansweredFact } from "../../src/reminders/rules/reply.ts";
import { at } from "./fixtures.ts";

const MONDAY_1630 = at("2026-11-23T16:30:00+07:00");
const MAILBOXES = 1_000;
const UNITS = 10;
const MESSAGES = 100_000;

describe("reminder sweep with 200,000 due items, in memory", () => {
  it("decides and renders every item, one digest per recipient, without overflowing the stack", () => {
    const received = at("2026-11-18T09:00:00+07:00");
    const facts: UnansweredFact[] = Array.from({ length: MESSAGES }, (_, i) => {
      const box = i % MAILBOXES;
      const unit = box % UNITS;
      return {
        mailboxId: box + 1,
        address: `tai${box + 1}@mic.gov.vn`,
        profileId: "mic",
        kind: "personal",
        unitId: unit + 1,
        unitName: `Đơn vị ${unit + 1}`,
        keeperChatId: null,
        ownerChatId: 7_000_000 + box,
        headChatIds: [8_000_000 + unit],
        trackedId: i + 1,
        sender: "vanthu@mic.gov.vn",
        subject: `V/v số ${i + 1}`,
        receivedAt: received,
      };
    });
    const ctx = {
      now: MONDAY_1630,
      calendar: createCalendar(),
      profile: getProfile("mic"),
      supportChatId: null,
    };
    const { reminders } = replyRule(facts, ctx);
    // Overdue (received Wednesday, limit 2 working days): the owner and the unit head, each.
    expect(reminders).toHaveLength(2 * MESSAGES);
    expect(new Set(reminders.map((item) => item.key)).size).toBe(2 * MESSAGES);

    const digests = buildDigests(reminders, MONDAY_1630);
    expect(digests).toHaveLength(MAILBOXES + UNITS);
    expect(new Set(digests.map((d) => d.chatId)).size).toBe(MAILBOXES + UNITS);
    expect(digests.reduce((n, d) => n + d.keys.length, 0)).toBe(2 * MESSAGES);
    // A head's digest carries 10,000 items and still fits one Telegram message.
    const head = digests.find((d) => d.chatId === 8_000_000);
    expect(head?.keys).toHaveLength(MESSAGES / UNITS);
    expect(head?.text).toMatch(/… và \d+ mục khác/);
  }, 120_000);
});
