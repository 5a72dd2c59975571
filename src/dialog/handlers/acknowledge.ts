import type { Decision } from "../decide.js";
import { say } from "../decisions.js";
import { ACK } from "../phrases.js";
import { respond } from "../responses.js";
import { topicOf, type Turn } from "../turn.js";

/** "好的" after an answer or a "no" acknowledges it: not a miss (two of those in a row would offer a human). */
export function acknowledge(turn: Turn): Decision | undefined {
  if (!ACK.test(turn.clean) || !(topicOf(turn) || turn.pending?.kind === "declined")) return undefined;
  return say({ ...turn.state, misses: 0 }, "answer", null, 1, [{ text: respond(turn.kb.responses, "chat.acknowledge") }]);
}
