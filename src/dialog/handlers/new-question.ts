import type { KnowledgeBase } from "../../knowledge/knowledge-base.js";
import type { MatchResult } from "../../types.js";
import { answer, answerWithRunnerUp } from "../answer.js";
import type { Decision } from "../decide.js";
import { clarify, handoff } from "../decisions.js";
import { asksForHuman, asksHow, hasSteps } from "../reading.js";
import { FIRST_STEP } from "../phrases.js";
import { respond } from "../responses.js";
import { read, topicOf, understood, type Turn } from "../turn.js";

// A runner-up with steps this close to a best topic without any answers a how-to question instead.
const HOW_TO_MARGIN = 0.1;
// A request for a human said among words that weigh its confidence down (算了你直接帮我转人工吧我打字说不清楚)
// is still one when nothing else comes near it: this far ahead of the runner-up, at this share of the threshold.
const HUMAN_LEAD = 0.15;
// A clause of a longer message read this clearly as a request for a human is one ("一直注销不了，转人工").
const CLEAR_REQUEST = 0.8;
const HUMAN_SHARE = 0.6;

// Where a procedure starts, asked of one that leads the runner-up this far, at this share of the threshold
// ("请问注销账号，第一步应进入哪个菜单": its words weigh it down, but nothing else comes near it).
const FIRST_STEP_LEAD = 0.05;
const FIRST_STEP_SHARE = 0.8;
// A question that means several things is asked about when read at this share of the threshold.
const CLARIFY_SHARE = 0.85;

function startsProcedure(best: MatchResult, kb: KnowledgeBase, threshold: number): boolean {
  const [top, second] = best.candidates;
  const intent = top ? kb.intents.get(top.intentId) : undefined;
  if (!top || !intent || intent.type !== "faq" || intent.steps.length === 0) return false;
  return best.confidence >= FIRST_STEP_SHARE * threshold && top.score - (second?.score ?? 0) >= FIRST_STEP_LEAD;
}

function handoffLeads(best: MatchResult, kb: KnowledgeBase, threshold: number): boolean {
  const [top, second] = best.candidates;
  if (!top || kb.intents.get(top.intentId)?.type !== "handoff") return false;
  return best.confidence >= HUMAN_SHARE * threshold && top.score - (second?.score ?? 0) >= HUMAN_LEAD;
}

/**
 * A question understood on its own (or with the last question): its answer, a human when it asks for
 * one, or which of two near-tied meanings. Passes what is not understood or out of scope.
 */
export function newQuestion(turn: Turn): Decision | undefined {
  const { kb, settings } = turn;
  const { match } = read(turn);
  const best = understood(turn);
  const top = best.candidates[0];
  if (top && handoffLeads(best, kb, settings.threshold)) return handoff(turn.state, "asked", best.confidence, kb, settings);
  // a clause that asks for a human is honoured beside the trouble it follows ("一直注销不了，转人工"), when
  // the message's one reading has a human among its candidates at all; read clearly on its own (a
  // story's "客服电话也一直占线" names the service, it does not ask for it)
  const mayAskHuman = turn.clauses.length > 1 && best.candidates.some((c) => kb.intents.get(c.intentId)?.type === "handoff");
  if (mayAskHuman && turn.clauses.some((c) => asksForHuman(c, kb, { ...settings, threshold: CLEAR_REQUEST }))) {
    return handoff(turn.state, "asked", best.confidence, kb, settings);
  }
  const firstStep = FIRST_STEP.test(best.text.replace(/\s+/g, ""));
  if (top && firstStep && best.confidence < settings.threshold && startsProcedure(best, kb, settings.threshold)) {
    return answer({ ...turn.state, lastQuestion: turn.input.text }, kb.intents.get(top.intentId)!, best.confidence, kb, settings, best, turn.input.text);
  }
  // asking which is meant risks nothing an answer would: a question that can mean several things, read
  // as such a little under the threshold, is asked about rather than not understood
  if (top && best.confidence < settings.threshold && best.confidence >= CLARIFY_SHARE * settings.threshold && kb.intents.get(top.intentId)?.type === "clarify") {
    return answer({ ...turn.state, lastQuestion: turn.input.text }, kb.intents.get(top.intentId)!, best.confidence, kb, settings, best, turn.input.text);
  }
  if (!top || best.confidence < settings.threshold) return undefined;
  const intent = kb.intents.get(top.intentId)!;
  if (intent.type === "out-of-scope") return undefined;
  if (intent.type === "handoff") return handoff(turn.state, "asked", best.confidence, kb, settings);
  // a question understood on its own is what elliptical follow-ups are read with
  const state = best === match && intent.type !== "smalltalk" ? { ...turn.state, lastQuestion: turn.input.text } : turn.state;

  // "X 怎么弄" wants the doing of it: a close runner-up that has steps goes before one that has none, and
  // a procedure to walk through before a row that only names its path ("注销账号第一步点哪")
  if (intent.type === "faq" && (firstStep || asksHow(best, kb)) && intent.steps.length === 0) {
    const close = best.candidates.slice(1).filter((c) => top.score - c.score <= HOW_TO_MARGIN);
    const doing =
      (firstStep ? close.find((c) => (kb.intents.get(c.intentId)?.steps.length ?? 0) > 0) : undefined) ??
      (hasSteps(intent, kb) ? undefined : close.find((c) => c.score >= settings.threshold && hasSteps(kb.intents.get(c.intentId), kb)));
    if (doing) return answer(state, kb.intents.get(doing.intentId)!, doing.score, kb, settings, best, turn.input.text);
  }

  const topic = topicOf(turn);
  const second = best.candidates[1];
  const secondIntent = second ? kb.intents.get(second.intentId) : undefined;
  if (
    intent.type === "faq" &&
    second &&
    secondIntent?.type === "faq" &&
    second.score >= settings.threshold &&
    top.score - second.score < settings.clarifyMargin
  ) {
    // a near tie with the topic being talked about is that topic: the conversation says which
    const inTopic = [intent, secondIntent].find((i) => i.id === topic?.id || topic?.related.includes(i.id));
    if (inTopic && !(topic?.related.includes(intent.id) && topic.related.includes(secondIntent.id))) {
      return answer(state, inTopic, best.confidence, kb, settings, best, turn.input.text);
    }
    // a short follow-up of a conversation under way ("那粉丝呢") is read with what was being talked about:
    // the best is said alone
    if (topic && read(turn).elliptical) return answer(state, intent, best.confidence, kb, settings, best, turn.input.text);
    // two entries of the knowledge base that answer it equally well: both are said, the best first, since
    // asking which one is meant costs a turn and shows no answer at all
    return answerWithRunnerUp(secondIntent, state, intent, best.confidence, kb, settings, best, turn.input.text);
  }
  return answer(state, intent, best.confidence, kb, settings, best, turn.input.text);
}
