import type { Decision } from "../decide.js";
import { say } from "../decisions.js";
import { CANCEL_HUMAN } from "../phrases.js";
import { respond } from "../responses.js";
import type { Turn } from "../turn.js";

/** A conversation a human agent has: the bot stays silent, unless the user leaves the queue ("取消人工"). */
export function humanMode(turn: Turn): Decision | undefined {
  const { state, kb } = turn;
  if (state.mode !== "human") return undefined;
  if (CANCEL_HUMAN.test(turn.clean)) return say({ ...state, mode: "bot", misses: 0 }, "answer", null, 1, [{ text: respond(kb.responses, "handoff.cancelled") }]);
  return { state, outcome: { kind: "human", intent: null, confidence: 1, replies: [] } };
}
