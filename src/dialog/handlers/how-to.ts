import { answer, showStep } from "../answer.js";
import type { Decision } from "../decide.js";
import { clarify } from "../decisions.js";
import { goalIntent, intentOfRow, isHowTo, procedures } from "../reading.js";
import { respond } from "../responses.js";
import { read, topicOf, type Turn } from "../turn.js";
import { followUpInContext } from "./follow-up.js";

/** "怎么弄" names no topic: the goal the user stated, else the procedure in context, else ask which. */
export function howTo(turn: Turn): Decision | undefined {
  const { state, kb, settings } = turn;
  if (!isHowTo(read(turn).match, kb, turn.input.text)) return undefined;
  const topic = topicOf(turn);
  const goal = goalIntent(state, kb);
  if (goal) return goal.id === topic?.id && state.step > 0 ? showStep(state, goal, state.step, kb, settings, false) : answer(state, goal, 0.9, kb, settings);
  const focusOwner = state.focus ? intentOfRow(kb, state.focus.table, state.focus.row) : undefined;
  const inContext = topic && topic.steps.length > 0 ? topic : focusOwner && focusOwner.steps.length > 0 ? focusOwner : undefined;
  if (inContext) return answer(state, inContext, 0.9, kb, settings);
  // "要做什么" about a table row in focus (二次开通): that row's steps column, when the table has one
  if (topic && state.focus) {
    const followUp = followUpInContext(turn, topic, true);
    if (followUp) return followUp;
  }
  const list = procedures(kb);
  if (list.length <= 1) return undefined;
  // the knowledge base's own question between its procedures, when it has one: it says what each one is
  const asking = [...kb.intents.values()].find((i) => i.type === "clarify" && list.every((p) => i.options.includes(p.id)));
  if (asking) return answer(state, asking, 0.9, kb, settings);
  return clarify(state, list, 0.9, null, respond(kb.responses, "clarify.which-task"));
}
