import type { Intent, KnowledgeBase } from "../knowledge/knowledge-base.js";
import type { MatchResult } from "../types.js";
import type { Decision, DialogSettings } from "./decide.js";
import { quick, say } from "./decisions.js";
import { respond } from "./responses.js";
import type { DialogState } from "./turn.js";

// Below this score a candidate is not offered as a "did you mean" topic after a miss.
const SUGGEST_FLOOR = 0.25;

/**
 * A message not understood: says so with the nearest topics; from the second miss in a row, offers a
 * human (never imposed: a third miss is a miss like the second, with the offer again).
 */
export function miss(state: DialogState, match: MatchResult, kb: KnowledgeBase, settings: DialogSettings, lead?: string): Decision {
  const misses = state.misses + 1;
  const r = (key: Parameters<typeof respond>[1]) => respond(kb.responses, key);
  const note = match.truncated ? `${r("fallback.truncated")}\n` : "";
  const nearest = suggestions(match, kb);
  const humans = settings.humans !== false;
  if (misses >= 2 && humans) {
    // the quick replies can be picked by number: the human first, then the nearest topics
    const topics = nearest.slice(0, 2);
    return say({ ...state, misses, pending: { kind: "human-offer", reason: "repeated-misses", topics: topics.map((i) => i.id) } }, "fallback", null, match.confidence, [
      { text: `${note}${lead ?? r("fallback.again")}${r("fallback.offer-human")}`, quickReplies: [r("handoff.choice"), ...topics.map((i) => i.title)] },
    ]);
  }
  return say({ ...state, misses, pending: { kind: "menu", options: nearest.map((i) => i.id) } }, "fallback", null, match.confidence, [
    {
      text: `${note}${lead ?? `${misses >= 2 ? r("fallback.again") : r("fallback.first")}${r(humans ? "fallback.scope" : "fallback.scope-no-human")}`}`,
      ...quick(nearest.map((i) => i.title)),
    },
  ]);
}

/** The three topics nearest to a message that was not understood, then the default suggestions. */
export function suggestions(match: MatchResult, kb: KnowledgeBase): Intent[] {
  const out: Intent[] = [];
  const defaults = [...kb.intents.values()].filter((i) => i.suggest).map((i) => i.id);
  // topics that share next to nothing with the message are no help: offer the usual ones instead
  const near = match.candidates.filter((c) => c.score >= SUGGEST_FLOOR).map((c) => c.intentId);
  for (const id of [...near, ...defaults]) {
    const intent = kb.intents.get(id);
    if (!intent || (intent.type !== "faq" && intent.type !== "clarify")) continue;
    if (!out.some((o) => o.title === intent.title)) out.push(intent);
    if (out.length === 3) break;
  }
  return out;
}
