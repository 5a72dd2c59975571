import type { Decision } from "../decide.js";
import { say, sayWithMenu } from "../decisions.js";
import { MORE } from "../phrases.js";
import { topicOf, type Turn } from "../turn.js";

/** 「更多」 right after an answer whose first reply was short: the rest of it, with the same next steps. */
export function more(turn: Turn): Decision | undefined {
  const lines = turn.prev.more;
  if (!lines?.length || !MORE.test(turn.clean)) return undefined;
  const { kb } = turn;
  const state = { ...turn.state, misses: 0 };
  const topic = topicOf(turn);
  const text = lines.join("\n");
  if (!topic) return say(state, "answer", null, 1, [{ text }]);
  // a procedure stays at the step it is on: its next steps are the way on
  if (topic.steps.length > 0) return say(state, "answer", topic.id, 1, [{ text, quickReplies: ["下一步", "全部步骤"] }]);
  return sayWithMenu(state, "answer", topic.id, 1, text, topic, kb);
}
