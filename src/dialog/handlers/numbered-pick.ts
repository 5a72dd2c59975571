import type { Decision } from "../decide.js";
import { ordinal } from "../numbered.js";
import type { Turn } from "../turn.js";

/** A number picks one of the quick replies the bot just offered ("1" after 「下一步 | 全部步骤」): the turn reads as that reply. */
export function numberedPick(turn: Turn): Decision | undefined {
  const offered = turn.prev.offered ?? [];
  const n = ordinal(turn.clean);
  if (n === null || offered.length === 0) return undefined;
  const text = offered[n - 1];
  return text === undefined ? undefined : turn.again(text);
}
