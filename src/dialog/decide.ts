import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import type { ConversationState, HandoffReason, Outcome } from "../types.js";
import { numberedChoices } from "./numbered.js";
import { decideTurn } from "./pipeline.js";

export type { HandoffReason } from "../types.js";

/** Knobs of the dialog, from configuration. */
export interface DialogSettings {
  /** Confidence at or above which a match is answered. */
  threshold: number;
  /** Top two candidates closer than this (both answerable) → ask which one. */
  clarifyMargin: number;
  /** Offer thumbs up/down after every Nth answer (0: never). */
  feedbackEvery: number;
  /** Whether a human agent can be reached from this channel (default true); without one the bot says so. */
  humans?: boolean;
}

export const defaultDialogSettings: DialogSettings = { threshold: 0.45, clarifyMargin: 0.05, feedbackEvery: 3 };

/** What the bot decided for one message: the new state, the outcome, and what to record. */
export interface Decision {
  state: ConversationState;
  outcome: Outcome;
  handoff?: { reason: HandoffReason };
  feedback?: { intent: string; helpful: boolean };
}

/** A new conversation's state. */
export function initialState(now: number): ConversationState {
  return {
    topic: null,
    step: 0,
    focus: null,
    pending: null,
    slots: {},
    lastQuestion: null,
    feedbackFor: null,
    misses: 0,
    mode: "bot",
    answers: 0,
    updatedAt: now,
  };
}

/**
 * The dialog manager: (state, message, knowledge) → (new state, outcome), by the handlers of
 * `pipeline.ts` in order. Pure: no store, no clock (the time comes with the message), no I/O. Matching
 * is pure too, so it may re-read a message in context. A state stored in an older shape is read as well.
 */
export function decide(
  prev: ConversationState,
  input: { text: string; at: number },
  kb: KnowledgeBase,
  settings: DialogSettings = defaultDialogSettings,
): Decision {
  const decision = decideTurn(prev, input, kb, settings);
  // remember the quick replies just offered: a number sent back picks one of them
  return { ...decision, state: { ...decision.state, offered: numberedChoices(decision.outcome.replies) } };
}
