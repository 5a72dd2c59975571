import type { FactRef, Intent, KnowledgeBase, Table, TableRow } from "../knowledge/knowledge-base.js";
import { tokenize } from "../nlu/match.js";

/** Text of one fact, row or cell, as said to a user. */
export function renderRef(ref: FactRef, kb: KnowledgeBase): string {
  if (ref.kind === "fact") return kb.facts.get(ref.id)?.text ?? "";
  const table = kb.tables.get(ref.table);
  const row = table?.rows.find((r) => r.id === ref.row);
  if (!table || !row) return "";
  if (ref.kind === "row") return renderRow(table, row);
  return renderCell(table, row, ref.column);
}

/** "个人视频 — 关闭后留存时间：30天；可迁移性：可下载到本地；…" */
export function renderRow(table: Table, row: TableRow): string {
  const cells = table.columns.map((c) => `${c.name}：${row.cells[c.id] ?? "—"}`).join("；");
  return `${row.name} — ${cells}${row.note ? `（${row.note}）` : ""}`;
}

/** One cell, with the rest of its row after it so the answer stands on its own. */
export function renderCell(table: Table, row: TableRow, columnId: string): string {
  const col = table.columns.find((c) => c.id === columnId);
  if (!col) return renderRow(table, row);
  const others = table.columns
    .filter((c) => c.id !== columnId)
    .map((c) => `${c.name}：${row.cells[c.id] ?? "—"}`)
    .join("；");
  return `${row.name}的${col.name}：${row.cells[col.id] ?? "—"}。（${others}）`;
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

/** Canonical content tokens of some texts, as the matcher reads them. */
function words(texts: string[], kb: KnowledgeBase): Set<string> {
  const out = new Set<string>();
  for (const t of texts) for (const tok of tokenize(t, kb.lexicon)) if (!kb.lexicon.stopwords.has(tok.text)) out.add(tok.text);
  return out;
}

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
