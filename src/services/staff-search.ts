/**
 * Finding people the way an operator types them: the name without diacritics or with a typo
 * ("nguyen van an", "Nguyễn Văn Ân", "nguyen vn an"), the mã cán bộ of the HR file, part of an
 * address ("annv"). Pure: the directory service feeds it the rows and ranks what it returns.
 */
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

/** Levenshtein distance, stopping early once it exceeds `max` (returns max + 1 then). */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * How far `row` is from what was typed: 0 = exact (mã cán bộ, address, the whole name), larger
 * = looser; null = not a match. Every typed word must match a word of the name (equal, a prefix,
 * or within the typos allowed); or the text is (part of) the mã cán bộ or an address.
 */
export function matchScore(typed: string, row: SearchRow): number | null {
  const raw = typed.trim().toLowerCase();
  if (raw === "") return null;
  if (row.externalId !== null && row.externalId.toLowerCase() === raw) return 0;
  if (row.addresses.includes(raw)) return 0;
  const query = foldWords(typed);
  const name = foldWords(row.fullName);
  if (name === query) return 0.1;
  let best: number | null = null;
  const words = query.split(" ");
  const nameWords = name.split(" ");
  let total = 0.2;
  for (const word of words) {
    let wordBest = Number.POSITIVE_INFINITY;
    for (const candidate of nameWords) {
      if (candidate === word) wordBest = 0;
      else if (word.length >= 2 && candidate.startsWith(word)) wordBest = Math.min(wordBest, 0.5);
      else {
        const max = allowedTypos(word);
        const d = max === 0 ? max + 1 : editDistance(word, candidate, max);
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
  const squeezed = query.replace(/ /g, "");
  if (squeezed.length >= 6) {
    const d = editDistance(squeezed, name.replace(/ /g, ""), 2);
    if (d <= 2 && (best === null || d + 0.3 < best)) best = d + 0.3;
  }
  if (best !== null) return best;
  // Part of the mã cán bộ or of an address's local part (at least 3 characters).
  if (raw.length >= 3) {
    if (row.externalId?.toLowerCase().includes(raw)) return 3;
    if (row.addresses.some((a) => a.split("@")[0]?.includes(squeezed))) return 3;
  }
  return null;
}

/** The rows matching `typed`, best first (ties by name), at most `limit`. */
export function rankStaff<R extends SearchRow>(typed: string, rows: readonly R[], limit: number): R[] {
  const scored: { row: R; score: number }[] = [];
  for (const row of rows) {
    const score = matchScore(typed, row);
    if (score !== null) scored.push({ row, score });
  }
  scored.sort((a, b) => a.score - b.score || a.row.fullName.localeCompare(b.row.fullName, "vi"));
  // An exact hit hides the looser ones: "CB12" must not list "CB120" beside it.
  const exact = scored.filter((s) => s.score < 0.2);
  return (exact.length > 0 ? exact : scored).slice(0, limit).map((s) => s.row);
}
