import { matchIntent } from "../nlu/match.js";
import type { MatchResult } from "../types.js";
import type { KnowledgeBase } from "./knowledge-base.js";

/** Why a phrasing did not land on its intent. */
export type MissReason =
  /** the best match scored under the threshold: the bot says it did not understand */
  | { kind: "below-threshold" }
  /** nothing left to read once markup, emoji and punctuation are removed */
  | { kind: "noise"; noise: string }
  /** no word of the phrasing is in the index */
  | { kind: "no-candidate" }
  /** the best match is an out-of-scope intent: the bot declines, whatever the confidence */
  | { kind: "vetoed"; by: string }
  /** the phrasing should not be answered, yet an intent scored above the threshold */
  | { kind: "answered-out-of-scope" }
  /** the expected intent came a close second: the bot would answer the other first, then it */
  | { kind: "near-tie"; expectedScore: number }
  /** another intent won; where the expected one ranked (null: not among the candidates) */
  | { kind: "wrong-intent"; expectedRank: number | null; expectedScore: number | null };

/** One phrasing that did not land on its intent. */
export interface Miss {
  text: string;
  expected: string;
  got: string | null;
  confidence: number;
  why: MissReason;
}

/** Accuracy of a set of phrasings against their expected intents. */
export interface Report {
  total: number;
  correct: number;
  accuracy: number;
  misses: Miss[];
  /** "a → b" pairs, most frequent first. */
  confusions: Array<{ pair: string; count: number }>;
  /** Confidence of every correctly ranked in-scope phrasing and of every out-of-scope one. */
  scores: { inScope: number[]; outOfScope: number[] };
  /** Every phrasing's top confidence and whether the top reading was right (the right intent, or a refusal of an out-of-scope one). */
  points: Array<{ confidence: number; correct: boolean }>;
}

const REJECT = "out-of-scope";

function answered(kb: KnowledgeBase, intentId: string | undefined, confidence: number, threshold: number): string | null {
  if (!intentId || confidence < threshold) return null;
  const type = kb.intents.get(intentId)?.type;
  return type === "out-of-scope" ? null : intentId;
}

function finish(total: number, misses: Miss[], scores: Report["scores"], points: Report["points"]): Report {
  const counts = new Map<string, number>();
  for (const m of misses) {
    const pair = `${m.expected} → ${m.got ?? "(no answer)"}`;
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  const confusions = [...counts.entries()].map(([pair, count]) => ({ pair, count })).sort((a, b) => b.count - a.count);
  return { total, correct: total - misses.length, accuracy: total ? (total - misses.length) / total : 1, misses, confusions, scores, points };
}

/**
 * Matches phrasings against the knowledge base. `expected` "out-of-scope" means the phrasing must
 * not be answered. With `leaveOneOut`, each indexed example is matched with itself held out.
 * `margin` (the dialog's clarify margin) only tells a near tie from a plain wrong answer.
 */
export function evaluatePhrasings(
  kb: KnowledgeBase,
  cases: Array<{ text: string; expected: string; exclude?: number }>,
  threshold: number,
  margin = 0.02,
): Report {
  const misses: Miss[] = [];
  const scores: Report["scores"] = { inScope: [], outOfScope: [] };
  const points: Report["points"] = [];
  for (const c of cases) {
    const m = matchIntent(c.text, kb.index, c.exclude === undefined ? {} : { excludeExample: c.exclude });
    const top = m.candidates[0];
    const got = answered(kb, top?.intentId, m.confidence, threshold);
    const expectReject = c.expected === REJECT || kb.intents.get(c.expected)?.type === "out-of-scope";
    const topRefuses = !top || kb.intents.get(top.intentId)?.type === "out-of-scope";
    points.push({ confidence: top ? m.confidence : 0, correct: expectReject ? topRefuses : top?.intentId === c.expected || sameAnswer(kb, c.expected, top?.intentId ?? null) });
    if (expectReject) {
      scores.outOfScope.push(top && kb.intents.get(top.intentId)?.type !== "out-of-scope" ? m.confidence : 0);
      if (got !== null) misses.push({ text: c.text, expected: REJECT, got, confidence: m.confidence, why: { kind: "answered-out-of-scope" } });
      continue;
    }
    if (top?.intentId === c.expected) scores.inScope.push(m.confidence);
    if (got !== c.expected && !sameAnswer(kb, c.expected, got)) {
      misses.push({ text: c.text, expected: c.expected, got, confidence: m.confidence, why: reasonOf(kb, m, c.expected, got, margin) });
    }
  }
  return finish(cases.length, misses, scores, points);
}

function reasonOf(kb: KnowledgeBase, m: MatchResult, expected: string, got: string | null, margin: number): MissReason {
  const top = m.candidates[0];
  if (m.noise) return { kind: "noise", noise: m.noise };
  if (!top) return { kind: "no-candidate" };
  if (got === null) {
    return kb.intents.get(top.intentId)?.type === "out-of-scope" ? { kind: "vetoed", by: top.intentId } : { kind: "below-threshold" };
  }
  const rank = m.candidates.findIndex((c) => c.intentId === expected);
  const score = rank >= 0 ? m.candidates[rank]!.score : null;
  if (rank === 1 && score !== null && top.score - score < margin && asksBetween(kb, top.intentId, expected)) {
    return { kind: "near-tie", expectedScore: score };
  }
  return { kind: "wrong-intent", expectedRank: rank >= 0 ? rank + 1 : null, expectedScore: score };
}

// the dialog asks between two close faq intents unless one lists the other as related
function asksBetween(kb: KnowledgeBase, a: string, b: string): boolean {
  const x = kb.intents.get(a);
  const y = kb.intents.get(b);
  return x?.type === "faq" && y?.type === "faq" && !x.related.includes(b) && !y.related.includes(a);
}

/** The confidence as printed: two decimals, or three where two would hide which side of the threshold it is on. */
export function formatConfidence(confidence: number, threshold: number): string {
  const two = confidence.toFixed(2);
  return (confidence < threshold) === (Number(two) < threshold) ? two : confidence.toFixed(3);
}

/** The bracketed reason printed after a failed phrasing, e.g. "[vetoed: out-of-scope intent foreign-apps]". */
export function explainMiss(miss: Miss, threshold: number): string {
  const why = miss.why;
  switch (why.kind) {
    case "below-threshold":
      return `[below threshold: ${formatConfidence(miss.confidence, threshold)} < ${threshold}]`;
    case "noise":
      return `[noise: ${why.noise}, nothing to match]`;
    case "no-candidate":
      return "[no candidate: no word of it is in the knowledge base]";
    case "vetoed":
      return `[vetoed: the best match, "${why.by}", is an out-of-scope intent]`;
    case "answered-out-of-scope":
      return "[answered, but should not be: an out-of-scope phrasing scored at or above the threshold]";
    case "near-tie":
      return `[near tie: ${miss.expected} second @ ${why.expectedScore.toFixed(2)}; the bot would answer it second, after the other]`;
    case "wrong-intent":
      return why.expectedRank === null
        ? `[wrong intent: ${miss.expected} is not among the candidates]`
        : `[wrong intent: ${miss.expected} ranked ${why.expectedRank} @ ${why.expectedScore!.toFixed(2)}]`;
  }
}

/** How to read the failed phrasings of a report, printed once above them. */
export function missLegend(threshold: number): string[] {
  return [
    `How to read a failed phrasing: "text" — expected INTENT, got ANSWER @ C [why]`,
    `  C is the confidence of the best match (0 to 1); the bot answers at C >= ${threshold} (the threshold).`,
    `  got (no answer): the bot would not answer it, because of one of:`,
    `    [below threshold]  C < ${threshold}: the bot says it did not understand and suggests topics`,
    `    [vetoed]           the best match is an out-of-scope intent: the bot declines politely, however high C is`,
    `    [noise]            empty or markup only once emoji and punctuation are removed: nothing is matched (C is 0)`,
    `    [no candidate]     no word of it is in the knowledge base (C is 0)`,
    `  got another intent: the bot would answer with it, because of one of:`,
    `    [wrong intent]     another intent scored higher; the expected one's rank and score are shown`,
    `    [near tie]         the expected intent came a close second: the bot would answer it second, after the other`,
    `    [answered, ...]    an out-of-scope phrasing scored at or above the threshold`,
  ];
}

// A clarify intent that offers the expected intent counts as right: the user gets there in one tap.
function sameAnswer(kb: KnowledgeBase, expected: string, got: string | null): boolean {
  if (!got) return false;
  const g = kb.intents.get(got);
  const e = kb.intents.get(expected);
  return Boolean((g?.type === "clarify" && g.options.includes(expected)) || (e?.type === "clarify" && e.options.includes(got)));
}

/** Every example phrasing against its own intent, with the whole index. */
export function selfMatch(kb: KnowledgeBase, threshold: number, margin?: number): Report {
  return evaluatePhrasings(kb, examples(kb), threshold, margin);
}

/** Every example phrasing against the rest of the index (itself held out). */
export function leaveOneOut(kb: KnowledgeBase, threshold: number, margin?: number): Report {
  return evaluatePhrasings(kb, examples(kb).map((c, i) => ({ ...c, exclude: i })), threshold, margin);
}

function examples(kb: KnowledgeBase): Array<{ text: string; expected: string }> {
  return kb.index.examples.map((e) => ({ text: e.text, expected: kb.index.intentIds[e.intent]! }));
}

/** One bucket of a reliability table: phrasings whose confidence fell in [from, to). */
export interface ReliabilityBucket {
  from: number;
  to: number;
  count: number;
  meanConfidence: number;
  /** Share of them whose top reading was right. */
  accuracy: number;
}

/**
 * How far confidence can be read as the chance of being right: phrasings bucketed by confidence,
 * each bucket's observed accuracy, and the expected calibration error (the count-weighted mean gap).
 */
export function reliability(points: Report["points"], buckets = 10): { table: ReliabilityBucket[]; ece: number } {
  const table: ReliabilityBucket[] = [];
  let ece = 0;
  for (let b = 0; b < buckets; b++) {
    const from = b / buckets;
    const to = (b + 1) / buckets;
    const inside = points.filter((p) => p.confidence >= from && (p.confidence < to || (b === buckets - 1 && p.confidence <= to)));
    if (inside.length === 0) continue;
    const meanConfidence = inside.reduce((s, p) => s + p.confidence, 0) / inside.length;
    const accuracy = inside.filter((p) => p.correct).length / inside.length;
    table.push({ from, to, count: inside.length, meanConfidence, accuracy });
    ece += (inside.length / Math.max(1, points.length)) * Math.abs(accuracy - meanConfidence);
  }
  return { table, ece };
}

/** The threshold that best separates answerable phrasings from out-of-scope ones (balanced accuracy). */
export function calibrate(scores: Report["scores"]): { threshold: number; inScopeKept: number; outOfScopeRejected: number } {
  let best = { threshold: 0.5, inScopeKept: 0, outOfScopeRejected: 0, balanced: -1 };
  for (let t = 0.2; t <= 0.9001; t += 0.01) {
    const kept = scores.inScope.filter((s) => s >= t).length / Math.max(1, scores.inScope.length);
    const rejected = scores.outOfScope.filter((s) => s < t).length / Math.max(1, scores.outOfScope.length);
    const balanced = (kept + rejected) / 2;
    if (balanced > best.balanced + 1e-9) best = { threshold: Math.round(t * 100) / 100, inScopeKept: kept, outOfScopeRejected: rejected, balanced };
  }
  return { threshold: best.threshold, inScopeKept: best.inScopeKept, outOfScopeRejected: best.outOfScopeRejected };
}
