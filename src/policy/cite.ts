/**
 * Citations in user-facing messages: "Điều 9 QĐ 13/2020/QĐ-UBND". A reader who is told
 * "no" should be able to open the regulation at the right article, so every rule message
 * ends with one of these.
 */
import type { Profile } from "./profile.ts";

/** "QĐ 652/QĐ-BTTTT" for a numbered decision; "Quy chế dự thảo 2020" for an unnumbered draft. */
export function regulationRef(profile: Pick<Profile, "regulation">): string {
  const code = profile.regulation.code.trim();
  if (/^\d/.test(code)) return `QĐ ${code}`;
  return `Quy chế ${code.charAt(0).toLocaleLowerCase("vi")}${code.slice(1)}`;
}

const ARTICLE_TOKEN = /Điều\s+\d+(?:\.\d+)?[a-zđ]?/gu;

/**
 * The profile's article text with the regulation named after its last "Điều …" token:
 * "Điều 9; Điều 13.3" → "Điều 9; Điều 13.3 QĐ 13/2020/QĐ-UBND",
 * "Điều 15.2 (độ phức tạp: mặc định của mailbot)" → "Điều 15.2 QĐ 652/QĐ-BTTTT; độ phức tạp: …".
 * An article without "Điều" (a mailbot default) is returned as it is: there is nothing to cite.
 */
export function cite(profile: Pick<Profile, "regulation">, article: string): string {
  const text = article.trim();
  let last: RegExpExecArray | null = null;
  for (const match of text.matchAll(ARTICLE_TOKEN)) last = match as RegExpExecArray;
  if (!last) return text;
  const end = last.index + last[0].length;
  // A trailing remark in parentheses becomes "; remark", so the citation can itself sit in parentheses.
  const rest = text.slice(end).replace(/^\s*\((.*)\)\s*$/u, "; $1");
  return `${text.slice(0, end)} ${regulationRef(profile)}${rest}`;
}

/** Only the first of several ";"-separated articles, cited: the one that states the rule. */
export function citeFirst(profile: Pick<Profile, "regulation">, article: string): string {
  return cite(profile, article.split(";")[0] ?? article);
}
