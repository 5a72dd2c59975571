import type { Decision } from "../decide.js";
import { miss } from "../miss.js";
import { respond } from "../responses.js";
import { read, type Turn } from "../turn.js";

/** A message that is noise (empty, emoji only, markup): a miss, with a hint when it had no text. */
export function noise(turn: Turn): Decision | undefined {
  const { match } = read(turn);
  if (!match.noise) return undefined;
  return miss(turn.state, match, turn.kb, turn.settings, match.noise === "empty" ? respond(turn.kb.responses, "fallback.not-text") : undefined);
}
