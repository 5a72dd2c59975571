import { yesOrNo } from "../../nlu/yes-no.js";
import type { Decision } from "../decide.js";
import { say } from "../decisions.js";
import { respond } from "../responses.js";
import type { Turn } from "../turn.js";

/** "不用了" / "算了" on its own answers no question of the knowledge base: a polite reply, not a miss. */
export function decline(turn: Turn): Decision | undefined {
  if (yesOrNo(turn.clean) !== "no") return undefined;
  // remembered, so that "好的" after it is taken as an acknowledgment
  return say({ ...turn.state, misses: 0, pending: { kind: "declined" } }, "answer", null, 1, [{ text: respond(turn.kb.responses, "chat.decline") }]);
}
