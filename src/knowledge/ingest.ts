import { pinyin } from "pinyin-pro";
import { Document, isPair, isScalar, visit } from "yaml";
import type { z } from "zod";
import type { intentSchema, knowledgeFileSchema } from "./schema.js";

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
// Pure: text in, draft files out. The drafts follow knowledge/*.yaml and intents/*.yaml exactly,
// so they load with loadKnowledge once an operator has reviewed them.

/** A knowledge file as written (before the schema fills in defaults). */
export type KnowledgeDraft = z.input<typeof knowledgeFileSchema>;
/** An intent as written. */
export type IntentDraft = z.input<typeof intentSchema>;

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
  facts: Array<{ line: number; text: string }>;
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

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const lineNo = i + 1;
    if (!line) {
      table = null;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      table = null;
      current = { heading: line, title: heading[2]!.trim(), line: lineNo, facts: [], tables: [] };
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
      if (t) current.facts.push({ line: lineNo, text: t });
      continue;
    }
    for (const sentence of sentences(clean(line, lineNo))) current.facts.push({ line: lineNo, text: sentence });
  }

  if (sections.length === 0) {
    throw new IngestError([at(1, 'no numbered sections found (headings look like "一、注销前的准备工作")')]);
  }

  // ids: <prefix>-intro-N and <prefix>-sN-M for facts, <prefix>-sN-table for tables, <prefix>-sN for intents
  const kept: Array<{ section: Section; key: string }> = [];
  if (intro.facts.length > 0 || intro.tables.length > 0) kept.push({ section: intro, key: `${prefix}-intro` });
  sections.forEach((s, n) => {
    if (s.facts.length === 0 && s.tables.length === 0) {
      warnings.push(at(s.line, `section "${s.heading}" has no text or tables: no facts and no intent drafted for it`));
    } else kept.push({ section: s, key: `${prefix}-s${n + 1}` });
  });

  const facts: NonNullable<KnowledgeDraft["facts"]> = {};
  const tables: NonNullable<KnowledgeDraft["tables"]> = {};
  const answers = new Map<string, string[]>();
  let rowCount = 0;
  for (const { section, key } of kept) {
    const refs: string[] = [];
    section.facts.forEach((f, k) => {
      const id = `${key}-${k + 1}`;
      facts[id] = { text: f.text, section: section.heading };
      refs.push(id);
    });
    section.tables.forEach((t, k) => {
      const id = k === 0 ? `${key}-table` : `${key}-table-${k + 1}`;
      const drafted = draftTable(t, section, k, at, warnings);
      if (!drafted) return;
      tables[id] = drafted;
      rowCount += Object.keys(drafted.rows).length;
      for (const rowId of Object.keys(drafted.rows)) refs.push(`${id}.${rowId}`);
    });
    answers.set(key, refs);
  }

  const knowledgeFile: KnowledgeDraft = { section: title ?? sections[0]!.heading, facts, tables };

  // intents: one per section that has something to answer with, related to its neighbours
  const answerable = kept.filter(({ key }) => (answers.get(key) ?? []).length > 0);
  const sectionIntents = answerable.filter(({ section }) => section !== intro);
  const seen = new Set<string>();
  const uniqueExamples = (list: string[]): string[] => {
    const out: string[] = [];
    for (const ex of list) {
      const k = exampleKey(ex);
      if (!k || seen.has(k)) continue;
      seen.add(k);
      out.push(ex);
    }
    return out;
  };
  const intentFile: IntentDraft[] = [];
  sectionIntents.forEach(({ section, key }, n) => {
    const related = [sectionIntents[n - 1]?.key, sectionIntents[n + 1]?.key].filter((x): x is string => !!x);
    const examples = uniqueExamples(sectionExamples(section));
    if (examples.length === 0) {
      warnings.push(at(section.line, `the heading "${section.heading}" reads the same as another heading: no intent drafted for it`));
      return;
    }
    intentFile.push({
      id: key,
      title: trimPunct(section.title) || section.heading,
      examples,
      answer: answers.get(key)!,
      ...(related.length ? { related } : {}),
    });
  });
  const introEntry = answerable.find(({ section }) => section === intro);
  if (introEntry && title) {
    const examples = uniqueExamples(titleExamples(title));
    if (examples.length > 0) {
      const related = sectionIntents.slice(0, 3).map(({ key }) => key);
      intentFile.unshift({
        id: `${prefix}-overview`,
        title: trimPunct(title.replace(/[(（][^)）]*[)）]/g, "")) || title,
        examples,
        answer: answers.get(introEntry.key)!,
        ...(related.length ? { related } : {}),
      });
    }
  }
  // an intent whose neighbour was dropped must not point at it
  const ids = new Set(intentFile.map((i) => i.id));
  for (const intent of intentFile) if (intent.related) intent.related = intent.related.filter((r) => ids.has(r));

  return {
    knowledgeFile,
    intentFile,
    warnings,
    notes,
    stats: {
      sections: sections.length,
      facts: Object.keys(facts).length,
      tables: Object.keys(tables).length,
      rows: rowCount,
      intents: intentFile.length,
    },
  };
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
    columns[id] = { name, aliases: [] };
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
    rows[id] = { name, aliases: [], ...cells } as unknown as TableDraft["rows"][string];
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

const LIST_ENDINGS = /(工作|事项|步骤|方法|方式|条件|材料|要求|准备|流程|渠道|途径|原因|影响|区别|内容|功能|规则|问题)$/;
const IS_QUESTION = /[吗呢？?]$|如何|怎么|怎样|为什么|为何|哪些|多少|多久|什么/;

/** The heading, the heading without punctuation, a short question, and its parts ("A与B" → A, B). */
function sectionExamples(section: Section): string[] {
  const core = trimPunct(section.title);
  const out = [section.heading, core, withoutPunct(core)];
  if (!IS_QUESTION.test(core)) out.push(LIST_ENDINGS.test(core) ? `${core}有哪些` : `${core}是怎样的`);
  const parts = core.split(/以及|与|和|及|、|&|\s+/).map(trimPunct).filter((p) => [...p].length >= 2);
  if (parts.length >= 2) out.push(...parts);
  return out.filter(Boolean);
}

/** The title, and its main part and bracketed part ("如何注销X(X注销指南)" → 如何注销X, X注销指南). */
function titleExamples(title: string): string[] {
  const main = trimPunct(title.replace(/[(（][^)）]*[)）]/g, ""));
  const inner = [...title.matchAll(/[(（]([^)）]*)[)）]/g)].map((m) => trimPunct(m[1]!));
  return [title, main, withoutPunct(main), ...inner].filter(Boolean);
}

/** The drafts as YAML text, each starting with a comment that says it is a draft to review. */
export function renderDrafts(result: IngestResult, sourceName: string): { knowledge: string; intents: string } {
  const knowledge = new Document(result.knowledgeFile);
  knowledge.commentBefore = [
    ` DRAFT drafted from ${sourceName} — review before use.`,
    " Check each fact's wording and figures against the article, rename ids if you like (and the",
    " intents that refer to them), and add aliases to table columns and rows (the words people use",
    " for them) so a question about any cell finds it.",
  ].join("\n");
  const intents = new Document(result.intentFile);
  intents.commentBefore = [
    ` DRAFT drafted from ${sourceName} — review before use.`,
    " One intent per section: add the phrasings people really type to examples (and new terms to",
    " knowledge/lexicon.yaml), trim each answer to the facts that answer it, then run npm run kb:validate",
    " and npm run kb:test.",
  ].join("\n");
  for (const doc of [knowledge, intents]) {
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
  return { knowledge: knowledge.toString(opts), intents: intents.toString(opts) };
}

/** The key of a pair in a visitor path, if that node is a pair with a scalar key. */
function pairKey(node: unknown): unknown {
  return isPair(node) && isScalar(node.key) ? node.key.value : undefined;
}
