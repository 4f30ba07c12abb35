/**
 * A profile's naming templates, compiled once per profile object (WeakMap), and how a rule is
 * described and cited.
 */
import { cite as citeArticle } from "../cite.ts";
import type { CollisionStep, Profile } from "../profile.ts";
import type { UnitKind } from "../types.ts";

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

export const NAME_TOKENS = ["family", "middle", "given", "f", "m", "g"] as const;
export const CONTEXT_TOKENS = ["agency", "unit", "ward", "abbr", "name", "parent"] as const;
export const BIRTH_TOKENS = ["yy", "yyyy", "m", "mm", "d", "dd"] as const;
export type NameToken = (typeof NAME_TOKENS)[number];
export type ContextToken = (typeof CONTEXT_TOKENS)[number];
export type Token = NameToken | ContextToken;
export type BirthToken = (typeof BIRTH_TOKENS)[number];

/** A compiled template: literal strings and tokens, in order. */
export type Part<T extends string> = { lit: string } | { tok: T };

export const TOKEN_RE = /\{([a-z]+)\}/g;

export function compile<T extends string>(template: string, allowed: readonly T[], where: string): Part<T>[] {
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

export function uses<T extends string>(parts: Part<T>[], token: T): boolean {
  return parts.some((p) => "tok" in p && p.tok === token);
}

export function render<T extends string>(parts: Part<T>[], values: Readonly<Record<T, string>>): string {
  let out = "";
  for (const p of parts) out += "lit" in p ? p.lit : values[p.tok];
  return out;
}

export type CompiledStep =
  | { type: "birth"; format: Part<BirthToken>[]; slug: string; article: string }
  | { type: "unit-suffix"; article: string }
  | { type: "permutation"; article: string }
  | { type: "sequence"; start: number; article: string };

export interface CompiledNaming {
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

export const compiled = new WeakMap<Profile, CompiledNaming>();

export function compileStep(step: CollisionStep): CompiledStep {
  if (step.type === "birth") {
    const format = compile(step.format, BIRTH_TOKENS, "trùng tên: ngày sinh");
    const slug = format.map((p) => ("tok" in p ? p.tok : "")).join("");
    return { type: "birth", format, slug, article: step.article };
  }
  return step;
}

export function compileNaming(profile: Profile): CompiledNaming {
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
// Citations and descriptions
// ---------------------------------------------------------------------------------------------

/**
 * "Theo Điều 4.2b QĐ 13/2020/QĐ-UBND" (the one citation format, policy/cite.ts) or, for our own
 * defaults, "Theo quy ước của mailbot (…)".
 */
export function cite(profile: Profile, article: string): string {
  let byArticle = citations.get(profile);
  if (!byArticle) citations.set(profile, (byArticle = new Map()));
  let text = byArticle.get(article);
  if (text === undefined) {
    text = article.startsWith("mailbot")
      ? `Theo quy ước của ${article}`
      : `Theo ${citeArticle(profile, article)}`;
    byArticle.set(article, text);
  }
  return text;
}

/**
 * Citations made, per profile object and article: every proposed address cites its rule, and
 * an import proposes tens of thousands with the same few articles (the citation's regular
 * expressions and Vietnamese lower-casing are not free).
 */
const citations = new WeakMap<Profile, Map<string, string>>();

export const TOKEN_LABEL: Record<Token, string> = {
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

export function describe(parts: Part<Token>[]): string {
  let text = descriptions.get(parts);
  if (text === undefined) {
    text = parts.map((p) => ("lit" in p ? `“${p.lit}”` : TOKEN_LABEL[p.tok])).join(" + ");
    descriptions.set(parts, text);
  }
  return text;
}

/** Descriptions made, per compiled template (compiled once per profile, so the same arrays). */
const descriptions = new WeakMap<Part<Token>[], string>();

export function withNote(text: string, note: string | undefined): string {
  return note ? `${text} Ghi chú: ${note}` : text;
}
