import { matchIntent } from "../nlu/match.js";
import type { KnowledgeBase } from "./knowledge-base.js";

/** One phrasing that did not land on its intent. */
export interface Miss {
  text: string;
  expected: string;
  got: string | null;
  confidence: number;
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
}

const REJECT = "out-of-scope";

function answered(kb: KnowledgeBase, intentId: string | undefined, confidence: number, threshold: number): string | null {
  if (!intentId || confidence < threshold) return null;
  const type = kb.intents.get(intentId)?.type;
  return type === "out-of-scope" ? null : intentId;
}

function finish(total: number, misses: Miss[], scores: Report["scores"]): Report {
  const counts = new Map<string, number>();
  for (const m of misses) {
    const pair = `${m.expected} → ${m.got ?? "(no answer)"}`;
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  const confusions = [...counts.entries()].map(([pair, count]) => ({ pair, count })).sort((a, b) => b.count - a.count);
  return { total, correct: total - misses.length, accuracy: total ? (total - misses.length) / total : 1, misses, confusions, scores };
}

/**
 * Matches phrasings against the knowledge base. `expected` "out-of-scope" means the phrasing must
 * not be answered. With `leaveOneOut`, each indexed example is matched with itself held out.
 */
export function evaluatePhrasings(
  kb: KnowledgeBase,
  cases: Array<{ text: string; expected: string; exclude?: number }>,
  threshold: number,
): Report {
  const misses: Miss[] = [];
  const scores: Report["scores"] = { inScope: [], outOfScope: [] };
  for (const c of cases) {
    const m = matchIntent(c.text, kb.index, c.exclude === undefined ? {} : { excludeExample: c.exclude });
    const top = m.candidates[0];
    const got = answered(kb, top?.intentId, m.confidence, threshold);
    const expectReject = c.expected === REJECT || kb.intents.get(c.expected)?.type === "out-of-scope";
    if (expectReject) {
      scores.outOfScope.push(top && kb.intents.get(top.intentId)?.type !== "out-of-scope" ? m.confidence : 0);
      if (got !== null) misses.push({ text: c.text, expected: REJECT, got, confidence: m.confidence });
      continue;
    }
    if (top?.intentId === c.expected) scores.inScope.push(m.confidence);
    if (got !== c.expected && !sameAnswer(kb, c.expected, got)) {
      misses.push({ text: c.text, expected: c.expected, got, confidence: m.confidence });
    }
  }
  return finish(cases.length, misses, scores);
}

// A clarify intent that offers the expected intent counts as right: the user gets there in one tap.
function sameAnswer(kb: KnowledgeBase, expected: string, got: string | null): boolean {
  if (!got) return false;
  const g = kb.intents.get(got);
  const e = kb.intents.get(expected);
  return Boolean((g?.type === "clarify" && g.options.includes(expected)) || (e?.type === "clarify" && e.options.includes(got)));
}

/** Every example phrasing against its own intent, with the whole index. */
export function selfMatch(kb: KnowledgeBase, threshold: number): Report {
  return evaluatePhrasings(kb, examples(kb), threshold);
}

/** Every example phrasing against the rest of the index (itself held out). */
export function leaveOneOut(kb: KnowledgeBase, threshold: number): Report {
  return evaluatePhrasings(kb, examples(kb).map((c, i) => ({ ...c, exclude: i })), threshold);
}

function examples(kb: KnowledgeBase): Array<{ text: string; expected: string }> {
  return kb.index.examples.map((e) => ({ text: e.text, expected: kb.index.intentIds[e.intent]! }));
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
