import type { Decision } from "../decide.js";
import { sayWithMenu } from "../decisions.js";
import { WHY } from "../phrases.js";
import { renderRefs } from "../render.js";
import { respond } from "../responses.js";
import { topicOf, type Turn } from "../turn.js";

/** "为什么" about the topic in focus: the reasons the knowledge gives, or that it gives none. */
export function why(turn: Turn): Decision | undefined {
  const { state, kb } = turn;
  const topic = topicOf(turn);
  if (!topic || !WHY.test(turn.clean)) return undefined;
  if (topic.why.length > 0) return sayWithMenu({ ...state, misses: 0 }, "answer", topic.id, 1, renderRefs(topic.why, kb).join("\n"), topic, kb);
  // understood, but the knowledge gives no reason: say so rather than answer another question
  return sayWithMenu(state, "fallback", topic.id, 1, respond(kb.responses, "why.unknown", { title: topic.title }), topic, kb);
}
