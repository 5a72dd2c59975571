import type { Intent, KnowledgeBase, Table, TableRow } from "../knowledge/knowledge-base.js";
import { matchIntent, tokenize } from "../nlu/match.js";
import type { ConversationState, MatchResult } from "../types.js";
import type { DialogSettings } from "./decide.js";
import { HOW } from "./phrases.js";
import { respond } from "./responses.js";
import { knowledgeWords } from "./words.js";

// How the dialog reads a message against the knowledge: what it is about, whether it asks how, which
// table row or column it names. Pure functions of the message, the state and the knowledge.

// The frame of a statement about oneself ("我是…"): like the knowledge base's subject (kb.subject),
// it does not change which table cell or which value is meant.
const FILLER = new Set(["我是", "我们是", "咱们是", "我这是", "本人是"]);
// What a "how do I do it" question is made of when it names no topic of its own.
const HOW_TO = new Set(["步骤"]);

/** Tokens of a message that say what it is about (not question frames, particles or the subject). */
export function contentTokens(match: MatchResult, kb: KnowledgeBase): string[] {
  return match.tokens.filter((t) => !kb.lexicon.stopwords.has(t) && !FILLER.has(t) && !kb.subject.has(t));
}

/** "怎么弄", "具体怎么操作", "要怎么关": a how-to that names nothing to do it to. */
export function isHowTo(match: MatchResult, kb: KnowledgeBase, message?: string): boolean {
  const bare = (tokens: string[]): boolean => {
    const words = tokens.filter((t) => !kb.lexicon.stopwords.has(t) && !kb.subject.has(t));
    return words.length > 0 && words.every((t) => HOW_TO.has(t));
  };
  // (the whole message, not only the clause read as its question: "我想把那个按钮藏起来 … 你告诉我在哪弄"
  // names what to do before it asks how)
  return bare(match.tokens) && (message === undefined || bare(tokenize(message, kb.lexicon).map((t) => t.text)));
}

/** Whether a message asks how to do something ("公众号怎么解绑", "二次开通的步骤"). */
export function asksHow(match: MatchResult, kb: KnowledgeBase): boolean {
  return match.tokens.some((t) => HOW_TO.has(t)) || HOW.test(match.text.replace(/\s+/g, ""));
}

/**
 * The column of a table that says how to do each row, if any: its words frame a how-to and nothing
 * else (操作复杂度 is how hard, not how).
 */
export function stepsColumn(table: Table | undefined, kb: KnowledgeBase): string | undefined {
  return table?.columns.find((c) => {
    const words = [...vocabulary([c.name, ...c.aliases], kb)];
    return words.some((t) => HOW_TO.has(t)) && words.every((t) => HOW_TO.has(t) || !kb.lexicon.frames.has(t));
  })?.id;
}

/** Whether an intent can say how to do its subject: steps of its own, or a how-to cell of its row. */
export function hasSteps(intent: Intent | undefined, kb: KnowledgeBase): boolean {
  if (!intent || intent.type !== "faq") return false;
  if (intent.steps.length > 0) return true;
  const table = intent.focus ? kb.tables.get(intent.focus.table) : undefined;
  const column = stepsColumn(table, kb);
  return column !== undefined && Boolean(table?.rows.find((r) => r.id === intent.focus!.row)?.cells[column]);
}

/** The procedure for the goal the user stated, if any. */
export function goalIntent(state: Pick<ConversationState, "slots">, kb: KnowledgeBase): Intent | undefined {
  const goal = state.slots.goal;
  if (!goal) return undefined;
  return [...kb.intents.values()].find((i) => i.goal === goal && i.type === "faq");
}

/** The procedures of the knowledge base: goals with steps. */
export function procedures(kb: KnowledgeBase): Intent[] {
  return [...kb.intents.values()].filter((i) => i.goal && i.steps.length > 0);
}

/** Canonical tokens of a table's row or column names and aliases. */
export function vocabulary(names: string[], kb: KnowledgeBase): ReadonlySet<string> {
  return knowledgeWords(names, kb);
}

/** The column of a table a message names, if it names exactly one kind of thing. */
export function columnAsked(table: Table | undefined, match: MatchResult, kb: KnowledgeBase): string | undefined {
  return table ? columnNamed(table, new Set(contentTokens(match, kb)), kb) : undefined;
}

/** The column of a table some words name: by a question frame first ("解绑复杂吗" is 难度), else by any word. */
export function columnNamed(table: Table, words: ReadonlySet<string>, kb: KnowledgeBase): string | undefined {
  const named = table.columns.filter((c) => [...vocabulary([c.name, ...c.aliases], kb)].some((t) => words.has(t)));
  // a question frame says what is asked ("解绑复杂吗" is 难度) more than a word the columns merely share
  const byFrame = named.find((c) => [...vocabulary([c.name, ...c.aliases], kb)].some((t) => words.has(t) && kb.lexicon.frames.has(t)));
  return (byFrame ?? named[0])?.id;
}

/** The rows of a table a message names. */
export function rowsAsked(table: Table, match: MatchResult, kb: KnowledgeBase): TableRow[] {
  const words = new Set(contentTokens(match, kb));
  return table.rows.filter((r) => [...vocabulary([r.name, ...r.aliases], kb)].some((t) => words.has(t)));
}

/** The table whose rows an answer lists (several rows of one table), if any. */
export function tableListed(intent: Intent, kb: KnowledgeBase): Table | undefined {
  const rows = intent.answer.flatMap((r) => (r.kind === "row" ? [r.table] : []));
  const tables = new Set(rows);
  return rows.length >= 2 && tables.size === 1 ? kb.tables.get(rows[0]!) : undefined;
}

/** The intent whose answer is this one row, if any (for reporting the follow-up's intent). */
export function intentOfRow(kb: KnowledgeBase, table: string, row: string): Intent | undefined {
  return [...kb.intents.values()].find((i) => i.type === "faq" && i.focus?.table === table && i.focus.row === row);
}

/** Whether a message asks for a human in its own words ("转人工", "找客服"). */
export function asksForHuman(text: string, kb: KnowledgeBase, settings: DialogSettings): boolean {
  const match = matchIntent(text, kb.index);
  const top = match.candidates[0];
  return top !== undefined && match.confidence >= settings.threshold && kb.intents.get(top.intentId)?.type === "handoff";
}

/** Whether a message rates the last answer: true (helpful), false (not), or null (it does not rate). */
export function feedbackVerdict(raw: string, clean: string, kb: KnowledgeBase): boolean | null {
  // the knowledge base's own choices, then the usual ways of saying it
  const said = raw.trim();
  if (said === respond(kb.responses, "feedback.helpful")) return true;
  if (said === respond(kb.responses, "feedback.unhelpful")) return false;
  if (/👍/u.test(raw) || /^(有用|有帮助|满意|很有用|有效)$/.test(clean)) return true;
  if (/👎/u.test(raw) || /^(没用|没帮助|不满意|没解决|无用|没有用)$/.test(clean)) return false;
  return null;
}
