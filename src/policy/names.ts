/**
 * Vietnamese personal names: validation, normalisation, parsing and folding to ASCII.
 *
 * Everything works on NFC text through lookup tables indexed by UTF-16 code unit, so the
 * address generator can call it on every request without regex work per character.
 */
import { fold, foldsToLatinLetter, LOOKALIKES } from "../lib/fold.ts";
import { type Result, err, ok } from "../lib/result.ts";

export interface NameParts {
  /** NFC, each word capitalised, diacritics kept. */
  family: string;
  middle: string[];
  given: string;
}

export type NameErrorCode =
  "empty" | "digits" | "invalid_chars" | "invisible_chars" | "single_word" | "too_long";
export interface NameError {
  code: NameErrorCode;
  /** A Vietnamese sentence saying what is wrong and what to do. */
  message: string;
}

/** Longest accepted full name, in characters after normalisation. */
export const MAX_NAME_LENGTH = 100;

// ---------------------------------------------------------------------------------------------
// Character tables
// ---------------------------------------------------------------------------------------------

/** Vowels of the Vietnamese alphabet and the five tone marks (grave, acute, hook, tilde, dot). */
const VOWELS: ReadonlyArray<readonly [string, string]> = [
  ["a", "a"],
  ["ă", "a"],
  ["â", "a"],
  ["e", "e"],
  ["ê", "e"],
  ["i", "i"],
  ["o", "o"],
  ["ô", "o"],
  ["ơ", "o"],
  ["u", "u"],
  ["ư", "u"],
  ["y", "y"],
];
const TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"];

/** Highest code point covered by the tables (Latin Extended Additional ends at U+1EFF). */
const TABLE_SIZE = 0x1f00;

/**
 * VIET_FOLD[c]: the lower-case ASCII letter a Vietnamese-alphabet letter folds to, 0 if the
 * code unit is not a letter of that alphabet. ASCII f, j, w, z are included: they occur in
 * names of ethnic minorities (e.g. "Ksor", "H'Hen Niê").
 */
const VIET_FOLD = new Uint8Array(TABLE_SIZE);

(function buildTables(): void {
  for (let c = 0x41; c <= 0x5a; c++) {
    VIET_FOLD[c] = c + 0x20;
    VIET_FOLD[c + 0x20] = c + 0x20;
  }
  const add = (letter: string, base: string): void => {
    const lower = letter.normalize("NFC");
    const upper = lower.toUpperCase();
    VIET_FOLD[lower.charCodeAt(0)] = base.charCodeAt(0);
    VIET_FOLD[upper.charCodeAt(0)] = base.charCodeAt(0);
  };
  for (const [vowel, base] of VOWELS) for (const tone of TONES) add(vowel + tone, base);
  add("đ", "d");
})();

function isCombiningMark(c: number): boolean {
  return c >= 0x0300 && c <= 0x036f;
}

/** Separators between words: spaces, tabs, line breaks, no-break and typographic spaces. */
function isSpace(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0xa0 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/**
 * Invisible characters that office software, chat clients and converters paste into names:
 * zero-width space/joiners, direction marks and embeddings, word joiner and invisible operators,
 * variation selectors, the byte-order mark, Hangul and Mongolian fillers. (U+00AD, the soft
 * hyphen, is not here: in a TCVN3 file it is the letter "ư", and is reported as legacy text.)
 * Issue 9 item 7: they are never glue between two words.
 */
function isInvisible(c: number): boolean {
  return (
    (c >= 0x200b && c <= 0x200f) ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2060 && c <= 0x2064) ||
    (c >= 0x2066 && c <= 0x206f) ||
    (c >= 0xfe00 && c <= 0xfe0f) ||
    c === 0x034f ||
    c === 0x061c ||
    c === 0x115f ||
    c === 0x1160 ||
    c === 0x17b4 ||
    c === 0x17b5 ||
    c === 0x180e ||
    c === 0x3164 ||
    c === 0xfeff ||
    c === 0xffa0 ||
    (c >= 0xe0000 && c <= 0xe007f)
  );
}

function isLatinLetterCode(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * The text with look-alike letters replaced by the Vietnamese letter, in NFC. Works on NFD so a
 * Cyrillic "а" carrying a combining tone becomes "á". A spacing tone mark counts as the tone
 * only right after a letter or another mark; full-width letters become ASCII.
 */
export function readLookalikes(input: string): string {
  if (isPlainNfc(input)) return input;
  const nfd = input.normalize("NFD");
  let out = "";
  let changed = false;
  let prevLetter = false;
  for (const ch of nfd) {
    const c = ch.codePointAt(0) as number;
    let mapped = LOOKALIKES.get(c);
    if (mapped !== undefined && mapped.length === 1 && isCombiningMark(mapped.charCodeAt(0)) && !prevLetter) {
      mapped = undefined;
    }
    if (mapped === undefined && ((c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a))) {
      mapped = String.fromCharCode(c - 0xfee0);
    }
    if (mapped !== undefined) {
      out += mapped;
      changed = true;
      prevLetter = true;
      continue;
    }
    out += ch;
    prevLetter = isLatinLetterCode(c) || isCombiningMark(c) || (c >= 0xc0 && foldsToLatinLetter(c));
  }
  return (changed ? out : input).normalize("NFC");
}

/**
 * Whether the text is ASCII and precomposed letters of the Vietnamese alphabet only: then it is
 * NFC already and has no look-alike to read (no look-alike is ASCII or such a letter), so
 * readLookalikes would return it unchanged. Nearly every name is; the import reads one a row.
 */
function isPlainNfc(input: string): boolean {
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x80 && (c >= TABLE_SIZE || VIET_FOLD[c] === 0)) return false;
  }
  return true;
}

/** Apostrophe-like characters allowed inside a word ("H'Hen"); normalised to "'". */
function isApostrophe(c: number): boolean {
  return c === 0x27 || c === 0x2019 || c === 0x02bc;
}

/** Hyphen-like characters allowed inside a word ("Y-Moan"); normalised to "-". */
function isHyphen(c: number): boolean {
  return c === 0x2d || c === 0x2010 || c === 0x2011;
}

function isDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || /\p{Nd}/u.test(String.fromCharCode(c));
}

// ---------------------------------------------------------------------------------------------
// Folding
// ---------------------------------------------------------------------------------------------

/** Fold and keep only [a-z0-9]: the form a name or place takes inside an address. */
export function foldToAddressWord(s: string): string {
  const folded = fold(s);
  let out = "";
  for (let i = 0; i < folded.length; i++) {
    const c = folded.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) out += folded[i];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Scanning a name
// ---------------------------------------------------------------------------------------------

/** A scanned name: display words (capitalised NFC) and their ASCII address forms. */
export interface ScannedName {
  words: string[];
  folded: string[];
}

const EXAMPLE = "ví dụ: Nguyễn Văn An";

function capitalise(word: string): string {
  let out = "";
  let start = true;
  for (const ch of word) {
    if (ch === "'" || ch === "-") {
      out += ch;
      start = true;
      continue;
    }
    out += start ? ch.toUpperCase() : ch.toLowerCase();
    start = false;
  }
  return out;
}

function quoteChars(chars: string[]): string {
  const shown = chars.slice(0, 5).map((ch) => {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || isCombiningMark(code) || code === 0xad) {
      return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
    }
    return `“${ch}”`;
  });
  return shown.join(", ") + (chars.length > 5 ? ", …" : "");
}

/**
 * One pass over the NFC text: splits words, checks every character against the Vietnamese
 * alphabet and folds it at the same time. Exported for the address generator's hot path.
 */
export function scanName(input: string): Result<ScannedName, NameError> {
  const text = readLookalikes(input);
  const rawWords: string[] = [];
  const folded: string[] = [];
  let word = "";
  let fold = "";
  let lengthSoFar = 0;
  const digits: string[] = [];
  const invalid: string[] = [];
  let badJoiner = false;
  let prevWasLetter = false;
  /** An invisible character met inside a word, not yet followed by a space. */
  let pendingInvisible: number | null = null;
  /** Issue 9 item 7: an invisible character between two letters ("Nguyễn\u200bVăn"). */
  let gluedBy: { code: number; wordIndex: number; at: number } | null = null;

  // One more space after the text ends its last word like the others: a word's end is handled in
  // one place, without a closure made per name (the import scans two names a row).
  for (const ch of `${text} `) {
    const c = ch.charCodeAt(0);
    if (isSpace(c)) {
      if (word.length > 0) {
        if (!prevWasLetter) badJoiner = true; // the word ends with ' or -
        rawWords.push(word);
        folded.push(fold);
        lengthSoFar += word.length + (rawWords.length > 1 ? 1 : 0);
        word = "";
        fold = "";
      }
      prevWasLetter = false;
      pendingInvisible = null;
      continue;
    }
    const code = ch.codePointAt(0) as number;
    if (isInvisible(code)) {
      // At the edge of a word it is dropped; between two letters it would glue two words.
      if (word.length > 0) pendingInvisible = code;
      continue;
    }
    if (pendingInvisible !== null) {
      if (gluedBy === null) gluedBy = { code: pendingInvisible, wordIndex: rawWords.length, at: word.length };
      pendingInvisible = null;
    }
    const f = c < TABLE_SIZE && ch.length === 1 ? VIET_FOLD[c] : 0;
    if (f) {
      word += ch;
      fold += String.fromCharCode(f);
      prevWasLetter = true;
      continue;
    }
    if (isApostrophe(c) || isHyphen(c)) {
      // Only between two letters of one word: "H'Hen", "Y-Moan".
      if (!prevWasLetter) badJoiner = true;
      word += isApostrophe(c) ? "'" : "-";
      prevWasLetter = false;
      continue;
    }
    word += ch;
    prevWasLetter = true; // counted as a character so the length check sees it
    if (isDigit(c)) {
      if (!digits.includes(ch)) digits.push(ch);
    } else if (!invalid.includes(ch)) {
      invalid.push(ch);
    }
  }

  if (rawWords.length === 0) {
    return err({ code: "empty", message: `Chưa có họ tên. Hãy nhập đầy đủ họ và tên (${EXAMPLE}).` });
  }
  if (lengthSoFar > MAX_NAME_LENGTH) {
    return err({
      code: "too_long",
      message: `Họ tên dài ${lengthSoFar} ký tự, vượt quá ${MAX_NAME_LENGTH} ký tự cho phép. Hãy kiểm tra lại và chỉ nhập họ, tên đệm và tên.`,
    });
  }
  if (gluedBy !== null) {
    const hex = `U+${gluedBy.code.toString(16).toUpperCase().padStart(4, "0")}`;
    const glued = rawWords[gluedBy.wordIndex] ?? "";
    return err({
      code: "invisible_chars",
      message: `Họ tên có ký tự ẩn (${hex}) dính liền “${glued.slice(0, gluedBy.at)}” với “${glued.slice(gluedBy.at)}”, thường do sao chép từ văn bản khác. Hãy gõ lại họ tên, các tiếng cách nhau bằng dấu cách (${EXAMPLE}).`,
    });
  }
  if (digits.length > 0) {
    return err({
      code: "digits",
      message: `Họ tên không được chứa chữ số (${quoteChars(digits)}). Hãy nhập họ tên chỉ gồm chữ cái (${EXAMPLE}).`,
    });
  }
  if (invalid.length > 0 || badJoiner) {
    const legacy = invalid.some((ch) => {
      const c = ch.charCodeAt(0);
      return c >= 0xa0 && c <= 0xff;
    });
    const what =
      invalid.length > 0
        ? `Họ tên có ký tự không hợp lệ (${quoteChars(invalid)}).`
        : "Dấu nháy (') hoặc gạch nối (-) chỉ được đứng giữa hai chữ cái của một tiếng.";
    const hint = legacy
      ? " Có thể họ tên đang ở bảng mã cũ (TCVN3/VNI): hãy chuyển sang Unicode rồi nhập lại."
      : "";
    return err({
      code: "invalid_chars",
      message: `${what} Chỉ dùng chữ cái tiếng Việt, cách nhau bằng dấu cách (${EXAMPLE}).${hint}`,
    });
  }
  if (rawWords.length < 2) {
    return err({
      code: "single_word",
      message: `Nhập đủ họ và tên, ít nhất hai tiếng (${EXAMPLE}).`,
    });
  }
  return ok({ words: rawWords.map(capitalise), folded });
}

/**
 * NFC, trimmed, runs of spaces/tabs collapsed, each word capitalised:
 * "nGUYỄN  văn a" -> "Nguyễn Văn A". NFC and NFD input give the same result.
 *
 * Strict on purpose: letters of the Vietnamese alphabet (plus f, j, w, z) only, an apostrophe
 * or hyphen only inside a word, at least two words, at most 100 characters.
 */
export function normalizeName(input: string): Result<string, NameError> {
  const scanned = scanName(input);
  return scanned.ok ? ok(scanned.value.words.join(" ")) : scanned;
}

/** First word is the family name, last word the given name, everything between middle names. */
export function parseVietnameseName(input: string): Result<NameParts, NameError> {
  const scanned = scanName(input);
  if (!scanned.ok) return scanned;
  const words = scanned.value.words;
  return ok({
    family: words[0] as string,
    middle: words.slice(1, -1),
    given: words[words.length - 1] as string,
  });
}
