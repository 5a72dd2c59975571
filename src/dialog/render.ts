import type { FactRef, Intent, KnowledgeBase, Table, TableRow } from "../knowledge/knowledge-base.js";

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
