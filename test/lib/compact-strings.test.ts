import { describe, expect, it } from "vitest";
import { CompactStringMap } from "../../src/lib/compact-strings.ts";

describe("CompactStringMap", () => {
  it("answers exactly like a Map across many keys, growth and rehashing included", () => {
    const compact = new CompactStringMap();
    const plain = new Map<string, number>();
    // Vietnamese, e-mail-like and near-identical keys; enough of them to grow every buffer.
    for (let i = 0; i < 30_000; i++) {
      const key =
        i % 3 === 0 ? `cb${i}` : i % 3 === 1 ? `nguyễn.văn.${i}@phuyen.gov.vn` : `${"x".repeat(i % 300)}${i}`;
      compact.set(key, i);
      plain.set(key, i);
    }
    expect(compact.size).toBe(plain.size);
    for (const [key, value] of plain) expect(compact.get(key)).toBe(value);
    for (const absent of ["cb1", "cb30000", "", "nguyen.van.1@phuyen.gov.vn", "CB0"])
      expect(compact.has(absent)).toBe(plain.has(absent));
  });

  it("setting a key again changes its value, not its size", () => {
    const m = new CompactStringMap().set("an@phuyen.gov.vn", 2).set("", 7);
    m.set("an@phuyen.gov.vn", 9);
    expect(m.size).toBe(2);
    expect(m.get("an@phuyen.gov.vn")).toBe(9);
    expect(m.get("")).toBe(7);
    expect(m.get("An@phuyen.gov.vn")).toBeUndefined();
  });

  it("refuses values that do not fit in 32 bits", () => {
    expect(() => new CompactStringMap().set("a", -1)).toThrow(RangeError);
    expect(() => new CompactStringMap().set("a", 2 ** 32)).toThrow(RangeError);
  });
});
