import type { Decision } from "../decide.js";
import { optionNumbered } from "../numbered.js";
import type { Turn } from "../turn.js";

/** A number picks one of the quick replies the bot just offered ("1" after 「下一步 | 全部步骤」): the turn reads as that reply. */
export function numberedPick(turn: Turn): Decision | undefined {
  const text = optionNumbered(turn.input.text, turn.prev.offered ?? []);
  return text === undefined ? undefined : turn.again(text);
}
