import type { Decision } from "../decide.js";
import { say, sayWithMenu } from "../decisions.js";
import { answer } from "../answer.js";
import { MORE, WHAT_ELSE } from "../phrases.js";
import { topicOf, type Turn } from "../turn.js";

/**
 * 「更多」 right after an answer whose first reply was short: the rest of it, with the same next steps.
 * 「还有呢」 after an answer said whole: what else there is on it, the first topic it relates to.
 */
export function more(turn: Turn): Decision | undefined {
  const lines = turn.prev.more;
  if (!MORE.test(turn.clean)) return undefined;
  if (!lines?.length) return whatElse(turn);
  const { kb } = turn;
  const state = { ...turn.state, misses: 0 };
  const topic = topicOf(turn);
  const text = lines.join("\n");
  if (!topic) return say(state, "answer", null, 1, [{ text }]);
  // a procedure stays at the step it is on: its next steps are the way on
  if (topic.steps.length > 0) return say(state, "answer", topic.id, 1, [{ text, quickReplies: ["下一步", "全部步骤"] }]);
  return sayWithMenu(state, "answer", topic.id, 1, text, topic, kb);
}

/** The first related topic of the last answer, when nothing of it is left to say and "what else" is asked. */
function whatElse(turn: Turn): Decision | undefined {
  const topic = topicOf(turn);
  if (!topic || !WHAT_ELSE.test(turn.clean)) return undefined;
  const next = topic.related.map((id) => turn.kb.intents.get(id)).find((i) => i !== undefined && i.type === "faq" && i.id !== topic.id);
  if (!next) return undefined;
  return answer({ ...turn.state, misses: 0 }, next, 1, turn.kb, turn.settings);
}
