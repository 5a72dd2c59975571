import { normalizeText } from "../nlu/normalize.js";

/** Unanswered questions that read alike: the most frequent wording, how many, and the distinct wordings. */
export interface QuestionGroup {
  label: string;
  count: number;
  examples: string[];
}

/** Character bigrams of the normalised text (single characters for one-character texts). */
export function bigrams(text: string): Set<string> {
  const s = normalizeText(text).text.replace(/\s+/g, "");
  const chars = [...s];
  if (chars.length <= 1) return new Set(chars);
  const out = new Set<string>();
  for (let i = 0; i < chars.length - 1; i++) out.add(chars[i]! + chars[i + 1]!);
  return out;
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return common / (a.size + b.size - common);
}

/**
 * Groups questions whose normalised character bigrams overlap (Jaccard ≥ threshold) with a group's
 * first, most frequent wording. Greedy and order-stable: good enough for an operator's to-do list.
 */
export function groupQuestions(texts: string[], threshold = 0.35): QuestionGroup[] {
  const byWording = new Map<string, { text: string; count: number; grams: Set<string> }>();
  for (const text of texts) {
    const key = normalizeText(text).text.replace(/\s+/g, "");
    if (key.length === 0) continue;
    const seen = byWording.get(key);
    if (seen) seen.count++;
    else byWording.set(key, { text: text.trim(), count: 1, grams: bigrams(text) });
  }
  const wordings = [...byWording.values()].sort((a, b) => b.count - a.count);
  const groups: Array<{ grams: Set<string>; group: QuestionGroup }> = [];
  for (const w of wordings) {
    const home = groups.find((g) => jaccard(g.grams, w.grams) >= threshold);
    if (home) {
      home.group.count += w.count;
      if (home.group.examples.length < 10) home.group.examples.push(w.text);
    } else {
      groups.push({ grams: w.grams, group: { label: w.text, count: w.count, examples: [w.text] } });
    }
  }
  return groups.map((g) => g.group).sort((a, b) => b.count - a.count);
}
