import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fold, foldWords } from "../../src/lib/fold.ts";

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

  it("reads look-alike letters from old converters as the Vietnamese letter, keeps other text", () => {
    expect(fold("Ðỗ V\u0430n")).toBe("do van");
    expect(fold("PTTH&TTĐT-1 漢")).toBe("ptth&ttdt-1 漢");
  });

  it("foldWords also collapses and trims white space, as typed words need", () => {
    expect(foldWords("  Trưởng \t phòng\n")).toBe("truong phong");
  });

  it("on every Vietnamese text, is Unicode decomposition without marks, lower case, đ → d", () => {
    // The plain definition the table-driven fold must agree with.
    const byDecomposition = (text: string) =>
      text
        .normalize("NFD")
        .replace(/\p{M}+/gu, "")
        .replace(/[đĐ]/g, "d")
        .toLowerCase();
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...LETTERS, " "), { maxLength: 40 }), (chars) => {
        const text = chars.join("");
        expect(fold(text)).toBe(byDecomposition(text));
        expect(fold(text.normalize("NFD"))).toBe(fold(text));
      }),
    );
  });
});
