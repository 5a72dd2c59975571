import type { Responses } from "../dialog/responses.js";
import type { Lexicon } from "../nlu/lexicon.js";
import type { MatchIndex } from "../nlu/match.js";

/** A fact restated from the article, with the section it comes from. */
export interface Fact {
  id: string;
  text: string;
  section: string;
  /** file:line where it is defined. */
  source: string;
}

export interface TableColumn {
  id: string;
  name: string;
  aliases: string[];
  /** How one cell of this column is said ("{row}大约需要{value}"); the general default when absent. */
  sentence?: string;
}

export interface TableRow {
  id: string;
  name: string;
  aliases: string[];
  cells: Record<string, string>;
  note?: string;
}

/** A table of the article as structured rows, so any cell can be asked about. */
export interface Table {
  id: string;
  title: string;
  /** What the rows are (the first column's heading). */
  key: string;
  section: string;
  columns: TableColumn[];
  rows: TableRow[];
  /** How a whole row is said ("{row}大约需要{耗时}，成功率{成功率}"); the general default when absent. */
  sentence?: string;
  source: string;
}

export type IntentType = "faq" | "clarify" | "smalltalk" | "handoff" | "out-of-scope";

/** A reference to a fact, a whole table row, or one cell. */
export type FactRef =
  | { kind: "fact"; id: string }
  | { kind: "row"; table: string; row: string }
  | { kind: "cell"; table: string; row: string; column: string };

export interface Intent {
  id: string;
  title: string;
  type: IntentType;
  examples: string[];
  keywords: string[];
  lead?: string;
  reply?: string;
  answer: FactRef[];
  steps: FactRef[];
  caveats: FactRef[];
  retention: FactRef[];
  /** Slot value id → facts said only to users with that value. */
  variants: Record<string, FactRef[]>;
  why: FactRef[];
  options: string[];
  related: string[];
  goal?: string;
  suggest: boolean;
  /** The table row this intent is about, when its answer is one row (for "那粉丝呢"). */
  focus: { table: string; row: string; column: string | null } | null;
  source: string;
}

/** One value of a slot: its label and the entity terms that state it. */
export interface SlotValue {
  id: string;
  label: string;
  /** Canonical entity terms of the lexicon. */
  words: string[];
  beforeLastStep?: string;
}

/** Something users say about themselves that changes answers (knowledge/slots.yaml). */
export interface Slot {
  id: string;
  values: SlotValue[];
  /** Values whose variant is said, as a condition, before a procedure's last step while unknown. */
  whenUnknown: string[];
}

/** A ready answer an agent can insert in the console. */
export interface CannedReply {
  title: string;
  text: string;
  /** file:line where it is defined. */
  source: string;
}

/** Compiled, immutable knowledge: swapped whole on reload. */
export interface KnowledgeBase {
  intents: Map<string, Intent>;
  facts: Map<string, Fact>;
  tables: Map<string, Table>;
  lexicon: Lexicon;
  index: MatchIndex;
  /** Terms that name the subject itself (the lexicon's `subject:`, else the terms most intents use). */
  subject: Set<string>;
  /** Declared slots (none when knowledge/slots.yaml is absent). */
  slots: Slot[];
  /** Agents' canned replies (knowledge/canned-replies.yaml; none when the file is absent). */
  cannedReplies: CannedReply[];
  /** What the bot says besides answers: knowledge/responses.yaml over the engine's defaults. */
  responses: Responses;
  /** Files it was built from, for the operator. */
  files: string[];
  loadedAt: number;
}
