/**
 * Finding people the way an operator types them: the name without diacritics or with a typo
 * ("nguyen van an", "Nguyễn Văn Ân", "nguyen vn an"), the mã cán bộ of the HR file, part of an
 * address ("annv"). Pure: the directory service feeds it the rows and ranks what it returns.
 */
import { editDistance } from "../lib/edit-distance.ts";
import { foldWords } from "../lib/fold.ts";

export interface SearchRow {
  id: number;
  fullName: string;
  externalId: string | null;
  /** Addresses the person owns or keeps, lower case. */
  addresses: readonly string[];
}

/** Typos allowed in one typed word: none in short words, one up to 6 letters, two beyond. */
function allowedTypos(word: string): number {
  return word.length <= 3 ? 0 : word.length <= 6 ? 1 : 2;
}

/** What was typed, folded once for a whole directory. */
interface Query {
  raw: string;
  folded: string;
  words: string[];
  squeezed: string;
}

function prepare(typed: string): Query {
  const folded = foldWords(typed);
  return {
    raw: typed.trim().toLowerCase(),
    folded,
    words: folded.split(" "),
    squeezed: folded.replace(/ /g, ""),
  };
}

/**
 * How far `row` is from what was typed: 0 = exact (mã cán bộ, address, the whole name), larger
 * = looser; null = not a match. Every typed word must match a word of the name (equal, a prefix,
 * or within the typos allowed); or the text is (part of) the mã cán bộ or an address.
 */
export function matchScore(typed: string | Query, row: SearchRow): number | null {
  const q = typeof typed === "string" ? prepare(typed) : typed;
  if (q.raw === "" || q.folded === "") return null;
  if (row.externalId !== null && row.externalId.toLowerCase() === q.raw) return 0;
  if (row.addresses.includes(q.raw)) return 0;
  const name = foldWords(row.fullName);
  if (name === q.folded) return 0.1;
  let best: number | null = null;
  const nameWords = name.split(" ");
  let total = 0.2;
  for (const word of q.words) {
    let wordBest = Number.POSITIVE_INFINITY;
    const max = allowedTypos(word);
    for (const candidate of nameWords) {
      if (candidate === word) {
        wordBest = 0;
        break;
      }
      if (word.length >= 2 && candidate.startsWith(word)) wordBest = Math.min(wordBest, 0.5);
      else if (max > 0) {
        const d = editDistance(word, candidate, max);
        if (d <= max) wordBest = Math.min(wordBest, d);
      }
    }
    if (!Number.isFinite(wordBest)) {
      total = Number.NaN;
      break;
    }
    total += wordBest;
  }
  if (!Number.isNaN(total)) best = total;
  // Words run together or split differently: "nguyenvanan", "nguyen vanan".
  if (q.squeezed.length >= 6) {
    const d = editDistance(q.squeezed, name.replace(/ /g, ""), 2);
    if (d <= 2 && (best === null || d + 0.3 < best)) best = d + 0.3;
  }
  if (best !== null) return best;
  // Part of the mã cán bộ or of an address's local part (at least 3 characters).
  if (q.raw.length >= 3) {
    if (row.externalId?.toLowerCase().includes(q.raw)) return 3;
    if (row.addresses.some((a) => a.split("@")[0]?.includes(q.squeezed))) return 3;
  }
  return null;
}

const COLLATOR = new Intl.Collator("vi");

/** The rows matching `typed`, best first (ties by name), at most `limit`. */
export function rankStaff<R extends SearchRow>(typed: string, rows: readonly R[], limit: number): R[] {
  const query = prepare(typed);
  const scored: { row: R; score: number }[] = [];
  for (const row of rows) {
    const score = matchScore(query, row);
    if (score !== null) scored.push({ row, score });
  }
  scored.sort((a, b) => a.score - b.score || COLLATOR.compare(a.row.fullName, b.row.fullName));
  // An exact hit hides the looser ones: "CB12" must not list "CB120" beside it.
  const exact = scored.filter((s) => s.score < 0.2);
  return (exact.length > 0 ? exact : scored).slice(0, limit).map((s) => s.row);
}
