import type { Intent, KnowledgeBase, Table, TableRow } from "../../knowledge/knowledge-base.js";
import { tokenize } from "../../nlu/match.js";
import { normalizeText } from "../../nlu/normalize.js";
import { quantitiesIn, rangeIn, saysAfter, within, type Range } from "../../nlu/quantities.js";
import type { Decision } from "../decide.js";
import { paced, sayWithMenu } from "../decisions.js";
import { columnNamed, intentOfRow, vocabulary } from "../reading.js";
import { renderCellOnly, renderRow } from "../render.js";
import { understood, type Turn } from "../turn.js";

// A column whose cells say who or what a row is for ("适用对象": 年满6周岁、未满14周岁的儿童): its ranges
// key the rows as a row's name does. A column of values (到账时间: 3至7个工作日) is what is asked, not a key.
const CONDITION_COLUMN = /对象|条件|适用|范围|情形|年龄|人群/;
// The candidates of the reading that may say which table is asked: this many, at this share of the threshold.
const RELATED_CANDIDATES = 5;
const RELATED_SHARE = 0.3;
// The reading of the message must reach this share of the threshold.
const READ_SHARE = 0.8;

interface Tiered {
  table: Table;
  ranges: Map<string, Range>;
  /** The words of the table's title, key, columns, rows and cells (no question frames). */
  words: ReadonlySet<string>;
  /** Whether some rows count before the event and others after it (开车前… and 开车后…). */
  mixed: boolean;
}

const tieredOf = new WeakMap<KnowledgeBase, Tiered[]>();

/** The tables whose rows are tiers of one quantity (two rows or more name a range of it), read once per knowledge base. */
export function tieredTables(kb: KnowledgeBase): Tiered[] {
  let found = tieredOf.get(kb);
  if (found) return found;
  found = [];
  for (const table of kb.tables.values()) {
    const conditions = table.columns.filter((c) => CONDITION_COLUMN.test(c.name));
    const ranges = new Map<string, Range>();
    for (const row of table.rows) {
      // (a bracketed exception is no bound of the row: 1年以上(笔记本电脑2年以上) starts at a year)
      const read = (text: string) => rangeIn(normalizeText(text.replace(/[（(][^）)]*[）)]/g, "")).text);
      const range = read(row.name) ?? conditions.map((c) => read(row.cells[c.id] ?? "")).find((r) => r !== null);
      if (range) ranges.set(row.id, range);
    }
    const dims = new Map<string, number>();
    for (const r of ranges.values()) dims.set(r.dim, (dims.get(r.dim) ?? 0) + 1);
    const [dim] = [...dims].sort((a, b) => b[1] - a[1])[0] ?? [];
    if (dim === undefined || dims.get(dim)! < 2) continue;
    for (const [id, r] of ranges) if (r.dim !== dim) ranges.delete(id);
    const texts = [table.title, table.key, ...table.columns.flatMap((c) => [c.name, ...c.aliases]), ...table.rows.flatMap((r) => [r.name, ...r.aliases, ...Object.values(r.cells)])];
    const words = new Set([...vocabulary(texts, kb)].filter((w) => !kb.lexicon.frames.has(w) && !/^[\d.%]+$/.test(w)));
    const sides = new Set([...ranges.values()].map((r) => r.side));
    found.push({ table, ranges, words, mixed: sides.has("before") && sides.has("after") });
  }
  tieredOf.set(kb, found);
  return found;
}

/** Whether an intent answers from a table: one of its rows or cells, its focus, or a fact of the table's section. */
function answersFrom(intent: Intent | undefined, table: Table, kb: KnowledgeBase): boolean {
  if (!intent || intent.type !== "faq") return false;
  if (intent.focus?.table === table.id) return true;
  return intent.answer.some((r) => (r.kind === "fact" ? kb.facts.get(r.id)?.section === table.section : r.table === table.id));
}

/**
 * A figure said in a question about a tiered table ("开车前十天退要手续费吗", "孩子五岁要买票吗"): the row
 * whose range holds it (the narrowest, when ranges nest), with the column asked when one is named. Two
 * figures on two rows are both said ("开车前十天退和五天退差多少"). The table must be one a candidate of
 * the reading answers from, the message must say a word of the table besides the figure, and the figure
 * must be counted the way its rows count (before or after the event).
 */
export function figureInRange(turn: Turn): Decision | undefined {
  const { kb, settings } = turn;
  const tiers = tieredTables(kb);
  if (tiers.length === 0) return undefined;
  const message = turn.clauses.join(" ");
  const figures = quantitiesIn(message);
  if (figures.length === 0) return undefined;
  const after = saysAfter(message);
  const tokens = tokenize(turn.input.text, kb.lexicon);
  const said = tokens.filter((t) => t.kind !== "stop" && t.kind !== "number").map((t) => t.text);
  const reading = understood(turn);
  // (a figure in a question the knowledge base barely reads is no question of its tiers: "a 7-day rail pass")
  if (reading.confidence < READ_SHARE * settings.threshold) return undefined;
  const related = reading.candidates.filter((c) => c.score >= RELATED_SHARE * settings.threshold).slice(0, RELATED_CANDIDATES);
  let best: { table: Table; rows: TableRow[]; rank: number } | undefined;
  for (const { table, ranges, words, mixed } of tiers) {
    // (the message must say something of the table besides the figure: 停车场停一个钟头 is no 开车前 tier)
    if (!said.some((w) => words.has(w))) continue;
    const rows: TableRow[] = [];
    for (const q of figures) {
      const fits = table.rows.filter((r) => {
        const range = ranges.get(r.id);
        // (before or after the event matters only where the rows count both ways: 购买后… rows all count after)
        return range !== undefined && (!mixed || range.side === null || (range.side === "after") === after) && within(q, range);
      });
      const width = (r: TableRow): number => ranges.get(r.id)!.hi - ranges.get(r.id)!.lo;
      const narrowest = fits.sort((a, b) => width(a) - width(b))[0];
      if (narrowest && !rows.includes(narrowest)) rows.push(narrowest);
    }
    if (rows.length === 0) continue;
    const rank = related.findIndex((c) => answersFrom(kb.intents.get(c.intentId), table, kb));
    if (rank < 0 || (best && rank >= best.rank)) continue;
    best = { table, rows, rank };
  }
  if (!best) return undefined;
  const { table, rows } = best;
  const columnId = columnNamed(table, new Set(tokens.map((t) => t.text)), kb);
  const lines = rows.map((r) => (columnId ? renderCellOnly(table, r, columnId) : renderRow(table, r)));
  const owner = intentOfRow(kb, table.id, rows[0]!.id) ?? kb.intents.get(related[best.rank]!.intentId)!;
  const text = rows.length > 1 ? [`${table.title}：`, ...lines].join("\n") : lines[0]!;
  const state = { ...turn.state, misses: 0, topic: owner.id, focus: { table: table.id, row: rows[0]!.id, column: columnId ?? null } };
  return paced(sayWithMenu(state, "answer", owner.id, Math.max(reading.confidence, settings.threshold), text, owner, kb), owner, kb, settings);
}
