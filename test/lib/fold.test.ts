import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fold, foldWords } from "../../src/lib/fold.ts";
import { foldVietnamese } from "../../src/policy/names.ts";

// Every letter of the Vietnamese alphabet with every tone, upper and lower case.
const BASES = "aăâeêioôơuưy";
const TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"];
const LETTERS = [
  ..."bcdđghklmnpqrstvx",
  ...[...BASES].flatMap((b) => TONES.map((t) => (b + t).normalize("NFC"))),
].flatMap((c) => [c, c.toUpperCase()]);

describe("fold", () => {
  it("drops case and diacritics, đ becomes d, NFC and NFD alike", () => {
    expect(fold("Đỗ Văn Bê")).toBe("do van be");
    expect(fold("PHÓ PHÒNG")).toBe("pho phong");
    expect(fold("Phó phòng".normalize("NFD"))).toBe("pho phong");
    expect(fold("Hợp  đồng")).toBe("hop  dong");
  });

  it("foldWords also collapses and trims white space, as typed words need", () => {
    expect(foldWords("  Trưởng \t phòng\n")).toBe("truong phong");
  });

  it("agrees with the address transliteration on every Vietnamese text", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...LETTERS, " "), { maxLength: 40 }), (chars) => {
        const text = chars.join("");
        expect(fold(text)).toBe(foldVietnamese(text));
        expect(fold(text.normalize("NFD"))).toBe(fold(text));
      }),
    );
  });
});
