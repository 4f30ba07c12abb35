/**
 * Finding the unit a person typed among those they may act for. Pure.
 *
 * People write units the way the office says them: the full name, its abbreviation ("CNTT",
 * "VP", "NV"), a mix ("Trung tâm CNTT&TT" for "Trung tâm Công nghệ thông tin và Truyền thông"),
 * without diacritics, or with a typo. A sure match is used; a plausible one is offered back as
 * "Có phải …?" with buttons; nothing plausible lists the choices.
 */
import { editDistance } from "../../src/lib/edit-distance.ts";
import { foldWords } from "../../src/lib/fold.ts";

export interface UnitChoice {
  id: number;
  name: string;
  abbr: string;
}

export type UnitMatch<U> =
  { kind: "sure"; unit: U } | { kind: "guess"; candidates: U[] } | { kind: "none"; message: string };

/** Most "Có phải …?" buttons offered at once. */
export const MAX_GUESSES = 4;

const CONNECTIVES = new Set(["va", "&", "+"]);
const VOWELS = /[aeiouy]/;

function fold(text: string): string {
  return foldWords(text);
}

/**
 * The letters an abbreviation of `text` is made of: a word gives its first letter, a token that is
 * already an abbreviation (upper case, or no vowel: "CNTT", "tt") gives all its letters, "và"/"&"
 * give nothing. "Trung tâm Công nghệ thông tin và Truyền thông" and "Trung tâm CNTT&TT" both give
 * "ttcntttt"; "Văn phòng UBND tỉnh" gives "vpubndt".
 */
export function abbreviationOf(text: string): string {
  const tokens = text
    .normalize("NFC")
    .split(/[\s&+,.()/-]+/u)
    .filter(Boolean);
  let out = "";
  for (const token of tokens) {
    const folded = fold(token).replace(/[^a-z0-9]/g, "");
    if (!folded || CONNECTIVES.has(folded)) continue;
    const upper = token.length >= 2 && token === token.toLocaleUpperCase("vi") && /\p{L}/u.test(token);
    out += upper || !VOWELS.test(folded) ? folded : folded[0];
  }
  return out;
}

function hasAbbreviationToken(text: string): boolean {
  return text
    .normalize("NFC")
    .split(/[\s&+,.()/-]+/u)
    .some((token) => {
      const folded = fold(token).replace(/[^a-z0-9]/g, "");
      if (!folded || CONNECTIVES.has(folded)) return false;
      return (token.length >= 2 && token === token.toLocaleUpperCase("vi")) || !VOWELS.test(folded);
    });
}

function listOf(units: readonly UnitChoice[]): string {
  return units
    .slice(0, 8)
    .map((u) => u.name)
    .join("; ");
}

export function matchUnitTyped<U extends UnitChoice>(input: string, units: readonly U[]): UnitMatch<U> {
  const typed = input.normalize("NFC").trim().replace(/^#/, "");
  const word = fold(typed);
  if (!word) return { kind: "none", message: "Chưa có tên đơn vị. Hãy gõ tên hoặc ký hiệu đơn vị." };
  if (units.length === 0)
    return { kind: "none", message: "Anh/chị không có đơn vị nào trong phạm vi được đề nghị cấp hộp thư." };
  if (/^\d+$/.test(word)) {
    const byId = units.find((u) => u.id === Number(word));
    if (byId) return { kind: "sure", unit: byId };
  }
  const one = (list: U[]): UnitMatch<U> | null =>
    list.length === 1 ? { kind: "sure", unit: list[0] as U } : null;

  const exact = units.filter((u) => fold(u.abbr) === word || fold(u.name) === word);
  const sureExact = one(exact);
  if (sureExact) return sureExact;

  const abbr = abbreviationOf(typed);
  // Plain words ("Van phong", "So Noi vu") are compared with names (a typo is a guess), only
  // typed abbreviations ("CNTT&TT", "VP") with the units' abbreviations.
  const writtenAsAbbreviation = hasAbbreviationToken(typed);
  const sameAbbreviation = writtenAsAbbreviation
    ? units.filter((u) => abbreviationOf(u.name) === abbr || fold(u.abbr) === abbr)
    : [];
  const sureAbbr = exact.length === 0 ? one(sameAbbreviation) : null;
  if (sureAbbr) return sureAbbr;

  const containing = units.filter((u) => fold(u.name).includes(word));
  const sureContaining = exact.length === 0 && sameAbbreviation.length === 0 ? one(containing) : null;
  if (sureContaining) return sureContaining;

  // Not sure: every plausible reading, the closest first.
  const guesses = new Map<number, { unit: U; score: number }>();
  const add = (unit: U, score: number) => {
    const known = guesses.get(unit.id);
    if (!known || known.score > score) guesses.set(unit.id, { unit, score });
  };
  for (const u of [...exact, ...sameAbbreviation]) add(u, 0);
  for (const u of containing) add(u, 1);
  if (abbr.length >= 2) {
    for (const u of units) if (abbreviationOf(u.name).includes(abbr)) add(u, 2);
  }
  for (const u of units) {
    const distance = editDistance(word, fold(u.name));
    if (distance <= Math.max(2, Math.floor(word.length / 4))) add(u, 3 + distance);
  }
  const candidates = [...guesses.values()]
    .sort((a, b) => a.score - b.score || a.unit.id - b.unit.id)
    .map((g) => g.unit)
    .slice(0, MAX_GUESSES);
  if (candidates.length > 0) return { kind: "guess", candidates };
  return {
    kind: "none",
    message: `Không có đơn vị "${typed.slice(0, 60)}" trong phạm vi của anh/chị. Các đơn vị anh/chị có thể chọn: ${listOf(units)}.`,
  };
}
