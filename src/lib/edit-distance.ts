/**
 * Levenshtein distance (insert, delete, substitute), for typed names with typos: people in
 * `staff find`, units in /capmoi. Stops early once the distance exceeds `max` (it returns
 * max + 1 then), so matching a typed word against a whole directory stays cheap.
 */
/** Two rows of the edit-distance table, reused: matching runs over every person of a directory. */
let rowA = new Uint16Array(64);
let rowB = new Uint16Array(64);

/** Levenshtein distance of `a` and `b`, or max + 1 as soon as it is known to exceed `max`. */
export function editDistance(a: string, b: string, max = Number.MAX_SAFE_INTEGER): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (b.length + 1 > rowA.length) {
    rowA = new Uint16Array(b.length + 1);
    rowB = new Uint16Array(b.length + 1);
  }
  let previous = rowA;
  let current = rowB;
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const del = (previous[j] as number) + 1;
      const ins = (current[j - 1] as number) + 1;
      const sub = (previous[j - 1] as number) + cost;
      const value = del < ins ? (del < sub ? del : sub) : ins < sub ? ins : sub;
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    const swap = previous;
    previous = current;
    current = swap;
  }
  return previous[b.length] as number;
}
