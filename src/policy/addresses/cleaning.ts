/** Cleaning abbreviations, place names and parent references into address words. */
import { fold } from "../../lib/fold.ts";
import { foldToAddressWord } from "../names.ts";
import type { ListedUnitForm, Profile } from "../profile.ts";
import type { CompiledNaming } from "./templates.ts";

// ---------------------------------------------------------------------------------------------
// Cleaning abbreviations, place names and parents
// ---------------------------------------------------------------------------------------------

/** Administrative words in front of a place name: "thành phố Tuy Hòa" -> "Tuy Hòa". */
export const PLACE_PREFIXES = [
  "ủy ban nhân dân ",
  "uỷ ban nhân dân ",
  "ubnd ",
  "thành phố ",
  "thị xã ",
  "thị trấn ",
  "huyện ",
  "quận ",
  "phường ",
  "xã ",
  "tp. ",
  "tp ",
];

export function stripPlacePrefix(text: string): string {
  let s = text.normalize("NFC").trim().replace(/\s+/g, " ");
  for (let changed = true; changed;) {
    changed = false;
    const lower = s.toLowerCase();
    for (const prefix of PLACE_PREFIXES) {
      const rest = s.slice(prefix.length).trim();
      // "Phường 1" stays "phuong1": a bare number is not a name.
      if (lower.startsWith(prefix) && rest.length > 0 && !/^\d+$/.test(rest)) {
        s = rest;
        changed = true;
        break;
      }
    }
  }
  return s;
}

/**
 * Folds to [a-z0-9]; whitespace disappears (addresses are written together); any other
 * character becomes "_" (mic Điều 5.1) or disappears, per profile. Runs of "_" collapse and
 * "_" never starts or ends a segment.
 */
export function cleanSegment(text: string, underscore: boolean): string {
  const folded = fold(text);
  let out = "";
  let pendingUnderscore = false;
  for (let i = 0; i < folded.length; i++) {
    const ch = folded[i] as string;
    const c = folded.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) {
      if (pendingUnderscore && out.length > 0) out += "_";
      pendingUnderscore = false;
      out += ch;
    } else if (/\s/.test(ch)) {
      continue;
    } else if (underscore) {
      pendingUnderscore = true;
    }
  }
  return out;
}

/**
 * An abbreviation as the operator typed it: "STTTT", "TT&TT", "PTTH&TTĐT", "TT CNTT&TT", or
 * a mix of words and abbreviations, "Sở TT&TT", "Phòng Nội vụ": when upper- and lower-case
 * words are mixed, ordinary words give their first letter and upper-case words stay whole
 * (and "và" is skipped, as in TT&TT), which is how Vietnamese abbreviations are formed.
 */
export function cleanAbbr(text: string, naming: CompiledNaming): string {
  const words = text
    .normalize("NFC")
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0 && !naming.dropWords.has(w.toLowerCase()));
  const hasUpper = words.some((w) => w !== w.toLowerCase());
  const hasLowerWord = words.some((w) => w !== w.toUpperCase());
  if (words.length > 1 && hasUpper && hasLowerWord) {
    let out = "";
    for (const word of words) {
      if (word.toLowerCase() === "và") continue;
      const isAbbreviation = word === word.toUpperCase();
      out += isAbbreviation ? word : (word[0] as string);
    }
    return cleanSegment(out, naming.underscore);
  }
  return cleanSegment(words.join(" "), naming.underscore);
}

/**
 * A place or group name: "Tuy Hòa" -> "tuyhoa", "Bình Hưng Hòa" -> "binhhunghoa". Written in
 * full, "viết liền, không dấu" (phuyen Điều 4.1, ninhbinh Điều 5.1): no letter is dropped, even a
 * doubled one across words ("Ninh Hải" -> "ninhhai"), so two different places never meet in one
 * address. The contracted forms a document shows (phuyen "hoan" for Hòa An) are the profile's
 * listed forms (listedForm), not a rule.
 */
export function cleanName(text: string, naming: CompiledNaming, place: boolean): string {
  if (!place) return cleanSegment(text, naming.underscore);
  let value = "";
  for (const word of stripPlacePrefix(text).split(" ")) value += cleanSegment(word, naming.underscore);
  return value;
}

/** "Ủy ban nhân dân tỉnh" and "UBND tỉnh", "thành phố X" and "TP X" compare equal. */
export function listedKey(text: string): string {
  return foldToAddressWord(text)
    .replace(/^uybannhandan/, "ubnd")
    .replace(/thanhpho/g, "tp");
}

/** The profile's listed form for a unit name or abbreviation (ninhbinh Điều 5.1, phuyen Điều 4.1c). */
export function listedForm(
  profile: Profile,
  texts: ReadonlyArray<string | null | undefined>,
  parent: string | null,
): ListedUnitForm | null {
  const keys = new Set<string>();
  for (const text of texts) {
    if (!present(text)) continue;
    keys.add(listedKey(text));
    keys.add(listedKey(stripPlacePrefix(text)));
  }
  for (const form of profile.naming.unit.listed) {
    if (form.parent !== undefined && form.parent !== parent) continue;
    if (form.names.some((n) => keys.has(listedKey(n)))) return form;
  }
  return null;
}

/**
 * A reference to another mailbox: its local part ("stttt", "vp.stttt"), full address
 * ("stttt@ninhbinh.gov.vn"), an abbreviation with an upper-case part ("Sở TT&TT") or a place
 * name ("huyện Phú Hòa"). Null when it cannot be used.
 */
export function cleanReference(text: string, naming: CompiledNaming, domain: string): string | null {
  let s = text.normalize("NFC").trim();
  const at = s.indexOf("@");
  if (at >= 0) {
    if (s.slice(at + 1).toLowerCase() !== domain) return null;
    s = s.slice(0, at);
  }
  if (/^[A-Za-z0-9._]+$/.test(s)) return s.toLowerCase();
  const words = s.split(/\s+/);
  const abbreviation = words.some((w) => w.length > 1 && w === w.toUpperCase() && w !== w.toLowerCase());
  const segments = s
    .split(".")
    .map((seg) => (abbreviation ? cleanAbbr(seg, naming) : cleanName(seg, naming, true)));
  return segments.some((seg) => seg.length === 0) ? null : segments.join(".");
}

export function present(value: string | null | undefined): value is string {
  return typeof value === "string" && value.trim().length > 0;
}
