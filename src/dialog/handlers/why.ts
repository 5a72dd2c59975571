import type { Intent } from "../../knowledge/knowledge-base.js";
import type { Decision } from "../decide.js";
import { sayWithMenu } from "../decisions.js";
import { WHY, WHY_LEAD } from "../phrases.js";
import { tokenize } from "../../nlu/match.js";
import { columnNamed, tableListed } from "../reading.js";
import { renderCellOnly, renderRefs } from "../render.js";
import { respond } from "../responses.js";
import { read, topicOf, type Turn } from "../turn.js";

// A why that goes on in words of the conversation is one when it is about this short.
const MAX_WHY_CHARS = 16;
// Words with which a line says what caused what.
const CAUSE = /因为|由于|导致|所以|因而|源于|出于|造成|使得|结果|说明|阻碍/;
// A title that asks why.
const WHY_TITLE = /为什么|为何|为啥|原因|why/i;

/** Whether a message's words are only question words, the topic's own words and words no question of the knowledge base uses. */
function namesNothingNew(turn: Turn, topic: Intent): boolean {
  const { kb } = turn;
  const i = kb.index.intentIds.indexOf(topic.id);
  const own = (w: string): boolean => i >= 0 && (kb.index.vocab[i]!.has(w) || kb.index.answerVocab[i]!.has(w));
  return read(turn).words.every((w) => kb.lexicon.frames.has(w) || own(w) || !kb.index.idf.has(w));
}

/**
 * "为什么" about the topic in focus: the reasons the knowledge gives, or that it gives none. A why that
 * goes on in words of the conversation ("为什么他们对这个这么敏感": pronouns, and words the knowledge
 * base does not know) asks the same; one naming a word of the knowledge base asks about that.
 */
export function why(turn: Turn): Decision | undefined {
  const { state, kb } = turn;
  const topic = topicOf(turn);
  if (!topic || !(WHY.test(turn.clean) || (WHY_LEAD.test(turn.clean) && turn.clean.length <= MAX_WHY_CHARS && namesNothingNew(turn, topic)))) return undefined;
  if (topic.why.length > 0) {
    // (and a line of its answer that says the cause of what was just asked: "43% 的企业用户因为解绑流程复杂而推迟关闭")
    const reasons = renderRefs(topic.why, kb);
    const asked = new Set(state.lastQuestion ? tokenize(state.lastQuestion, kb.lexicon).filter((t) => t.kind === "term" && !kb.subject.has(t.text) && !kb.lexicon.frames.has(t.text)).map((t) => t.text) : []);
    const ofAsked = renderRefs(topic.answer, kb).filter((line) => CAUSE.test(line) && !reasons.includes(line) && tokenize(line, kb.lexicon).some((t) => asked.has(t.text)));
    return sayWithMenu({ ...state, misses: 0 }, "answer", topic.id, 1, [...ofAsked, ...reasons].join("\n"), topic, kb);
  }
  // a topic that is itself a why ("年轻人为什么关闭") gives its reasons in its answer
  if (WHY_TITLE.test(topic.title) && topic.answer.length > 0) {
    return sayWithMenu({ ...state, misses: 0 }, "answer", topic.id, 1, renderRefs(topic.answer, kb).join("\n"), topic, kb);
  }
  // a topic about a table row without reasons of its own, related to a topic that answers with that whole
  // row and gives reasons (注销's 成功率 → why deregistering fails): those
  const focus = topic.focus;
  // the words of the question just asked, for the column it asked of a row or a table
  const lastWords = new Set(state.lastQuestion ? tokenize(state.lastQuestion, kb.lexicon).map((t) => t.text) : []);
  const aboutRow = (r: Intent): boolean => focus !== null && r.answer.some((ref) => ref.kind === "row" && ref.table === focus.table && ref.row === focus.row);
  const related = topic.related.map((id) => kb.intents.get(id)).find((r) => r !== undefined && r.why.length > 0 && aboutRow(r));
  if (related) return sayWithMenu({ ...state, misses: 0 }, "answer", related.id, 1, renderRefs(related.why, kb).join("\n"), topic, kb);
  // a topic about one row, after a question about one of its columns whose cell has a note ("去B站迁移成本高吗" →
  // 高（用户群体差异大）): that cell, whose note says why
  const rowTable = focus ? kb.tables.get(focus.table) : undefined;
  const row = rowTable?.rows.find((r) => r.id === focus?.row);
  const column = rowTable ? columnNamed(rowTable, lastWords, kb) : undefined;
  if (rowTable && row && column && /[（(]/.test(row.cells[column] ?? "")) {
    return sayWithMenu({ ...state, misses: 0 }, "answer", topic.id, 1, renderCellOnly(rowTable, row, column), topic, kb);
  }
  // a topic listing a table's rows, after a question about one of its columns ("哪个平台迁移成本最低"):
  // that column of each row, whose notes say why (低（内容格式相似）)
  const table = tableListed(topic, kb);
  const asked = table ? columnNamed(table, lastWords, kb) : undefined;
  if (table && asked && table.rows.some((r) => /[（(]/.test(r.cells[asked] ?? ""))) {
    return sayWithMenu({ ...state, misses: 0 }, "answer", topic.id, 1, table.rows.map((r) => renderCellOnly(table, r, asked)).join("\n"), topic, kb);
  }
  // no reasons declared, but what the topic answers with says a cause ("因为解绑流程复杂而推迟", "平台规则是…，
  // 结果中小博主流失率41%", "说明现行机制对回流有阻碍效应"): those lines
  const causes = renderRefs(topic.answer, kb).filter((line) => CAUSE.test(line));
  if (causes.length > 0) return sayWithMenu({ ...state, misses: 0 }, "answer", topic.id, 1, causes.join("\n"), topic, kb);
  // understood, but the knowledge gives no reason: say so rather than answer another question
  return sayWithMenu(state, "fallback", topic.id, 1, respond(kb.responses, "why.unknown", { title: topic.title }), topic, kb);
}
