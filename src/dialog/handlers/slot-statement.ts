import type { Decision } from "../decide.js";
import { say } from "../decisions.js";
import { respond } from "../responses.js";
import { isSlotWord, statedValues } from "../slots.js";
import { read, understood, type Turn } from "../turn.js";

/** "我是教师" that no intent answers: the value is remembered (when the message was read), which is all it asked. */
export function slotStatement(turn: Turn): Decision | undefined {
  const { kb, settings } = turn;
  const { match, words } = read(turn);
  const best = understood(turn);
  if (best.candidates.length > 0 && best.confidence >= settings.threshold) return undefined;
  const statement = statedValues(match, kb)[0];
  if (!statement || words.length === 0 || !words.every((w) => isSlotWord(w, kb))) return undefined;
  return say({ ...turn.state, misses: 0 }, "answer", null, 1, [{ text: respond(kb.responses, "slots.noted", { label: statement.value.label }) }]);
}
