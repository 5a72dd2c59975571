import type { Intent, KnowledgeBase, Table, TableRow } from "../knowledge/knowledge-base.js";
import { cleanWord } from "../nlu/lexicon.js";
import { matchIntent, tokenize } from "../nlu/match.js";
import { normalizeText } from "../nlu/normalize.js";
import { yesOrNo } from "../nlu/yes-no.js";
import type { ConversationState, MatchResult, Outcome, Reply } from "../types.js";
import { respond } from "./responses.js";
import { isSlotWord, rememberedValue, rememberSlots, statedValues, variantLines } from "./slots.js";
import {
  contradictedColumn,
  renderAllSteps,
  renderCell,
  renderConflictNote,
  renderRef,
  renderRefs,
  renderRow,
  renderStep,
  stateOnce,
} from "./render.js";

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

export const defaultDialogSettings: DialogSettings = { threshold: 0.45, clarifyMargin: 0.02, feedbackEvery: 3 };

/** Why a conversation goes to a human: asked for one, the fallback ladder's offer, or a thumbs-down's offer. */
export type HandoffReason = "asked" | "repeated-misses" | "negative-feedback";

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
    pending: [],
    slots: {},
    lastQuestion: null,
    feedbackFor: null,
    misses: 0,
    mode: "bot",
    answers: 0,
    updatedAt: now,
  };
}

// Markers at the head of ConversationState.pending: the offer of a human, or a plain menu of topics
// (picked by number or title only; a clarification's options are also picked by reading the reply).
const HUMAN_OFFER = "human";
const HUMAN_OFFER_AFTER_FEEDBACK = "human:negative-feedback";
// Below this score a candidate is not offered as a "did you mean" topic after a miss.
const SUGGEST_FLOOR = 0.25;
const MENU = "#menu";
// Marker of a "no" just answered, so that "好的" after it is taken as an acknowledgment
const DECLINED = "#declined";
const NEXT = /^(下一步|然后|接着|继续|好了|好了然后|下一个|next|done|ok了|弄好了|搞定了|完成了|做完了)+(呢|啊|了|吧)?$/;
const PREV = /^(上一步|上一个|返回上一步|回到上一步|previous|back)(呢|啊|吧)?$/;
const REPEAT = /^(重复|再说一遍|再说一次|没看清|再来一遍|repeat)(一下|一遍)?(呢|啊|吧)?$/;
const ALL_STEPS = /^(把)?(全部步骤|所有步骤|完整步骤|全部|全部的|都发我|一次性发完|全部发我|完整流程|全部流程|整个流程|步骤全部|步骤都)(都)?(发我|给我|发给我|发一下|列一下|说一下|看看|发出来)?(呢|吧|啊|一下)?$/;
const WHY = /^(那)?(为什么|为啥|为何|why|咋回事|怎么回事|什么原因)(呢|啊|呀)?$/;
// "好的" / "嗯" / "ok": an acknowledgment, not a question (the next step while walking through one)
const ACK = /^(好|好的|好吧|好哒|嗯|嗯嗯|哦|哦哦|ok|okay|行|收到|了解|可以)(的|了|啊|呀)?$/;
const CANCEL_HUMAN = /(取消人工|不用人工|不要人工|取消排队|不用了|算了|不需要了|取消转接)/;
const ORDINAL = /^(选|选择|要)?(第)?([1-9一二三四五六七八九])(个|种|项|条|号)?(吧|啊|呀|的|吧啊)?$/;
const CN_DIGITS = "一二三四五六七八九";
const SUPERLATIVE = /哪(个|一个|家|种|些|款)|最(低|高|多|少|好|快|慢|难|容易|简单|方便|大|小)/;
const ELLIPTICAL = /^(那|那么|还有|对于|对|如果是|要是|换成|那要是)|(呢|嘞|咧|呐)$/;
// The frame of a statement about oneself ("我是…"): like the knowledge base's subject (kb.subject),
// it does not change which table cell or which value is meant.
const FILLER = new Set(["我是", "我们是", "咱们是", "我这是", "本人是"]);
// What a "how do I do it" question is made of when it names no topic of its own.
const HOW_TO = new Set(["步骤"]);
// "怎么解绑", "如何处理": a question about doing something ("怎么样", "怎么回事", "怎么会", "怎么没" are not)
const HOW = /(怎么|怎样|如何|咋)(?!样|回事|会|还|可能|办|了|没|不)/;
// A runner-up with steps this close to a best topic without any answers a how-to question instead.
const HOW_TO_MARGIN = 0.1;

/**
 * The dialog manager: (state, message, knowledge) → (new state, outcome). Pure: no store, no clock
 * (the time comes with the message), no I/O. Matching is pure too, so it may re-read a message in context.
 */
export function decide(
  prev: ConversationState,
  input: { text: string; at: number },
  kb: KnowledgeBase,
  settings: DialogSettings = defaultDialogSettings,
): Decision {
  const decision = decideTurn(prev, input, kb, settings);
  // remember the quick replies just offered: a number sent back picks one of them
  const last = decision.outcome.replies.at(-1);
  decision.state.offered = last?.quickReplies?.length ? [...last.quickReplies] : [];
  return decision;
}

function decideTurn(
  prev: ConversationState,
  input: { text: string; at: number },
  kb: KnowledgeBase,
  settings: DialogSettings,
): Decision {
  const state: ConversationState = { ...prev, slots: { ...prev.slots }, pending: [...prev.pending], updatedAt: input.at };
  const clean = normalizeText(input.text).text.replace(/\s+/g, "");

  // a channel without agents never waits for one (a state written before it said so included)
  if (state.mode === "human" && settings.humans === false) state.mode = "bot";
  if (state.mode === "human") {
    if (CANCEL_HUMAN.test(clean)) {
      state.mode = "bot";
      state.misses = 0;
      return say(state, "answer", null, 1, [{ text: respond(kb.responses, "handoff.cancelled") }]);
    }
    return { state, outcome: { kind: "human", intent: null, confidence: 1, replies: [] } };
  }

  // a number picks one of the quick replies the bot just offered ("1" after 「下一步 | 全部步骤」)
  const offered = prev.offered ?? [];
  const picked = ordinal(clean);
  if (picked !== null && offered.length > 0) {
    const text = offered[picked - 1];
    if (text !== undefined) return decideTurn({ ...state, offered: [] }, { text, at: input.at }, kb, settings);
  }

  const verdict = feedbackVerdict(input.text, clean, kb);
  if (verdict !== null && state.feedbackFor) {
    const intent = state.feedbackFor;
    state.feedbackFor = null;
    const offer = !verdict && settings.humans !== false;
    if (offer) state.pending = [HUMAN_OFFER_AFTER_FEEDBACK];
    return {
      ...say(state, "answer", intent, 1, [
        verdict
          ? { text: respond(kb.responses, "feedback.thanks") }
          : offer
            ? { text: respond(kb.responses, "feedback.sorry-offer-human"), quickReplies: [respond(kb.responses, "handoff.choice")] }
            : { text: respond(kb.responses, "feedback.sorry") },
      ]),
      feedback: { intent, helpful: verdict },
    };
  }
  // a feedback prompt left unanswered is not carried into later turns
  state.feedbackFor = null;

  // a reply to a question the bot just asked (a clarification, suggested topics, the offer of a human)
  const declined = state.pending[0] === DECLINED;
  if (declined) state.pending = [];
  if (state.pending.length > 0) {
    const pending = state.pending;
    state.pending = [];
    // the offer of a human: a yes or a request takes it (for the reason it was made), a no declines it,
    // and anything else is read as a new message
    const offerReason: HandoffReason | null =
      pending[0] === HUMAN_OFFER ? "repeated-misses" : pending[0] === HUMAN_OFFER_AFTER_FEEDBACK ? "negative-feedback" : null;
    if (offerReason) {
      const reply = yesOrNo(clean);
      if (reply === "yes" || asksForHuman(input.text, kb, settings)) return handoff(state, offerReason, 1, kb, settings);
      if (reply === "no") {
        state.misses = 0;
        state.pending = [DECLINED];
        return say(state, "answer", "decline", 1, [{ text: respond(kb.responses, "chat.decline-human") }]);
      }
    }
    const picked = pickOption(clean, input.text, pending, kb, settings);
    if (picked === HUMAN_OFFER) return handoff(state, offerReason ?? "asked", 1, kb, settings);
    if (picked) return answer(state, picked, 1, kb, settings);
    const options = pending.filter((id) => id !== MENU).map((id) => kb.intents.get(id)).filter((i): i is Intent => i !== undefined);
    // a number that is not one of the options: show them again rather than read "3" as a question
    const n = ordinal(clean);
    if (n !== null && options.length > 0 && pending[0] !== HUMAN_OFFER) {
      return clarify(state, options, 1, respond(kb.responses, "clarify.no-such-option", { n }), respond(kb.responses, "clarify.which-one"));
    }
    // "我是企业号" in reply to a clarification: remember it and ask again
    if (pending[0] !== MENU && options.length === pending.length && options.length > 1) {
      const said = matchIntent(input.text, kb.index);
      const words = contentTokens(said, kb);
      if (words.length > 0 && words.every((w) => isSlotWord(w, kb))) {
        const [value] = rememberSlots(state, said, kb);
        if (value) return clarify(state, options, 1, respond(kb.responses, "slots.noted", { label: value.label }), respond(kb.responses, "clarify.which-kind"));
      }
    }
  }

  // paging through a procedure: the one in focus, or the one the user set out to do before a side question
  let topic = state.topic ? kb.intents.get(state.topic) : undefined;
  const walking = topic !== undefined && topic.steps.length > 0 && state.step < topic.steps.length - 1;
  const paging = NEXT.test(clean) || PREV.test(clean) || REPEAT.test(clean) || ALL_STEPS.test(clean) || (walking && ACK.test(clean));
  if (paging && !(topic && topic.steps.length > 0)) {
    const resume = goalIntent(state, kb);
    if (resume && resume.steps.length > 0) {
      state.topic = resume.id;
      state.focus = resume.focus;
      topic = resume;
    } else {
      const procedures = [...kb.intents.values()].filter((i) => i.goal && i.steps.length > 0);
      state.pending = [MENU, ...procedures.map((p) => p.id)];
      return say(state, "fallback", null, 1, [{ text: respond(kb.responses, "steps.none"), ...quick(procedures.map((p) => p.title)) }]);
    }
  }
  if (topic && topic.steps.length > 0) {
    const last = topic.steps.length - 1;
    if (NEXT.test(clean) || (walking && ACK.test(clean))) return showStep(state, topic, Math.min(state.step + 1, last), kb, settings, state.step >= last);
    if (PREV.test(clean)) return showStep(state, topic, Math.max(state.step - 1, 0), kb, settings, false);
    if (REPEAT.test(clean)) return showStep(state, topic, state.step, kb, settings, false);
    if (ALL_STEPS.test(clean)) {
      state.step = last;
      const text = [`${topic.title}，全部步骤：`, renderAllSteps(topic, kb, beforeLastStep(state, topic, kb))].join("\n");
      // the last step is the one that cannot be undone: a rating prompt does not come right after it
      return say(state, "answer", topic.id, 1, [{ text, ...menu(state, topic, kb) }]);
    }
  }
  if (topic && WHY.test(clean)) {
    if (topic.why.length > 0) {
      state.misses = 0;
      return say(state, "answer", topic.id, 1, [{ text: renderRefs(topic.why, kb).join("\n"), ...menu(state, topic, kb) }]);
    }
    // understood, but the knowledge gives no reason: say so rather than answer another question
    return say(state, "fallback", topic.id, 1, [
      { text: respond(kb.responses, "why.unknown", { title: topic.title }), ...menu(state, topic, kb) },
    ]);
  }

  // "不用了" / "算了" on its own answers no question of the knowledge base: a polite reply, not a miss
  if (yesOrNo(clean) === "no") {
    state.misses = 0;
    state.pending = [DECLINED];
    return say(state, "answer", "decline", 1, [{ text: respond(kb.responses, "chat.decline") }]);
  }

  // "好的" after an answer acknowledges it: not a miss (two of those in a row would offer a human)
  if (ACK.test(clean) && (topic || declined)) {
    state.misses = 0;
    return say(state, "answer", "acknowledge", 1, [{ text: respond(kb.responses, "chat.acknowledge") }]);
  }

  const match = matchIntent(input.text, kb.index);
  rememberSlots(state, match, kb);
  const elliptical = clean.length <= 12 && ELLIPTICAL.test(clean);

  if (match.noise) {
    return miss(state, match, kb, settings, match.noise === "empty" ? respond(kb.responses, "fallback.not-text") : undefined);
  }

  // "怎么弄" names no topic: the goal the user stated, else the procedure in context, else ask which
  if (isHowTo(match, kb)) {
    const goal = goalIntent(state, kb);
    if (goal) return goal.id === topic?.id && state.step > 0 ? showStep(state, goal, state.step, kb, settings, false) : answer(state, goal, 0.9, kb, settings);
    const focusOwner = state.focus ? intentOfRow(kb, state.focus.table, state.focus.row) : undefined;
    const inContext = topic && topic.steps.length > 0 ? topic : focusOwner && focusOwner.steps.length > 0 ? focusOwner : undefined;
    if (inContext) return answer(state, inContext, 0.9, kb, settings);
    // "要做什么" about a table row in focus (二次开通): that row's steps column, when the table has one
    if (topic && state.focus) {
      const followUp = followUpInContext(state, topic, match, clean, true, kb, settings);
      if (followUp) return followUp;
    }
    const procedures = [...kb.intents.values()].filter((i) => i.goal && i.steps.length > 0);
    if (procedures.length > 1) return clarify(state, procedures, 0.9, null, respond(kb.responses, "clarify.which-task"));
  }

  // follow-ups that only make sense in context: "那粉丝呢", "能恢复吗", "企业号呢"
  if (topic) {
    const followUp = followUpInContext(state, topic, match, clean, elliptical || match.confidence < settings.threshold, kb, settings);
    if (followUp) return followUp;
  }

  // a message of known words that is not understood alone may be read with the last question;
  // unknown words ("qwerty") are not a follow-up to anything
  const words = contentTokens(match, kb);
  const readable = words.length > 0 && words.every((w) => kb.index.idf.has(w));
  let best = match;
  if (state.lastQuestion && (elliptical || (readable && match.confidence < settings.threshold))) {
    const inContext = matchIntent(`${state.lastQuestion} ${input.text}`, kb.index);
    if (inContext.confidence >= settings.threshold && inContext.confidence > match.confidence && !inContext.noise) {
      best = inContext;
    }
  }
  const top = best.candidates[0];
  // "我是教师" that no intent answers: the value is remembered, which is all it asked
  const statement = statedValues(match, kb)[0];
  if ((!top || best.confidence < settings.threshold) && statement && words.length > 0 && words.every((w) => isSlotWord(w, kb))) {
    state.misses = 0;
    return say(state, "answer", null, 1, [{ text: respond(kb.responses, "slots.noted", { label: statement.value.label }) }]);
  }
  if (!top || best.confidence < settings.threshold) return miss(state, best, kb, settings);
  const intent = kb.intents.get(top.intentId)!;
  if (intent.type === "out-of-scope") return miss(state, best, kb, settings);
  if (intent.type === "handoff") return handoff(state, "asked", best.confidence, kb, settings);
  if (best === match && intent.type !== "smalltalk") state.lastQuestion = input.text;

  // "X 怎么弄" wants the doing of it: a close runner-up that has steps goes before one that has none
  if (intent.type === "faq" && asksHow(best, kb) && !hasSteps(intent, kb)) {
    const doing = best.candidates
      .slice(1)
      .find((c) => c.score >= settings.threshold && top.score - c.score <= HOW_TO_MARGIN && hasSteps(kb.intents.get(c.intentId), kb));
    if (doing) return answer(state, kb.intents.get(doing.intentId)!, doing.score, kb, settings, best);
  }

  const second = best.candidates[1];
  const secondIntent = second ? kb.intents.get(second.intentId) : undefined;
  if (
    intent.type === "faq" &&
    second &&
    secondIntent?.type === "faq" &&
    second.score >= settings.threshold &&
    top.score - second.score < settings.clarifyMargin &&
    !intent.related.includes(second.intentId) &&
    !secondIntent.related.includes(intent.id)
  ) {
    // a near tie with the topic being talked about is that topic: the conversation says which
    const inTopic = [intent, secondIntent].find((i) => i.id === topic?.id || topic?.related.includes(i.id));
    if (inTopic && !(topic?.related.includes(intent.id) && topic.related.includes(secondIntent.id))) {
      return answer(state, inTopic, best.confidence, kb, settings, best);
    }
    return clarify(state, [intent, secondIntent], best.confidence, null, respond(kb.responses, "clarify.which"));
  }
  return answer(state, intent, best.confidence, kb, settings, best);
}

function say(state: ConversationState, kind: Outcome["kind"], intent: string | null, confidence: number, replies: Reply[]): Decision {
  return { state, outcome: { kind, intent, confidence: round(confidence), replies: replies.map((r) => ({ ...r, text: stateOnce(r.text) })) } };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function feedbackVerdict(raw: string, clean: string, kb: KnowledgeBase): boolean | null {
  // the knowledge base's own choices, then the usual ways of saying it
  const said = raw.trim();
  if (said === respond(kb.responses, "feedback.helpful")) return true;
  if (said === respond(kb.responses, "feedback.unhelpful")) return false;
  if (/👍/u.test(raw) || /^(有用|有帮助|满意|很有用|有效)$/.test(clean)) return true;
  if (/👎/u.test(raw) || /^(没用|没帮助|不满意|没解决|无用|没有用)$/.test(clean)) return false;
  return null;
}

/** Tokens of a message that say what it is about (not question frames, particles or the subject). */
function contentTokens(match: MatchResult, kb: KnowledgeBase): string[] {
  return match.tokens.filter((t) => !kb.lexicon.stopwords.has(t) && !FILLER.has(t) && !kb.subject.has(t));
}

/** "怎么弄", "具体怎么操作", "要怎么关": a how-to that names nothing to do it to. */
function isHowTo(match: MatchResult, kb: KnowledgeBase): boolean {
  const words = match.tokens.filter((t) => !kb.lexicon.stopwords.has(t) && !kb.subject.has(t));
  return words.length > 0 && words.every((t) => HOW_TO.has(t));
}

/** Whether a message asks how to do something ("公众号怎么解绑", "二次开通的步骤"). */
function asksHow(match: MatchResult, kb: KnowledgeBase): boolean {
  return match.tokens.some((t) => HOW_TO.has(t)) || HOW.test(match.text.replace(/\s+/g, ""));
}

/**
 * The column of a table that says how to do each row, if any: its words frame a how-to and nothing
 * else (操作复杂度 is how hard, not how).
 */
function stepsColumn(table: Table | undefined, kb: KnowledgeBase): string | undefined {
  return table?.columns.find((c) => {
    const words = [...vocabulary([c.name, ...c.aliases], kb)];
    return words.some((t) => HOW_TO.has(t)) && words.every((t) => HOW_TO.has(t) || !kb.lexicon.frames.has(t));
  })?.id;
}

/** Whether an intent can say how to do its subject: steps of its own, or a how-to cell of its row. */
function hasSteps(intent: Intent | undefined, kb: KnowledgeBase): boolean {
  if (!intent || intent.type !== "faq") return false;
  if (intent.steps.length > 0) return true;
  const table = intent.focus ? kb.tables.get(intent.focus.table) : undefined;
  const column = stepsColumn(table, kb);
  return column !== undefined && Boolean(table?.rows.find((r) => r.id === intent.focus!.row)?.cells[column]);
}

/** The procedure for the goal the user stated (only hide the entry / deregister), if any. */
function goalIntent(state: ConversationState, kb: KnowledgeBase): Intent | undefined {
  const goal = state.slots.goal;
  if (!goal) return undefined;
  return [...kb.intents.values()].find((i) => i.goal === goal && i.type === "faq");
}

/** "2", "第二个", "选3": the position a reply names (from 1), or null. */
function ordinal(clean: string): number | null {
  const d = ORDINAL.exec(clean)?.[3];
  if (d === undefined) return null;
  return /[1-9]/.test(d) ? Number(d) : CN_DIGITS.indexOf(d) + 1;
}

function pickOption(clean: string, raw: string, options: string[], kb: KnowledgeBase, settings: DialogSettings): Intent | typeof HUMAN_OFFER | null {
  const byId = (id: string | undefined): Intent | typeof HUMAN_OFFER | null =>
    id === HUMAN_OFFER ? HUMAN_OFFER : id ? (kb.intents.get(id) ?? null) : null;
  const isClarification = options[0] !== MENU && options[0] !== HUMAN_OFFER;
  if (options[0] === MENU) options = options.slice(1);
  const n = ordinal(clean);
  if (n !== null) return byId(options[n - 1]);
  if (/^(前者|前面那个|第一种)$/.test(clean)) return byId(options[0]);
  if (/^(后者|后面那个|最后一个)$/.test(clean)) return byId(options[options.length - 1]);
  const titles = options.map((id) => kb.intents.get(id)?.title);
  const byTitle = titles.findIndex((t) => t !== undefined && cleanWord(t).replace(/\s+/g, "") === clean);
  if (byTitle >= 0) return byId(options[byTitle]);
  if (!isClarification) return null;
  // the answer may be a few words ("彻底注销", "只关入口"): take the option it reads closest to
  const match = matchIntent(raw, kb.index);
  const hit = match.candidates.find((c) => options.includes(c.intentId));
  if (hit && hit === match.candidates[0] && hit.score >= settings.threshold * 0.8) return byId(hit.intentId);
  return null;
}

function answer(
  state: ConversationState,
  intent: Intent,
  confidence: number,
  kb: KnowledgeBase,
  settings: DialogSettings,
  asked?: MatchResult,
): Decision {
  if (intent.type === "clarify") {
    const options = intent.options.map((id) => kb.intents.get(id)!).filter(Boolean);
    // the user already said what they want: no need to ask
    const wanted = options.find((o) => o.goal !== undefined && o.goal === state.slots.goal);
    if (wanted) return answer(state, wanted, confidence, kb, settings, asked);
    return clarify(state, options, confidence, renderRefs(intent.answer, kb).join("\n"), respond(kb.responses, "clarify.which-kind"), intent.id);
  }
  if (intent.type === "handoff") return handoff(state, "asked", confidence, kb, settings);
  state.misses = 0;

  if (intent.type === "smalltalk" || intent.reply) {
    // small talk leaves the topic alone, so "谢谢" in the middle of the steps does not lose the place
    if (intent.type !== "smalltalk") {
      state.topic = intent.id;
      state.focus = intent.focus;
    }
    return say(state, "answer", intent.id, confidence, [{ text: intent.reply ?? intent.title, ...menu(state, intent, kb) }]);
  }
  state.topic = intent.id;
  // a side question keeps the place in the procedure, so "下一步" can resume it
  if (intent.steps.length > 0) state.step = 0;
  state.focus = intent.focus;
  if (intent.goal) state.slots.goal = intent.goal;

  // a question naming one column of the intent's row ("互动数据能恢复吗") gets that cell first; a how-to
  // question ("公众号怎么解绑") gets the row's how-to cell, when its table has one
  const rowTable = intent.focus ? kb.tables.get(intent.focus.table) : undefined;
  const cell =
    asked && intent.focus && !intent.focus.column && intent.steps.length === 0
      ? ((asksHow(asked, kb) && hasSteps(intent, kb) ? stepsColumn(rowTable, kb) : undefined) ?? columnAsked(rowTable, asked, kb))
      : undefined;
  if (cell && intent.focus) state.focus = { ...intent.focus, column: cell };

  const lines: string[] = [];
  if (intent.lead) lines.push(intent.lead);
  const focusTable = intent.focus ? kb.tables.get(intent.focus.table) : undefined;
  // the table rows (and the column, when one was asked) this answer shows, to check its facts against
  const shown: Array<{ table: Table; row: TableRow; column: string | null }> = [];
  const show = (tableId: string, rowId: string, column: string | null): void => {
    const table = kb.tables.get(tableId);
    const row = table?.rows.find((r) => r.id === rowId);
    if (table && row) shown.push({ table, row, column });
  };
  for (const ref of intent.answer) {
    const isFocusRow = focusTable && ref.kind === "row" && ref.table === focusTable.id && ref.row === intent.focus?.row;
    const texts = [cell && isFocusRow ? renderFocusCell(kb, focusTable.id, ref.row, cell) : renderRef(ref, kb)];
    if (ref.kind !== "fact") show(ref.table, ref.row, ref.kind === "cell" ? ref.column : isFocusRow ? (cell ?? null) : null);
    // "粉丝和视频还在吗": the other rows of the same table the question names come right after
    if (isFocusRow && asked && intent.steps.length === 0) {
      for (const row of rowsAsked(focusTable, asked, kb)) {
        if (row.id === ref.row) continue;
        texts.push(cell ? renderCell(focusTable, row, cell) : renderRow(focusTable, row));
        show(focusTable.id, row.id, cell ?? null);
      }
    }
    for (const text of texts) if (text && !lines.includes(text)) lines.push(text);
  }
  // a fact that disagrees with a table cell shown beside it: the table's figure stands, the fact becomes one note
  for (const ref of intent.answer) {
    if (ref.kind !== "fact") continue;
    const fact = renderRef(ref, kb);
    for (const { table, row, column } of shown) {
      const against = contradictedColumn(fact, table, row, kb, column ? [column] : undefined);
      if (against === undefined || !lines.includes(fact)) continue;
      lines.splice(lines.indexOf(fact), 1);
      lines.push(renderConflictNote(fact, table, row, against));
      break;
    }
  }
  // the facts of the values the user stated ("我是企业号"), unless the answer already says them
  for (const slot of kb.slots) {
    const value = rememberedValue(state, slot);
    if (!value) continue;
    const own = renderRefs(intent.variants[value.id] ?? [], kb);
    variantLines(intent, value, kb).forEach((line, i) => {
      if (!lines.includes(own[i]!)) lines.push(line);
    });
  }
  // caveats of a procedure are said before its first step, where they still help
  const caveats = renderRefs(intent.caveats, kb).filter((t) => !lines.includes(t));
  if (caveats.length) lines.push(...caveats.map((t) => `⚠️ ${t}`));
  const replies: Reply[] = [];
  if (intent.steps.length > 0) {
    state.answers += 1;
    lines.push(renderStep(intent, 0, kb));
    replies.push({ text: lines.join("\n"), quickReplies: ["下一步", "全部步骤"] });
    // a walk-through is rated at its end (see showStep), not at its first step
    return say(state, "answer", intent.id, confidence, replies);
  }
  replies.push({ text: lines.join("\n"), ...menu(state, intent, kb) });
  return paced(state, intent, kb, settings, say(state, "answer", intent.id, confidence, replies));
}

/** Counts an answer with content and, every `feedbackEvery` answers, asks whether it helped. */
function paced(state: ConversationState, intent: Intent, kb: KnowledgeBase, settings: DialogSettings, decision: Decision): Decision {
  state.answers += 1;
  return settings.feedbackEvery > 0 && state.answers % settings.feedbackEvery === 0 ? withFeedbackPrompt(state, intent, kb, settings, decision) : decision;
}

/** Adds the thumbs up/down prompt to an answer and remembers which intent it rates. */
function withFeedbackPrompt(state: ConversationState, intent: Intent, kb: KnowledgeBase, settings: DialogSettings, decision: Decision): Decision {
  if (settings.feedbackEvery <= 0) return decision;
  state.feedbackFor = intent.id;
  const choices = [respond(kb.responses, "feedback.helpful"), respond(kb.responses, "feedback.unhelpful")];
  decision.outcome.replies.push({ text: respond(kb.responses, "feedback.prompt"), quickReplies: choices });
  return decision;
}

/**
 * What must be known before the last step of a procedure, which is the one that cannot be undone
 * (submitting the deregistration): what is lost, and what the user's kind (a slot value) has to do,
 * or, while it is unknown, what the values the knowledge base names in `when-unknown` have to.
 */
function beforeLastStep(state: ConversationState, intent: Intent, kb: KnowledgeBase): string[] {
  const lines = renderRefs(intent.retention, kb).map((t) => `⚠️ ${t}`);
  for (const slot of kb.slots) {
    const value = rememberedValue(state, slot);
    if (value) lines.push(...variantLines(intent, value, kb));
    else {
      for (const id of slot.whenUnknown) {
        const unknown = slot.values.find((v) => v.id === id);
        if (unknown) lines.push(...variantLines(intent, unknown, kb, "slots.variant-if"));
      }
    }
  }
  return lines;
}

function showStep(
  state: ConversationState,
  intent: Intent,
  step: number,
  kb: KnowledgeBase,
  settings: DialogSettings,
  finished: boolean,
): Decision {
  state.step = step;
  state.misses = 0;
  const last = intent.steps.length - 1;
  if (finished) {
    // "好了" after the last step: the walk-through is over, and this (not the last step) is where it is rated
    const text = respond(kb.responses, "steps.finished", { count: intent.steps.length });
    const decision = say(state, "answer", intent.id, 1, [{ text, quickReplies: ["重复", "全部步骤", ...relatedTitles(intent, kb).slice(0, 1)] }]);
    return withFeedbackPrompt(state, intent, kb, settings, decision);
  }
  const lines: string[] = [];
  // what is lost is said before the step that cannot be undone, not after it
  if (step === last) lines.push(...beforeLastStep(state, intent, kb));
  lines.push(renderStep(intent, step, kb));
  const quickReplies = step < last ? ["下一步", "上一步", "全部步骤"] : ["上一步", "全部步骤", ...relatedTitles(intent, kb).slice(0, 1)];
  // no rating prompt after the last step, the one that cannot be undone: its quick replies stay in view
  return say(state, "answer", intent.id, 1, [{ text: lines.join("\n"), quickReplies }]);
}

function clarify(
  state: ConversationState,
  options: Intent[],
  confidence: number,
  intro: string | null,
  question: string,
  intentId: string | null = null,
): Decision {
  state.pending = options.map((o) => o.id);
  state.misses = 0;
  // the options are the quick replies, said once: buttons on the web, numbered lines where there are none
  const text = [...(intro ? [intro] : []), question].join("\n");
  return say(state, "clarify", intentId, confidence, [{ text, quickReplies: options.map((o) => o.title) }]);
}

function handoff(state: ConversationState, reason: HandoffReason, confidence: number, kb: KnowledgeBase, settings: DialogSettings): Decision {
  state.misses = 0;
  state.pending = [];
  // the outcome names the knowledge base's own intent for reaching a human, whatever its id
  const intentId = [...kb.intents.values()].find((i) => i.type === "handoff")?.id ?? null;
  if (settings.humans === false) {
    // a channel no agent can answer on (the terminal chat): say so rather than queue the user
    return say(state, "fallback", intentId, confidence, [{ text: respond(kb.responses, "handoff.unavailable") }]);
  }
  state.mode = "human";
  return {
    ...say(state, "handoff", intentId, confidence, [{ text: respond(kb.responses, "handoff.queued") }]),
    handoff: { reason },
  };
}

function miss(state: ConversationState, match: MatchResult, kb: KnowledgeBase, settings: DialogSettings, lead?: string): Decision {
  state.misses += 1;
  const r = (key: Parameters<typeof respond>[1]) => respond(kb.responses, key);
  const note = match.truncated ? `${r("fallback.truncated")}\n` : "";
  const nearest = suggestions(match, kb);
  const humans = settings.humans !== false;
  // a human is offered, never imposed: a third miss is a miss like the second, with the offer again
  if (state.misses >= 2 && humans) {
    // the quick replies can be picked by number: the human first, then the nearest topics
    state.pending = [HUMAN_OFFER, ...nearest.slice(0, 2).map((i) => i.id)];
    return say(state, "fallback", null, match.confidence, [
      {
        text: `${note}${lead ?? r("fallback.again")}${r("fallback.offer-human")}`,
        quickReplies: [r("handoff.choice"), ...nearest.slice(0, 2).map((i) => i.title)],
      },
    ]);
  }
  state.pending = [MENU, ...nearest.map((i) => i.id)];
  return say(state, "fallback", null, match.confidence, [
    {
      text: `${note}${lead ?? `${state.misses >= 2 ? r("fallback.again") : r("fallback.first")}${r(humans ? "fallback.scope" : "fallback.scope-no-human")}`}`,
      ...quick(nearest.map((i) => i.title)),
    },
  ]);
}

/** Whether a message asks for a human in its own words ("转人工", "找客服"). */
function asksForHuman(text: string, kb: KnowledgeBase, settings: DialogSettings): boolean {
  const match = matchIntent(text, kb.index);
  const top = match.candidates[0];
  return top !== undefined && match.confidence >= settings.threshold && kb.intents.get(top.intentId)?.type === "handoff";
}

/** The three topics nearest to a message that was not understood, then the default suggestions. */
function suggestions(match: MatchResult, kb: KnowledgeBase): Intent[] {
  const out: Intent[] = [];
  const defaults = [...kb.intents.values()].filter((i) => i.suggest).map((i) => i.id);
  // topics that share next to nothing with the message are no help: offer the usual ones instead
  const near = match.candidates.filter((c) => c.score >= SUGGEST_FLOOR).map((c) => c.intentId);
  const ids = [...near, ...defaults];
  for (const id of ids) {
    const intent = kb.intents.get(id);
    if (!intent || (intent.type !== "faq" && intent.type !== "clarify")) continue;
    if (!out.some((o) => o.title === intent.title)) out.push(intent);
    if (out.length === 3) break;
  }
  return out;
}

function relatedTitles(intent: Intent, kb: KnowledgeBase): string[] {
  return intent.related
    .map((id) => kb.intents.get(id)?.title)
    .filter((t): t is string => Boolean(t))
    .slice(0, 3);
}

/**
 * The intent's related topics as quick replies, remembered so that a channel without buttons (which
 * numbers them) can send "2" back and get the second.
 */
function menu(state: ConversationState, intent: Intent, kb: KnowledgeBase): { quickReplies?: string[] } {
  const ids = intent.related.filter((id) => kb.intents.has(id)).slice(0, 3);
  state.pending = ids.length ? [MENU, ...ids] : [];
  return quick(ids.map((id) => kb.intents.get(id)!.title));
}

function quick(list: string[]): { quickReplies?: string[] } {
  return list.length ? { quickReplies: list } : {};
}

/** Canonical tokens of a table's row or column names and aliases. */
function vocabulary(names: string[], kb: KnowledgeBase): Set<string> {
  const out = new Set<string>();
  for (const n of names) for (const t of tokenize(n, kb.lexicon)) if (!kb.lexicon.stopwords.has(t.text)) out.add(t.text);
  return out;
}

/** The column of a table a message names, if it names exactly one kind of thing. */
function columnAsked(table: Table | undefined, match: MatchResult, kb: KnowledgeBase): string | undefined {
  if (!table) return undefined;
  const words = new Set(contentTokens(match, kb));
  const named = table.columns.filter((c) => [...vocabulary([c.name, ...c.aliases], kb)].some((t) => words.has(t)));
  // a question frame says what is asked ("解绑复杂吗" is 难度) more than a word the columns merely share
  const byFrame = named.find((c) => [...vocabulary([c.name, ...c.aliases], kb)].some((t) => words.has(t) && kb.lexicon.frames.has(t)));
  return (byFrame ?? named[0])?.id;
}

/** The rows of a table a message names. */
function rowsAsked(table: Table, match: MatchResult, kb: KnowledgeBase): TableRow[] {
  const words = new Set(contentTokens(match, kb));
  return table.rows.filter((r) => [...vocabulary([r.name, ...r.aliases], kb)].some((t) => words.has(t)));
}

function renderFocusCell(kb: KnowledgeBase, tableId: string, rowId: string, column: string): string {
  const table = kb.tables.get(tableId)!;
  const row = table.rows.find((r) => r.id === rowId)!;
  return renderCell(table, row, column);
}

/** The table whose rows an answer lists (several rows of one table), if any. */
function tableListed(intent: Intent, kb: KnowledgeBase): Table | undefined {
  const rows = intent.answer.flatMap((r) => (r.kind === "row" ? [r.table] : []));
  const tables = new Set(rows);
  return rows.length >= 2 && tables.size === 1 ? kb.tables.get(rows[0]!) : undefined;
}

/** The intent whose answer is this one row, if any (for reporting the follow-up's intent). */
function intentOfRow(kb: KnowledgeBase, table: string, row: string): Intent | undefined {
  return [...kb.intents.values()].find((i) => i.type === "faq" && i.focus?.table === table && i.focus.row === row);
}

function followUpInContext(
  state: ConversationState,
  topic: Intent,
  match: MatchResult,
  clean: string,
  elliptical: boolean,
  kb: KnowledgeBase,
  settings: DialogSettings,
): Decision | null {
  const words = contentTokens(match, kb);
  // "那粉丝呢" after a retention answer, "能恢复吗" about the same row: another cell of the same table;
  // after an answer listing a whole table, "哪些行业" is that column for every row
  const focus = state.focus;
  const table = focus ? kb.tables.get(focus.table) : tableListed(topic, kb);
  const focusRow = focus?.row ?? null;
  if (table) {
    const rowVocab = table.rows.map((r) => ({ row: r, words: vocabulary([r.name, ...r.aliases], kb) }));
    const colVocab = table.columns.map((c) => ({ id: c.id, words: vocabulary([c.name, ...c.aliases], kb) }));
    let rowsNamed = rowVocab.filter((r) => words.some((w) => r.words.has(w))).map((r) => r.row);
    // "那教育行业呢" after the industries of one motive: the row whose cell in that column names it
    const cellVocab = focus?.column
      ? table.rows.map((r) => ({ row: r, words: vocabulary([r.cells[focus.column!] ?? ""], kb) }))
      : [];
    if (rowsNamed.length === 0 && cellVocab.length > 0) {
      rowsNamed = cellVocab.filter((r) => r.row.id !== focusRow && words.some((w) => r.words.has(w))).map((r) => r.row);
    }
    const colNamed = colVocab.find((c) => words.some((w) => c.words.has(w)))?.id;
    const unexplained = words.filter(
      (w) => !rowVocab.some((r) => r.words.has(w)) && !colVocab.some((c) => c.words.has(w)) && !cellVocab.some((r) => rowsNamed.includes(r.row) && r.words.has(w)),
    );
    const col = table.columns.find((c) => c.id === colNamed);
    // "哪个迁移成本最低" compares the rows, whatever row was in focus
    const comparing = SUPERLATIVE.test(clean);
    if (col && rowsNamed.length === 0 && ((!focus && unexplained.length === 0) || comparing)) {
      state.misses = 0;
      const text = [`${table.title}，${col.name}：`, ...table.rows.map((r) => `${r.name}：${r.cells[col.id] ?? "—"}`)].join("\n");
      return paced(state, topic, kb, settings, say(state, "answer", topic.id, 0.9, [{ text, ...menu(state, topic, kb) }]));
    }
    const row: TableRow | undefined =
      rowsNamed.find((r) => r.id !== focusRow) ?? rowsNamed[0] ?? (colNamed ? table.rows.find((r) => r.id === focusRow) : undefined);
    const column = colNamed ?? focus?.column ?? null;
    const isNew = row !== undefined && (row.id !== focusRow || (column !== null && column !== focus?.column));
    if (row && isNew && (unexplained.length === 0 || (elliptical && rowsNamed.length > 0))) {
      const owner = intentOfRow(kb, table.id, row.id);
      // a row that is a procedure of its own ("那关入口呢" after deregistering) is answered in full
      if (owner && owner.steps.length > 0 && !colNamed) return answer(state, owner, 0.9, kb, settings);
      state.focus = { table: table.id, row: row.id, column };
      state.misses = 0;
      if (owner && owner.id !== topic.id) state.topic = owner.id;
      const text = column ? renderCell(table, row, column) : renderRow(table, row);
      const about = owner && owner.id !== topic.id ? owner : topic;
      return paced(state, about, kb, settings, say(state, "answer", about.id, 0.9, [{ text, ...menu(state, about, kb) }]));
    }
  }
  // "企业号呢" / "个人号呢": the current topic again, for that value of a slot
  const stated = statedValues(match, kb)[0];
  if (stated && words.every((t) => isSlotWord(t, kb))) {
    state.misses = 0;
    const { slot, value } = stated;
    const lines = variantLines(topic, value, kb);
    if (lines.length === 0) {
      // nothing value-specific in the knowledge: say so, and give the answer that holds for all of them
      const labels = slot.values.map((v) => v.label).join("和");
      lines.push(respond(kb.responses, "slots.no-difference", { title: topic.title, labels }), ...renderRefs(topic.answer, kb));
    } else if (topic.steps.length > 0) {
      const text = renderRefs(topic.answer, kb)[0] ?? "";
      lines.push(value.beforeLastStep ? respond(kb.responses, "slots.rest-same-note", { note: value.beforeLastStep, text }) : respond(kb.responses, "slots.rest-same", { text }));
    }
    return paced(state, topic, kb, settings, say(state, "answer", topic.id, 0.9, [{ text: lines.join("\n"), ...menu(state, topic, kb) }]));
  }
  return null;
}
