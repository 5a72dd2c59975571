import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { tokenize } from "../nlu/match.js";
import { figureAsked } from "../nlu/figures.js";
import { knowledgeWords } from "./words.js";

// The first reply to a question is short: what it must say (the lead, the first fact, the row or cell
// asked for), the lines that answer what was asked, then as many of the others as fit in a short
// message; the rest waits for 「更多」. A line answers what was asked when it says a word of the
// question that the intent's title does not say (what the whole answer is about) and that not every
// line of the answer says (粉丝 among the rows of what is kept after closing), or gives a figure of the
// kind the question asks for (几次 → "每年最多变更3次", 多久 → "1个工作日内审核"). Caveats and notes are
// never picked by a word: they are said when they fit, or on 「更多」.

/** About how many characters a first reply holds before the rest waits for 「更多」. */
export const BRIEF_CHARS = 120;
/** About how many characters the lines that say what was asked may take in a first reply. */
const ASKED_CHARS = 240;
/** Less than this left over is said at once: 「更多」 for one short line is not worth a tap. */
const WORTH_DEFERRING = 40;

const length = (line: string): number => [...line].length;

export interface BriefOptions {
  /** Lines always said in the first reply. */
  core?: ReadonlySet<string>;
  /** What the whole answer is about (the intent's title): its words pick no line. */
  about?: string | undefined;
  /** How many of the lines are facts (the rest, caveats and notes, are never picked by a word). */
  facts?: number;
}

/** Splits an answer's lines into what the first reply says and what waits for 「更多」, both in order. */
export function brief(lines: string[], asked: string | undefined, kb: KnowledgeBase, { core = new Set(), about, facts = lines.length }: BriefOptions = {}): { first: string[]; more: string[] } {
  const total = lines.reduce((n, line) => n + length(line), 0);
  if (lines.length <= 1 || total <= BRIEF_CHARS) return { first: lines, more: [] };
  const general = about ? knowledgeWords([about], kb) : new Set<string>();
  const { stopwords } = kb.lexicon;
  const wanted = new Set(
    asked === undefined ? [] : tokenize(asked, kb.lexicon).map((t) => t.text).filter((t) => !stopwords.has(t) && !kb.subject.has(t) && !general.has(t)),
  );
  const words = lines.slice(0, facts).map((line) => knowledgeWords([line], kb));
  const figure = asked === undefined ? null : figureAsked(asked);
  // how much of what was asked a line says: the asked words it has that not every line has, and the figure asked for
  const says = lines.map((line, i) =>
    i >= facts ? 0 : [...words[i]!].filter((t) => wanted.has(t) && words.some((w) => !w.has(t))).length + (figure !== null && figure(line) ? 1 : 0),
  );
  const keep = new Set<number>();
  let used = 0;
  const add = (i: number): void => {
    keep.add(i);
    used += length(lines[i]!);
  };
  lines.forEach((line, i) => core.has(line) && add(i));
  // the lines that say most of it first, while the reply stays short (the first of them whatever its length)
  const saying = lines.map((_, i) => i).filter((i) => !keep.has(i) && says[i]! > 0).sort((a, b) => says[b]! - says[a]! || a - b);
  saying.forEach((i, k) => (k === 0 || used + length(lines[i]!) <= ASKED_CHARS) && add(i));
  if (keep.size === 0) add(0);
  lines.forEach((line, i) => !keep.has(i) && used + length(line) <= BRIEF_CHARS && add(i));
  if (total - used < WORTH_DEFERRING) return { first: lines, more: [] };
  return { first: lines.filter((_, i) => keep.has(i)), more: lines.filter((_, i) => !keep.has(i)) };
}
