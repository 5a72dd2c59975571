import type { FactRef, Intent, KnowledgeBase, Table, TableColumn, TableRow } from "../knowledge/knowledge-base.js";
import { knowledgeWords } from "./words.js";

/** Text of one fact, row or cell, as said to a user. */
export function renderRef(ref: FactRef, kb: KnowledgeBase): string {
  if (ref.kind === "fact") return kb.facts.get(ref.id)?.text ?? "";
  const table = kb.tables.get(ref.table);
  const row = table?.rows.find((r) => r.id === ref.row);
  if (!table || !row) return "";
  if (ref.kind === "row") return renderRow(table, row);
  return renderCell(table, row, ref.column);
}

// `{row}`, `{value}` and `{<column id or name>}` in a table's or a column's sentence template
const PLACEHOLDER = /\{([^{}]+)\}/g;

/** A column a template names by id or by name. */
function columnNamed(table: Table, name: string): TableColumn | undefined {
  return table.columns.find((c) => c.id === name || c.name === name);
}

/** The placeholders of a template that name nothing in its table (`{value}` only makes sense in a column's). */
export function unknownPlaceholders(template: string, table: Table, forColumn: boolean): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if (name === "row" || (forColumn && name === "value") || columnNamed(table, name)) continue;
    out.push(name);
  }
  return out;
}

function fill(template: string, table: Table, row: TableRow, value?: string): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (name === "row") return row.name;
    if (name === "value" && value !== undefined) return value;
    const col = columnNamed(table, name);
    return col ? (row.cells[col.id] ?? "") : whole;
  });
}

// "耗时(分钟)": a heading that carries its unit in parentheses
const UNIT_IN_NAME = /^(.+?)\s*[（(]([^（）()]+)[)）]$/;
const BARE_FIGURE = /^[\d.\s~–—至到-]+$/;

/**
 * A column's name and a cell's value said together once: "耗时(分钟)" with "3-5分钟" is 耗时 and
 * 3-5分钟, with "3-5" it is 耗时 and 3-5分钟 — the unit is said with the figure, never twice.
 */
function labelled(column: TableColumn, value: string): { label: string; value: string } {
  const m = UNIT_IN_NAME.exec(column.name);
  if (!m) return { label: column.name, value };
  const [, base, unit] = m as unknown as [string, string, string];
  if (value.includes(unit)) return { label: base, value };
  if (BARE_FIGURE.test(value)) return { label: base, value: `${value.trim()}${unit}` };
  return { label: column.name, value };
}

const endSentence = (text: string): string => (/[。！？!?）)]$/.test(text) ? text : `${text}。`);

/** A whole row, in its table's sentence, else "个人视频的关闭后留存时间是30天，可迁移性是…。" */
export function renderRow(table: Table, row: TableRow): string {
  const note = row.note ? `（${row.note}）` : "";
  if (table.sentence) return endSentence(fill(table.sentence, table, row)) + note;
  const parts = table.columns.flatMap((c) => {
    const cell = row.cells[c.id];
    if (!cell) return [];
    const { label, value } = labelled(c, cell);
    return [`${label}是${value}`];
  });
  return endSentence(`${row.name}的${parts.join("，")}`) + note;
}

/** One cell, in its column's sentence, else "{row}的{column}是{value}". */
export function renderCellOnly(table: Table, row: TableRow, columnId: string): string {
  const col = table.columns.find((c) => c.id === columnId);
  const cell = col ? row.cells[col.id] : undefined;
  if (!col || !cell) return renderRow(table, row);
  if (col.sentence) return endSentence(fill(col.sentence, table, row, cell));
  const { label, value } = labelled(col, cell);
  return endSentence(`${row.name}的${label}是${value}`);
}

// stands for the asked cell while its row's sentence is said without it
const ASKED = "\u0000";

/** A row without one of its cells: its sentence with the clause (and the label before it) that says the cell left out. */
export function renderRowWithout(table: Table, row: TableRow, columnId: string): string {
  if (!table.sentence) {
    const rest = table.columns.filter((c) => c.id !== columnId);
    return rest.length === 0 ? "" : renderRow({ ...table, columns: rest }, row);
  }
  const col = table.columns.find((c) => c.id === columnId);
  if (!col) return renderRow(table, row);
  const marked = fill(table.sentence, table, { ...row, cells: { ...row.cells, [col.id]: ASKED } });
  const segments = marked.match(/[^，；。：:,;]+[，；。：:,;]*/g) ?? [marked];
  const out: string[] = [];
  for (const seg of segments) {
    if (!seg.includes(ASKED)) {
      out.push(seg);
      continue;
    }
    // "恢复难度：{value}": the label goes with the value
    if (seg.startsWith(ASKED) && /[：:]$/.test(out.at(-1) ?? "")) out.pop();
  }
  const text = out.join("").replace(/[，；：:,;]$/, "");
  return text ? endSentence(text) + (row.note ? `（${row.note}）` : "") : "";
}

/**
 * The cell asked for first, then the rest of its row on the next line: which column a question means
 * is a guess, and the row's other cells are short. The asked cell is not said twice.
 */
export function renderCell(table: Table, row: TableRow, columnId: string): string {
  const cell = renderCellOnly(table, row, columnId);
  if (!table.columns.some((c) => c.id === columnId)) return cell;
  const rest = renderRowWithout(table, row, columnId);
  return rest ? `${cell}\n${rest}` : cell;
}

/** All referenced texts, without repeats, one per line. */
export function renderRefs(refs: FactRef[], kb: KnowledgeBase): string[] {
  const out: string[] = [];
  for (const ref of refs) {
    const text = renderRef(ref, kb);
    if (text && !out.includes(text)) out.push(text);
  }
  return out;
}

/** "第 2 步 / 共 4 步：…" */
export function renderStep(intent: Intent, step: number, kb: KnowledgeBase): string {
  const text = renderRef(intent.steps[step]!, kb);
  return `第 ${step + 1} 步 / 共 ${intent.steps.length} 步：${text}`;
}

// The steps ahead are shown whole up to this length, else by the names they quote (「通用」→「发现页管理」).
const AHEAD_CHARS = 60;

/**
 * The steps after this one, briefly: each one's first sentence, "点「通用」→ 进入「发现页管理」→ 找到「视频号」，
 * 把开关关掉", or, when that is long, the names they quote; null after the last step or when a step ahead
 * quotes no name to stand for it.
 */
export function renderStepsAhead(intent: Intent, step: number, kb: KnowledgeBase): string | null {
  const ahead = intent.steps.slice(step + 1).map((ref) => renderRef(ref, kb));
  if (ahead.length === 0) return null;
  const whole = ahead.map((t) => t.split(/[。；;！!]/)[0]!.replace(/[，,：:\s]+$/, "").trim()).join(" → ");
  if ([...whole].length <= AHEAD_CHARS) return whole;
  const names = ahead.map((t) => t.match(/「[^」]+」/g)?.join(""));
  return names.every(Boolean) ? names.join(" → ") : null;
}

/** Every step, numbered; `beforeLast` (warnings) goes just before the last step, the one that cannot be undone. */
export function renderAllSteps(intent: Intent, kb: KnowledgeBase, beforeLast: string[] = []): string {
  const last = intent.steps.length - 1;
  return intent.steps
    .flatMap((ref, i) => [...(i === last ? beforeLast : []), `${i + 1}. ${renderRef(ref, kb)}`])
    .join("\n");
}

/** Where a fact comes from, for operators reading an answer. */
export function sectionsOf(refs: FactRef[], kb: KnowledgeBase): string[] {
  const out = new Set<string>();
  for (const ref of refs) {
    const s = ref.kind === "fact" ? kb.facts.get(ref.id)?.section : kb.tables.get(ref.table)?.section;
    if (s) out.add(s);
  }
  return [...out];
}

// A figure with its unit ("30 天", "7天", "46%") or a range of them ("3-5分钟", "25%-40%"): what two
// sources can disagree on. A figure inside the other's range agrees with it.
const UNIT = "(%|天|日|小时|分钟|秒|周|个月|年|步)";
const NUMBER = "(\\d+(?:\\.\\d+)?)";
const RANGE = new RegExp(`${NUMBER}\\s*${UNIT}?\\s*[-~–—至到]\\s*${NUMBER}\\s*${UNIT}`, "g");
const FIGURE = new RegExp(`${NUMBER}\\s*${UNIT}`, "g");

interface Figure {
  low: number;
  high: number;
  unit: string;
}

function figures(text: string): Figure[] {
  const out: Figure[] = [];
  const rest = text.replace(RANGE, (_, a: string, unitA: string | undefined, b: string, unit: string) => {
    if (unitA === undefined || unitA === unit) out.push({ low: Number(a), high: Number(b), unit });
    return " ";
  });
  for (const m of rest.matchAll(FIGURE)) out.push({ low: Number(m[1]), high: Number(m[1]), unit: m[2]! });
  return out;
}

const overlap = (a: Figure, b: Figure): boolean => a.unit === b.unit && a.low <= b.high && b.low <= a.high;

/** Canonical content tokens of some of the knowledge base's texts, as the matcher reads them. */
const words = knowledgeWords;

/**
 * The column of a row whose cell a fact contradicts, if any: the fact names the row and the column (in
 * the matcher's words, so "内容同质化" is not the row "内容") and gives figures in the cell's unit, none of
 * them the cell's own ("默认保留 30 天" against 互动数据 7天).
 */
export function contradictedColumn(
  fact: string,
  table: Table,
  row: TableRow,
  kb: KnowledgeBase,
  columns: string[] = table.columns.map((c) => c.id),
): string | undefined {
  const said = figures(fact);
  if (said.length === 0) return undefined;
  const factWords = words([fact], kb);
  const names = (texts: string[]): boolean => [...words(texts, kb)].some((w) => factWords.has(w));
  if (!names([row.name, ...row.aliases])) return undefined;
  for (const id of columns) {
    const col = table.columns.find((c) => c.id === id);
    const cell = row.cells[id];
    if (!col || !cell || !names([col.name, ...col.aliases])) continue;
    for (const mine of figures(cell)) {
      const theirs = said.filter((f) => f.unit === mine.unit);
      if (theirs.length > 0 && !theirs.some((f) => overlap(f, mine))) return id;
    }
  }
  return undefined;
}

/** "注：…": a fact that disagrees with the table, said once after the table's figure. */
export function renderConflictNote(fact: string, table: Table, row: TableRow, columnId: string): string {
  const col = table.columns.find((c) => c.id === columnId)!;
  return `注：资料另有一处说法「${fact.replace(/[。！]$/, "")}」，与表格中${row.name}的${col.name}（${row.cells[columnId]}）不一致，这里以表格为准。`;
}

// Lines of a walk-through are said as they are, even when a warning before them says the same thing.
const STEP_LINE = /^(第 \d+ 步|\d+\. )/;
// A clause at or above this share of two-character pieces already said says nothing new; a shorter
// clause than MIN_CLAUSE ("不支持导出") is too plain to tell whose fact it is, and is kept.
const SAID_SHARE = 0.7;
const MIN_CLAUSE = 8;
// A clause whose figures were all said repeats them when the rest of it is a few words ("大约需要")
// or mostly said too; "超过 30 天永久删除" adds 永久删除 and stays.
const FIGURE_REST = 4;
const FIGURE_REST_SHARE = 0.75;

const plain = (text: string): string => text.normalize("NFKC").toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, "");

function pairs(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < text.length; i++) out.push(text.slice(i, i + 2));
  return out;
}

const share = (mine: string[], said: Set<string>): number => mine.filter((p) => said.has(p)).length / mine.length;

/** Whether a figure ("7天") was said as a figure of its own, not as the end of another ("37天"). */
/** The numbers a text writes (3-5分钟: 3 and 5). */
function numbersOf(text: string): string[] {
  return text.match(/\d+(?:\.\d+)?/g) ?? [];
}

function saidFigure(figure: string, said: string): boolean {
  for (let i = said.indexOf(figure); i >= 0; i = said.indexOf(figure, i + 1)) {
    if (i === 0 || !/[\d.]/.test(said[i - 1]!)) return true;
  }
  return false;
}

function repeats(clause: string, said: string, numbers: ReadonlySet<string>): boolean {
  const own = plain(clause);
  const saidPairs = new Set(pairs(said));
  const figs = [...clause.replace(RANGE, (m) => ` ${m} `).matchAll(new RegExp(`${RANGE.source}|${FIGURE.source}`, "g"))].map((m) => plain(m[0]));
  // (a clause with a figure not said yet says something new, however alike its words: 高级…6600元 after 初级…3400元)
  const newFigure = numbersOf(clause).some((n) => !numbers.has(n));
  if (!newFigure && own.length >= MIN_CLAUSE && share([...new Set(pairs(own))], saidPairs) >= SAID_SHARE) return true;
  if (figs.length === 0 || newFigure) return false;
  let rest = own;
  for (const f of figs) rest = rest.replace(f, "");
  const restPairs = [...new Set(pairs(rest))];
  return rest.length <= FIGURE_REST || share(restPairs, saidPairs) >= FIGURE_REST_SHARE;
}

/**
 * A reply that says each fact once: a clause of a line that an earlier line of the reply already says
 * (a table row restating a fact's path, a figure given twice) is left out, and a line left empty goes.
 */
export function stateOnce(text: string): string {
  const lines = text.split("\n");
  if (lines.length < 2) return text;
  const out: string[] = [];
  let said = "";
  const numbers = new Set<string>();
  for (const line of lines) {
    if (STEP_LINE.test(line) || out.length === 0) {
      out.push(line);
      said += plain(line);
      for (const n of numbersOf(line)) numbers.add(n);
      continue;
    }
    const clauses = line.match(/[^，；。！？,;]+[，；。！？,;]*/g) ?? [line];
    const kept = clauses.filter((c) => !repeats(c, said, numbers));
    if (kept.length === clauses.length) out.push(line);
    else if (kept.length > 0) out.push(kept.join("").replace(/[，；,;]$/, "。"));
    said += plain(line);
    for (const n of numbersOf(line)) numbers.add(n);
  }
  return out.join("\n");
}
