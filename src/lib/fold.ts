/**
 * The one way mailbot compares Vietnamese text typed by people: case and diacritics do not
 * count, and đ is d (Unicode decomposition alone keeps đ). Used by the chat parsers, the CSV
 * import and the password rules, so "Phó phòng", "pho phong" and "PHÓ PHÒNG" are one word
 * everywhere. Addresses use the stricter transliteration of policy/names.ts (foldVietnamese),
 * which agrees with this on every Vietnamese letter (test/lib/fold.test.ts).
 */

/** Lower case, diacritics removed, đ → d: "Đỗ Văn Bê" → "do van be". Spacing is kept. */
export function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase();
}

/** `fold`, with runs of white space collapsed to one space and the ends trimmed: typed words. */
export function foldWords(text: string): string {
  return fold(text).replace(/\s+/g, " ").trim();
}
