import type { Decision } from "../decide.js";
import { miss } from "../miss.js";
import { read, understood, type Turn } from "../turn.js";

/** What no handler before understood: a miss, with the nearest topics and, from the second, a human. Always decides. */
export function fallback(turn: Turn): Decision {
  const decision = miss(turn.state, understood(turn), turn.kb, turn.settings);
  // a question about another subject ("抖音号要怎么注销") is what a follow-up naming this one ("那X呢")
  // asks again of it: it is remembered without the other subject's words
  const asked = ofOtherSubject(turn);
  return asked ? { ...decision, state: { ...decision.state, lastQuestion: asked } } : decision;
}

/** The question a message asks of another subject, without that subject's words, or null. */
function ofOtherSubject(turn: Turn): string | null {
  const { kb } = turn;
  const { match } = read(turn);
  const other = (t: string): boolean => {
    const role = kb.lexicon.roleOf.get(t);
    return role === "veto" || role === "other-subject";
  };
  if (!match.tokens.some(other)) return null;
  const rest = match.tokens.filter((t) => !other(t));
  // (it must ask something of its own: a frame or a word of the knowledge base besides the subject's name)
  if (!rest.some((t) => kb.index.idf.has(t) && !kb.subject.has(t) && !kb.lexicon.stopwords.has(t))) return null;
  return rest.join("");
}
