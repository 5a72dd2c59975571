import type { Fact, FactRef, Intent, Table } from "./knowledge-base.js";

/**
 * The text an intent answers with (its facts, table rows and cells, with their column names), for
 * the matcher's answer field: a message may name what the answer says rather than how others asked.
 */
export function answerTexts(intent: Intent, facts: Map<string, Fact>, tables: Map<string, Table>): string[] {
  const refs: FactRef[] = [
    ...intent.answer,
    ...intent.steps,
    ...intent.caveats,
    ...intent.retention,
    ...Object.values(intent.variants).flat(),
    ...intent.why,
  ];
  const out: string[] = [];
  if (intent.lead) out.push(intent.lead);
  for (const ref of refs) {
    if (ref.kind === "fact") {
      const fact = facts.get(ref.id);
      if (fact) out.push(fact.text);
      continue;
    }
    const table = tables.get(ref.table);
    const row = table?.rows.find((r) => r.id === ref.row);
    if (!table || !row) continue;
    out.push([row.name, ...row.aliases].join(" "));
    for (const column of table.columns) {
      if (ref.kind === "cell" && column.id !== ref.column) continue;
      const value = row.cells[column.id];
      if (value) out.push(`${column.name} ${column.aliases.join(" ")} ${value}`);
    }
    if (row.note) out.push(row.note);
  }
  return out;
}
