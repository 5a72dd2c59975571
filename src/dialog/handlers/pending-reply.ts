import type { Intent } from "../../knowledge/knowledge-base.js";
import { cleanWord } from "../../nlu/lexicon.js";
import { matchIntent } from "../../nlu/match.js";
import { yesOrNo } from "../../nlu/yes-no.js";
import type { Pending } from "../../types.js";
import { answer } from "../answer.js";
import type { Decision } from "../decide.js";
import { clarify, handoff, handoffIntent, say } from "../decisions.js";
import { ordinal, positionNamed } from "../numbered.js";
import { asksForHuman, contentTokens } from "../reading.js";
import { respond } from "../responses.js";
import { isSlotWord, rememberSlots } from "../slots.js";
import type { Turn } from "../turn.js";

/** The human in the numbered list of an offer of a human (first, before the nearest topics). */
const HUMAN = Symbol("human");

/**
 * A reply to the question the bot just asked: the offer of a human taken or declined, an option of a
 * clarification or menu picked (by number, title or, for a clarification, a few words), a number that
 * is no option (the options again), or a slot value stated ("我是企业号": noted, and asked again).
 * The question is consumed either way: anything else is read as a new message.
 */
export function pendingReply(turn: Turn): Decision | undefined {
  const { pending, kb, settings, clean } = turn;
  turn.state.pending = null;
  const state = turn.state;
  if (!pending || pending.kind === "declined") return undefined;
  if (pending.kind === "human-offer") {
    // a yes or a request takes it (for the reason it was made), a no declines it
    const reply = yesOrNo(clean);
    if (reply === "yes" || asksForHuman(turn.input.text, kb, settings)) return handoff(state, pending.reason, 1, kb, settings);
    if (reply === "no") return say({ ...state, misses: 0, pending: { kind: "declined" } }, "answer", null, 1, [{ text: respond(kb.responses, "chat.decline-human") }]);
  }
  const picked = pickOption(turn, pending);
  if (picked === HUMAN) return handoff(state, pending.kind === "human-offer" ? pending.reason : "asked", 1, kb, settings);
  if (picked) return answer(state, picked, 1, kb, settings);
  if (pending.kind === "human-offer") return undefined;
  const options = pending.options.map((id) => kb.intents.get(id)).filter((i): i is Intent => i !== undefined);
  // a number that is not one of the options: show them again rather than read "3" as a question
  const n = ordinal(clean);
  if (n !== null && options.length > 0) {
    return clarify(state, options, 1, respond(kb.responses, "clarify.no-such-option", { n }), respond(kb.responses, "clarify.which-one"));
  }
  // "我是企业号" in reply to a clarification: remember it and ask again
  if (pending.kind === "clarification" && options.length === pending.options.length && options.length > 1) {
    const said = matchIntent(turn.input.text, kb.index);
    const words = contentTokens(said, kb);
    if (words.length > 0 && words.every((w) => isSlotWord(w, kb))) {
      const { slots, stated } = rememberSlots(state.slots, said, kb);
      const value = stated[0];
      if (value) {
        return clarify({ ...state, slots }, options, 1, respond(kb.responses, "slots.noted", { label: value.label }), respond(kb.responses, "clarify.which-kind"));
      }
    }
  }
  return undefined;
}

/** The option a reply picks from the pending question, or null. */
function pickOption(turn: Turn, pending: Exclude<Pending, { kind: "declined" }>): Intent | typeof HUMAN | null {
  const { kb, clean, settings } = turn;
  const options: Array<string | typeof HUMAN> = pending.kind === "human-offer" ? [HUMAN, ...pending.topics] : pending.options;
  const byId = (id: string | typeof HUMAN | undefined): Intent | typeof HUMAN | null => (id === HUMAN ? HUMAN : id ? (kb.intents.get(id) ?? null) : null);
  const n = positionNamed(clean, options.length, true);
  if (n !== null) return byId(options[n - 1]);
  const human = [respond(kb.responses, "handoff.choice"), handoffIntent(kb)?.title];
  const titles = options.map((id) => (id === HUMAN ? human : [kb.intents.get(id)?.title]));
  const byTitle = titles.findIndex((ts) => ts.some((t) => t !== undefined && cleanWord(t).replace(/\s+/g, "") === clean));
  if (byTitle >= 0) return byId(options[byTitle]);
  if (pending.kind !== "clarification") return null;
  // the answer may be a few words ("彻底注销", "只关入口"): take the option it reads closest to
  // (the question just asked, a clarification of its own, is no reading of the answer to it)
  const match = matchIntent(turn.input.text, kb.index);
  const readings = match.candidates.filter((c) => kb.intents.get(c.intentId)?.type !== "clarify");
  const hit = readings.find((c) => pending.options.includes(c.intentId));
  if (hit && hit === readings[0] && hit.score >= settings.threshold * 0.8) return byId(hit.intentId);
  return null;
}
