import type { Intent, TableRow } from "../../knowledge/knowledge-base.js";
import { answer } from "../answer.js";
import type { Decision } from "../decide.js";
import { paced, sayWithMenu } from "../decisions.js";
import { SUPERLATIVE } from "../phrases.js";
import { intentOfRow, tableListed, vocabulary } from "../reading.js";
import { renderCell, renderRefs, renderRow } from "../render.js";
import { respond } from "../responses.js";
import { isSlotWord, statedValues, variantLines } from "../slots.js";
import { read, topicOf, type Turn } from "../turn.js";

/** Follow-ups that only make sense in context: "那粉丝呢", "能恢复吗", "企业号呢". */
export function followUp(turn: Turn): Decision | undefined {
  const topic = topicOf(turn);
  if (!topic) return undefined;
  const { match, elliptical, pointsBack } = read(turn);
  // (a short question that points back, "过了这个期限还能恢复吗", leans on the answer before it too)
  return followUpInContext(turn, topic, elliptical || pointsBack || match.confidence < turn.settings.threshold);
}

/**
 * A message read in the context of `topic` (`elliptical`: short and leaning on it): another cell or row
 * of the table in focus, a column for every row, or the topic again for a slot value.
 */
export function followUpInContext(turn: Turn, topic: Intent, elliptical: boolean): Decision | undefined {
  const { kb, settings, clean } = turn;
  let state = turn.state;
  const { match, words } = read(turn);
  // "那粉丝呢" after a retention answer, "能恢复吗" about the same row: another cell of the same table;
  // after an answer listing a whole table, "哪些行业" is that column for every row
  const focus = state.focus;
  const table = focus ? kb.tables.get(focus.table) : tableListed(topic, kb);
  const focusRow = focus?.row ?? null;
  if (table) {
    const rowVocab = table.rows.map((r) => ({ row: r, words: vocabulary([r.name, ...r.aliases], kb) }));
    const colVocab = table.columns.map((c) => ({ id: c.id, words: vocabulary([c.name, ...c.aliases], kb) }));
    let rowsNamed = rowVocab.filter((r) => words.some((w) => r.words.has(w))).map((r) => r.row);
    // "那教育行业呢" after the industries of one motive: the row whose cell in that column names it
    const cellVocab = focus?.column
      ? table.rows.map((r) => ({ row: r, words: vocabulary([r.cells[focus.column!] ?? ""], kb) }))
      : [];
    if (rowsNamed.length === 0 && cellVocab.length > 0) {
      rowsNamed = cellVocab.filter((r) => r.row.id !== focusRow && words.some((w) => r.words.has(w))).map((r) => r.row);
    }
    // (of two columns named, the one not asked yet: "过了这个期限还能恢复吗" after the time kept asks 恢复难度)
    const colsNamed = colVocab.filter((c) => words.some((w) => c.words.has(w))).map((c) => c.id);
    const colNamed = colsNamed.find((c) => c !== focus?.column) ?? colsNamed[0];
    // (a single character beside a column's name says how, not what: 成功率高吗, 耗时长吗; nor does a word
    // no phrasing of the knowledge base uses, 这一套弄完要几分钟, nor a question word, 要多长时间才能恢复)
    const unexplained = words.filter(
      (w) =>
        !(elliptical && ([...w].length === 1 || !kb.index.idf.has(w) || kb.lexicon.frames.has(w))) &&
        !rowVocab.some((r) => r.words.has(w)) && !colVocab.some((c) => c.words.has(w)) && !cellVocab.some((r) => rowsNamed.includes(r.row) && r.words.has(w)),
    );
    const col = table.columns.find((c) => c.id === colNamed);
    // "哪个迁移成本最低" compares the rows, whatever row was in focus
    const comparing = SUPERLATIVE.test(clean);
    if (col && rowsNamed.length === 0 && ((!focus && unexplained.length === 0) || comparing)) {
      const text = [`${table.title}，${col.name}：`, ...table.rows.map((r) => `${r.name}：${r.cells[col.id] ?? "—"}`)].join("\n");
      return paced(sayWithMenu({ ...state, misses: 0 }, "answer", topic.id, 0.9, text, topic, kb), topic, kb, settings);
    }
    const row: TableRow | undefined =
      rowsNamed.find((r) => r.id !== focusRow) ?? rowsNamed[0] ?? (colNamed ? table.rows.find((r) => r.id === focusRow) : undefined);
    const column = colNamed ?? focus?.column ?? null;
    const isNew = row !== undefined && (row.id !== focusRow || (column !== null && column !== focus?.column));
    if (row && isNew && (unexplained.length === 0 || (elliptical && rowsNamed.length > 0))) {
      const owner = intentOfRow(kb, table.id, row.id);
      // a row that is a procedure of its own ("那关入口呢" after deregistering) is answered in full
      if (owner && owner.steps.length > 0 && !colNamed) return answer(state, owner, 0.9, kb, settings);
      const about = owner && owner.id !== topic.id ? owner : topic;
      state = { ...state, focus: { table: table.id, row: row.id, column }, misses: 0, topic: about.id };
      const text = column ? renderCell(table, row, column) : renderRow(table, row);
      return paced(sayWithMenu(state, "answer", about.id, 0.9, text, about, kb), about, kb, settings);
    }
  }
  // "企业号呢" / "个人号呢": the current topic again, for that value of a slot
  const stated = statedValues(match, kb)[0];
  if (stated && words.every((t) => isSlotWord(t, kb))) {
    state = { ...state, misses: 0 };
    const { slot, value } = stated;
    const lines = variantLines(topic, value, kb);
    // (what differs for the value may be said by a related topic: 注销要多久 → 企业号 → what 注销 asks of an enterprise)
    const related = lines.length === 0 ? topic.related.map((id) => kb.intents.get(id)).find((r) => r !== undefined && variantLines(r, value, kb).length > 0) : undefined;
    if (related) {
      lines.push(...variantLines(related, value, kb), ...renderRefs(topic.answer, kb));
    } else if (lines.length === 0) {
      // nothing value-specific in the knowledge: say so, and give the answer that holds for all of them
      const labels = slot.values.map((v) => v.label).join("和");
      lines.push(respond(kb.responses, "slots.no-difference", { title: topic.title, labels }), ...renderRefs(topic.answer, kb));
    } else if (topic.steps.length > 0) {
      const text = renderRefs(topic.answer, kb)[0] ?? "";
      lines.push(value.beforeLastStep ? respond(kb.responses, "slots.rest-same-note", { note: value.beforeLastStep, text }) : respond(kb.responses, "slots.rest-same", { text }));
    }
    return paced(sayWithMenu(state, "answer", topic.id, 0.9, lines.join("\n"), topic, kb), topic, kb, settings);
  }
  return undefined;
}
