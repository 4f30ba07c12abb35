/**
 * The one fold of mailbot: case and diacritics do not count, and đ is d (Unicode decomposition
 * alone keeps đ). Chat parsers, the CSV import, the password rules, unit matching and the
 * address transliteration (policy/names.ts, policy/addresses/) all call `fold`, so "Phó phòng",
 * "pho phong" and "PHÓ PHÒNG" are one word everywhere, and a look-alike letter from an old
 * converter (Icelandic "Ð", Cyrillic "а") reads as the Vietnamese letter it stands for.
 *
 * Table-driven over UTF-16 code units (one array lookup per character, no regex), because the
 * address generator folds every name of a 500,000-row import.
 */

/** Highest code point covered by the table (Latin Extended Additional ends at U+1EFF). */
const TABLE_SIZE = 0x1f00;

/**
 * LATIN_FOLD[c]: the lower-case ASCII letter a Latin letter folds to (any letter whose NFD is an
 * ASCII letter plus combining marks, đ/Đ, and the look-alikes below), 0 for anything else.
 */
const LATIN_FOLD = new Uint8Array(TABLE_SIZE);

function isCombiningMark(c: number): boolean {
  return c >= 0x0300 && c <= 0x036f;
}

function isLatinLetterCode(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

(function buildTable(): void {
  for (let c = 0x41; c <= 0x5a; c++) {
    LATIN_FOLD[c] = c + 0x20;
    LATIN_FOLD[c + 0x20] = c + 0x20;
  }
  const ranges: Array<[number, number]> = [
    [0x00c0, 0x024f],
    [0x1e00, 0x1eff],
  ];
  for (const [from, to] of ranges) {
    for (let c = from; c <= to; c++) {
      const nfd = String.fromCharCode(c).normalize("NFD");
      const base = nfd.charCodeAt(0);
      let marksOnly = nfd.length > 1;
      for (let i = 1; i < nfd.length; i++) if (!isCombiningMark(nfd.charCodeAt(i))) marksOnly = false;
      if (isLatinLetterCode(base) && marksOnly) LATIN_FOLD[c] = base | 0x20;
    }
  }
  // Stroke letters do not decompose: đ/Đ is the one that matters (the digest's warning).
  LATIN_FOLD[0x0110] = LATIN_FOLD[0x0111] = 0x64;
})();

/**
 * Look-alike letters that legacy keyboards, fonts and converters produce in place of the
 * Vietnamese letter: Icelandic eth "Ð/ð" for "Đ/đ" (VNI and TCVN3 converters, Windows-1258
 * fonts), Cyrillic and Greek capitals and small letters drawn like Latin ones, the dotless i,
 * full-width Latin letters. Read as the letter they stand for (issue 10), never refused.
 */
export const LOOKALIKES: ReadonlyMap<number, string> = new Map<number, string>([
  [0x00d0, "Đ"],
  [0x00f0, "đ"],
  [0x0189, "Đ"],
  [0x0131, "i"],
  // Cyrillic
  [0x0410, "A"],
  [0x0430, "a"],
  [0x0412, "B"],
  [0x0415, "E"],
  [0x0435, "e"],
  [0x041a, "K"],
  [0x043a, "k"],
  [0x041c, "M"],
  [0x041d, "H"],
  [0x041e, "O"],
  [0x043e, "o"],
  [0x0420, "P"],
  [0x0440, "p"],
  [0x0421, "C"],
  [0x0441, "c"],
  [0x0422, "T"],
  [0x0423, "Y"],
  [0x0443, "y"],
  [0x0425, "X"],
  [0x0445, "x"],
  [0x0406, "I"],
  [0x0456, "i"],
  [0x0408, "J"],
  [0x0458, "j"],
  [0x0405, "S"],
  [0x0455, "s"],
  [0x0501, "d"],
  [0x04bb, "h"],
  // Greek
  [0x0391, "A"],
  [0x0392, "B"],
  [0x0395, "E"],
  [0x0397, "H"],
  [0x0399, "I"],
  [0x039a, "K"],
  [0x039c, "M"],
  [0x039d, "N"],
  [0x039f, "O"],
  [0x03bf, "o"],
  [0x03a1, "P"],
  [0x03a4, "T"],
  [0x03a5, "Y"],
  [0x03a7, "X"],
  [0x0396, "Z"],
  // Spacing tone marks some converters write instead of the combining ones.
  [0x02cb, "\u0300"],
  [0x02ca, "\u0301"],
  [0x02dc, "\u0303"],
  [0x00b4, "\u0301"],
  [0x0342, "\u0303"],
]);

// The fold reads the look-alike letters too (unit names, matching), as the letter they stand for.
for (const [code, letter] of LOOKALIKES) {
  const target = letter.charCodeAt(0);
  const folded = isLatinLetterCode(target)
    ? target | 0x20
    : target < TABLE_SIZE
      ? (LATIN_FOLD[target] ?? 0)
      : 0;
  if (code < TABLE_SIZE && folded) LATIN_FOLD[code] = folded;
}

/** Whether `c` (a UTF-16 code unit) is a letter the fold turns into an ASCII letter. */
export function foldsToLatinLetter(c: number): boolean {
  return c < TABLE_SIZE && LATIN_FOLD[c] !== 0;
}

/**
 * Lower case, diacritics removed, đ → d: "Đỗ Văn Bê" → "do van be", NFC and NFD alike. Other
 * characters (digits, punctuation, spacing, other scripts) are kept, lower-cased; stray
 * combining marks are dropped. Spacing is kept.
 */
export function fold(text: string): string {
  const s = text.normalize("NFC");
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 0x20) : s[i];
      continue;
    }
    const folded = c < TABLE_SIZE ? LATIN_FOLD[c] : 0;
    if (folded) out += String.fromCharCode(folded);
    else if (!isCombiningMark(c)) out += (s[i] as string).toLowerCase();
  }
  return out;
}

/** `fold`, with runs of white space collapsed to one space and the ends trimmed: typed words. */
export function foldWords(text: string): string {
  return fold(text).replace(/\s+/g, " ").trim();
}
