import type { Intent, KnowledgeBase } from "../knowledge/knowledge-base.js";
import { cleanWord } from "../nlu/lexicon.js";
import { matchIntent } from "../nlu/match.js";
import { normalizeText } from "../nlu/normalize.js";
import type { ConversationState, MatchResult, Outcome, Reply } from "../types.js";
import { renderAllSteps, renderCell, renderRefs, renderRow, renderStep } from "./render.js";

/** Knobs of the dialog, from configuration. */
export interface DialogSettings {
  /** Confidence at or above which a match is answered. */
  threshold: number;
  /** Top two candidates closer than this (both answerable) → ask which one. */
  clarifyMargin: number;
  /** Offer thumbs up/down after every Nth answer (0: never). */
  feedbackEvery: number;
}

export const defaultDialogSettings: DialogSettings = { threshold: 0.4, clarifyMargin: 0.02, feedbackEvery: 3 };

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

const HUMAN_OFFER = "human";
const HUMAN_OFFER_AFTER_FEEDBACK = "human:negative-feedback";
const NEXT = /^(下一步|然后|接着|继续|好了|好了然后|下一个|next|done|ok了|弄好了|搞定了|完成了|做完了)+(呢|啊|了|吧)?$/;
const PREV = /^(上一步|上一个|返回上一步|回到上一步|previous|back)(呢|啊|吧)?$/;
const REPEAT = /^(重复|再说一遍|再说一次|没看清|再来一遍|repeat)(一下|一遍)?(呢|啊|吧)?$/;
const ALL_STEPS = /^(全部步骤|所有步骤|完整步骤|全部|全部的|都发我|一次性发完|全部发我|完整流程|全部流程)(呢|吧|啊)?$/;
const WHY = /^(那)?(为什么|为啥|为何|why|咋回事|怎么回事|什么原因)(呢|啊|呀)?$/;
const YES = /^(好|好的|是|是的|要|需要|可以|行|嗯|嗯嗯|ok|yes|转|转吧|好啊|对)$/;
const CANCEL_HUMAN = /(取消人工|不用人工|不要人工|取消排队|不用了|算了|不需要了|取消转接)/;
const ORDINAL = /^(第)?([1-9一二三四五六七八九])(个|种|项|条|号)?$/;
const CN_DIGITS = "一二三四五六七八九";
const ELLIPTICAL = /^(那|那么|还有|对于|对|如果是|要是|换成|那要是)|(呢|嘞|咧|呐)$/;

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
  const state: ConversationState = { ...prev, slots: { ...prev.slots }, pending: [...prev.pending], updatedAt: input.at };
  const clean = normalizeText(input.text).text.replace(/\s+/g, "");

  if (state.mode === "human") {
    if (CANCEL_HUMAN.test(clean)) {
      state.mode = "bot";
      state.misses = 0;
      return say(state, "answer", null, 1, [{ text: "好的，已取消人工排队，我继续为你解答。有什么视频号关闭的问题可以直接问我。" }]);
    }
    return { state, outcome: { kind: "human", intent: null, confidence: 1, replies: [] } };
  }

  const verdict = feedbackVerdict(input.text, clean);
  if (verdict !== null && state.feedbackFor) {
    const intent = state.feedbackFor;
    state.feedbackFor = null;
    if (!verdict) state.pending = [HUMAN_OFFER_AFTER_FEEDBACK];
    return {
      ...say(state, "answer", intent, 1, [
        verdict
          ? { text: "谢谢你的反馈！" }
          : { text: "抱歉没帮上忙。要不要转人工客服？回复「好的」或「转人工」；也可以换个说法再问。", quickReplies: ["转人工"] },
      ]),
      feedback: { intent, helpful: verdict },
    };
  }

  // a reply to a question the bot just asked
  if (state.pending.length > 0) {
    const pending = state.pending;
    state.pending = [];
    if (pending[0] === HUMAN_OFFER && YES.test(clean)) return handoff(state, "repeated-misses", 1);
    if (pending[0] === HUMAN_OFFER_AFTER_FEEDBACK && YES.test(clean)) return handoff(state, "negative-feedback", 1);
    const picked = pickOption(clean, input.text, pending, kb, settings);
    if (picked) return answer(state, picked, 1, kb, settings);
  }

  // paging through a procedure
  const topic = state.topic ? kb.intents.get(state.topic) : undefined;
  if (topic && topic.steps.length > 0) {
    const last = topic.steps.length - 1;
    if (NEXT.test(clean)) return showStep(state, topic, Math.min(state.step + 1, last), kb, state.step >= last);
    if (PREV.test(clean)) return showStep(state, topic, Math.max(state.step - 1, 0), kb, false);
    if (REPEAT.test(clean)) return showStep(state, topic, state.step, kb, false);
    if (ALL_STEPS.test(clean)) {
      state.step = last;
      const text = [`${topic.title}，全部步骤：`, renderAllSteps(topic, kb), ...renderRefs(topic.retention, kb)].join("\n");
      return say(state, "answer", topic.id, 1, [{ text, quickReplies: relatedTitles(topic, kb) }]);
    }
  }
  if (topic && WHY.test(clean) && topic.why.length > 0) {
    return say(state, "answer", topic.id, 1, [{ text: renderRefs(topic.why, kb).join("\n") }]);
  }

  const match = matchIntent(input.text, kb.index);
  rememberSlots(state, match);
  const elliptical = clean.length <= 12 && ELLIPTICAL.test(clean);

  if (match.noise) {
    return miss(state, match, kb, settings, match.noise === "empty" ? "我只能读懂文字消息哦，请用文字描述你的问题，比如「视频号怎么关」。" : undefined);
  }

  // follow-ups that only make sense in context: "那粉丝呢", "企业号呢"
  if (topic && (elliptical || match.confidence < settings.threshold)) {
    const followUp = followUpInContext(state, topic, clean, match, kb);
    if (followUp) return followUp;
  }

  let best = match;
  if (state.lastQuestion && (elliptical || match.confidence < settings.threshold)) {
    const inContext = matchIntent(`${state.lastQuestion} ${input.text}`, kb.index);
    if (inContext.confidence >= settings.threshold && inContext.confidence > match.confidence && !inContext.noise) {
      best = inContext;
    }
  }
  const top = best.candidates[0];
  if (!top || best.confidence < settings.threshold) return miss(state, best, kb, settings);
  const intent = kb.intents.get(top.intentId)!;
  if (intent.type === "out-of-scope") return miss(state, best, kb, settings);
  if (intent.type === "handoff") return handoff(state, "asked", best.confidence);
  if (best === match && intent.type !== "smalltalk") state.lastQuestion = input.text;

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
    return clarify(state, [intent, secondIntent], best.confidence, kb, "你想问的是哪一个？");
  }
  return answer(state, intent, best.confidence, kb, settings);
}

function say(state: ConversationState, kind: Outcome["kind"], intent: string | null, confidence: number, replies: Reply[]): Decision {
  return { state, outcome: { kind, intent, confidence: round(confidence), replies } };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function feedbackVerdict(raw: string, clean: string): boolean | null {
  if (/👍/u.test(raw) || /^(有用|有帮助|满意|很有用|有效)$/.test(clean)) return true;
  if (/👎/u.test(raw) || /^(没用|没帮助|不满意|没解决|无用|没有用)$/.test(clean)) return false;
  return null;
}

function rememberSlots(state: ConversationState, match: MatchResult): void {
  if (match.entities.includes("企业")) state.slots.account = "enterprise";
  else if (match.entities.includes("个人")) state.slots.account = "personal";
}

function pickOption(clean: string, raw: string, options: string[], kb: KnowledgeBase, settings: DialogSettings): Intent | null {
  const ord = ORDINAL.exec(clean);
  if (ord) {
    const d = ord[2]!;
    const n = /[1-9]/.test(d) ? Number(d) : CN_DIGITS.indexOf(d) + 1;
    const id = options[n - 1];
    return id ? (kb.intents.get(id) ?? null) : null;
  }
  if (/^(前者|前面那个)$/.test(clean)) return kb.intents.get(options[0]!) ?? null;
  if (/^(后者|后面那个|最后一个)$/.test(clean)) return kb.intents.get(options[options.length - 1]!) ?? null;
  const titles = options.map((id) => kb.intents.get(id)?.title);
  const byTitle = titles.findIndex((t) => t !== undefined && cleanWord(t).replace(/\s+/g, "") === clean);
  if (byTitle >= 0) return kb.intents.get(options[byTitle]!) ?? null;
  // the answer may be a few words ("彻底注销", "只关入口"): take the option it reads closest to
  const match = matchIntent(raw, kb.index);
  const hit = match.candidates.find((c) => options.includes(c.intentId));
  if (hit && hit === match.candidates[0] && hit.score >= settings.threshold * 0.8) return kb.intents.get(hit.intentId) ?? null;
  return null;
}

function answer(state: ConversationState, intent: Intent, confidence: number, kb: KnowledgeBase, settings: DialogSettings): Decision {
  if (intent.type === "clarify") {
    const options = intent.options.map((id) => kb.intents.get(id)!).filter(Boolean);
    return clarify(state, options, confidence, kb, renderRefs(intent.answer, kb).join("\n"));
  }
  if (intent.type === "handoff") return handoff(state, "asked", confidence);
  state.misses = 0;
  state.topic = intent.id;
  state.step = 0;
  state.focus = intent.focus;
  if (intent.goal) state.slots.goal = intent.goal;

  if (intent.type === "smalltalk" || intent.reply) {
    return say(state, "answer", intent.id, confidence, [{ text: intent.reply ?? intent.title, ...quick(relatedTitles(intent, kb)) }]);
  }
  const lines: string[] = [];
  if (intent.lead) lines.push(intent.lead);
  lines.push(...renderRefs(intent.answer, kb));
  const account = state.slots.account;
  const extra = account === "enterprise" ? intent.enterprise : account === "personal" ? intent.personal : [];
  for (const t of renderRefs(extra, kb)) if (!lines.includes(t)) lines.push(`${account === "enterprise" ? "企业号" : "个人号"}：${t}`);
  const caveats = renderRefs(intent.caveats, kb).filter((t) => !lines.includes(t));
  if (caveats.length) lines.push(...caveats.map((t) => `⚠️ ${t}`));
  const replies: Reply[] = [];
  if (intent.steps.length > 0) {
    lines.push(renderStep(intent, 0, kb));
    replies.push({ text: lines.join("\n"), quickReplies: ["下一步", "全部步骤"] });
  } else {
    replies.push({ text: lines.join("\n"), ...quick(relatedTitles(intent, kb)) });
  }
  state.answers += 1;
  if (settings.feedbackEvery > 0 && state.answers % settings.feedbackEvery === 0) {
    state.feedbackFor = intent.id;
    replies.push({ text: "这个回答有帮助吗？", quickReplies: ["👍 有用", "👎 没用"] });
  }
  return say(state, "answer", intent.id, confidence, replies);
}

function showStep(state: ConversationState, intent: Intent, step: number, kb: KnowledgeBase, finished: boolean): Decision {
  state.step = step;
  const last = intent.steps.length - 1;
  const lines: string[] = [];
  if (finished) lines.push("步骤已经全部完成了。回顾一下最后一步：");
  lines.push(renderStep(intent, step, kb));
  // what is lost is said before the step that cannot be undone
  if (step === last) lines.push(...renderRefs([...intent.retention, ...intent.caveats], kb).map((t) => `⚠️ ${t}`));
  if (state.slots.account === "enterprise" && step === last) lines.push(...renderRefs(intent.enterprise, kb).map((t) => `企业号：${t}`));
  const quickReplies = step < last ? ["下一步", "上一步", "全部步骤"] : ["上一步", "全部步骤", ...relatedTitles(intent, kb).slice(0, 1)];
  return say(state, "answer", intent.id, 1, [{ text: lines.join("\n"), quickReplies }]);
}

function clarify(state: ConversationState, options: Intent[], confidence: number, kb: KnowledgeBase, intro: string): Decision {
  state.pending = options.map((o) => o.id);
  state.misses = 0;
  const list = options.map((o, i) => `${i + 1}. ${o.title}`).join("\n");
  return say(state, "clarify", null, confidence, [
    { text: `${intro}\n你想要哪一种？回复数字或直接点选：\n${list}`, quickReplies: options.map((o) => o.title) },
  ]);
}

function handoff(state: ConversationState, reason: HandoffReason, confidence: number): Decision {
  state.mode = "human";
  state.misses = 0;
  state.pending = [];
  return {
    ...say(state, "handoff", "human", confidence, [
      { text: "好的，正在为你转接人工客服，已进入排队，客服接入后会在这里回复你。不需要了可以发送「取消人工」。" },
    ]),
    handoff: { reason },
  };
}

function miss(state: ConversationState, match: MatchResult, kb: KnowledgeBase, settings: DialogSettings, lead?: string): Decision {
  state.misses += 1;
  state.pending = [];
  const note = match.truncated ? "（消息太长，我只读了开头的一部分。）\n" : "";
  if (state.misses >= 3) return handoff(state, "repeated-misses", match.confidence);
  if (state.misses === 2) {
    state.pending = [HUMAN_OFFER];
    return say(state, "fallback", null, match.confidence, [
      {
        text: `${note}${lead ?? "抱歉，我还是没能理解你的问题。"}要不要转人工客服？回复「转人工」或点下面的按钮。`,
        quickReplies: ["转人工", ...suggestions(match, kb).slice(0, 2)],
      },
    ]);
  }
  return say(state, "fallback", null, match.confidence, [
    {
      text: `${note}${lead ?? "抱歉，这个问题我还不会回答。我能解答视频号关闭、注销、数据留存和解绑相关的问题，你可以试试下面这些，或者说「转人工」找客服。"}`,
      quickReplies: suggestions(match, kb),
    },
  ]);
}

function suggestions(match: MatchResult, kb: KnowledgeBase): string[] {
  const out: string[] = [];
  const defaults = [...kb.intents.values()].filter((i) => i.suggest).map((i) => i.id);
  const ids = [...match.candidates.map((c) => c.intentId), ...defaults];
  for (const id of ids) {
    const intent = kb.intents.get(id);
    if (!intent || (intent.type !== "faq" && intent.type !== "clarify")) continue;
    if (!out.includes(intent.title)) out.push(intent.title);
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

function quick(list: string[]): { quickReplies?: string[] } {
  return list.length ? { quickReplies: list } : {};
}

function followUpInContext(
  state: ConversationState,
  topic: Intent,
  clean: string,
  match: MatchResult,
  kb: KnowledgeBase,
): Decision | null {
  // "那粉丝呢" after a retention answer: the same question for another row of the same table
  const focus = state.focus;
  if (focus) {
    const table = kb.tables.get(focus.table);
    if (table) {
      const mentions = (name: string, aliases: string[]): boolean =>
        [name, ...aliases].some((a) => {
          const w = cleanWord(a).replace(/\s+/g, "");
          return w.length > 0 && clean.includes(w);
        });
      const row = table.rows.find((r) => r.id !== focus.row && mentions(r.name, r.aliases));
      const column = table.columns.find((c) => mentions(c.name, c.aliases))?.id ?? focus.column;
      if (row) {
        state.focus = { table: table.id, row: row.id, column };
        state.misses = 0;
        const text = column ? renderCell(table, row, column) : renderRow(table, row);
        return say(state, "answer", topic.id, 0.9, [{ text, ...quick(relatedTitles(topic, kb)) }]);
      }
    }
  }
  // "企业号呢" / "个人号呢": the current topic again, for that kind of account
  const account = match.entities.includes("企业") ? "enterprise" : match.entities.includes("个人") ? "personal" : null;
  const contentTokens = match.tokens.filter((t) => !["企业", "个人", "账号", "视频号"].includes(t) && !kb.lexicon.stopwords.has(t));
  if (account && contentTokens.length === 0) {
    // the topic's own account-specific facts, else those of the first intent that has any
    const pick = (i: Intent): Intent["enterprise"] => (account === "enterprise" ? i.enterprise : i.personal);
    const owner = pick(topic).length > 0 ? topic : [...kb.intents.values()].find((i) => pick(i).length > 0);
    const lines = owner ? renderRefs(pick(owner), kb) : [];
    if (lines.length > 0) {
      state.misses = 0;
      if (topic.steps.length > 0) lines.push(`其余步骤相同：${renderRefs(topic.answer, kb)[0] ?? ""}`);
      return say(state, "answer", topic.id, 0.9, [{ text: lines.join("\n"), ...quick(relatedTitles(topic, kb)) }]);
    }
  }
  return null;
}
