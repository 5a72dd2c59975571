import type { Decision } from "../decide.js";
import { miss } from "../miss.js";
import { understood, type Turn } from "../turn.js";

/** What no handler before understood: a miss, with the nearest topics and, from the second, a human. Always decides. */
export function fallback(turn: Turn): Decision {
  return miss(turn.state, understood(turn), turn.kb, turn.settings);
}
