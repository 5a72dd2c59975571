import type { Intent, KnowledgeBase } from "../knowledge/knowledge-base.js";
import type { HandoffReason, Outcome, Pending, Reply } from "../types.js";
import type { Decision, DialogSettings } from "./decide.js";
import { stateOnce } from "./render.js";
import { respond } from "./responses.js";
import type { DialogState } from "./turn.js";

// The shapes a decision takes (say, clarify, hand off, a menu, a feedback prompt), each returning a new
// decision or state rather than changing the one it was given.

/** The decision to reply with `replies`, leaving the state as given; a fact an earlier line already said is said once. */
export function say(state: DialogState, kind: Outcome["kind"], intent: string | null, confidence: number, replies: Reply[]): Decision {
  return { state, outcome: { kind, intent, confidence: round(confidence), replies: replies.map((r) => ({ ...r, text: stateOnce(r.text) })) } };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Quick replies as the fields of a reply (none when the list is empty). */
export function quick(list: string[]): { quickReplies?: string[] } {
  return list.length ? { quickReplies: list } : {};
}

/** The titles of an intent's related topics (up to three). */
export function relatedTitles(intent: Intent, kb: KnowledgeBase): string[] {
  return intent.related
    .map((id) => kb.intents.get(id)?.title)
    .filter((t): t is string => Boolean(t))
    .slice(0, 3);
}

/**
 * The intent's related topics as quick replies, and the menu the state then waits on, so that a channel
 * without buttons (which numbers them) can send "2" back and get the second.
 */
export function menu(intent: Intent, kb: KnowledgeBase): { choices: string[]; pending: Pending | null } {
  const ids = intent.related.filter((id) => kb.intents.has(id)).slice(0, 3);
  return { choices: ids.map((id) => kb.intents.get(id)!.title), pending: ids.length ? { kind: "menu", options: ids } : null };
}

/** Replies with one text followed by the menu of `about`'s related topics. */
export function sayWithMenu(
  state: DialogState,
  kind: Outcome["kind"],
  intent: string | null,
  confidence: number,
  text: string,
  about: Intent,
  kb: KnowledgeBase,
  first: string[] = [],
): Decision {
  const { choices, pending } = menu(about, kb);
  return say({ ...state, pending }, kind, intent, confidence, [{ text, ...quick([...first, ...choices]) }]);
}

/** Counts an answer with content and, every `feedbackEvery` answers, asks whether it helped. */
export function paced(decision: Decision, intent: Intent, kb: KnowledgeBase, settings: DialogSettings): Decision {
  const counted = { ...decision, state: { ...decision.state, answers: decision.state.answers + 1 } };
  return settings.feedbackEvery > 0 && counted.state.answers % settings.feedbackEvery === 0 ? withFeedbackPrompt(counted, intent, kb, settings) : counted;
}

/** The decision with the thumbs up/down prompt after its replies, remembering which intent it rates. */
export function withFeedbackPrompt(decision: Decision, intent: Intent, kb: KnowledgeBase, settings: DialogSettings): Decision {
  if (settings.feedbackEvery <= 0) return decision;
  const choices = [respond(kb.responses, "feedback.helpful"), respond(kb.responses, "feedback.unhelpful")];
  return {
    ...decision,
    state: { ...decision.state, feedbackFor: intent.id },
    outcome: { ...decision.outcome, replies: [...decision.outcome.replies, { text: respond(kb.responses, "feedback.prompt"), quickReplies: choices }] },
  };
}

/** Asks which of several intents is meant; the options are the quick replies, said once. */
export function clarify(
  state: DialogState,
  options: Intent[],
  confidence: number,
  intro: string | null,
  question: string,
  intentId: string | null = null,
): Decision {
  const next: DialogState = { ...state, pending: { kind: "clarification", options: options.map((o) => o.id) }, misses: 0 };
  // buttons on the web, numbered lines where there are none
  const text = [...(intro ? [intro] : []), question].join("\n");
  return say(next, "clarify", intentId, confidence, [{ text, quickReplies: options.map((o) => o.title) }]);
}

/** The knowledge base's own intent for reaching a human, whatever its id. */
export function handoffIntent(kb: KnowledgeBase): Intent | undefined {
  return [...kb.intents.values()].find((i) => i.type === "handoff");
}

/** Hands the conversation to a human for `reason`, or says no one can answer on this channel. */
export function handoff(state: DialogState, reason: HandoffReason, confidence: number, kb: KnowledgeBase, settings: DialogSettings): Decision {
  const next: DialogState = { ...state, misses: 0, pending: null };
  const intentId = handoffIntent(kb)?.id ?? null;
  if (settings.humans === false) {
    // a channel no agent can answer on (the terminal chat): say so rather than queue the user
    return say(next, "fallback", intentId, confidence, [{ text: respond(kb.responses, "handoff.unavailable") }]);
  }
  return { ...say({ ...next, mode: "human" }, "handoff", intentId, confidence, [{ text: respond(kb.responses, "handoff.queued") }]), handoff: { reason } };
}
