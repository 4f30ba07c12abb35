import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeLegacyVietnamese,
  detectLegacyEncoding,
  encodeLegacyVietnamese,
} from "../../src/policy/legacy-encodings.ts";
import { fold, LOOKALIKES } from "../../src/lib/fold.ts";
import { normalizeName, parseVietnameseName, readLookalikes } from "../../src/policy/names.ts";

function expectError(result: { ok: boolean; error?: { code: string; message: string } }, code: string): void {
  expect(result.ok).toBe(false);
  if (!result.ok && result.error) {
    expect(result.error.code).toBe(code);
    expect(result.error.message.length).toBeGreaterThan(20);
  }
}

describe("normalizeName", () => {
  it("trims, collapses spaces and tabs, capitalises every word", () => {
    expect(normalizeName("nGUYỄN  văn a")).toEqual({ ok: true, value: "Nguyễn Văn A" });
    expect(normalizeName("\t đỗ\t\tvăn   bê \n")).toEqual({ ok: true, value: "Đỗ Văn Bê" });
    expect(normalizeName("ĐẶNG THỊ\u00a0HỒNG")).toEqual({ ok: true, value: "Đặng Thị Hồng" });
  });

  it("gives the same result for NFC and NFD input", () => {
    const name = "Nguyễn Thị Ngọc Ánh";
    expect(normalizeName(name.normalize("NFD"))).toEqual(normalizeName(name.normalize("NFC")));
    const value = normalizeName(name.normalize("NFD"));
    expect(value.ok && value.value === value.value.normalize("NFC")).toBe(true);
  });

  it("drops invisible characters pasted from office documents", () => {
    expect(normalizeName("Lê\u200b Văn\ufeff Tám")).toEqual({ ok: true, value: "Lê Văn Tám" });
  });

  // Issue 9 item 7: "Nguyễn\u200bVăn An" used to become "NguyễnVăn An" → nan@.
  it("never lets an invisible character glue two words together: refused with a clear message", () => {
    for (const glue of [
      "\u200b",
      "\u200c",
      "\u200d",
      "\u2060",
      "\ufeff",
      "\u200e",
      "\u202a",
      "\u2063",
      "\ufe0f",
    ]) {
      const result = normalizeName(`Nguyễn${glue}Văn An`);
      expectError(result, "invisible_chars");
      if (!result.ok) {
        expect(result.error.message).toContain("“Nguyễn”");
        expect(result.error.message).toContain("“Văn”");
        expect(result.error.message).toMatch(/U\+[0-9A-F]{4}/);
      }
    }
  });

  it("drops invisible characters at the start and end of a word (they glue nothing)", () => {
    expect(normalizeName("\u200bLê Văn Tám\u200d")).toEqual({ ok: true, value: "Lê Văn Tám" });
    expect(normalizeName("Lê \u2060Văn Tám")).toEqual({ ok: true, value: "Lê Văn Tám" });
  });

  // Issue 10: look-alike letters from legacy keyboards and converters are read as the letter.
  it("reads look-alike letters as the Vietnamese letter they stand for", () => {
    expect(normalizeName("Ðỗ Văn Bê")).toEqual({ ok: true, value: "Đỗ Văn Bê" }); // U+00D0 eth
    expect(normalizeName("ðặng Thị Hồng")).toEqual({ ok: true, value: "Đặng Thị Hồng" }); // U+00F0
    expect(normalizeName("Nguyễn V\u0430n \u0410n")).toEqual({ ok: true, value: "Nguyễn Van An" }); // Cyrillic а, А
    expect(normalizeName("Nguy\u0435\u0302\u0303n Văn An")).toEqual({ ok: true, value: "Nguyễn Văn An" }); // Cyrillic е + marks
    expect(normalizeName("Nguyê\u02cbn Văn An")).toEqual({ ok: true, value: "Nguyền Văn An" }); // spacing grave
    expect(normalizeName("\uff2eguyễn Văn An")).toEqual({ ok: true, value: "Nguyễn Văn An" }); // full-width N
    expect(fold("Ðỗ V\u0430n")).toBe("do van");
  });

  // readLookalikes returns plain names (ASCII and Vietnamese letters) untouched without reading
  // them: that shortcut must never skip a look-alike.
  it("reads every look-alike, after a plain letter or alone", () => {
    for (const code of LOOKALIKES.keys()) {
      const ch = String.fromCodePoint(code);
      expect(readLookalikes(`a${ch}`), `U+${code.toString(16)}`).not.toBe(`a${ch}`);
    }
    expect(readLookalikes("Nguyễn Văn An")).toBe("Nguyễn Văn An");
    expect(readLookalikes("Nguyễn Văn An".normalize("NFD"))).toBe("Nguyễn Văn An");
  });

  it("accepts names with apostrophes and hyphens inside a word (ethnic minority names)", () => {
    expect(normalizeName("h'hen niê")).toEqual({ ok: true, value: "H'Hen Niê" });
    expect(normalizeName("Y-Moan ênuôl")).toEqual({ ok: true, value: "Y-Moan Ênuôl" });
    expect(normalizeName("H’Hen Niê")).toEqual({ ok: true, value: "H'Hen Niê" });
  });

  it("rejects empty input", () => {
    expectError(normalizeName(""), "empty");
    expectError(normalizeName("   \t "), "empty");
  });

  it("rejects digits", () => {
    expectError(normalizeName("Nguyễn Văn 3"), "digits");
    expectError(normalizeName("Nguyễn Văn A2"), "digits");
  });

  it("rejects emoji, other scripts and punctuation", () => {
    expectError(normalizeName("Nguyễn Văn 😀"), "invalid_chars");
    expectError(normalizeName("王 小明"), "invalid_chars");
    expectError(normalizeName("Иван Петров"), "invalid_chars");
    expectError(normalizeName("Nguyễn Văn A."), "invalid_chars");
    expectError(normalizeName("Nguyễn, Văn A"), "invalid_chars");
    expectError(normalizeName("Müller Hans"), "invalid_chars");
    expectError(normalizeName("'Nguyễn Văn"), "invalid_chars");
    expectError(normalizeName("Nguyễn- Văn"), "invalid_chars");
  });

  it("hints at legacy encodings when the junk looks like TCVN3 or VNI", () => {
    const result = normalizeName("NguyÔn V¨n §øc");
    expectError(result, "invalid_chars");
    expect(!result.ok && result.error.message).toMatch(/TCVN3/);
  });

  it("asks for the full name when only one word is given", () => {
    const result = normalizeName("An");
    expectError(result, "single_word");
    expect(!result.ok && result.error.message).toMatch(/^Nhập đủ họ và tên/);
  });

  it("rejects names over 100 characters", () => {
    expectError(normalizeName("Nguyễn " + "Văn ".repeat(30) + "An"), "too_long");
    expect(normalizeName("Nguyễn " + "Văn ".repeat(20) + "An").ok).toBe(true);
  });
});

describe("parseVietnameseName", () => {
  it("splits family, middle and given names", () => {
    expect(parseVietnameseName("Đỗ Văn Bê")).toEqual({
      ok: true,
      value: { family: "Đỗ", middle: ["Văn"], given: "Bê" },
    });
    expect(parseVietnameseName("nguyễn an")).toEqual({
      ok: true,
      value: { family: "Nguyễn", middle: [], given: "An" },
    });
  });

  it("keeps several middle names and compound family names in order", () => {
    expect(parseVietnameseName("Tôn Nữ Thị Ngọc Anh")).toEqual({
      ok: true,
      value: { family: "Tôn", middle: ["Nữ", "Thị", "Ngọc"], given: "Anh" },
    });
  });

  it("passes errors through", () => {
    expectError(parseVietnameseName("Bê"), "single_word");
  });
});

describe("fold (the one fold, src/lib/fold.ts)", () => {
  it("removes diacritics, lower-cases, maps đ/Đ to d", () => {
    expect(fold("Đỗ Văn Bê")).toBe("do van be");
    expect(fold("ĐẶNG ĐÌNH ĐỨC")).toBe("dang dinh duc");
    expect(fold("Ưng Hoàng Phúc")).toBe("ung hoang phuc");
  });

  it("handles NFD input and keeps other characters", () => {
    expect(fold("Nguyễn Văn Đức".normalize("NFD"))).toBe("nguyen van duc");
    expect(fold("PTTH&TTĐT-1 漢")).toBe("ptth&ttdt-1 漢");
  });

  it("folds every precomposed Vietnamese letter to an ASCII letter", () => {
    const letters = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ";
    for (const ch of letters + letters.toUpperCase()) {
      expect(fold(ch)).toMatch(/^[a-z]$/);
    }
  });
});

describe("legacy encodings", () => {
  const name = "Nguyễn Văn Đức";

  it("decodes TCVN3 (ABC, .VnTime)", () => {
    expect(decodeLegacyVietnamese("NguyÔn V¨n §øc", "tcvn3")).toBe(name);
    expect(encodeLegacyVietnamese(name, "tcvn3")).toBe("NguyÔn V¨n §øc");
    // ư is the soft hyphen position (0xAD), invisible in most fonts.
    expect(decodeLegacyVietnamese("H\u00ad¬ng", "tcvn3")).toBe("Hương");
  });

  it("decodes VNI Windows (VNI-Times)", () => {
    expect(decodeLegacyVietnamese("Nguyeãn Vaên Ñöùc", "vni")).toBe(name);
    expect(encodeLegacyVietnamese(name, "vni")).toBe("Nguyeãn Vaên Ñöùc");
    expect(decodeLegacyVietnamese("NGUYEÃN VAÊN ÑÖÙC", "vni")).toBe("NGUYỄN VĂN ĐỨC");
  });

  const names = [
    "Nguyễn Văn Đức",
    "Trần Thị Hà",
    "Lê Thị Thu Thuỷ",
    "Hồ Xuân Hương",
    "Võ Thị Sáu",
    "Dương Văn Minh",
    "Lý Tự Trọng",
    "Bùi Xuân Phái",
    "Tôn Nữ Thị Ngọc Anh",
    "Đặng Thùy Trâm",
    "Hoà Bình",
    "Phan Bội Châu",
  ];

  it.each(names)("round-trips and auto-detects %s", (n) => {
    for (const encoding of ["tcvn3", "vni"] as const) {
      const encoded = encodeLegacyVietnamese(n, encoding);
      expect(decodeLegacyVietnamese(encoded, encoding)).toBe(n);
      expect(decodeLegacyVietnamese(encoded, "auto")).toBe(n);
    }
  });

  it("auto leaves Unicode and ASCII unchanged", () => {
    for (const n of [...names, "Hòa Bình", "Tô Hà", "Nguyen Van A", "Nguyễn Văn Đức".normalize("NFD")]) {
      expect(decodeLegacyVietnamese(n, "auto")).toBe(n);
      expect(detectLegacyEncoding(n)).toBe("unicode");
    }
  });

  it("round-trips any lower-case Vietnamese text through VNI", () => {
    const letters = [
      ..."aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ ",
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...letters), { maxLength: 40 }), (chars) => {
        const text = chars.join("");
        expect(decodeLegacyVietnamese(encodeLegacyVietnamese(text, "vni"), "vni")).toBe(text);
        expect(decodeLegacyVietnamese(encodeLegacyVietnamese(text, "tcvn3"), "tcvn3")).toBe(text);
      }),
    );
  });
});
