/**
 * Proposing mailbox addresses from a profile's naming rules. Pure: the caller passes the set
 * (or a lookup) of addresses already taken, and gets one free address with the rule that
 * produced it, or an error saying what is missing.
 *
 * Templates are compiled once per profile object (WeakMap), so the per-person work is one pass
 * over the name plus a few string concatenations and set lookups.
 */
import { cite as citeArticle } from "./cite.ts";
import { foldToAddressWord, foldVietnamese, scanName } from "./names.ts";
import type { CollisionStep, ListedUnitForm, Profile } from "./profile.ts";
import { type Result, err, ok } from "../lib/result.ts";
import type { UnitKind } from "./types.ts";

export interface PersonInput {
  fullName: string;
  /** YYYY-MM-DD; needed only when a birth-date collision step is reached (phuyen). */
  birthDate?: string | null;
  /** The person's unit symbol (mic collisions: dvbe.cntt). */
  unitSymbol?: string | null;
  /** The agency's local part or abbreviation (ninhbinh: annv.stttt). */
  agency?: string | null;
  /** Ward/commune of ward staff (binhtan: nvan.binhtridonga.bt). */
  ward?: string | null;
}

export interface AddressProposal {
  /** Full address, lower case. */
  address: string;
  localPart: string;
  /** Stable id of the rule, e.g. "mic.personal", "phuyen.collision.birth-yy". */
  ruleId: string;
  /** Vietnamese explanation citing the article and the regulation. */
  rule: string;
  /** Other free addresses the person may choose instead (full addresses). */
  alternatives: string[];
  /** The plain address that was already taken, if any. */
  collided: string | null;
}

export type AddressErrorCode =
  | "invalid_name"
  | "missing_birth_date"
  | "missing_agency"
  | "missing_unit"
  | "missing_ward"
  | "invalid_abbr"
  | "too_long"
  | "exhausted";
export interface AddressError {
  code: AddressErrorCode;
  message: string;
}

/** Lower-case full addresses already in use, or a lookup answering "is this one taken?". */
export type TakenAddresses = ReadonlySet<string> | ((address: string) => boolean);

export interface UnitInput {
  kind: UnitKind | "group";
  abbr?: string | null;
  name?: string | null;
  parentLocalPart?: string | null;
  /**
   * The operator's own choice of local part, when the rule's address is taken by another unit
   * (or the operator decides otherwise): validated and checked against `taken`, and labelled as
   * an override in the proposal.
   */
  override?: string | null;
}

/** RFC 5321 limit for the local part. */
export const MAX_LOCAL_PART = 64;
/** Last number the sequence step tries before giving up. */
export const MAX_SEQUENCE = 999;
/** How many alternatives a proposal lists at most. */
export const MAX_ALTERNATIVES = 5;
/** Bound on permutations examined, so a name with many middle names stays cheap. */
const MAX_PERMUTATIONS = 720;

// ---------------------------------------------------------------------------------------------
// Local part validation
// ---------------------------------------------------------------------------------------------

function isLocalChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f;
}

/** RFC 5321 and our house style: 1–64 octets of [a-z0-9._], no leading, trailing or double dot. */
export function validateLocalPart(localPart: string): Result<string, AddressError> {
  if (localPart.length === 0) {
    return err({ code: "invalid_abbr", message: "Phần tên trước @ đang trống. Hãy nhập tên hộp thư." });
  }
  if (localPart.length > MAX_LOCAL_PART) {
    return err({
      code: "too_long",
      message: `Phần tên trước @ dài ${localPart.length} ký tự, vượt quá ${MAX_LOCAL_PART} ký tự cho phép (RFC 5321). Hãy chọn tên ngắn hơn.`,
    });
  }
  for (let i = 0; i < localPart.length; i++) {
    if (!isLocalChar(localPart.charCodeAt(i))) {
      return err({
        code: "invalid_abbr",
        message: `Phần tên trước @ “${localPart}” có ký tự không hợp lệ “${localPart[i]}”. Chỉ dùng chữ thường không dấu a–z, chữ số, dấu chấm và gạch dưới.`,
      });
    }
  }
  if (localPart.startsWith(".") || localPart.endsWith(".") || localPart.includes("..")) {
    return err({
      code: "invalid_abbr",
      message: `Phần tên trước @ “${localPart}” không được bắt đầu, kết thúc bằng dấu chấm hoặc có hai dấu chấm liền nhau.`,
    });
  }
  return ok(localPart);
}

function isValidLocalPart(localPart: string): boolean {
  if (localPart.length === 0 || localPart.length > MAX_LOCAL_PART) return false;
  for (let i = 0; i < localPart.length; i++) if (!isLocalChar(localPart.charCodeAt(i))) return false;
  return !(localPart.startsWith(".") || localPart.endsWith(".") || localPart.includes(".."));
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

const NAME_TOKENS = ["family", "middle", "given", "f", "m", "g"] as const;
const CONTEXT_TOKENS = ["agency", "unit", "ward", "abbr", "name", "parent"] as const;
const BIRTH_TOKENS = ["yy", "yyyy", "m", "mm", "d", "dd"] as const;
type NameToken = (typeof NAME_TOKENS)[number];
type ContextToken = (typeof CONTEXT_TOKENS)[number];
type Token = NameToken | ContextToken;
type BirthToken = (typeof BIRTH_TOKENS)[number];

/** A compiled template: literal strings and tokens, in order. */
type Part<T extends string> = { lit: string } | { tok: T };

const TOKEN_RE = /\{([a-z]+)\}/g;

function compile<T extends string>(template: string, allowed: readonly T[], where: string): Part<T>[] {
  const parts: Part<T>[] = [];
  let last = 0;
  for (const match of template.matchAll(TOKEN_RE)) {
    const token = match[1] as string;
    if (!(allowed as readonly string[]).includes(token)) {
      throw new Error(
        `Mẫu địa chỉ “${template}” (${where}) có thẻ không hợp lệ {${token}}. Các thẻ được dùng: ${allowed.map((t) => `{${t}}`).join(" ")}.`,
      );
    }
    if (match.index > last) parts.push({ lit: template.slice(last, match.index) });
    parts.push({ tok: token as T });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ lit: template.slice(last) });
  return parts;
}

function uses<T extends string>(parts: Part<T>[], token: T): boolean {
  return parts.some((p) => "tok" in p && p.tok === token);
}

function render<T extends string>(parts: Part<T>[], values: Readonly<Record<T, string>>): string {
  let out = "";
  for (const p of parts) out += "lit" in p ? p.lit : values[p.tok];
  return out;
}

type CompiledStep =
  | { type: "birth"; format: Part<BirthToken>[]; slug: string; article: string }
  | { type: "unit-suffix"; article: string }
  | { type: "permutation"; article: string }
  | { type: "sequence"; start: number; article: string };

interface CompiledNaming {
  pattern: Part<Token>[];
  suffix: Part<Token>[];
  wardSuffix: Part<Token>[] | null;
  steps: CompiledStep[];
  unit: Record<UnitKind | "group", Part<Token>[]>;
  dropWords: Set<string>;
  underscore: boolean;
  /** "@domain", precomputed for the hot path. */
  at: string;
}

const compiled = new WeakMap<Profile, CompiledNaming>();

function compileStep(step: CollisionStep): CompiledStep {
  if (step.type === "birth") {
    const format = compile(step.format, BIRTH_TOKENS, "trùng tên: ngày sinh");
    const slug = format.map((p) => ("tok" in p ? p.tok : "")).join("");
    return { type: "birth", format, slug, article: step.article };
  }
  return step;
}

function compileNaming(profile: Profile): CompiledNaming {
  const cached = compiled.get(profile);
  if (cached) return cached;
  const { personal, unit } = profile.naming;
  const all: readonly Token[] = [...NAME_TOKENS, ...CONTEXT_TOKENS];
  const result: CompiledNaming = {
    pattern: compile(personal.pattern, all, "hộp thư cá nhân"),
    suffix: compile(personal.suffix, all, "hậu tố cá nhân"),
    wardSuffix: personal.wardSuffix ? compile(personal.wardSuffix, all, "hậu tố phường") : null,
    steps: personal.collisions.map(compileStep),
    unit: {
      agency: compile(unit.agency, CONTEXT_TOKENS, "cơ quan"),
      district: compile(unit.district, CONTEXT_TOKENS, "cấp huyện"),
      commune: compile(unit.commune, CONTEXT_TOKENS, "cấp xã"),
      division: compile(unit.division, CONTEXT_TOKENS, "phòng, đơn vị trực thuộc"),
      group: compile(unit.group, CONTEXT_TOKENS, "hộp thư nhóm"),
    },
    dropWords: new Set(unit.dropWords.map((w) => w.normalize("NFC").toLowerCase())),
    underscore: unit.invalidChars === "underscore",
    at: "@" + profile.domain,
  };
  compiled.set(profile, result);
  return result;
}

/** Problems with a profile's naming templates (unknown tokens), empty when all is well. */
export function checkNamingTemplates(profile: Profile): string[] {
  try {
    compiled.delete(profile);
    compileNaming(profile);
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

// ---------------------------------------------------------------------------------------------
// Cleaning abbreviations, place names and parents
// ---------------------------------------------------------------------------------------------

/** Administrative words in front of a place name: "thành phố Tuy Hòa" -> "Tuy Hòa". */
const PLACE_PREFIXES = [
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

function stripPlacePrefix(text: string): string {
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
function cleanSegment(text: string, underscore: boolean): string {
  const folded = foldVietnamese(text);
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
function cleanAbbr(text: string, naming: CompiledNaming): string {
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
function cleanName(text: string, naming: CompiledNaming, place: boolean): string {
  if (!place) return cleanSegment(text, naming.underscore);
  let value = "";
  for (const word of stripPlacePrefix(text).split(" ")) value += cleanSegment(word, naming.underscore);
  return value;
}

/** "Ủy ban nhân dân tỉnh" and "UBND tỉnh", "thành phố X" and "TP X" compare equal. */
function listedKey(text: string): string {
  return foldToAddressWord(text)
    .replace(/^uybannhandan/, "ubnd")
    .replace(/thanhpho/g, "tp");
}

/** The profile's listed form for a unit name or abbreviation (ninhbinh Điều 5.1, phuyen Điều 4.1c). */
function listedForm(
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
function cleanReference(text: string, naming: CompiledNaming, domain: string): string | null {
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

function present(value: string | null | undefined): value is string {
  return typeof value === "string" && value.trim().length > 0;
}

// ---------------------------------------------------------------------------------------------
// Citations and descriptions
// ---------------------------------------------------------------------------------------------

/**
 * "Theo Điều 4.2b QĐ 13/2020/QĐ-UBND" (the one citation format, policy/cite.ts) or, for our own
 * defaults, "Theo quy ước của mailbot (…)".
 */
function cite(profile: Profile, article: string): string {
  if (article.startsWith("mailbot")) return `Theo quy ước của ${article}`;
  return `Theo ${citeArticle(profile, article)}`;
}

const TOKEN_LABEL: Record<Token, string> = {
  family: "họ",
  middle: "tên đệm",
  given: "tên",
  f: "chữ cái đầu của họ",
  m: "chữ cái đầu của (các) tên đệm",
  g: "chữ cái đầu của tên",
  agency: "tên viết tắt của cơ quan",
  unit: "ký hiệu đơn vị",
  ward: "tên phường",
  abbr: "tên viết tắt (ký hiệu) của đơn vị",
  name: "tên",
  parent: "địa chỉ hộp thư của đơn vị cấp trên",
};

function describe(parts: Part<Token>[]): string {
  return parts.map((p) => ("lit" in p ? `“${p.lit}”` : TOKEN_LABEL[p.tok])).join(" + ");
}

function withNote(text: string, note: string | undefined): string {
  return note ? `${text} Ghi chú: ${note}` : text;
}

// ---------------------------------------------------------------------------------------------
// Personal addresses
// ---------------------------------------------------------------------------------------------

type Values = Record<Token, string>;

interface PersonContext {
  values: Values;
  /** Folded words, for permutations. */
  folded: string[];
  namePart: string;
  suffix: string;
  usesWard: boolean;
}

function toLookup(taken: TakenAddresses): (address: string) => boolean {
  if (typeof taken === "function") return taken;
  return (address) => taken.has(address);
}

function personContext(
  profile: Profile,
  naming: CompiledNaming,
  person: PersonInput,
): Result<PersonContext, AddressError> {
  const scanned = scanName(person.fullName);
  if (!scanned.ok) return err({ code: "invalid_name", message: scanned.error.message });
  const folded = scanned.value.folded;
  const family = folded[0] as string;
  const given = folded[folded.length - 1] as string;
  let middle = "";
  let m = "";
  for (let i = 1; i < folded.length - 1; i++) {
    const w = folded[i] as string;
    middle += w;
    m += w[0] as string;
  }
  const values: Values = {
    family,
    middle,
    given,
    f: family[0] as string,
    m,
    g: given[0] as string,
    agency: "",
    unit: "",
    ward: "",
    abbr: "",
    name: "",
    parent: "",
  };

  const usesWard = present(person.ward) && naming.wardSuffix !== null;
  const suffixParts = usesWard ? (naming.wardSuffix as Part<Token>[]) : naming.suffix;
  const needs = (t: Token): boolean => uses(naming.pattern, t) || uses(suffixParts, t);
  const article = profile.naming.personal.article;

  if (needs("agency")) {
    if (!present(person.agency)) {
      return err({
        code: "missing_agency",
        message: `${cite(profile, article)}, địa chỉ cá nhân gồm ${describe([...naming.pattern, ...suffixParts])}. Hãy cho biết cơ quan của người này (tên viết tắt hoặc địa chỉ hộp thư của cơ quan, vd. stttt).`,
      });
    }
    const agency = cleanReference(person.agency, naming, profile.domain);
    if (agency === null || !isValidLocalPart(agency)) {
      return err({
        code: "invalid_abbr",
        message: `Không dùng được “${person.agency}” làm tên viết tắt của cơ quan. Hãy nhập tên viết tắt không dấu, vd. stttt.`,
      });
    }
    values.agency = agency;
  }
  if (needs("ward")) {
    if (!present(person.ward)) {
      return err({
        code: "missing_ward",
        message: `${cite(profile, article)}, địa chỉ này cần tên phường, xã nơi người đó làm việc. Hãy nhập tên phường (vd. Bình Trị Đông A).`,
      });
    }
    values.ward = cleanName(person.ward, naming, true);
    if (values.ward.length === 0) {
      return err({
        code: "missing_ward",
        message: `Không dùng được “${person.ward}” làm tên phường. Hãy nhập tên phường bằng chữ, vd. Bình Trị Đông A.`,
      });
    }
  }
  if (needs("unit")) {
    const unit = present(person.unitSymbol) ? cleanAbbr(person.unitSymbol, naming) : "";
    if (unit.length === 0) {
      return err({
        code: "missing_unit",
        message: `${cite(profile, article)}, địa chỉ này cần ký hiệu đơn vị của người đó. Hãy nhập ký hiệu đơn vị (vd. CNTT).`,
      });
    }
    values.unit = unit;
  }
  return ok({
    values,
    folded,
    namePart: render(naming.pattern, values),
    suffix: render(suffixParts, values),
    usesWard,
  });
}

/**
 * The name part of the plain address ("dvbe", "nguyenvana", "annv"), or null if the name is
 * unusable. Plain, birth, unit-suffix and sequence candidates all start with it, so a database
 * can prefetch them with LIKE 'prefix%'; mic permutations (vdbe, bedv…) do not, so pass a
 * lookup function when the profile has a permutation step and completeness matters.
 */
export function personalAddressPrefix(profile: Profile, person: PersonInput): string | null {
  const naming = compileNaming(profile);
  const ctx = personContext(profile, naming, person);
  return ctx.ok ? ctx.value.namePart : null;
}

/** "1979-03-05" -> { yy: "79", yyyy: "1979", m: "3", mm: "03", d: "5", dd: "05" }, or null. */
function birthValues(date: string): Record<BirthToken, string> | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  if (!match) return null;
  const [, yyyy, mm, dd] = match as unknown as [string, string, string, string];
  const y = Number(yyyy);
  const mo = Number(mm);
  const d = Number(dd);
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return { yyyy, yy: yyyy.slice(2), mm, m: String(mo), dd, d: String(d) };
}

/**
 * Letter-order permutations of the name components (mic Điều 5.4b: "hoán chuyển vị trí thứ tự
 * chữ cái giữa họ, tên đệm và tên"). Components are the pattern's tokens with {m}/{middle}
 * expanded per middle name: Đỗ Văn Bê under "{f}{m}{given}" gives [d, v, be].
 *
 * Order, deterministic: the given name kept last first (vdbe), then given name first (bedv,
 * bevd), then the rest; within a group fewer swaps among the other components first.
 */
function permutations(naming: CompiledNaming, ctx: PersonContext): string[] {
  type Item = { fixed: string } | { value: string; given: boolean };
  const items: Item[] = [];
  const middles = ctx.folded.slice(1, -1);
  for (const p of naming.pattern) {
    if ("lit" in p) items.push({ fixed: p.lit });
    else if (p.tok === "m") for (const w of middles) items.push({ value: w[0] as string, given: false });
    else if (p.tok === "middle") for (const w of middles) items.push({ value: w, given: false });
    else if (NAME_TOKENS.includes(p.tok as NameToken)) {
      items.push({ value: ctx.values[p.tok], given: p.tok === "given" });
    } else items.push({ fixed: ctx.values[p.tok] });
  }
  const slots: number[] = [];
  items.forEach((it, i) => {
    if ("value" in it) slots.push(i);
  });
  const movable = slots.map((i) => items[i] as { value: string; given: boolean });
  const n = movable.length;
  if (n < 2) return [];
  let givenIndex = movable.findIndex((it) => it.given);
  if (givenIndex < 0) givenIndex = n - 1;

  const seen = new Set<string>([ctx.namePart]);
  const found: Array<{ text: string; key: number[] }> = [];
  const order: number[] = [];
  const used = new Array<boolean>(n).fill(false);
  let examined = 0;
  const visit = (): void => {
    if (examined >= MAX_PERMUTATIONS) return;
    if (order.length === n) {
      examined++;
      let text = "";
      let k = 0;
      for (let i = 0; i < items.length; i++) {
        const it = items[i] as Item;
        text += "fixed" in it ? it.fixed : (movable[order[k++] as number] as { value: string }).value;
      }
      if (seen.has(text)) return;
      seen.add(text);
      const pos = order.indexOf(givenIndex);
      const group = pos === n - 1 ? 0 : pos === 0 ? 1 : 2;
      let inversions = 0;
      const others = order.filter((x) => x !== givenIndex);
      for (let a = 0; a < others.length; a++) {
        for (let b = a + 1; b < others.length; b++)
          if ((others[a] as number) > (others[b] as number)) inversions++;
      }
      found.push({ text, key: [group, inversions, ...order] });
      return;
    }
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      used[i] = true;
      order.push(i);
      visit();
      order.pop();
      used[i] = false;
    }
  };
  visit();
  found.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const d = (a.key[i] as number) - (b.key[i] as number);
      if (d !== 0) return d;
    }
    return 0;
  });
  return found.map((f) => f.text);
}

function tooLong(profile: Profile, localPart: string): AddressError {
  return {
    code: "too_long",
    message: `Địa chỉ theo quy tắc (${localPart}${"@" + profile.domain}) dài hơn ${MAX_LOCAL_PART} ký tự cho phép trước @. Hãy để quản trị viên chọn địa chỉ ngắn hơn bằng tay.`,
  };
}

/**
 * The address for a person: the plain form if free, otherwise the profile's collision steps in
 * order. The result is never a taken address; alternatives are free too.
 */
export function proposePersonalAddress(
  profile: Profile,
  person: PersonInput,
  taken: TakenAddresses,
): Result<AddressProposal, AddressError> {
  const naming = compileNaming(profile);
  const isTaken = toLookup(taken);
  const ctxResult = personContext(profile, naming, person);
  if (!ctxResult.ok) return ctxResult;
  const ctx = ctxResult.value;
  const personal = profile.naming.personal;
  const { namePart, suffix } = ctx;

  const plainLocal = namePart + suffix;
  const plain = plainLocal + naming.at;
  if (!isValidLocalPart(plainLocal)) {
    const valid = validateLocalPart(plainLocal);
    return err(!valid.ok && valid.error.code !== "too_long" ? valid.error : tooLong(profile, plainLocal));
  }
  if (!isTaken(plain)) {
    const wardNote = ctx.usesWard ? ` (cán bộ phường: hậu tố ${suffix})` : "";
    return ok({
      address: plain,
      localPart: plainLocal,
      ruleId: `${profile.id}.personal${ctx.usesWard ? ".ward" : ""}`,
      rule: withNote(
        `${cite(profile, personal.article)}: ${describe(naming.pattern)}, viết liền, chữ thường, không dấu${wardNote} → ${plain}.`,
        personal.defaultNote,
      ),
      alternatives: [],
      collided: null,
    });
  }

  let skippedTooLong = false;
  const free = (local: string): boolean => {
    if (!isValidLocalPart(local)) {
      skippedTooLong = true;
      return false;
    }
    return !isTaken(local + naming.at);
  };
  const takenNote = `địa chỉ ${plain} đã có người dùng`;
  const steps = naming.steps;

  for (let s = 0; s < steps.length; s++) {
    const step = steps[s] as CompiledStep;
    switch (step.type) {
      case "birth": {
        if (!present(person.birthDate)) {
          return err({
            code: "missing_birth_date",
            message: `Địa chỉ ${plain} đã có người dùng. ${cite(profile, step.article)}, khi trùng tên phải thêm năm sinh (và tháng sinh) vào địa chỉ, nên cần ngày sinh của người này. Hãy nhập ngày sinh dạng YYYY-MM-DD rồi thử lại.`,
          });
        }
        const birth = birthValues(person.birthDate);
        if (!birth) {
          return err({
            code: "missing_birth_date",
            message: `Ngày sinh “${person.birthDate}” không hợp lệ. Hãy nhập ngày sinh có thật, dạng YYYY-MM-DD (vd. 1979-03-15).`,
          });
        }
        const added = render(step.format, birth);
        const local = namePart + added + suffix;
        if (free(local)) {
          return ok({
            address: local + naming.at,
            localPart: local,
            ruleId: `${profile.id}.collision.birth-${step.slug}`,
            rule: `${cite(profile, step.article)}: ${takenNote} nên thêm ${describeBirth(step.slug)} (${added}) → ${local}${naming.at}.`,
            alternatives: [],
            collided: plain,
          });
        }
        break;
      }
      case "unit-suffix":
      case "permutation": {
        // mic Điều 5.4b lets the person choose among these forms: gather the whole run of
        // choice steps, propose the first free one and list the others as alternatives.
        let end = s;
        while (end + 1 < steps.length && isChoice(steps[end + 1] as CompiledStep)) end++;
        const candidates: Array<{ local: string; step: CompiledStep }> = [];
        /** The unit-suffix form needs the unit; without it the permutations are still offered. */
        let unitMissing: CompiledStep | null = null;
        for (let k = s; k <= end; k++) {
          const choice = steps[k] as CompiledStep;
          if (choice.type === "unit-suffix") {
            if (!present(person.unitSymbol)) {
              unitMissing = choice;
              continue;
            }
            const unit = cleanAbbr(person.unitSymbol, naming);
            if (unit.length === 0) {
              return err({
                code: "missing_unit",
                message: `Không dùng được “${person.unitSymbol}” làm ký hiệu đơn vị. Hãy nhập ký hiệu bằng chữ, vd. CNTT.`,
              });
            }
            const local = namePart + "." + unit + suffix;
            if (free(local)) candidates.push({ local, step: choice });
          } else if (choice.type === "permutation") {
            for (const perm of permutations(naming, ctx)) {
              const local = perm + suffix;
              if (free(local)) candidates.push({ local, step: choice });
              if (candidates.length > MAX_ALTERNATIVES) break;
            }
          }
        }
        const first = candidates[0];
        if (!first && unitMissing) {
          return err({
            code: "missing_unit",
            message: `Địa chỉ ${plain} đã có người dùng. ${cite(profile, unitMissing.article)}, người đăng ký sau dùng dạng <họ tên>.<ký hiệu đơn vị> (vd. ${namePart}.cntt${naming.at}) hoặc hoán vị thứ tự chữ cái. Hãy nhập ký hiệu đơn vị quản lý người này rồi thử lại.`,
          });
        }
        if (first) {
          const kind = first.step.type === "unit-suffix" ? "unit-suffix" : "permutation";
          const how =
            kind === "unit-suffix"
              ? `dùng dạng <họ tên>.<ký hiệu đơn vị>`
              : `hoán chuyển thứ tự chữ cái giữa họ, tên đệm và tên`;
          return ok({
            address: first.local + naming.at,
            localPart: first.local,
            ruleId: `${profile.id}.collision.${kind}`,
            rule:
              `${cite(profile, first.step.article)}: ${takenNote} nên ${how} → ${first.local}${naming.at}. Người dùng có thể chọn một địa chỉ khác trong danh sách thay thế.` +
              (unitMissing
                ? " Khi biết ký hiệu đơn vị, cũng có thể dùng dạng <họ tên>.<ký hiệu đơn vị>."
                : ""),
            alternatives: candidates.slice(1, 1 + MAX_ALTERNATIVES).map((c) => c.local + naming.at),
            collided: plain,
          });
        }
        s = end;
        break;
      }
      case "sequence": {
        for (let n = step.start; n <= MAX_SEQUENCE; n++) {
          const local = namePart + n + suffix;
          if (free(local)) {
            return ok({
              address: local + naming.at,
              localPart: local,
              ruleId: `${profile.id}.collision.sequence`,
              rule: `${cite(profile, step.article)}: ${takenNote} nên thêm số thứ tự ${n} ngay sau phần tên → ${local}${naming.at}.`,
              alternatives: [],
              collided: plain,
            });
          }
        }
        break;
      }
    }
  }
  if (skippedTooLong) return err(tooLong(profile, plainLocal));
  return err({
    code: "exhausted",
    message: `Địa chỉ ${plain} và mọi cách đặt khác theo quy chế đều đã có người dùng. Hãy để quản trị viên chọn địa chỉ bằng tay.`,
  });
}

function isChoice(step: CompiledStep): boolean {
  return step.type === "unit-suffix" || step.type === "permutation";
}

function describeBirth(slug: string): string {
  switch (slug) {
    case "yy":
      return "2 số cuối năm sinh";
    case "myy":
      return "tháng sinh và 2 số cuối năm sinh";
    default:
      return "ngày sinh";
  }
}

// ---------------------------------------------------------------------------------------------
// Unit and group addresses
// ---------------------------------------------------------------------------------------------

const KIND_LABEL: Record<UnitKind | "group", string> = {
  agency: "cơ quan, đơn vị",
  district: "UBND cấp huyện",
  commune: "UBND cấp xã",
  division: "phòng, đơn vị trực thuộc",
  group: "hộp thư nhóm",
};

/**
 * The address of a unit or group mailbox. Units have no collision rule in any regulation: a
 * taken address means the unit probably has a mailbox already, or another unit would share its
 * address (and with it the suffix of every address under it), so it is refused, never numbered;
 * the operator may choose another local part (`override`), which is labelled as such.
 * Names the regulation writes in a fixed or contracted form come from the profile's listed forms.
 */
export function proposeUnitAddress(
  profile: Profile,
  unit: UnitInput,
  taken: TakenAddresses,
): Result<AddressProposal, AddressError> {
  const naming = compileNaming(profile);
  const parts = naming.unit[unit.kind];
  const label = KIND_LABEL[unit.kind];
  const isTaken = toLookup(taken);
  const values: Values = {
    family: "",
    middle: "",
    given: "",
    f: "",
    m: "",
    g: "",
    agency: "",
    unit: "",
    ward: "",
    abbr: "",
    name: "",
    parent: "",
  };
  const place = unit.kind === "district" || unit.kind === "commune";

  if (uses(parts, "parent")) {
    if (!present(unit.parentLocalPart)) {
      return err({
        code: "missing_unit",
        message: `Địa chỉ ${label} theo mẫu ${describe(parts)} cần địa chỉ hộp thư (phần trước @) của đơn vị cấp trên, vd. stttt hoặc phuhoa. Hãy nhập đơn vị cấp trên rồi thử lại.`,
      });
    }
    const parent = cleanReference(unit.parentLocalPart, naming, profile.domain);
    if (parent === null || !isValidLocalPart(parent)) {
      return err({
        code: "missing_unit",
        message: `Không dùng được “${unit.parentLocalPart}” làm địa chỉ đơn vị cấp trên. Hãy nhập phần trước @ của hộp thư đơn vị cấp trên (vd. stttt) trên tên miền ${profile.domain}.`,
      });
    }
    values.parent = parent;
  }

  const listed = listedForm(profile, [unit.name, unit.abbr], values.parent || null);
  if (listed) {
    values.abbr = values.name = values.ward = listed.localPart;
  } else {
    if (uses(parts, "abbr")) {
      if (!present(unit.abbr)) {
        return err({
          code: "invalid_abbr",
          message: `Địa chỉ ${label} theo mẫu ${describe(parts)}: hãy nhập tên viết tắt (ký hiệu) của đơn vị, vd. STTTT hoặc PNV.`,
        });
      }
      values.abbr = cleanAbbr(unit.abbr, naming);
      if (values.abbr.length === 0) {
        return err({
          code: "invalid_abbr",
          message: `Tên viết tắt “${unit.abbr}” không còn chữ cái hay chữ số nào sau khi bỏ dấu và ký tự không hợp lệ. Hãy nhập lại, vd. STTTT.`,
        });
      }
    }
    if (uses(parts, "name") || uses(parts, "ward")) {
      const source = present(unit.name) ? unit.name : present(unit.abbr) ? unit.abbr : null;
      if (source === null) {
        return err({
          code: "invalid_abbr",
          message: `Địa chỉ ${label} theo mẫu ${describe(parts)}: hãy nhập tên (vd. Tuy Hòa, Đoàn thanh niên).`,
        });
      }
      values.name = values.ward = cleanName(source, naming, place);
      if (values.name.length === 0) {
        return err({
          code: "invalid_abbr",
          message: `Tên “${source}” không còn chữ cái hay chữ số nào sau khi bỏ dấu và ký tự không hợp lệ. Hãy nhập lại.`,
        });
      }
    }
  }

  const localPart = render(parts, values);
  const valid = validateLocalPart(localPart);
  if (!valid.ok) return valid;
  const address = localPart + naming.at;

  if (present(unit.override)) {
    const chosen = unit.override.trim().toLowerCase().replace(/@.*$/, "");
    const ok2 = validateLocalPart(chosen);
    if (!ok2.ok) return ok2;
    if (isTaken(chosen + naming.at)) {
      return err({
        code: "exhausted",
        message: `Địa chỉ ${chosen}${naming.at} đã có đơn vị hoặc người khác dùng. Hãy chọn địa chỉ khác.`,
      });
    }
    return ok({
      address: chosen + naming.at,
      localPart: chosen,
      ruleId: `${profile.id}.unit.override`,
      rule: `Địa chỉ do quản trị viên chọn thay cho địa chỉ theo quy tắc (${address}): ${chosen}${naming.at}. ${cite(profile, profile.naming.unit.article)}, địa chỉ mỗi đơn vị là duy nhất.`,
      alternatives: [],
      collided: isTaken(address) ? address : null,
    });
  }

  if (isTaken(address)) {
    return err({
      code: "exhausted",
      message: `Địa chỉ ${address} đã có. Có thể ${label} này đã có hộp thư; nếu là đơn vị khác, hai đơn vị không được dùng chung một địa chỉ (và phần đuôi của mọi địa chỉ bên dưới): hãy chọn địa chỉ khác cho đơn vị này (CLI: --override <tên>).`,
    });
  }
  const unitRules = profile.naming.unit;
  const invalidRule = naming.underscore
    ? "ký tự không hợp lệ thay bằng “_”"
    : "bỏ dấu, bỏ ký tự không phải chữ hoặc số";
  if (listed) {
    return ok({
      address,
      localPart,
      ruleId: `${profile.id}.unit.listed`,
      rule: `${cite(profile, listed.article)}: “${unit.name ?? unit.abbr ?? ""}” có dạng viết riêng “${listed.localPart}” → ${address}.`,
      alternatives: [],
      collided: null,
    });
  }
  return ok({
    address,
    localPart,
    ruleId: `${profile.id}.unit.${unit.kind}`,
    rule: withNote(
      `${cite(profile, unit.kind === "group" ? (unitRules.groupArticle ?? unitRules.article) : unitRules.article)}: địa chỉ ${label} = ${describe(parts)}, viết liền, chữ thường, ${invalidRule} → ${address}.`,
      unitRules.defaultNote,
    ),
    alternatives: [],
    collided: null,
  });
}
