import { normalizeText } from "../../src/nlu/normalize.js";
import type { Outcome } from "../../src/types.js";

// Chat cases in the grader's format: each turn names the kinds it allows and the facts its reply must
// carry (one token of each group; wording is free, facts and figures count) or must not.

/** What one turn of a chat case expects. */
export interface TurnExpectation {
  kind?: string[];
  all_of?: string[][];
  none_of?: string[];
  silent?: boolean;
  by_kind?: Record<string, Partial<TurnExpectation>>;
}

/** One chat case: a fresh conversation of one or more turns. */
export interface ChatCase {
  id: string;
  topic: string;
  category?: "inscope" | "oos" | "multi" | "adv";
  turns: Array<{ text: string; expect: TurnExpectation }>;
}

const facts = (s: string) => normalizeText(s).text.replace(/\s+/g, "");

/** Everything a reply shows: its texts and its quick replies. */
export const shownText = (o: Outcome): string => o.replies.flatMap((r) => [r.text, ...(r.quickReplies ?? [])]).join("\n");

/** Why an outcome does not meet a turn's expectation, or null when it does. */
export function turnProblem(expectation: TurnExpectation, o: Outcome): string | null {
  const kinds = expectation.kind ?? ["answer"];
  if (!kinds.includes(o.kind)) return `kind ${o.kind}, expected ${kinds.join("|")}`;
  const e = { ...expectation, ...(expectation.by_kind?.[o.kind] ?? {}) };
  if (e.silent && o.replies.some((r) => r.text.trim() !== "")) return "expected silence while a human has the conversation";
  const text = facts(shownText(o));
  const missing = (e.all_of ?? []).filter((group) => !group.some((token) => text.includes(facts(token))));
  if (missing.length > 0) return `missing one of: ${missing.map((g) => g.slice(0, 4).join("/")).join(" ; ")}`;
  const forbidden = (e.none_of ?? []).filter((token) => shownText(o).toLowerCase().includes(token.toLowerCase()));
  if (forbidden.length > 0) return `says what it must not: ${forbidden.join(", ")}`;
  return null;
}
