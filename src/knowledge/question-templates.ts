import { readFileSync } from "node:fs";
import { parse } from "yaml";

// The general language data kb:ingest drafts questions and conversation intents from: question
// patterns (question-templates.yaml) and topic-free small talk (conversation-intents.yaml).

export type ValueKind = "clock" | "duration" | "percent" | "money" | "number" | "count" | "yes_no";

export interface QuestionTemplates {
  section: string[];
  list_section: string[];
  list_endings: string[];
  title: string[];
  row: string[];
  cell: string[];
  cell_by_kind: Partial<Record<ValueKind, string[]>>;
  yes_no_prefixes: string[];
  cell_by_column_word: Array<{ words: string[]; patterns: string[] }>;
  column: string[];
  column_by_kind: Partial<Record<ValueKind, string[]>>;
  table: string[];
  table_title: string;
  row_title: string;
  case_title: string;
  value_kinds: Partial<Record<ValueKind, string>>;
  cloze: Array<{ kind: ValueKind; pattern: string; ask: string }>;
  why_cues: string[];
  why: string[];
  need_cues: string[];
  need: string[];
  can_cues: string[];
  can: string[];
  question_tails: string[];
  where_cues: string[];
  where: string[];
  how_cues: string[];
  how: string[];
  what: string[];
  fillers: string[];
  common_words: string[];
  function_chars: string;
  binding_chars: string;
  path_asks: string;
  path_answer: string;
  synonyms: Record<string, string[]>;
  everyday_parts: Record<string, string[]>;
  count_units: string[];
  count_asks: string[];
  unit_variants: Record<string, string[]>;
  modal_variants: Record<string, string[]>;
  cloze_also: Partial<Record<ValueKind, string[]>>;
  clock_range: string[];
  linking_words: string[];
  plain_words: string[];
}

/** A conversation intent as written in conversation-intents.yaml (replies with placeholders). */
export interface ConversationIntent {
  id: string;
  title: string;
  type: "smalltalk" | "handoff" | "out-of-scope";
  reply?: string;
  examples: string[];
}

let templates: QuestionTemplates | undefined;
let conversation: ConversationIntent[] | undefined;

/** The engine's question patterns, read once. */
export function questionTemplates(): QuestionTemplates {
  templates ??= parse(readFileSync(new URL("./question-templates.yaml", import.meta.url), "utf8")) as QuestionTemplates;
  return templates;
}

/** The engine's topic-free conversation intents, read once. */
export function conversationIntents(): ConversationIntent[] {
  conversation ??= (parse(readFileSync(new URL("./conversation-intents.yaml", import.meta.url), "utf8")) as { intents: ConversationIntent[] }).intents;
  return conversation;
}

/** Fills `{name}` placeholders; a pattern naming a value that is missing gives null. */
export function fill(pattern: string, values: Record<string, string | undefined>): string | null {
  let missing = false;
  const out = pattern.replace(/\{(\w+)\}/g, (_m, k: string) => {
    const v = values[k];
    if (v === undefined || v === "") missing = true;
    return v ?? "";
  });
  return missing ? null : out.trim();
}
