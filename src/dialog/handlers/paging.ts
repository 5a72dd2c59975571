import { beforeLastStep, showStep } from "../answer.js";
import type { Decision } from "../decide.js";
import { quick, say, sayWithMenu } from "../decisions.js";
import { ACK, ALL_STEPS, LAST_STEP, NEXT, NEXT_INSIDE, PREV, REPEAT, STEP_NUMBER } from "../phrases.js";
import { goalIntent, procedures } from "../reading.js";
import { renderAllSteps } from "../render.js";
import { respond } from "../responses.js";
import type { Intent, KnowledgeBase } from "../../knowledge/knowledge-base.js";
import { normalizeText } from "../../nlu/normalize.js";
import { read, topicOf, type Turn } from "../turn.js";

// A message at most this long asking for the next step among other words is paging, not a new question.
const NEXT_INSIDE_CHARS = 40;

/**
 * Paging through a procedure ("下一步", "上一步", "重复", "全部步骤", "好的" while walking through it): the
 * one in focus, or the one the user set out to do before a side question; without any, the procedures.
 */
export function paging(turn: Turn): Decision | undefined {
  const { kb, settings, clean } = turn;
  let state = turn.state;
  let topic = topicOf(turn);
  const walking = topic !== undefined && topic.steps.length > 0 && state.step < topic.steps.length - 1;
  // "我已经进到通用里了，下一步呢": the step after the one whose menu the message names
  const reached = topic && topic.steps.length > 0 ? stepReached(turn.clauses, topic, kb) : null;
  if (topic && reached !== null) return showStep(state, topic, Math.min(reached + 1, topic.steps.length - 1), kb, settings, reached >= topic.steps.length - 1);
  // (while walking through one, a short message asking for the next step among other words asks for it,
  // unless it reads as a question of its own)
  const nextInside = walking && [...clean].length <= NEXT_INSIDE_CHARS && NEXT_INSIDE.test(clean) && read(turn).match.confidence < settings.threshold;
  const next = NEXT.test(clean) || (walking && ACK.test(clean)) || nextInside;
  const numbered = stepAsked(clean);
  // ("第一步是什么" asks a step of a procedure being talked about; without one it is a question to read)
  // (a topic without steps about a row that a procedure walks through — 注销账号's path, its time — leads to that procedure)
  const rowProcedure = topic && topic.steps.length === 0 ? procedureOfRow(topic, kb) : undefined;
  if (numbered !== null && !next && (!topic || topic.steps.length === 0) && !goalIntent(state, kb)?.steps.length && !rowProcedure) return undefined;
  if (!next && numbered === null && !PREV.test(clean) && !REPEAT.test(clean) && !ALL_STEPS.test(clean)) return undefined;
  if (!topic || topic.steps.length === 0) {
    const goal = goalIntent(state, kb);
    const resume = goal && goal.steps.length > 0 ? goal : (rowProcedure ?? goal);
    if (!resume || resume.steps.length === 0) {
      const list = procedures(kb);
      return say({ ...state, pending: { kind: "menu", options: list.map((p) => p.id) } }, "fallback", null, 1, [
        { text: respond(kb.responses, "steps.none"), ...quick(list.map((p) => p.title)) },
      ]);
    }
    state = { ...state, topic: resume.id, focus: resume.focus };
    topic = resume;
  }
  const last = topic.steps.length - 1;
  if (numbered !== null) return showStep(state, topic, numbered === "last" ? last : Math.min(Math.max(numbered - 1, 0), last), kb, settings, false);
  if (next) return showStep(state, topic, Math.min(state.step + 1, last), kb, settings, state.step >= last);
  if (PREV.test(clean)) return showStep(state, topic, Math.max(state.step - 1, 0), kb, settings, false);
  if (REPEAT.test(clean)) return showStep(state, topic, state.step, kb, settings, false);
  const text = [`${topic.title}，全部步骤：`, renderAllSteps(topic, kb, beforeLastStep(state, topic, kb))].join("\n");
  // the last step is the one that cannot be undone: a rating prompt does not come right after it
  return sayWithMenu({ ...state, step: last }, "answer", topic.id, 1, text, topic, kb);
}

/** The procedure whose focus is the row a topic is about (注销账号的耗时 → 注销账号's steps), if any. */
function procedureOfRow(topic: Intent, kb: KnowledgeBase): Intent | undefined {
  const focus = topic.focus;
  if (!focus) return undefined;
  return [...kb.intents.values()].find((i) => i.type === "faq" && i.steps.length > 0 && i.focus?.table === focus.table && i.focus.row === focus.row);
}

const NUMERALS = "一二三四五六七八九十";

/** The step a message asks for by its number (第三步呢: 3) or as the last one (最后需要确认什么), or null. */
function stepAsked(clean: string): number | "last" | null {
  if (LAST_STEP.test(clean)) return "last";
  const written = STEP_NUMBER.exec(clean)?.[1];
  if (written === undefined) return null;
  return /^\d+$/.test(written) ? Number(written) : NUMERALS.indexOf(written) + 1;
}

/**
 * The step a message says it has reached before asking for the next ("我已经进到通用里了，下一步呢"):
 * the last step whose menu name (in 「」) the message names, when its last clause asks for the next step.
 */
function stepReached(clauses: readonly string[], topic: Intent, kb: KnowledgeBase): number | null {
  if (clauses.length < 2 || !NEXT.test(clauses.at(-1)!.replace(/\s+/g, ""))) return null;
  const said = clauses.slice(0, -1).join("");
  let reached: number | null = null;
  topic.steps.forEach((ref, i) => {
    const stepText = ref.kind === "fact" ? (kb.facts.get(ref.id)?.text ?? "") : "";
    const menus = [...stepText.matchAll(/「([^」]+)」/gu)].map((m) => normalizeText(m[1]!).text.replace(/\s+/g, ""));
    if (menus.some((m) => m.length >= 2 && said.includes(m))) reached = i;
  });
  return reached;
}
