// Suggests the known id closest to a mistyped one, so "unknown fact" comes with its likely fix.

/** The candidate nearest to `word` by edit distance (a swap of two neighbours counts once), or null if none is close. */
export function nearestId(word: string, candidates: Iterable<string>): string | null {
  const limit = Math.max(2, Math.ceil(word.length * 0.3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === word || Math.abs(c.length - word.length) > limit) continue;
    const d = editDistance(word, c);
    if (d <= limit && (d < bestDistance || (d === bestDistance && best !== null && c < best))) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** ": did you mean X?" for a near miss, or "" when no known id is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const near = nearestId(word, candidates);
  return near ? `: did you mean ${near}?` : "";
}

// optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
