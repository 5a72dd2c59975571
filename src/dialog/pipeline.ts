import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import type { ConversationState } from "../types.js";
import type { Decision, DialogSettings } from "./decide.js";
import { acknowledge } from "./handlers/acknowledge.js";
import { compare } from "./handlers/compare.js";
import { decline } from "./handlers/decline.js";
import { fallback } from "./handlers/fallback.js";
import { feedback } from "./handlers/feedback.js";
import { figureInRange } from "./handlers/figure-in-range.js";
import { followUp } from "./handlers/follow-up.js";
import { howTo } from "./handlers/how-to.js";
import { more } from "./handlers/more.js";
import { humanMode } from "./handlers/human-mode.js";
import { newQuestion } from "./handlers/new-question.js";
import { noise } from "./handlers/noise.js";
import { numberedPick } from "./handlers/numbered-pick.js";
import { paging } from "./handlers/paging.js";
import { pendingReply } from "./handlers/pending-reply.js";
import { slotStatement } from "./handlers/slot-statement.js";
import { why } from "./handlers/why.js";
import { createTurn, type Handler, type Turn } from "./turn.js";

/**
 * The dialog, in the order its handlers are asked: the first that decides answers the message, the
 * others are not asked. What the bot asked or is doing comes before reading a message as a new question.
 */
export const handlers: readonly Handler[] = [
  humanMode,
  numberedPick,
  feedback,
  more,
  pendingReply,
  paging,
  why,
  decline,
  acknowledge,
  noise,
  howTo,
  compare,
  figureInRange,
  followUp,
  slotStatement,
  newQuestion,
  fallback,
];

/** Asks the handlers in order until one decides. */
export function runPipeline(turn: Turn, list: readonly Handler[] = handlers): Decision {
  for (const handle of list) {
    const decision = handle(turn);
    if (decision) return decision;
  }
  throw new Error("no handler decided the turn: the list must end with one that always decides (fallback)");
}

/** One turn through the pipeline; a number standing for a quick reply reruns it on that reply. */
export function decideTurn(prev: ConversationState, input: { text: string; at: number }, kb: KnowledgeBase, settings: DialogSettings): Decision {
  const turn: Turn = createTurn(prev, input, kb, settings, (text) => decideTurn({ ...prev, mode: turn.state.mode, offered: [] }, { text, at: input.at }, kb, settings));
  return runPipeline(turn);
}
