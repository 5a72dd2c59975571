import { pinyin } from "pinyin-pro";
import { Document, isPair, isScalar, visit } from "yaml";
import type { z } from "zod";
import { fill, conversationIntents, questionTemplates, type QuestionTemplates, type ValueKind } from "./question-templates.js";
import type { intentSchema, knowledgeFileSchema, lexiconFileSchema } from "./schema.js";

// Drafts knowledge and intent files from a help article in plain text:
//
//   如何注销某某账号                 ← title line
//   intro paragraph…                 ← facts of section 引言
//   一、注销前的准备工作             ← a numbered section: facts, tables and an intent stub
//   paragraph. another sentence！    ← one fact per sentence
//   - a bullet                       ← one fact per bullet
//   列A | 列B | 列C |                ← a table: header line,
//   ---|---|---|                     ←   separator line,
//   行1 | x | y |                    ←   one row per line
//
// Pure: text in, a whole knowledge base out (facts and tables, a lexicon, intents, conversation
// intents). Its questions come from general question patterns (question-templates.yaml) filled with
// the article's headings, rows, columns, cells and sentences; it follows knowledge/*.yaml and
// intents/*.yaml exactly, so it loads and serves as it is, and an operator can review it.

/** A knowledge file as written (before the schema fills in defaults). */
/** How many of the article's words for what a row is ("公交卡", "交通卡") a row's name is also asked with. */
const HEAD_WORDS = 3;

export type KnowledgeDraft = z.input<typeof knowledgeFileSchema>;
/** An intent as written. */
export type IntentDraft = z.input<typeof intentSchema>;
/** knowledge/lexicon.yaml as written. */
export type LexiconDraft = z.input<typeof lexiconFileSchema>;

export interface IngestOptions {
  /** Namespace of every id in the drafts (lower-case letters, digits, dashes), e.g. "qingji". */
  prefix: string;
  /** The article's file name, for `file:line` messages. */
  sourceName: string;
}

export interface IngestStats {
  sections: number;
  facts: number;
  tables: number;
  rows: number;
  intents: number;
}

export interface IngestResult {
  knowledgeFile: KnowledgeDraft;
  intentFile: IntentDraft[];
  /** Small talk, a human and out-of-scope messages, from the engine's general data. */
  conversationFile: IntentDraft[];
  /** The article's own terms and their other names. */
  lexiconFile: LexiconDraft;
  /** Problems of the article that were skipped over, as `file:line: message`. */
  warnings: string[];
  /** Things that were changed while reading (stray HTML removed), as `file:line: message`. */
  notes: string[];
  stats: IngestStats;
}

/** The article cannot be drafted from at all; `problems` are `file:line: message`. */
export class IngestError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

/** Section name of the text before the first numbered section. */
export const INTRO_SECTION = "引言";

const ID = /^[a-z0-9][a-z0-9-]*$/;
const HEADING = /^([一二三四五六七八九十百零〇两]+)[、.．]\s*(\S.*)$/;
// A Markdown heading ("## 一、办理新装", "### 费用说明"): a section whether or not it is numbered.
const MARKDOWN_HEADING = /^(#{1,6})\s+(.+?)(?:\s+#+)?$/;
const SEPARATOR = /^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$/;
const BULLET = /^[-*•·]\s+(.+)$/;
// a sentence ends at 。！？!? (and any closing quotes or brackets after them)
const SENTENCE = /[^。！？!?]+(?:[。！？!?]+[」』”’）)]*)?|[。！？!?]+/g;
const QUESTION_END = /[？?][」』”’）)]*$/;
// keys a table row uses for itself: a column may not be called that
const ROW_KEYS = new Set(["name", "aliases", "note"]);

interface Table {
  line: number;
  header: string[];
  rows: Array<{ line: number; cells: string[] }>;
}

interface Section {
  /** The heading as written ("二、注销步骤与审核时长"), or 引言 for the text before the first heading. */
  heading: string;
  /** The heading without its number ("注销步骤与审核时长"); empty for the intro. */
  title: string;
  line: number;
  /** `para` groups the sentences of one paragraph, and a lead line with its bullets. */
  facts: Array<{ line: number; text: string; para: number; bullet?: boolean }>;
  tables: Table[];
}

/** Reads an article and drafts its knowledge file and intent file. Throws IngestError when nothing can be drafted. */
export function ingestArticle(text: string, opts: IngestOptions): IngestResult {
  const { prefix, sourceName: file } = opts;
  if (!ID.test(prefix)) {
    throw new IngestError([`${file}:1: the prefix "${prefix}" must be lower-case letters, digits and dashes (e.g. qingji-notes)`]);
  }
  const warnings: string[] = [];
  const notes: string[] = [];
  const at = (line: number, msg: string): string => `${file}:${line}: ${msg}`;
  const clean = (raw: string, line: number): string => {
    const out = cleanHtml(raw);
    if (out !== raw.trim()) notes.push(at(line, `removed stray HTML: "${raw.trim()}" → "${out}"`));
    return out;
  };

  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let title: string | null = null;
  const intro: Section = { heading: INTRO_SECTION, title: "", line: 1, facts: [], tables: [] };
  const sections: Section[] = [];
  let current = intro;
  let table: Table | null = null;
  // paragraphs: a text line starts one; bullets join the line that leads into them ("…：") or each other
  let para = 0;
  let joinsBullets = false;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const lineNo = i + 1;
    if (!line) {
      table = null;
      continue;
    }
    const markdown = MARKDOWN_HEADING.exec(line);
    const headingLine = markdown ? markdown[2]!.trim() : line;
    const heading = HEADING.exec(headingLine);
    // (a "# …" line that opens the article is its title)
    if (markdown && markdown[1]!.length === 1 && !heading && title === null && sections.length === 0 && intro.facts.length === 0 && intro.tables.length === 0) {
      title = clean(headingLine, lineNo);
      continue;
    }
    if (heading || markdown) {
      table = null;
      current = { heading: headingLine, title: heading ? heading[2]!.trim() : clean(headingLine, lineNo), line: lineNo, facts: [], tables: [] };
      joinsBullets = false;
      sections.push(current);
      continue;
    }
    if (line.includes("|") && SEPARATOR.test((lines[i + 1] ?? "").trim())) {
      const header = splitRow(line).map((c) => clean(c, lineNo));
      const width = splitRow(lines[i + 1]!.trim()).length;
      if (width !== header.length) {
        warnings.push(at(lineNo + 1, `the separator line has ${width} cells but the header above it has ${header.length}`));
      }
      table = { line: lineNo, header, rows: [] };
      joinsBullets = false;
      current.tables.push(table);
      i++;
      continue;
    }
    if (SEPARATOR.test(line)) {
      warnings.push(at(lineNo, "a table separator line without a header line above it: skipped"));
      continue;
    }
    if (table && line.includes("|")) {
      table.rows.push({ line: lineNo, cells: splitRow(line).map((c) => clean(c, lineNo)) });
      continue;
    }
    table = null;
    if (title === null && sections.length === 0 && intro.facts.length === 0 && intro.tables.length === 0) {
      title = clean(line, lineNo);
      continue;
    }
    if ((line.match(/\|/g) ?? []).length >= 2) {
      warnings.push(at(lineNo, 'a line with "|" outside a table (a table needs a header line followed by a ---|---| line): skipped'));
      continue;
    }
    const bullet = BULLET.exec(line);
    if (bullet) {
      const t = clean(bullet[1]!, lineNo);
      if (!joinsBullets) para++;
      joinsBullets = true;
      if (t) current.facts.push({ line: lineNo, text: t, para, bullet: true });
      continue;
    }
    para++;
    const cleaned = clean(line, lineNo);
    joinsBullets = /[：:]$/.test(cleaned);
    for (const sentence of sentences(cleaned)) current.facts.push({ line: lineNo, text: sentence, para });
  }

  if (sections.length === 0) {
    throw new IngestError([at(1, 'no sections found (headings look like "一、注销前的准备工作" or "## 注销前的准备工作")')]);
  }

  // ids: <prefix>-intro-N and <prefix>-sN-M for facts, <prefix>-sN-table for tables, <prefix>-sN… for intents
  const kept: Array<{ section: Section; key: string }> = [];
  if (intro.facts.length > 0 || intro.tables.length > 0) kept.push({ section: intro, key: `${prefix}-intro` });
  sections.forEach((s, n) => {
    if (s.facts.length === 0 && s.tables.length === 0) {
      warnings.push(at(s.line, `section "${s.heading}" has no text or tables: no facts and no intent drafted for it`));
    } else kept.push({ section: s, key: `${prefix}-s${n + 1}` });
  });

  const facts: NonNullable<KnowledgeDraft["facts"]> = {};
  const tables: NonNullable<KnowledgeDraft["tables"]> = {};
  const drafts = new Map<string, DraftedSection>();
  let rowCount = 0;
  for (const { section, key } of kept) {
    const factIds = section.facts.map((f, k) => {
      const id = `${key}-${k + 1}`;
      facts[id] = { text: f.text, section: section.heading };
      return id;
    });
    const drafted: DraftedSection = { chunks: chunk(section.facts, factIds), tables: [] };
    section.tables.forEach((t, k) => {
      const id = k === 0 ? `${key}-table` : `${key}-table-${k + 1}`;
      const table = draftTable(t, section, k, at, warnings);
      if (!table) return;
      tables[id] = table;
      // the sentence that leads into the table ("租金减免按家庭收入分为五档：") is answered with its rows, which
      // say what it announces: its paragraph's answer goes on with them
      let lead = -1;
      section.facts.forEach((f, n) => f.line < t.line && (lead = n));
      const leadChunk = lead >= 0 && INTRODUCES.test(section.facts[lead]!.text) ? drafted.chunks.find((c) => c.ids.includes(factIds[lead]!)) : undefined;
      // (the first reply says the rows asked about, the rest waits for 「更多」; a long table is asked about by its rows and cells)
      const short = Object.keys(table.rows).length <= LEAD_WITH_ROWS_MAX;
      if (leadChunk && short && section.facts.slice(lead + 1).every((f) => f.line > t.line)) leadChunk.ids.push(...Object.keys(table.rows).map((rowId) => `${id}.${rowId}`));
      rowCount += Object.keys(table.rows).length;
      // facts that read across the table: its rows, and each column of short values
      facts[`${id}-rows`] = { text: `${table.key}：${Object.values(table.rows).map((r) => r.name).join("、")}。`, section: section.heading };
      const byColumn: string[] = [];
      for (const [colId, col] of Object.entries(table.columns)) {
        const values = Object.values(table.rows).map((r) => (r as Record<string, unknown>)[colId] as string);
        if (values.length < 2 || values.some((v) => [...v].length > SHORT_CELL)) continue;
        const list = Object.values(table.rows).map((r, i) => `${r.name} ${values[i]}`).join("；");
        facts[`${id}-by-${colId}`] = { text: `${col.name}：${list}。`, section: section.heading };
        byColumn.push(colId);
      }
      drafted.tables.push({ id, table, byColumn });
    });
    drafts.set(key, drafted);
  }

  const knowledgeFile: KnowledgeDraft = { section: title ?? sections[0]!.heading, facts, tables };

  const T = questionTemplates();
  // words that only one paragraph or one table row uses name what it is about: each is a way to ask for it
  const units = [...drafts.values()].flatMap((d) => [
    ...d.chunks.map((c) => c.texts.join("")),
    ...d.tables.flatMap(({ table }) => Object.values(table.rows).map((r) => Object.values(r).filter((v) => typeof v === "string").join(" "))),
  ]);
  const df = new Map<string, number>();
  for (const u of units) for (const w of new Set(contentWords(u, T))) df.set(w, (df.get(w) ?? 0) + 1);
  // (three characters or more: a two-character word alone, such as 手机, names too many things outside the article)
  const distinctive = (text: string): string[] =>
    [...new Set(contentWords(text, T))].filter((w) => df.get(w) === 1 && [...w].length >= 3 && !/^[A-Za-z]{1,2}\p{Script=Han}$/u.test(w)).slice(0, MAX_DISTINCTIVE);
  const seen = new Set<string>();
  const intentFile: IntentDraft[] = [];
  /** Adds an intent with the examples no other intent has taken; false when none is left. */
  const add = (intent: Omit<IntentDraft, "examples">, examples: string[]): boolean => {
    const out: string[] = [];
    for (const ex of examples) {
      const k = exampleKey(ex);
      if (!k || seen.has(k) || out.some((o) => exampleKey(o) === k)) continue;
      out.push(ex);
      if (out.length >= MAX_EXAMPLES) break;
    }
    if (out.length === 0) return false;
    for (const ex of out) seen.add(exampleKey(ex));
    intentFile.push({ ...intent, examples: out });
    return true;
  };

  const sectionIntents: string[] = [];
  for (const { section, key } of kept) {
    const d = drafts.get(key)!;
    const isIntro = section === intro;
    const [first, ...rest] = d.chunks;
    // the section's own intent answers with its first paragraph, or with the list of its first table's rows
    const headingQuestions = isIntro ? (title ? titleExamples(title, T) : []) : sectionExamples(section, T);
    const firstTable = d.tables[0];
    const answer = first ? first.ids : firstTable ? [`${firstTable.id}-rows`] : [];
    const sectionId = isIntro ? `${prefix}-overview` : key;
    // a part of the heading ("借阅规则与续借" → 续借) that the first paragraph does not speak of is asked of the paragraph that does
    const routed = new Map<number, string[]>();
    const parts = isIntro || !first ? [] : headingParts(section, T);
    for (const part of parts) {
      if (first!.texts.join("").includes(part)) continue;
      const uses = rest.map((c) => c.texts.join("").split(part).length - 1);
      const best = uses.indexOf(Math.max(...uses));
      if (best < 0 || uses[best]! === 0) continue;
      routed.set(best, [...(routed.get(best) ?? []), part, ...T.section.map((p) => fill(p, { x: part })).filter(isText)]);
    }
    const routedParts = new Set([...routed.values()].flat());
    const examples = [
      ...headingQuestions.filter((q) => !routedParts.has(q)),
      ...(first ? [...chunkQuestions(first, T), ...distinctive(first.texts.join(""))] : []),
    ];
    if (!first && firstTable) examples.push(...tableQuestions(firstTable.table, T));
    const sectionTitle = isIntro ? trimPunct((title ?? "").replace(/[(（][^)）]*[)）]/g, "")) || INTRO_SECTION : trimPunct(section.title) || section.heading;
    if (answer.length > 0 && add({ id: sectionId, title: sectionTitle, answer }, examples)) {
      if (!isIntro) sectionIntents.push(sectionId);
    } else if (!isIntro && answer.length > 0) {
      warnings.push(at(section.line, `the heading "${section.heading}" reads the same as another heading: no intent drafted for it`));
    }
    rest.forEach((c, n) => {
      add({ id: `${key}-p${n + 2}`, title: chunkTitle(c.texts[0]!, T), answer: c.ids, related: [sectionId] }, [...(routed.get(n) ?? []), ...chunkQuestions(c, T), ...distinctive(c.texts.join(""))]);
    });
    d.tables.forEach(({ id: tableId, table, byColumn }, m) => {
      const base = `${key}-t${m + 1}`;
      if (first || m > 0) add({ id: base, title: fill(T.table_title, { key: bare(table.key) }) ?? `${table.title}：${table.key}`, answer: [`${tableId}-rows`], related: [sectionId] }, tableQuestions(table, T));
      const columns = Object.entries(table.columns);
      const kinds = new Map(columns.map(([colId]) => [colId, columnKind(table, colId, T)]));
      for (const [rowId, row] of Object.entries(table.rows)) {
        const rowIntent = `${base}-${rowId}`;
        const rowNames = [...new Set([bare(row.name), ...(row.aliases ?? []), row.name])];
        const cellRows = columns.length >= 2;
        // a row's title is a question a user would tap ("现金的退还方式和到账时间"), not its bare name ("现金")
        const rowTitle = fill(T.row_title, { row: row.name, columns: columns.slice(0, 2).map(([, c]) => bare(c.name)).join("和") }) ?? row.name;
        const cellExamples = (colId: string, col: (typeof columns)[number][1]): string[] => {
          const colNames = [...new Set([bare(col.name), ...(col.aliases ?? [])])].filter(Boolean);
          const kind = kinds.get(colId);
          return [
            ...T.cell.flatMap((p) => colNames.slice(0, 2).flatMap((c) => rowNames.slice(0, 2).map((r) => fill(p, { row: r, column: c })))),
            ...(kind ? (T.cell_by_kind[kind] ?? []).flatMap((p) => rowNames.slice(0, 2).map((r) => fill(p, { row: r, column: kind === "yes_no" ? withoutPrefix(colNames[0]!, T) : colNames[0] }))) : []),
            ...countQuestions(col.name, T).flatMap((q) => rowNames.slice(0, 2).map((r) => `${r}${q}`)),
            ...T.cell_by_column_word
              .filter(({ words }) => words.some((w) => col.name.includes(w)))
              .flatMap(({ patterns }) => patterns.flatMap((p) => rowNames.slice(0, 2).map((r) => fill(p, { row: r })))),
            // a long value is asked about by what it says ("长按Reset键10秒" → 长按Reset键多久)
            ...factQuestions(String((row as Record<string, unknown>)[colId] ?? ""), T).filter((q) => [...q].length >= 5),
            ...distinctive(String((row as Record<string, unknown>)[colId] ?? "")),
          ].filter(isText);
        };
        // a table of one column of values: its row is asked about as its one cell is ("往来港澳通行证补发" of
        // a table of 办理时限 → 往来港澳通行证补发要多久)
        const [only] = cellRows ? [] : columns;
        add(
          { id: rowIntent, title: rowTitle, answer: [`${tableId}.${rowId}`] },
          [...rowNames, ...T.row.flatMap((p) => rowNames.slice(0, 2).map((r) => fill(p, { row: r }))), ...(only ? cellExamples(only[0], only[1]) : [])].filter(isText),
        );
        if (!cellRows) continue;
        for (const [colId, col] of columns) {
          add({ id: `${rowIntent}-${colId}`, title: `${row.name}的${bare(col.name)}`, answer: [`${tableId}.${rowId}.${colId}`], related: [rowIntent] }, cellExamples(colId, col));
        }
      }
      for (const colId of byColumn) {
        const col = table.columns[colId]!;
        const colNames = [...new Set([bare(col.name), ...(col.aliases ?? [])])].filter(Boolean);
        const examples = [
          ...T.column.flatMap((p) => colNames.slice(0, 2).map((c) => fill(p, { column: c, key: table.key }))),
          ...(T.column_by_kind[kinds.get(colId)!] ?? []).flatMap((p) => colNames.slice(0, 2).map((c) => fill(p, { column: c, key: keyNoun(table.key) }))),
          ...countQuestions(col.name, T),
        ].filter(isText);
        add({ id: `${base}-by-${colId}`, title: `各${table.key}的${bare(col.name)}`, answer: [`${tableId}-by-${colId}`] }, examples);
      }
    });
  }
  // sections point at their neighbours; an intent may not point at one that was not drafted
  sectionIntents.forEach((id, n) => {
    const intent = intentFile.find((i) => i.id === id)!;
    intent.related = [sectionIntents[n - 1], sectionIntents[n + 1], ...(intent.related ?? [])].filter(isText);
  });
  // a message that reads like none of them is offered the first sections, as questions to tap
  for (const id of sectionIntents.slice(0, MAX_SUGGESTED)) intentFile.find((i) => i.id === id)!.suggest = true;
  const ids = new Set(intentFile.map((i) => i.id));
  for (const intent of intentFile) {
    if (intent.related) intent.related = [...new Set(intent.related.filter((r) => ids.has(r) && r !== intent.id))];
    if (intent.related?.length === 0) delete intent.related;
  }

  const articleTitle = trimPunct((title ?? "").replace(/[(（][^)）]*[)）]/g, "")) || trimPunct(sections[0]!.title);
  const conversationFile = draftConversation(
    { title: articleTitle, topics: sectionIntents.slice(0, 3).map((id) => intentFile.find((i) => i.id === id)!.title).join("、") || articleTitle,
      example: intentFile.find((i) => i.id === sectionIntents[0])?.examples.map(String).find((e) => IS_QUESTION.test(e)) ?? articleTitle },
    seen,
  );
  const cellTexts = Object.values(tables).flatMap((t) => [t.key, ...Object.values(t.columns).map((c) => c.name), ...Object.values(t.rows).flatMap((r) => Object.values(r).filter((v): v is string => typeof v === "string"))]);
  const lexiconFile = draftLexicon([title ?? "", ...kept.flatMap(({ section }) => [section.title, ...section.facts.map((f) => f.text)]), ...cellTexts], tables, T, intentFile.flatMap((i) => i.examples.map(String)));

  return {
    knowledgeFile,
    intentFile,
    conversationFile,
    lexiconFile,
    warnings,
    notes,
    stats: {
      sections: sections.length,
      facts: kept.reduce((n, { section }) => n + section.facts.length, 0),
      tables: Object.keys(tables).length,
      rows: rowCount,
      intents: intentFile.length,
    },
  };
}

const MAX_EXAMPLES = 40;
// Sections offered when a message reads like nothing.
const MAX_SUGGESTED = 3;
// Words only one answer uses, taken as examples of it, at most.
const MAX_DISTINCTIVE = 8;
// A cell longer than this is a description, not a value to compare across rows.
const SHORT_CELL = 14;
// A paragraph longer than this is answered in parts, cut at sentences (an answer over about 300 is a dump).
const CHUNK_MAX_CHARS = 280;
// A paragraph of one sentence shorter than this is read with the paragraph after it.
const CHUNK_MIN_CHARS = 24;

// How many rows the table a paragraph leads into may have for them to be part of its answer.
const LEAD_WITH_ROWS_MAX = 8;
// A sentence that announces what follows it ("…如下：", "分为五档:").
const INTRODUCES = /[：:]$|如下[。.]?$/;

interface Chunk {
  ids: string[];
  texts: string[];
}

interface DraftedSection {
  chunks: Chunk[];
  tables: Array<{ id: string; table: TableDraft; byColumn: string[] }>;
}

const isText = (x: string | null | undefined): x is string => typeof x === "string" && x.length > 0;

/** A section's facts in answers of one paragraph each (a lead line keeps its bullets); a long paragraph is cut at sentences. */
function chunk(list: Section["facts"], ids: string[]): Chunk[] {
  const paras: Chunk[] = [];
  list.forEach((f, i) => {
    const last = paras[paras.length - 1];
    if (last && list[i - 1]!.para === f.para && last.texts.join("").length + f.text.length <= CHUNK_MAX_CHARS) {
      last.ids.push(ids[i]!);
      last.texts.push(f.text);
    } else paras.push({ ids: [ids[i]!], texts: [f.text] });
  });
  // a paragraph is one answer: the figure asked for is in the answer given, not in the one next to it;
  // only a paragraph too short to stand alone (a lone line) joins the one after it
  const out: Chunk[] = [];
  let carry: Chunk | null = null;
  for (const p of paras) {
    const c: Chunk = carry ? { ids: [...carry.ids, ...p.ids], texts: [...carry.texts, ...p.texts] } : p;
    carry = null;
    if (c.texts.join("").length < CHUNK_MIN_CHARS && c.texts.length === 1) carry = c;
    else out.push(c);
  }
  if (carry) {
    const last = out[out.length - 1];
    if (last && last.texts.join("").length + carry.texts.join("").length <= CHUNK_MAX_CHARS) {
      last.ids.push(...carry.ids);
      last.texts.push(...carry.texts);
    } else out.push(carry);
  }
  return out;
}

/** The questions a piece of text answers, taken in turn from each of its sentences so every sentence has some. */
function chunkQuestions(c: Chunk, T: QuestionTemplates): string[] {
  const lists = c.texts.map((t) => factQuestions(t, T));
  const out: string[] = [];
  for (let i = 0; lists.some((l) => i < l.length); i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}

/**
 * The words of a text that can name a topic: words of two characters or more (a run of single
 * characters the segmenter does not know, "滞|纳|金", is read as one word), and pairs of neighbouring
 * words ("职业资格"); no figures, no filler words.
 */
function contentWords(text: string, T: QuestionTemplates, pairs = true): string[] {
  const segs = [...wordSegmenter.segment(text)].filter((w) => w.isWordLike).map((w) => w.segment);
  const words: string[] = [];
  let run = "";
  const flush = (): void => {
    if ([...run].length >= 2) words.push(run);
    run = "";
  };
  for (const seg of segs) {
    if ([...seg].length === 1 && /\p{Script=Han}/u.test(seg) && !T.function_chars.includes(seg)) {
      run += seg;
      continue;
    }
    flush();
    words.push(seg);
  }
  flush();
  const useful = (w: string): boolean =>
    [...w].length >= 2 && !/\d/.test(w) && !T.fillers.includes(w) && !T.common_words.includes(w);
  const out: string[] = [];
  words.forEach((w, i) => {
    if (!useful(w)) return;
    out.push(w);
    const next = words[i + 1];
    if (pairs && next && useful(next)) out.push(w + next);
  });
  return out;
}

/**
 * What a figure is of, from the words before it in its clause: the first content word, or the first
 * two when written together, after the case the clause opens with ("销户后号码冻结90天" → 号码冻结,
 * not 销户: the freeze lasts 90 days, not the closing); undefined when the clause says none.
 */
function subjectAfterCase(lead: string, T: QuestionTemplates): string | undefined {
  const segs = [...wordSegmenter.segment(lead)].filter((w) => w.isWordLike).map((w) => w.segment);
  const marker = segs.reduce((at, w, i) => (CASE_MARKERS.has(w) ? i : at), -1);
  const rest = segs.slice(marker + 1).join("");
  const words = contentWords(rest, T, false);
  const first = words[0];
  if (marker < 0 || first === undefined) return first;
  const two = words.length >= 2 ? `${first}${words[1]}` : undefined;
  return two !== undefined && rest.includes(two) && [...two].length <= 6 ? two : first;
}

// Words that end the case a clause opens with ("销户后…", "办理前…"): what follows is what the figure is of.
const CASE_MARKERS = new Set(["后", "以后", "之后", "前", "以前", "之前", "期间"]);

/** A quick-reply title for a paragraph: its first clause without the word that links it to the one before (此外), cut short. */
function chunkTitle(text: string, T: QuestionTemplates): string {
  const clauses = text.split(/[，,；;。！!？?：:]/).map(trimPunct).filter(Boolean);
  // a clause that is only a linking word ("此外，") says nothing: the next one does
  const first = clauses.find((c) => !T.linking_words.includes(c)) ?? trimPunct(text);
  const link = T.linking_words.find((w) => first.startsWith(w) && [...first].length > [...w].length + 3);
  const cut = link ? first.slice(link.length) : first;
  // a clause that names a case ("借书证已经丢失的") is asked about it ("借书证已经丢失的怎么办")
  const clause = cut.endsWith("的") && [...cut].length >= 4 ? fill(T.case_title, { x: cut }) ?? cut : cut;
  return [...clause].length > 16 ? `${[...clause].slice(0, 15).join("")}…` : clause;
}

/** A count column's name asked in the ways people ask for a count ("可借册数" → 可借几册, 能借多少册, 能借几本); none for other names. */
export function countQuestions(name: string, T: QuestionTemplates): string[] {
  const m = new RegExp(`^(.*?)(${T.count_units.join("|")})数$`).exec(bare(name));
  if (!m) return [];
  const units = [m[2]!, ...(T.unit_variants[m[2]!] ?? [])];
  const verbs = [...new Set([m[1]!, ...Object.entries(T.modal_variants).flatMap(([a, bs]) => (m[1]!.startsWith(a) ? bs.map((b) => b + m[1]!.slice(a.length)) : []))])];
  return verbs.flatMap((v) => units.flatMap((u) => T.count_asks.map((q) => `${v}${q}${u}`)));
}

/** A count column's name asked as a question ("可借册数" → 可借几册, "续借次数" → 续借几次); null for other names. */
export function countQuestion(name: string, T: QuestionTemplates): string | null {
  const m = new RegExp(`^(.*?)(${T.count_units.join("|")})数$`).exec(bare(name));
  return m ? `${m[1]}几${m[2]}` : null;
}

/** A yes/no column's name without its question prefix ("是否必须" → 必须). */
function withoutPrefix(name: string, T: QuestionTemplates): string {
  const p = T.yes_no_prefixes.find((x) => name.startsWith(x) && name.length > x.length);
  return p ? name.slice(p.length) : name;
}

/** What the rows of a table are, without the word for their name ("套餐名称" → 套餐). */
function keyNoun(key: string): string {
  const noun = key.replace(/(名称|名字|名)$/u, "");
  return [...noun].length >= 2 ? noun : key;
}

/** A name without its bracketed part or unit ("耗时(分钟)" → 耗时). */
function bare(name: string): string {
  return trimPunct(name.replace(/[(（][^)）]*[)）]/g, "")) || name;
}

/** The questions a fact answers: the question it asks itself, its short clauses, and its figures, reasons, needs and abilities asked for. */
export function factQuestions(text: string, T: QuestionTemplates = questionTemplates()): string[] {
  const out: string[] = [];
  const asked = /^(.+?)[？?]/.exec(text);
  if (asked) out.push(trimPunct(asked[1]!));
  // (a colon between figures is part of a clock time, "9:00-21:00", not the end of a clause)
  const clauses = text
    .split(/[，,；;。！!？?]|(?<!\d)[：:]|[：:](?!\d)/)
    .map((c) => trimPunct(c))
    .filter((c) => [...c].length >= 3);
  clauses.forEach((clause, k) => {
    const len = [...clause].length;
    if (len <= MAX_CLAUSE) out.push(clause);
    // the clause's words without the filler between them: a shorter way to ask the same
    const words = contentWords(clause, T, false);
    if (words.length >= 2 && words.length <= 5) out.push(words.join(" "));
    // a short clause with the figure ("大约需要2分钟") is asked with the clause before it, which says of what
    const asked = len <= SHORT_CLAUSE && k > 0 ? `${clauses[k - 1]}${clause}` : clause;
    for (const c of T.cloze) {
      const re = new RegExp(c.pattern, "g");
      if (!re.test(asked)) continue;
      const ask = (...m: string[]): string => c.ask.replace(/\{(\d)\}/g, (_x, n: string) => m[Number(n)] ?? "");
      out.push(asked.replace(re, ask));
      // and short: what the clause is about, the question word, and what is done ("总馆周二至周日9:00-21:00开放" → 总馆几点开放)
      const m = new RegExp(c.pattern).exec(asked)!;
      // what it is about: the clause's own first word, else the first word of the clause before it
      const start = asked.length - clause.length;
      const before = (m.index >= start ? subjectAfterCase(asked.slice(start, m.index), T) : undefined) ?? contentWords(asked.slice(0, m.index), T, false)[0];
      const after = contentWords(asked.slice(m.index + m[0].length), T, false)[0] ?? "";
      if (before) out.push(`${before}${ask(...(m as unknown as string[]))}${after}`);
      // and by the other words for the same question ("多久" → 多长时间), after what the sentence is about ("现场办证…全程约3分钟" → 现场办证要多久)
      // (what the sentence is about: its first two words, when they are written together)
      const subject = contentWords(text, T, false).slice(0, 2).join("");
      const about = subject !== before && text.includes(subject) && [...subject].length <= 8 ? subject : undefined;
      for (const other of T.cloze_also[c.kind] ?? []) {
        const o = other.replace(/\{(\d)\}/g, (_x, n: string) => m[Number(n)] ?? "");
        if (before && !after) out.push(`${before}${o}`);
        if (about) out.push(`${about}${ask(...(m as unknown as string[]))}`, `${about}${o}`);
      }
      // a range of clock times is asked for its start and its end ("总馆9:00-21:00开放" → 总馆几点关门)
      if (c.kind === "clock" && /[-~至到]/.test(m[0]) && before) out.push(...T.clock_range.map((p) => fill(p, { x: before })).filter(isText));
    }
    const cue = (list: string[]): { before: string; after: string } | null => {
      for (const w of list) {
        const i = clause.indexOf(w);
        if (i >= 0) return { before: stripFigures(clause.slice(0, i), T), after: stripFigures(clause.slice(i + w.length), T) };
      }
      return null;
    };
    const why = cue(T.why_cues);
    if (why && [...why.before].length >= 2) out.push(...T.why.map((p) => fill(p, { x: why.before })).filter(isText));
    const need = cue(T.need_cues);
    if (need && [...need.before].length >= 2) out.push(...T.need.map((p) => fill(p, { x: need.before })).filter(isText));
    const where = T.where_cues.find((w) => clause.indexOf(w) > 0);
    if (where) {
      const x = dropFillers(clause.slice(0, clause.indexOf(where)), T);
      if ([...x].length >= 2) out.push(...T.where.map((p) => fill(p, { x, cue: where })).filter(isText));
    }
    const how = T.how_cues.find((w) => clause.indexOf(w) > 0);
    if (how) {
      const x = dropFillers(clause.slice(clause.indexOf(how) + how.length), T);
      if ([...x].length >= 2 && [...x].length <= 10) out.push(...T.how.map((p) => fill(p, { x })).filter(isText));
    }
    for (const m of clause.matchAll(FIGURE_OR_CODE)) {
      if (!/\d[.:\-]\d|[A-Za-z]\d|\d[A-Za-z]/.test(m[0])) continue; // figures with units are asked for by the cloze above
      const words = [...wordSegmenter.segment(clause.slice(0, m.index))].filter((w) => w.isWordLike).map((w) => w.segment);
      while (words.length > 0 && T.fillers.includes(words[words.length - 1]!)) words.pop();
      const x = dropFillers(words.slice(-2).join(""), T);
      if ([...x].length >= 2) out.push(...T.what.map((p) => fill(p, { x })).filter(isText));
    }
    // a clause that says what can or must be done is asked as yes or no ("…需要重新连接" → "…需要重新连接吗")
    const can = cue(T.can_cues);
    const yesNo = can ? T.can : need ? T.can.slice(0, 1) : [];
    const stated = stripFigures(clause, T);
    if (len <= 20 && [...stated].length >= 4) out.push(...yesNo.map((p) => fill(p, { x: stated })).filter(isText));
  });
  return out;
}

// a code such as an address or a version ("192.168.1.1", "v2.0"), in a clause
const FIGURE_OR_CODE = /(?<![A-Za-z\d.])[A-Za-z]*\d+(?:[.:\-]\d+)*[A-Za-z%]*/gu;
// A clause longer than this is not a way to ask: only the questions made from it are.
const MAX_CLAUSE = 30;
// A clause this short may only say the figure, not what it is of.
const SHORT_CLAUSE = 8;

/** A phrase without the words that open or close it without saying what it is about ("应放在" → 放在). */
function dropFillers(phrase: string, T: QuestionTemplates): string {
  let s = trimPunct(phrase);
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of T.fillers) {
      if (s.startsWith(f) && [...s].length > [...f].length + 1) (s = s.slice(f.length)), (changed = true);
      if (s.endsWith(f) && [...s].length > [...f].length + 1) (s = s.slice(0, -f.length)), (changed = true);
    }
  }
  return trimPunct(s);
}

/** A clause without its figures and the words around them ("约41%的注销失败" → 注销失败). */
function stripFigures(clause: string, T: QuestionTemplates): string {
  let s = clause;
  for (const c of T.cloze) s = s.replace(new RegExp(c.pattern, "g"), "");
  return trimPunct(s.replace(/^(约|大约|近|超过|不到|有|共|的)+/, "").replace(/(的|了|是|就|都|也)+$/, ""));
}

/** The kind of value most cells of a column hold, if most do. */
function columnKind(table: TableDraft, colId: string, T: QuestionTemplates): ValueKind | undefined {
  const counts = new Map<ValueKind, number>();
  const rows = Object.values(table.rows);
  for (const r of rows) {
    const v = (r as Record<string, unknown>)[colId];
    if (typeof v !== "string") continue;
    const kind = (Object.entries(T.value_kinds) as Array<[ValueKind, string]>).find(([, p]) => new RegExp(p).test(v))?.[0];
    if (kind) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  return best && best[1] * 2 >= rows.length ? best[0] : undefined;
}

/** Questions that ask for a table's rows as a list. */
function tableQuestions(table: TableDraft, T: QuestionTemplates): string[] {
  const keys = [bare(table.key)];
  return T.table.flatMap((p) => keys.map((k) => fill(p, { key: k }))).filter(isText);
}

/** The conversation intents (small talk, a human, out of scope) from the general data, with the article's title and topics filled in. */
function draftConversation(values: { title: string; topics: string; example: string }, seen: Set<string>): IntentDraft[] {
  const out: IntentDraft[] = [];
  for (const c of conversationIntents()) {
    const examples = c.examples.map(String).filter((ex) => !seen.has(exampleKey(ex)));
    if (examples.length === 0) continue;
    out.push({
      id: c.id,
      title: c.title,
      type: c.type,
      ...(c.reply ? { reply: fill(c.reply, values) ?? c.reply } : {}),
      examples,
    });
  }
  return out;
}

// "X（Y）" in the text: Y is another name of X when it is short and names something (not a figure or a unit)
const ALIAS = /([\p{Script=Han}A-Za-z0-9]{2,})[（(]\s*(?:简称|又称|又名|英文|即|俗称)?\s*([^（）()，,、。；;:：\d]{1,8})\s*[）)]/gu;
// "X，简称Y", "X又称“Y”": another name, marked as one, outside brackets
const MARKED_ALIAS = /([\p{Script=Han}A-Za-z0-9]{2,})[，,]?\s*(?:以下简称|下称|简称|又称|又名|也叫|也称|俗称|统称为)\s*[“"「『]?([\p{Script=Han}A-Za-z0-9]{1,8}?)[”"」』]?(?=[，,。；;）)\s]|$)/gu;
// "X（…）" whose brackets may hold several marked names, and one marked name inside them
const BRACKETED_NAMES = /([\p{Script=Han}A-Za-z0-9]{2,})[（(]([^（）()]{2,60})[）)]/gu;
const NAME_IN_BRACKETS = /(?:以下简称|下称|简称|又称|又名|也叫|也称|俗称|统称为|英文)\s*[“"「『]?([\p{Script=Han}A-Za-z0-9]{1,8}?)[”"」』]?(?=[，,。；;]|$)/gu;
/** Whether a position of a text is inside brackets opened before it and not yet closed. */
function insideBrackets(text: string, at: number): boolean {
  const before = text.slice(0, at);
  return Math.max(before.lastIndexOf("("), before.lastIndexOf("（")) > Math.max(before.lastIndexOf(")"), before.lastIndexOf("）"));
}
const UNIT_ONLY = /^(秒|分钟|小时|天|日|周|月|个月|年|%|元|万元|个|次|人|项)$/;
const wordSegmenter = new Intl.Segmenter("zh", { granularity: "word" });

/** A draft lexicon: the article's own terms and their other names (from brackets and slashes in names). */
function draftLexicon(texts: string[], tables: NonNullable<KnowledgeDraft["tables"]>, T: QuestionTemplates, examples: string[]): LexiconDraft {
  const synonyms: Record<string, string[]> = {};
  const owner = new Map<string, string>();
  const addTerm = (term: string, alias: string): void => {
    const t = trimPunct(term);
    const a = trimPunct(alias);
    if (!t || !a || t === a || UNIT_ONLY.test(a)) return;
    const key = (s: string): string => s.normalize("NFKC").toLowerCase();
    if (owner.has(key(a)) && owner.get(key(a)) !== t) return;
    if (owner.has(key(t)) && owner.get(key(t)) !== t) return;
    const list = (synonyms[t] ??= [t]);
    owner.set(key(t), t);
    if (!list.some((x) => key(x) === key(a))) list.push(a);
    owner.set(key(a), t);
  };
  for (const text of texts.slice(1)) {
    for (const m of text.matchAll(ALIAS)) {
      const words = [...wordSegmenter.segment(m[1]!)].filter((w) => w.isWordLike).map((w) => w.segment);
      const alias = m[2]!.trim();
      // "X（或Y）", "X（宽限期）": a note or another thing, not another name, unless marked as one or Latin or alike in writing
      const marked = /[（(]\s*(?:简称|又称|又名|英文|即|俗称)/.test(m[0]);
      const latin = /^[A-Za-z][A-Za-z0-9.\- ]*$/.test(alias);
      if (!marked && !latin && ![...alias].some((ch) => m[1]!.includes(ch))) continue;
      if (/^(或|如|等|含|包括|例如|比如|不含|除)/.test(alias) || isNote(alias)) continue;
      // a Latin abbreviation names the words before it ("人工智能（AI）"); a marked short name the words
      // it is made from ("岚江城市停车管理有限公司（简称岚江停车）" → the whole name); otherwise the last word
      const term =
        [...m[1]!].length <= 6
          ? m[1]!
          : latin
            ? lastWords(words, alias)
            : ((marked ? abbreviated(words, trimPunct(alias)) : undefined) ?? lastChars(words, 3));
      if (term && [...term].length >= 2) addTerm(term, alias);
    }
  }
  // "X（简称“Y”，俗称“Z”）": every name marked inside the brackets after X is another name of X
  // (not of the word before 俗称 there: "本地人俗称" says who calls it so)
  for (const text of texts.slice(1)) {
    for (const m of text.matchAll(BRACKETED_NAMES)) {
      const words = [...wordSegmenter.segment(m[1]!)].filter((w) => w.isWordLike).map((w) => w.segment);
      const names = [...m[2]!.matchAll(NAME_IN_BRACKETS)].map((n) => trimPunct(n[1]!)).filter((n) => [...n].length >= 2);
      if (names.length === 0) continue;
      const whole = names.map((n) => abbreviated(words, n)).find((t) => t !== undefined);
      const term = [...m[1]!].length <= 6 ? m[1]! : (whole ?? lastChars(words, 3));
      for (const n of names) if (term && [...term].length >= 2) addTerm(term, n);
    }
  }
  // "X，简称Y", "X又称Y", "X（以下简称“Y”）": another name, marked as one
  for (const text of texts.slice(1)) {
    for (const m of text.matchAll(MARKED_ALIAS)) {
      if (insideBrackets(text, m.index)) continue;
      const words = [...wordSegmenter.segment(m[1]!)].filter((w) => w.isWordLike).map((w) => w.segment);
      const term = [...m[1]!].length <= 6 ? m[1]! : lastChars(words, 3);
      if (term && [...term].length >= 2 && [...m[2]!].length >= 2) addTerm(term, m[2]!);
    }
  }
  // everyday words for the words the article uses ("开放" → 开门), and for a group's other words the one the article uses
  const all = [...texts, ...examples].join("\n");
  for (const [word, forms] of Object.entries(T.synonyms)) {
    const group = [word, ...forms.map(String)];
    // the group's word the article itself uses most (销户 over 注销 in an article that says 销户 32 times),
    // else the word on the left as the article's questions use it
    const articleText = texts.join("\n");
    const uses = (w: string): number => articleText.split(w).length - 1;
    const inArticle = group.filter((w) => [...w].length >= 2 && uses(w) > 0).sort((a, b) => uses(b) - uses(a));
    const used = inArticle[0] ?? (all.includes(word) ? word : undefined);
    if (used) for (const f of group) addTerm(used, f);
  }
  // the article's own words, read whole (a dictionary cuts 滞纳金 into three characters that say little),
  // each with its everyday forms (借书证 → 借书卡, 办证 → 办卡) when the article does not use that form itself
  const terms = articleTerms(texts, T);
  const text = texts.join("\n");
  const key = (s: string): string => s.normalize("NFKC").toLowerCase();
  for (const term of terms) {
    if (owner.has(key(term))) continue;
    synonyms[term] = [term];
    owner.set(key(term), term);
    for (const [part, forms] of Object.entries(T.everyday_parts)) {
      if (!term.includes(part) || term === part) continue;
      for (const f of forms) {
        const variant = term.replace(part, String(f));
        if ([...variant].length >= 2 && !text.includes(variant)) addTerm(term, variant);
      }
    }
  }
  // a row named by its kind and the article's words for what it is ("普通证" of 借书证, "普通卡" of 公交卡 and
  // 交通卡) is also asked as both ("普通借书证", "普通公交卡"): the title's three-character words with the
  // row's last character, else the article's own term with it that is found most often. Rows are named by
  // their kind when two rows of a table or more end with the same character.
  const rowNames = new Set(Object.values(tables).flatMap((t) => Object.values(t.rows).map((r) => bare(r.name))));
  const kinds = new Set(
    Object.values(tables).flatMap((t) => {
      const ends = Object.values(t.rows).map((r) => [...bare(r.name)].at(-1) ?? "");
      return ends.filter((c, i) => c && ends.indexOf(c) !== i);
    }),
  );
  const heads = new Map<string, string[]>();
  const title = [...(texts[0] ?? "")];
  for (let i = 0; i + 3 <= title.length; i++) {
    const word = title.slice(i, i + 3).join("");
    const head = title[i + 2]!;
    if (!kinds.has(head) || !/^\p{Script=Han}{3}$/u.test(word) || rowNames.has(word) || [...T.function_chars].some((c) => word.includes(c))) continue;
    const list = heads.get(head) ?? [];
    if (!list.includes(word) && list.length < HEAD_WORDS) heads.set(head, [...list, word]);
  }
  const fromTitle = new Set(heads.keys());
  const count = (term: string): number => text.split(term).length - 1;
  for (const term of terms) {
    const head = [...term].at(-1)!;
    if ([...term].length < 3 || rowNames.has(term) || fromTitle.has(head)) continue;
    const best = heads.get(head)?.[0];
    if (best === undefined || count(term) > count(best)) heads.set(head, [term]);
  }
  for (const table of Object.values(tables)) {
    for (const row of Object.values(table.rows)) {
      const name = bare(row.name);
      const chars = [...name];
      if (chars.length < 2 || chars.length > 4 || !/^\p{Script=Han}+$/u.test(name)) continue;
      for (const whole of heads.get(chars.at(-1)!) ?? []) {
        if (name.endsWith([...whole].slice(-2).join(""))) continue;
        addTerm(name, chars.slice(0, -1).join("") + whole);
      }
    }
  }
  // a Latin name written with a dash or a space is typed without it too ("Wi-Fi" → wifi)
  for (const text of texts) {
    for (const m of text.matchAll(/(?<![A-Za-z])[A-Za-z]+(?:[- ][A-Za-z]+)+(?![A-Za-z])/g)) addTerm(m[0], m[0].replace(/[- ]/g, ""));
  }
  for (const table of Object.values(tables)) {
    for (const item of [...Object.values(table.columns), ...Object.values(table.rows)]) {
      for (const alias of item.aliases ?? []) if ([...alias].length <= 8 && !/[\/／]/.test(item.name)) addTerm(bare(item.name), alias);
    }
  }
  // words of a message's circumstances (晚上) read as themselves, never as a typo of the article's words (网上), unless the article uses them
  const stopwords = T.plain_words.filter((w) => !text.includes(w) && !owner.has(key(w)));
  return { synonyms, stopwords, entities: {} };
}

/**
 * The article's own terms that a dictionary does not know: a run of characters it reads one by one
 * (滞|纳|金, 挂|失) or a word with a one-character head (借书|证, 加工|费), found in two facts or more.
 * Of a run's pieces the one found most often is the term, the longest of those found as often.
 */
// How much of the use of the word before it a run ending in a binding character must account for.
const COHESION = 0.5;

export function articleTerms(texts: string[], T: QuestionTemplates): string[] {
  const counts = new Map<string, number>();
  const single = (seg: string): boolean => [...seg].length === 1 && /\p{Script=Han}/u.test(seg) && !T.function_chars.includes(seg);
  const runs: string[][] = [];
  for (const text of texts) {
    const found = new Set<string>();
    const here: string[] = [];
    for (const clause of text.split(/[^\p{Script=Han}]+/u)) {
      const segs = [...wordSegmenter.segment(clause)].filter((w) => w.isWordLike).map((w) => w.segment);
      let run = "";
      const flush = (): void => {
        const chars = [...run];
        if (chars.length >= 2) {
          here.push(run);
          for (let i = 0; i < chars.length; i++) for (let n = 2; n <= 4 && i + n <= chars.length; n++) found.add(chars.slice(i, i + n).join(""));
        }
        run = "";
      };
      segs.forEach((seg, i) => {
        if (single(seg)) run += seg;
        else flush();
        // a two-character word with a one-character head after it, which no other single character follows
        // nor precedes (全|部门|店 is a word cut in the wrong place, not 部门 + 店)
        if ([...seg].length === 2 && /^\p{Script=Han}+$/u.test(seg) && single(segs[i + 1] ?? "") && !single(segs[i + 2] ?? "") && !single(segs[i - 1] ?? "")) {
          found.add(seg + segs[i + 1]!);
          here.push(seg + segs[i + 1]!);
        }
      });
      flush();
    }
    runs.push(here);
    for (const w of found) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  // a run ending in a character that starts a phrase after a word (每月|多 of 每月多30元, 安装|时, 账户|里) is
  // a word only if the word before it is found mostly in it (快递|柜 and 保障|卡 end in no such character)
  const whole = texts.join("\n");
  const found = (s: string): number => whole.split(s).length - 1;
  const coheres = (w: string): boolean => {
    const chars = [...w];
    if (chars.length < 2 || !T.binding_chars.includes(chars.at(-1)!)) return true;
    return found(w) >= COHESION * found(chars.slice(0, -1).join(""));
  };
  const piecesOf = (run: string): string[] => {
    const chars = [...run];
    const pieces: string[] = [];
    for (let i = 0; i < chars.length; i++) for (let n = 2; n <= 4 && i + n <= chars.length; n++) pieces.push(chars.slice(i, i + n).join(""));
    return pieces;
  };
  const useful = (w: string): boolean => (counts.get(w) ?? 0) >= 2 && !T.common_words.includes(w) && !T.fillers.includes(w) && coheres(w);
  const out = new Set<string>();
  for (const run of runs.flat()) {
    // the best piece of the run: found most often, then longest; the rest of the run is read again
    const best = piecesOf(run).filter(useful).sort((a, b) => counts.get(b)! - counts.get(a)! || [...b].length - [...a].length)[0];
    if (best) out.add(best);
  }
  return [...out];
}

/** The last words, at least `min` characters of them. */
function lastChars(words: string[], min: number): string | undefined {
  let out = "";
  for (let i = words.length - 1; i >= 0 && [...out].length < min; i--) out = words[i]! + out;
  return out || undefined;
}

/** A bracketed part that qualifies a name rather than naming it again: a choice or list (月卡或季卡), a condition (自有或租住均可). */
function isNote(part: string): boolean {
  return /或|及|、|等|均|都可|可以|不限/.test(part);
}

/**
 * The fewest last words of a name that a short name is made from, its characters in order from the
 * first ("岚江 城市 停车 管理 有限公司" + 岚江停车 → 岚江城市停车管理有限公司), or undefined.
 */
function abbreviated(words: string[], short: string): string | undefined {
  const chars = [...short];
  if (chars.length < 2) return undefined;
  for (let i = words.length - 1; i >= 0; i--) {
    const name = words.slice(i).join("");
    if (!name.startsWith(chars[0]!)) continue;
    let k = 0;
    for (const c of name) if (c === chars[k]) k++;
    if (k === chars.length && name !== short) return name;
  }
  return undefined;
}

/** The last words before an abbreviation, as many as it has letters (人工 智能 + AI → 人工智能). */
function lastWords(words: string[], abbreviation: string): string | undefined {
  const letters = abbreviation.replace(/[^A-Za-z]/g, "").length;
  let out = "";
  for (let i = words.length - 1; i >= 0 && [...out].length < letters; i--) out = words[i]! + out;
  return out || undefined;
}

type TableDraft = NonNullable<KnowledgeDraft["tables"]>[string];

function draftTable(
  t: Table,
  section: Section,
  index: number,
  at: (line: number, msg: string) => string,
  warnings: string[],
): TableDraft | null {
  if (t.header.length < 2) {
    warnings.push(at(t.line, "a table needs at least two columns (the first names the rows): skipped"));
    return null;
  }
  const [keyLabel, ...labels] = t.header;
  const columnIds = new Set<string>();
  const columns: TableDraft["columns"] = {};
  const colIds = labels.map((label, c) => {
    const name = label || `第${c + 2}列`;
    if (!label) warnings.push(at(t.line, `column ${c + 2} of the table has no heading: called "${name}"`));
    let id = slug(name) || `col-${c + 2}`;
    if (ROW_KEYS.has(id)) id = `${id}-col`;
    id = unique(id, columnIds);
    columns[id] = { name, aliases: aliasesOf(name) };
    return id;
  });
  const rowIds = new Set<string>();
  const rows: TableDraft["rows"] = {};
  for (const r of t.rows) {
    if (r.cells.length !== t.header.length) {
      warnings.push(at(r.line, `table row has ${r.cells.length} cells, the header has ${t.header.length}: row skipped`));
      continue;
    }
    const [name, ...values] = r.cells as [string, ...string[]];
    if (!name) {
      warnings.push(at(r.line, `table row has an empty first cell (${keyLabel || "the row's name"}): row skipped`));
      continue;
    }
    const id = unique(slug(name) || `row-${Object.keys(rows).length + 1}`, rowIds);
    const cells: Record<string, string> = {};
    colIds.forEach((cid, c) => (cells[cid] = values[c]!));
    rows[id] = { name, aliases: aliasesOf(name), ...cells } as unknown as TableDraft["rows"][string];
  }
  if (Object.keys(rows).length === 0) {
    warnings.push(at(t.line, "table has no usable rows: skipped"));
    return null;
  }
  const base = trimPunct(section.title) || section.heading;
  return {
    title: index === 0 ? base : `${base}（${index + 1}）`,
    key: keyLabel || "项目",
    section: section.heading,
    columns,
    rows,
  };
}

/** "a | b | c |" → ["a", "b", "c"] (one leading and one trailing pipe are optional). */
export function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith("|")) s = s.slice(1);
  if (s.endsWith("|")) s = s.slice(0, -1);
  return s.split("|").map((c) => c.trim());
}

const TAGS = "td|th|tr|table|tbody|thead|p|br|span|div|b|i|u|em|strong|font|li|ul|ol|a|sup|sub";

/** Removes HTML tags, broken tag fragments ("td>必须</td>" → "必须") and entities. */
export function cleanHtml(s: string): string {
  return s
    .replace(/<\/?[a-zA-Z][^<>]*>/g, "")
    // "td>必须" (the start of a tag cut off) and "必须</td" (the end cut off)
    .replace(new RegExp(`^\\s*/?(?:${TAGS})(?:\\s+[a-z-]+=[^<>]*)?>`, "i"), "")
    .replace(new RegExp(`<\\s*(?:/\\s*(?:${TAGS})?|(?:${TAGS})\\b)[^<>]*$`, "i"), "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** A paragraph's sentences; a question stays with the sentence that answers it. */
export function sentences(paragraph: string): string[] {
  const parts = (paragraph.match(SENTENCE) ?? []).map((s) => s.trim()).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    let s = parts[i]!;
    // a bare run of punctuation belongs to the sentence before it
    if (/^[。！？!?]+$/.test(s) && out.length > 0) {
      out[out.length - 1] += s;
      continue;
    }
    if (QUESTION_END.test(s) && i + 1 < parts.length) s += parts[++i]!;
    out.push(s);
  }
  return out;
}

/** "转移共享笔记本" → "zhuan-yi-gong-xiang"; latin words and numbers are kept. At most `max` pieces. */
export function slug(text: string, max = 6): string {
  const pieces = pinyin(text, { toneType: "none", type: "array", v: true, nonZh: "consecutive" })
    .flatMap((p) => p.toLowerCase().split(/[^a-z0-9]+/))
    .filter(Boolean);
  return pieces.slice(0, max).join("-");
}

function unique(id: string, used: Set<string>): string {
  let out = id;
  for (let n = 2; used.has(out); n++) out = `${id}-${n}`;
  used.add(out);
  return out;
}

/** The same key the loader uses to tell two example phrasings apart. */
function exampleKey(example: string): string {
  return example.normalize("NFKC").toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, "");
}

function trimPunct(s: string): string {
  return s.replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, "");
}

function withoutPunct(s: string): string {
  return s.replace(/[\s\p{P}\p{S}]+/gu, "");
}

const IS_QUESTION = /[吗呢？?]$|如何|怎么|怎样|为什么|为何|哪些|多少|多久|什么/;

/** Other names in a row's or column's name: its bracketed part and the name without it, the parts of "A/B". */
export function aliasesOf(name: string): string[] {
  const out: string[] = [];
  const inner = [...name.matchAll(/[(（]([^)）]*)[)）]/g)].map((m) => trimPunct(m[1]!));
  const outer = trimPunct(name.replace(/[(（][^)）]*[)）]/g, ""));
  if (inner.length > 0) {
    if (outer && outer !== name) out.push(outer);
    for (const i of inner) if (i && !/\d/.test(i) && !/^(秒|分钟|小时|天|日|周|月|个月|年|%|元|万元|个|次|人|项)$/.test(i) && !isNote(i)) out.push(i);
  }
  const parts = outer.split(/[\/／]/).map(trimPunct).filter((p) => [...p].length >= 2);
  if (parts.length >= 2) out.push(...parts);
  return [...new Set(out)].filter((a) => a !== name);
}

/** The heading, the heading without punctuation, the general section questions, and its parts ("A与B" → A, B). */
function sectionExamples(section: Section, T: QuestionTemplates): string[] {
  const core = trimPunct(section.title);
  const out = [section.heading, core, withoutPunct(core)];
  const subject = stripTail(core, T);
  if (!IS_QUESTION.test(core) || subject !== core) {
    out.push(...T.section.map((p) => fill(p, { x: subject })).filter(isText));
    if (T.list_endings.some((e) => subject.endsWith(e))) out.push(...T.list_section.map((p) => fill(p, { x: subject })).filter(isText));
  }
  out.push(...headingParts(section, T));
  return out.filter(Boolean);
}

/** The parts of a heading that names two things or more ("借阅规则与续借" → 借阅规则, 续借); none for a heading of one. */
function headingParts(section: Section, T: QuestionTemplates): string[] {
  const parts = stripTail(trimPunct(section.title), T).split(/以及|与|和|及|、|&|\s+/).map(trimPunct).filter((p) => [...p].length >= 2);
  return parts.length >= 2 ? parts : [];
}

/** A heading without the question words at its end ("X是什么" → X). */
function stripTail(core: string, T: QuestionTemplates): string {
  for (const tail of T.question_tails) if (core.endsWith(tail) && [...core].length > [...tail].length + 1) return trimPunct(core.slice(0, -tail.length));
  return core;
}

/** The title, its main part and bracketed part ("如何注销X(X注销指南)" → 如何注销X, X注销指南), and the general title questions. */
function titleExamples(title: string, T: QuestionTemplates): string[] {
  const main = trimPunct(title.replace(/[(（][^)）]*[)）]/g, ""));
  const inner = [...title.matchAll(/[(（]([^)）]*)[)）]/g)].map((m) => trimPunct(m[1]!));
  const subject = stripTail(main, T);
  const asked = IS_QUESTION.test(main) && subject === main ? [] : T.title.map((p) => fill(p, { x: subject })).filter(isText);
  return [title, main, withoutPunct(main), ...inner, ...asked].filter(Boolean);
}

/** The drafted files of a knowledge base. */
export interface RenderedDrafts {
  /** knowledge/NAME.yaml */
  knowledge: string;
  /** intents/NAME.yaml */
  intents: string;
  /** knowledge/lexicon.yaml */
  lexicon: string;
  /** intents/conversation.yaml */
  conversation: string;
}

/** The drafts as YAML text, each starting with a comment that says where it comes from and what to review. */
export function renderDrafts(result: IngestResult, sourceName: string): RenderedDrafts {
  const header = ` Drafted from ${sourceName} by npm run kb:ingest: it serves as it is; review it to make it better.`;
  const knowledge = new Document(result.knowledgeFile);
  knowledge.commentBefore = [
    header,
    " Check each fact's wording and figures against the article, rename ids if you like (and the",
    " intents that refer to them), and add aliases to table columns and rows (the words people use",
    " for them) so a question about any cell finds it.",
  ].join("\n");
  const intents = new Document(result.intentFile);
  intents.commentBefore = [
    header,
    " One intent per section, paragraph, table row, cell and column: add the phrasings people really",
    " type to examples (and new terms to knowledge/lexicon.yaml), then run npm run kb:validate and",
    " npm run kb:test.",
  ].join("\n");
  const lexicon = new Document(result.lexiconFile);
  lexicon.commentBefore = [
    header,
    " synonyms: the article's terms and their other names (from brackets and slashes). The engine's",
    " general lexicon (English words, colloquial forms, stopwords) is merged under this file, and",
    " sound-alike typos of the words in the examples are read automatically.",
  ].join("\n");
  const conversation = new Document(result.conversationFile);
  conversation.commentBefore = [
    header,
    " Small talk, asking for a human, and messages outside the article, from the engine's general data.",
  ].join("\n");
  for (const doc of [knowledge, intents, lexicon, conversation]) {
    // short lists of words (examples stay one per line) and column definitions read best inline
    visit(doc, {
      Seq(_key, node, path) {
        if (pairKey(path[path.length - 1]) === "examples") return;
        if (node.items.every((i) => isScalar(i))) node.flow = true;
      },
      Map(_key, node, path) {
        if (pairKey(path[path.length - 3]) === "columns") node.flow = true;
      },
    });
  }
  const opts = { lineWidth: 0, flowCollectionPadding: false };
  return {
    knowledge: knowledge.toString(opts),
    intents: intents.toString(opts),
    lexicon: lexicon.toString(opts),
    conversation: conversation.toString(opts),
  };
}

/** The key of a pair in a visitor path, if that node is a pair with a scalar key. */
function pairKey(node: unknown): unknown {
  return isPair(node) && isScalar(node.key) ? node.key.value : undefined;
}
