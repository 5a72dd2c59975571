import type { Decision } from "../decide.js";
import { say } from "../decisions.js";
import { feedbackVerdict } from "../reading.js";
import { respond } from "../responses.js";
import type { Turn } from "../turn.js";

/**
 * A thumbs up or down to the feedback prompt: thanks, or an apology with the offer of a human. Passes
 * otherwise, having dropped the prompt: one left unanswered is not carried into later turns.
 */
export function feedback(turn: Turn): Decision | undefined {
  const { kb, settings } = turn;
  const intent = turn.state.feedbackFor;
  turn.state.feedbackFor = null;
  const verdict = feedbackVerdict(turn.input.text, turn.clean, kb);
  if (verdict === null || !intent) return undefined;
  const offer = !verdict && settings.humans !== false;
  const state = offer ? { ...turn.state, pending: { kind: "human-offer" as const, reason: "negative-feedback" as const, topics: [] } } : turn.state;
  const reply = verdict
    ? { text: respond(kb.responses, "feedback.thanks") }
    : offer
      ? { text: respond(kb.responses, "feedback.sorry-offer-human"), quickReplies: [respond(kb.responses, "handoff.choice")] }
      : { text: respond(kb.responses, "feedback.sorry") };
  return { ...say(state, "answer", intent, 1, [reply]), feedback: { intent, helpful: verdict } };
}
