/**
 * The articles that exist in each regulation of /work/shared/seeds, read article by article:
 * Điều → khoản → điểm. `[]` = an article without numbered clauses; a clause mapped to `[]` has no
 * lettered points. Used to check every citation in every profile (issue 10).
 */
export type ArticleMap = Record<number, Record<number, string[]> | []>;

const range = (n: number, points: string[] = []): Record<number, string[]> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [i + 1, points]));

/** QĐ 652/QĐ-BTTTT (seed 000). */
const MIC: ArticleMap = {
  1: range(2),
  2: range(6),
  3: range(3),
  4: range(3),
  5: { ...range(5), 4: ["a", "b"] },
  6: { ...range(5), 4: ["a", "b", "c"] },
  7: { 1: [], 2: ["a", "b", "c"], 3: ["a", "b", "c"] },
  8: { 1: [], 2: [], 3: ["a", "b", "c"] },
  9: range(2),
  10: range(4),
  11: { ...range(4), 1: ["a", "b", "c"] },
  12: { ...range(4), 3: ["a", "b", "c", "d"] },
  13: range(2),
  14: range(6),
  15: range(5),
  16: { ...range(5), 1: ["a", "b", "c"], 2: ["a", "b"] },
  17: range(3),
  18: [],
};

/** QĐ 7600/QĐ-UBND Bình Tân (seed 001); Điều 1–3, 5 and 11–15 have unnumbered paragraphs. */
const BINHTAN: ArticleMap = {
  1: [],
  2: [],
  3: [],
  4: range(3),
  5: [],
  6: range(2),
  7: { 1: [], 2: [], 3: ["a", "b", "c", "d", "e"] },
  8: range(3),
  9: { 1: [], 2: [], 3: ["a", "b"], 4: ["a", "b", "c"] },
  10: range(2),
  11: [],
  12: [],
  13: [],
  14: [],
  15: [],
};

/** QĐ 13/2020/QĐ-UBND Phú Yên (seed 002). */
const PHUYEN: ArticleMap = {
  1: range(3),
  2: range(3),
  3: range(2),
  4: { 1: ["a", "b", "c", "d"], 2: ["a", "b"], 3: [] },
  5: { 1: [], 2: [], 3: ["a", "b"] },
  6: { 1: [], 2: ["a", "b", "c"], 3: ["a", "b", "c"] },
  7: { 1: [], 2: [], 3: ["a", "b", "c"] },
  8: { 1: ["a", "b", "c"], 2: ["a", "b", "c", "d"] },
  9: [],
  10: range(2),
  11: range(2),
  12: range(9),
  13: range(7),
  14: { 1: ["a", "b", "c"], 2: [], 3: ["a", "b", "c", "d", "đ", "e", "g", "h"], 4: [] },
  15: [],
};

/** QĐ 48/QĐ-STTTT Sóc Trăng (seed 003). */
const SOCTRANG: ArticleMap = {
  1: [],
  2: [],
  3: range(6),
  4: range(5),
  5: [],
  6: range(2),
  7: range(6),
  8: range(5),
  9: [],
  10: range(5),
  11: range(5),
  12: range(5),
  13: range(5),
  14: [],
  15: [],
};

/** Quy chế Ninh Bình, dự thảo 2020 (seed 004). */
const NINHBINH: ArticleMap = {
  1: range(2),
  2: range(8),
  3: range(2),
  4: [],
  5: { 1: ["a", "b", "c"], 2: ["a", "b"] },
  6: range(3),
  7: range(2),
  8: range(3),
  9: range(2),
  10: [],
  11: range(8),
  12: range(6),
  13: range(6),
  14: range(4),
  15: range(8),
  16: [],
  17: [],
  18: range(2),
  19: [],
};

/** Profile id → the articles of its regulation. */
export const ARTICLES: Record<string, ArticleMap> = {
  mic: MIC,
  binhtan: BINHTAN,
  phuyen: PHUYEN,
  soctrang: SOCTRANG,
  ninhbinh: NINHBINH,
};

/** Regulations other profiles cite by number ("theo Điều 12.4 QĐ 652/QĐ-BTTTT"). */
export const BY_CODE: Record<string, string> = {
  "652/QĐ-BTTTT": "mic",
  "7600/QĐ-UBND": "binhtan",
  "13/2020/QĐ-UBND": "phuyen",
  "48/QĐ-STTTT": "soctrang",
};

/** Texts outside the seeds that profiles may cite (their articles cannot be checked here). */
export const EXTERNAL_CODES = ["17/2014/QĐ-UBND", "41/2011/QĐ-UBND"];

/** True when "Điều a.k<point>" exists in `map`. */
export function articleExists(map: ArticleMap, article: number, clause?: number, point?: string): boolean {
  const clauses = map[article];
  if (clauses === undefined) return false;
  if (clause === undefined) return point === undefined;
  const points = (clauses as Record<number, string[]>)[clause];
  if (points === undefined) return false;
  return point === undefined || points.includes(point);
}
