/**
 * Old Vietnamese font encodings still found in staff lists: TCVN3 (ABC, fonts ".VnTime") and
 * VNI Windows (fonts "VNI-Times"). Both reuse Latin-1 code points, so a file saved from Word
 * or Excel shows "NguyÔn V¨n §øc" (TCVN3) or "Nguyeãn Vaên Ñöùc" (VNI) for "Nguyễn Văn Đức".
 *
 * The tables follow the published TCVN 5712:1993 VN3 layout (the byte positions are the same as
 * in the VN1 table of glibc's TCVN5712-1 converter) and the VNI Windows table. Text is handled
 * as JS strings whose code units are the Latin-1 reading of the bytes.
 */

export type LegacyEncoding = "tcvn3" | "vni";

// ---------------------------------------------------------------------------------------------
// TCVN3 (ABC): one byte per letter. Upper case exists only for Ă Â Ê Ô Ơ Ư Đ; capitals with a
// tone were drawn with a separate "H" font (.VnTimeH) on the lower-case positions.
// ---------------------------------------------------------------------------------------------

/** [byte, Unicode] pairs for TCVN3, byte as its Latin-1 code point. */
const TCVN3_PAIRS: ReadonlyArray<readonly [number, string]> = [
  [0xa1, "Ă"],
  [0xa2, "Â"],
  [0xa3, "Ê"],
  [0xa4, "Ô"],
  [0xa5, "Ơ"],
  [0xa6, "Ư"],
  [0xa7, "Đ"],
  [0xa8, "ă"],
  [0xa9, "â"],
  [0xaa, "ê"],
  [0xab, "ô"],
  [0xac, "ơ"],
  [0xad, "ư"],
  [0xae, "đ"],
  [0xb5, "à"],
  [0xb6, "ả"],
  [0xb7, "ã"],
  [0xb8, "á"],
  [0xb9, "ạ"],
  [0xbb, "ằ"],
  [0xbc, "ẳ"],
  [0xbd, "ẵ"],
  [0xbe, "ắ"],
  [0xc6, "ặ"],
  [0xc7, "ầ"],
  [0xc8, "ẩ"],
  [0xc9, "ẫ"],
  [0xca, "ấ"],
  [0xcb, "ậ"],
  [0xcc, "è"],
  [0xce, "ẻ"],
  [0xcf, "ẽ"],
  [0xd0, "é"],
  [0xd1, "ẹ"],
  [0xd2, "ề"],
  [0xd3, "ể"],
  [0xd4, "ễ"],
  [0xd5, "ế"],
  [0xd6, "ệ"],
  [0xd7, "ì"],
  [0xd8, "ỉ"],
  [0xdc, "ĩ"],
  [0xdd, "í"],
  [0xde, "ị"],
  [0xdf, "ò"],
  [0xe1, "ỏ"],
  [0xe2, "õ"],
  [0xe3, "ó"],
  [0xe4, "ọ"],
  [0xe5, "ồ"],
  [0xe6, "ổ"],
  [0xe7, "ỗ"],
  [0xe8, "ố"],
  [0xe9, "ộ"],
  [0xea, "ờ"],
  [0xeb, "ở"],
  [0xec, "ỡ"],
  [0xed, "ớ"],
  [0xee, "ợ"],
  [0xef, "ù"],
  [0xf1, "ủ"],
  [0xf2, "ũ"],
  [0xf3, "ú"],
  [0xf4, "ụ"],
  [0xf5, "ừ"],
  [0xf6, "ử"],
  [0xf7, "ữ"],
  [0xf8, "ứ"],
  [0xf9, "ự"],
  [0xfa, "ỳ"],
  [0xfb, "ỷ"],
  [0xfc, "ỹ"],
  [0xfd, "ý"],
  [0xfe, "ỵ"],
];

const TCVN3_DECODE = new Map<number, string>(TCVN3_PAIRS.map(([b, u]) => [b, u]));
const TCVN3_ENCODE = new Map<string, string>();
for (const [b, u] of TCVN3_PAIRS) {
  TCVN3_ENCODE.set(u, String.fromCharCode(b));
  // Capitals with a tone have no own byte: write the lower-case byte (the .VnTimeH convention).
  const upper = u.toUpperCase();
  if (upper !== u && !TCVN3_ENCODE.has(upper)) TCVN3_ENCODE.set(upper, String.fromCharCode(b));
}

// ---------------------------------------------------------------------------------------------
// VNI Windows: a base letter followed by a mark byte; a few letters are single bytes.
// Lower-case marks follow lower-case bases, upper-case marks (code - 0x20) upper-case bases.
// ---------------------------------------------------------------------------------------------

/** Tone marks, in TONE order: grave, acute, hook, tilde, dot below. */
const VNI_TONE = ["ø", "ù", "û", "õ", "ï"];
/** Circumflex alone, then circumflex + each tone. */
const VNI_CIRCUMFLEX = ["â", "à", "á", "å", "ã", "ä"];
/** Breve alone, then breve + each tone. */
const VNI_BREVE = ["ê", "è", "é", "ú", "ü", "ë"];
const TONE_MARKS = ["\u0300", "\u0301", "\u0309", "\u0303", "\u0323"];

/** Single-byte letters of VNI. */
const VNI_SINGLES: ReadonlyArray<readonly [string, string]> = [
  ["ñ", "đ"],
  ["ô", "ơ"],
  ["ö", "ư"],
  ["ì", "ì"],
  ["í", "í"],
  ["æ", "ỉ"],
  ["ó", "ĩ"],
  ["ò", "ị"],
  ["î", "ỵ"],
];

/** base letter (lower case) -> mark char (lower case) -> Unicode letter (lower case). */
const VNI_COMBINE = new Map<string, Map<string, string>>();
const VNI_SINGLE_DECODE = new Map<string, string>();
const VNI_ENCODE = new Map<string, string>();

(function buildVni(): void {
  const addCombo = (base: string, mark: string, letter: string): void => {
    const nfc = letter.normalize("NFC");
    let marks = VNI_COMBINE.get(base);
    if (!marks) VNI_COMBINE.set(base, (marks = new Map()));
    marks.set(mark, nfc);
    VNI_ENCODE.set(nfc, base + mark);
    VNI_ENCODE.set(nfc.toUpperCase(), base.toUpperCase() + mark.toUpperCase());
  };
  const bases: Array<[string, string]> = [
    ["a", "a"],
    ["e", "e"],
    ["o", "o"],
    ["u", "u"],
    ["y", "y"],
    ["ô", "ơ"], // ơ is a single byte that still takes tone marks
    ["ö", "ư"],
  ];
  for (const [base, letter] of bases) {
    TONE_MARKS.forEach((tone, t) => {
      // ỵ is a single byte ("î"); the others combine.
      if (base === "y" && t === 4) return;
      addCombo(base, VNI_TONE[t] as string, letter + tone);
    });
  }
  for (const base of ["a", "e", "o"]) {
    addCombo(base, VNI_CIRCUMFLEX[0] as string, base + "\u0302");
    TONE_MARKS.forEach((tone, t) => addCombo(base, VNI_CIRCUMFLEX[t + 1] as string, base + "\u0302" + tone));
  }
  addCombo("a", VNI_BREVE[0] as string, "a\u0306");
  TONE_MARKS.forEach((tone, t) => addCombo("a", VNI_BREVE[t + 1] as string, "a\u0306" + tone));
  for (const [byte, letter] of VNI_SINGLES) {
    VNI_SINGLE_DECODE.set(byte, letter);
    VNI_SINGLE_DECODE.set(byte.toUpperCase(), letter.toUpperCase());
    VNI_ENCODE.set(letter, byte);
    VNI_ENCODE.set(letter.toUpperCase(), byte.toUpperCase());
  }
  // ơ/ư as bases are bytes, not ASCII: their encodings were written with the single byte above.
})();

function decodeTcvn3(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const mapped = TCVN3_DECODE.get(s.charCodeAt(i));
    out += mapped ?? s[i];
  }
  return out.normalize("NFC");
}

function decodeVni(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const lower = ch.toLowerCase();
    const next = s[i + 1];
    const marks = VNI_COMBINE.get(lower);
    if (marks && next !== undefined) {
      const letter = marks.get(next.toLowerCase());
      if (letter !== undefined) {
        out += ch === lower ? letter : letter.toUpperCase();
        i++;
        continue;
      }
    }
    out += VNI_SINGLE_DECODE.get(ch) ?? ch;
  }
  return out.normalize("NFC");
}

/** Encode Unicode text to a legacy encoding (for tests and exports). Unmapped chars pass through. */
export function encodeLegacyVietnamese(s: string, encoding: LegacyEncoding): string {
  const table = encoding === "tcvn3" ? TCVN3_ENCODE : VNI_ENCODE;
  let out = "";
  for (const ch of s.normalize("NFC")) out += table.get(ch) ?? ch;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------------

/** Latin-1 letters that are also letters of Unicode Vietnamese. */
const UNICODE_VIET_LATIN1 = new Set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ");

/** Vietnamese letters outside Latin-1: their presence means the text already is Unicode. */
function isVietnameseBeyondLatin1(c: number): boolean {
  return (
    c === 0x102 ||
    c === 0x103 ||
    c === 0x110 ||
    c === 0x111 ||
    c === 0x128 ||
    c === 0x129 ||
    c === 0x168 ||
    c === 0x169 ||
    c === 0x1a0 ||
    c === 0x1a1 ||
    c === 0x1af ||
    c === 0x1b0 ||
    (c >= 0x1ea0 && c <= 0x1ef9)
  );
}

const TONED = new Set(
  [..."aăâeêioôơuưy"].flatMap((v) =>
    TONE_MARKS.map((t) => (v + t).normalize("NFC")).flatMap((x) => [x, x.toUpperCase()]),
  ),
);

/** A Vietnamese syllable without its tone mark: onset, vowel nucleus, final consonant. */
const SYLLABLE =
  /^(ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđfghjklmnpqrstvwxz])?(iêu|yêu|oai|oay|oao|oeo|uây|uôi|ươi|ươu|uya|uyê|uyu|ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|oo|ôô|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê|[aăâeêioôơuưy])(ng|nh|ch|[cmnpt])?$/;
const TONE_MARK_RE = /[\u0300\u0301\u0303\u0309\u0323]/g;

/**
 * Lower is more plausible: Latin-1 characters that are not Vietnamese letters are junk, a word
 * with two tone marks cannot be Vietnamese (a syllable carries exactly one), and neither can a
 * word that is not onset + vowel nucleus + final consonant.
 */
function implausibility(s: string): number {
  let score = 0;
  for (const word of s.split(/\s+/)) {
    if (word.length === 0) continue;
    let tones = 0;
    for (const ch of word) {
      const c = ch.charCodeAt(0);
      if (c >= 0x80 && c <= 0xff && !UNICODE_VIET_LATIN1.has(ch)) score += 3;
      if (TONED.has(ch)) tones++;
    }
    if (tones > 1) score += 2;
    for (const part of word.split(/[^\p{L}]+/u)) {
      if (part.length === 0) continue;
      const toneless = part.toLowerCase().normalize("NFD").replace(TONE_MARK_RE, "").normalize("NFC");
      if (!SYLLABLE.test(toneless)) score += 2;
    }
  }
  return score;
}

/** How many base + mark pairs of VNI the text contains. */
function vniSignals(s: string): number {
  let n = 0;
  for (let i = 0; i + 1 < s.length; i++) {
    const marks = VNI_COMBINE.get((s[i] as string).toLowerCase());
    if (marks?.has((s[i + 1] as string).toLowerCase())) n++;
  }
  return n;
}

function tcvn3Signals(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (TCVN3_DECODE.has(c) && !UNICODE_VIET_LATIN1.has(s[i] as string)) n++;
  }
  return n;
}

/** Which encoding the text seems to be in; "unicode" when it already looks like Unicode. */
export function detectLegacyEncoding(s: string): LegacyEncoding | "unicode" {
  const text = s.normalize("NFC");
  let latin1 = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isVietnameseBeyondLatin1(c)) return "unicode";
    if (c >= 0x80 && c <= 0xff) latin1 = true;
  }
  if (!latin1) return "unicode";
  const original = implausibility(text);
  const tcvn = implausibility(decodeTcvn3(text));
  const vni = implausibility(decodeVni(text));
  const best = Math.min(original, tcvn, vni);
  if (best === original) return "unicode";
  if (tcvn === vni) return vniSignals(text) > tcvn3Signals(text) ? "vni" : "tcvn3";
  return tcvn < vni ? "tcvn3" : "vni";
}

/**
 * TCVN3 (ABC) or VNI Windows text to Unicode NFC. "auto" picks the more plausible reading and
 * returns the input unchanged when it already looks like Unicode (or plain ASCII).
 */
export function decodeLegacyVietnamese(s: string, encoding: LegacyEncoding | "auto"): string {
  const chosen = encoding === "auto" ? detectLegacyEncoding(s) : encoding;
  if (chosen === "unicode") return s;
  return chosen === "tcvn3" ? decodeTcvn3(s) : decodeVni(s);
}
