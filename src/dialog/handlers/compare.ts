import type { Intent, KnowledgeBase, Table, TableRow } from "../../knowledge/knowledge-base.js";
import { QUESTION, tokenize } from "../../nlu/match.js";
import { normalizeText } from "../../nlu/normalize.js";
import type { Decision } from "../decide.js";
import { paced, sayWithMenu } from "../decisions.js";
import { COMPARATIVES, COMPARE, DIFFERENCE } from "../phrases.js";
import { columnNamed, intentOfRow, vocabulary } from "../reading.js";
import { renderCellOnly, renderRow } from "../render.js";
import { understood, type Turn } from "../turn.js";

// English words that compare whatever the sentence's mood (a request to compare asks as a question does).
const ENGLISH_COMPARE = /\b(?:compare|comparing|versus|vs|between)\b/;

/**
 * A question comparing rows of one table ("只关入口和彻底注销，各自要多久", "抖音和B站哪个迁移成本高"): the
 * column asked for each row it names, or the rows whole when it names no column. A row is named when
 * all the words of its name or of one of its other names are said, or all the words of its name that
 * no other row of the table has; two rows or more, with a word that compares, make the comparison.
 */
export function compare(turn: Turn): Decision | undefined {
  const { kb, settings, clean } = turn;
  // (a comparing word of a long message's story is not its question: in "我在做一份合规比较，两家的规则
  // 看过了……这里实际提供的是什么" nothing is compared; a clause that asks must say it)
  const norm = normalizeText(turn.input.text);
  // (an English clause asks with its question mark, or by a word that compares: "… vs deleting the account?",
  // "Compare the time needed: hiding the entry versus deleting the account.")
  const asks = (c: string): boolean => QUESTION.test(c) || (!/\p{Script=Han}/u.test(c) && (norm.marked.has(c) || ENGLISH_COMPARE.test(c)));
  // (an English question whose comparison spans its clauses: "which is harder to get back: my videos or my followers?")
  const comparesInEnglish = !/\p{Script=Han}/u.test(norm.text) && norm.marked.size > 0 && COMPARE.test(norm.text);
  const compares =
    norm.clauses.length <= 1 ? COMPARE.test(clean) : comparesInEnglish || norm.clauses.some((c) => asks(c) && COMPARE.test(c.replace(/\s+/g, "")));
  if (!compares) return undefined;
  const said = new Set(tokenize(turn.input.text, kb.lexicon).map((t) => t.text));
  const named = (name: string, words: ReadonlySet<string>): boolean => {
    const own = [...vocabulary([name], kb)].filter((w) => !kb.subject.has(w));
    return own.length > 0 && own.every((w) => words.has(w));
  };
  const names = (name: string): boolean => named(name, said);
  // what the message asks of the rows, without the words that compare them (比较 may read as 优势)
  const askedOfRows = new Set(tokenize(norm.text.replace(new RegExp(COMPARE.source, "g"), " "), kb.lexicon).map((t) => t.text));
  // (哪个快 asks how long, 哪个便宜 how much: the column those name)
  const plain = norm.text.replace(/\s+/g, "");
  for (const { pattern, asks } of COMPARATIVES) if (pattern.test(plain) || pattern.test(norm.text)) for (const t of tokenize(asks, kb.lexicon)) askedOfRows.add(t.text);
  // a row is also named by the words no other row of its table has, when all are said ("初级和高级教练":
  // 初级健身教练 and 高级健身教练, the words they share said once or not at all)
  // (by the dictionary's words: a name the lexicon reads as one term, 初级健身教练, is still 初级 健身 教练)
  const spoken = new Set([...said, ...dictionaryWords(norm.text)]);
  let best: { table: Table; rows: TableRow[] } | undefined;
  for (const table of kb.tables.values()) {
    const rowWords = table.rows.map((r) => ({ name: dictionaryWords(r.name), all: [r.name, ...r.aliases].flatMap(dictionaryWords) }));
    const namedApart = (k: number): boolean => {
      const own = rowWords[k]!.name.filter((w) => !rowWords.some((o, j) => j !== k && o.all.includes(w)));
      return own.length > 0 && own.every((w) => spoken.has(w));
    };
    const rows = table.rows.filter((r, k) => [r.name, ...r.aliases].some(names) || namedApart(k));
    if (rows.length >= 2 && rows.length > (best?.rows.length ?? 0)) best = { table, rows };
  }
  if (!best) return undefined;
  // (a question the knowledge base reads as out of its scope compares other things: B站注销跟抖音注销比)
  const reading = understood(turn);
  const top = reading.candidates[0];
  if (top && reading.confidence >= settings.threshold && kb.intents.get(top.intentId)?.type === "out-of-scope") return undefined;
  const { table, rows } = best;
  // (every row of the table named is a question about the table, not a comparison of some of its rows)
  if (rows.length === table.rows.length && table.rows.length > 2) return undefined;
  // the column: one whose name is written in the message (迁移成本, though 比较 may read as 优势), else one
  // whose name is said whole, else the one a word of the message names (流量 → 通用流量)
  const written = norm.text.replace(/\s+/g, "");
  const columnId =
    table.columns.find((c) => [c.name, ...c.aliases].some((w) => [...w].length >= 2 && written.includes(w)))?.id ??
    table.columns.find((c) => [c.name, ...c.aliases].some((w) => named(w, askedOfRows)))?.id ??
    columnNamed(table, askedOfRows, kb);
  const column = table.columns.find((c) => c.id === columnId);
  const owner = ownerOf(table, kb);
  if (!owner) return undefined;
  // naming no column, a question the matcher reads clearly as another intent's asks that (一般大家是关入口
  //还是直接注销: how many people do which, not the two rows)
  const asked = top ? kb.intents.get(top.intentId) : undefined;
  const ofTable = (id: string): boolean => id === owner.id || rows.some((r) => intentOfRow(kb, table.id, r.id)?.id === id);
  // (unless it names what the table is about: 笔记本电脑和手机的保修期哪个长 of a table titled 各产品的保修期限)
  const titled = [...vocabulary([table.title], kb)].some((w) => !kb.subject.has(w) && !kb.lexicon.frames.has(w) && askedOfRows.has(w) && !rows.some((r) => vocabulary([r.name], kb).has(w)));
  // (nor when it asks how the rows differ: 关入口和注销账号有什么区别, "what's the difference")
  const differ = DIFFERENCE.test(norm.text);
  if (!column && !titled && !differ && asked && reading.confidence >= settings.threshold && !ofTable(asked.id)) return undefined;
  const lines = rows.map((r) => (column ? renderCellOnly(table, r, column.id) : renderRow(table, r)));
  const text = [`${table.title}：`, ...lines].join("\n");
  const state = { ...turn.state, misses: 0, topic: owner.id, focus: { table: table.id, row: rows[0]!.id, column: column?.id ?? null } };
  return paced(sayWithMenu(state, "answer", owner.id, 0.9, text, owner, kb), owner, kb, settings);
}

/** The intent that answers with the table's rows (the one listing most of them). */
function ownerOf(table: Table, kb: KnowledgeBase): Intent | undefined {
  let owner: { intent: Intent; count: number } | undefined;
  for (const intent of kb.intents.values()) {
    if (intent.type !== "faq") continue;
    const count = intent.answer.filter((r) => r.kind === "row" && r.table === table.id).length + (intent.focus?.table === table.id ? 0.5 : 0);
    if (count > 0 && count > (owner?.count ?? 0)) owner = { intent, count };
  }
  return owner?.intent;
}

const segmenter = new Intl.Segmenter("zh", { granularity: "word" });

/** The words of a text as the dictionary segmenter cuts them (lower case, letters and figures kept). */
function dictionaryWords(text: string): string[] {
  return [...segmenter.segment(text.toLowerCase())].filter((w) => w.isWordLike).map((w) => w.segment);
}
