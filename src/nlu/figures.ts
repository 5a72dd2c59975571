import { questionTemplates } from "../knowledge/question-templates.js";
import { normalizeText } from "./normalize.js";

// Figures a question asks for, from the general question patterns (the `cloze` figures and their
// question words): 多久 asks for a duration, 几点 for a time of day, 几次 / 多少次 for a count of 次.

interface FigureQuestion {
  /** The question word as the message may say it; `unit` for the unit of a count (几次 → 次). */
  asks: RegExp;
  /** A figure of that kind in a line (with the unit of the question, for a count). */
  figure: (unit: string) => RegExp;
}

let figureQuestions: FigureQuestion[] | undefined;

function figureQuestionsOf(): FigureQuestion[] {
  if (figureQuestions) return figureQuestions;
  const T = questionTemplates();
  const escape = (w: string): string => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const out: FigureQuestion[] = [];
  for (const { kind, pattern, ask } of T.cloze) {
    const words = [ask, ...(T.cloze_also[kind] ?? [])].filter((w) => w !== "多少");
    if (words.length === 0) continue;
    // a count is asked with its unit ("几{1}" → 几次); its figure must be counted in that unit
    const counted = words.some((w) => w.includes("{1}"));
    const asks = new RegExp(words.map((w) => escape(w).replace("\\{1\\}", "(\\p{Script=Han})")).join("|"), "u");
    out.push({ asks, figure: (unit) => new RegExp(counted ? pattern.replace(/\([^()]*\)(\(\?!|$)/, `(?:${escape(unit)})$1`) : pattern, "u") });
  }
  return (figureQuestions = out);
}

/** What a text must say to give the figure a question asks for ("一年能换几次车" → a count of 次), or null. */
export function figureAsked(asked: string): ((text: string) => boolean) | null {
  const text = normalizeText(asked).text.replace(/\s+/g, "");
  const tests: RegExp[] = [];
  for (const q of figureQuestionsOf()) {
    const m = q.asks.exec(text);
    if (m) tests.push(q.figure(m.slice(1).find((u) => u !== undefined) ?? ""));
  }
  return tests.length ? (line) => tests.some((re) => re.test(line)) : null;
}

let pathPatterns: { asks: RegExp; answer: RegExp } | undefined;

function pathPatternsOf(): { asks: RegExp; answer: RegExp } {
  if (pathPatterns) return pathPatterns;
  const T = questionTemplates();
  return (pathPatterns = { asks: new RegExp(T.path_asks, "u"), answer: new RegExp(T.path_answer, "u") });
}

/** Whether a question asks where something is done or how to get there ("在哪里取消", "where do I cancel"). */
export function pathAsked(asked: string): boolean {
  return pathPatternsOf().asks.test(normalizeText(asked).text);
}

/** Whether an answer, as written, gives a path through menus ("进入「我的」→「会员中心」"). */
export function givesPath(answer: string): boolean {
  return pathPatternsOf().answer.test(answer);
}
