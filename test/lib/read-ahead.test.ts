import { describe, expect, it } from "vitest";
import { readAhead } from "../../src/lib/read-ahead.ts";

/** A source that logs when each element is requested and when it is closed. */
function source(count: number, log: string[], failAt?: number): AsyncIterable<number> {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (let i = 0; i < count; i++) {
          log.push(`read ${i}`);
          await Promise.resolve();
          if (i === failAt) throw new Error(`page ${i} failed`);
          yield i;
        }
      } finally {
        log.push("closed");
      }
    },
  };
}

describe("readAhead", () => {
  it("hands out every element in order and reads the next one while the caller works", async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const n of readAhead(source(3, log))) {
      // Let the read-ahead run before this element's work is logged.
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`work ${n}`);
      seen.push(n);
    }
    expect(seen).toEqual([0, 1, 2]);
    // The source ends (closed) while the last element is still being worked on.
    expect(log).toEqual(["read 0", "read 1", "work 0", "read 2", "work 1", "closed", "work 2"]);
  });

  it("closes the source when the caller stops early, after the read in flight", async () => {
    const log: string[] = [];
    for await (const n of readAhead(source(5, log))) {
      if (n === 1) break;
    }
    expect(log.at(-1)).toBe("closed");
    expect(log.filter((line) => line.startsWith("read"))).toEqual(["read 0", "read 1", "read 2"]);
  });

  it("reports a failed read at the caller's next step, not as an unhandled rejection", async () => {
    const log: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const seen: number[] = [];
      await expect(
        (async () => {
          for await (const n of readAhead(source(3, log, 1))) {
            // The read of element 1 fails while element 0 is being worked on.
            await new Promise((resolve) => setTimeout(resolve, 20));
            seen.push(n);
          }
        })(),
      ).rejects.toThrow("page 1 failed");
      expect(seen).toEqual([0]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
