import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { LineCounter, parseDocument, isMap, isSeq, type Document, type Node as YamlNode } from "yaml";
import type { ZodType } from "zod";
import { cleanWord, compileLexicon, type Lexicon } from "../nlu/lexicon.js";
import { buildIndex, tokenize } from "../nlu/match.js";
import { answerTexts } from "./answer-text.js";
import { parseCsv, CsvError } from "./csv.js";
import { didYouMean } from "./did-you-mean.js";
import { readResponses } from "./responses-file.js";
import { withDefaults, type ResponseKey } from "../dialog/responses.js";
import { unknownPlaceholders } from "../dialog/render.js";
import type { CannedReply, Fact, FactRef, Intent, KnowledgeBase, Slot, Table } from "./knowledge-base.js";
import {
  cannedRepliesFileSchema,
  intentSchema,
  knowledgeFileSchema,
  lexiconFileSchema,
  slotsFileSchema,
  type IntentSpec,
  type SlotsFile,
  type KnowledgeFile,
  type LexiconFile,
} from "./schema.js";

/** Where the knowledge base lives. */
export interface KnowledgePaths {
  intentsDir: string;
  knowledgeDir: string;
}

export type LoadResult = { ok: true; kb: KnowledgeBase } | { ok: false; errors: string[] };

/** A knowledge problem an operator can fix, as `file:line: message`. */
export class KnowledgeError extends Error {
  constructor(readonly errors: string[]) {
    super(`the knowledge base is invalid:\n${errors.join("\n")}`);
  }
}

interface ParsedYaml {
  file: string;
  src: string;
  doc: Document;
  counter: LineCounter;
}

/** An intent read from a file, with a way to find the line of any of its fields. */
interface IntentEntry {
  spec: IntentSpec;
  line: number;
  /** `file:line` of a field of the intent (["answer", 2] is its third answer reference). */
  at: (path: ReadonlyArray<string | number>) => string;
}

/**
 * Ids declared in files that could not be read whole. A reference to one of them is not reported:
 * the broken file already is, and "unknown intent" elsewhere would only be a follow-on error.
 */
interface Unreadable {
  intentIds: Set<string>;
  knowledgeSources: string[];
}

const LEXICON_FILE = "lexicon.yaml";
const CANNED_FILE = "canned-replies.yaml";
const RESPONSES_FILE = "responses.yaml";
const SLOTS_FILE = "slots.yaml";

/** Reads, validates and compiles intents/ and knowledge/. Never throws for bad files: returns the errors. */
export function loadKnowledge(paths: KnowledgePaths, cwd = process.cwd()): LoadResult {
  const errors: string[] = [];
  const rel = (p: string): string => relative(cwd, p) || p;

  const facts = new Map<string, Fact>();
  const tables = new Map<string, Table>();
  const factLines = new Map<string, string>();
  const knowledgeFiles = listFiles(paths.knowledgeDir, [".yaml", ".yml"], errors, rel);
  const intentFiles = listFiles(paths.intentsDir, [".yaml", ".yml", ".csv"], errors, rel);

  const unreadable: Unreadable = { intentIds: new Set(), knowledgeSources: [] };
  let lexiconFile: LexiconFile | null = null;
  let lexiconParsed: ParsedYaml | null = null;
  const cannedReplies: CannedReply[] = [];
  let responses: Partial<Record<ResponseKey, string>> = {};
  let slotsFile: { data: SlotsFile; parsed: ParsedYaml } | null = null;
  for (const path of knowledgeFiles) {
    const parsed = readYaml(path, rel(path), errors, unreadable.knowledgeSources);
    if (!parsed) continue;
    if (basename(path) === SLOTS_FILE) {
      const data = validate(parsed, slotsFileSchema, errors);
      if (data) slotsFile = { data, parsed };
      continue;
    }
    if (basename(path) === RESPONSES_FILE) {
      const read = readResponses(parsed.doc.contents, (node) => (node?.range ? parsed.counter.linePos(node.range[0]).line : 1), parsed.file);
      errors.push(...read.errors);
      responses = read.values;
      continue;
    }
    if (basename(path) === CANNED_FILE) {
      cannedReplies.push(...readCannedReplies(parsed, errors));
      continue;
    }
    if (basename(path) === LEXICON_FILE) {
      lexiconFile = validate(parsed, lexiconFileSchema, errors);
      lexiconParsed = parsed;
      continue;
    }
    const data = validate(parsed, knowledgeFileSchema, errors);
    if (data) addKnowledge(data, parsed, facts, tables, factLines, errors);
    else unreadable.knowledgeSources.push(parsed.src);
  }
  if (!lexiconFile) {
    if (!knowledgeFiles.some((f) => basename(f) === LEXICON_FILE)) {
      errors.push(`${rel(join(paths.knowledgeDir, LEXICON_FILE))}:1: missing: the matcher needs a lexicon (synonyms, stopwords, entities)`);
    }
    return { ok: false, errors };
  }
  for (const group of Object.keys(lexiconFile.roles ?? {})) {
    if (lexiconFile.entities[group]) continue;
    errors.push(`${lexiconParsed!.file}:${lineOf(lexiconParsed!, ["roles", group])}: roles names "${group}", which is no entity group${didYouMean(group, Object.keys(lexiconFile.entities))}`);
  }
  const { lexicon, duplicates } = compileLexicon(lexiconFile);
  for (const [surface, a, b] of duplicates) {
    errors.push(`${lexiconParsed!.file}:${lineOfText(lexiconParsed!, surface)}: "${surface}" is listed under both ${a} and ${b}`);
  }

  const intents = new Map<string, Intent>();
  const locate = new Map<string, IntentEntry["at"]>();
  // intents with a reference already reported (or in an unreadable file): "nothing to answer" would repeat it
  const badRefs = new Set<string>();
  for (const path of intentFiles) {
    const entries = path.endsWith(".csv")
      ? readCsvIntents(path, rel(path), errors)
      : readYamlIntents(path, rel(path), errors, unreadable.intentIds);
    for (const { spec, line, at } of entries) {
      const source = `${rel(path)}:${line}`;
      const prev = intents.get(spec.id);
      if (prev) {
        errors.push(`${at(["id"])}: intent id "${spec.id}" is already used at ${prev.source}`);
        continue;
      }
      intents.set(spec.id, compileIntent(spec, source, at, facts, tables, unreadable, errors, badRefs));
      locate.set(spec.id, at);
    }
  }
  if (intents.size === 0 && errors.length === 0) errors.push(`${rel(paths.intentsDir)}:1: no intents found`);

  for (const intent of intents.values()) {
    const at = locate.get(intent.id)!;
    for (const field of ["options", "related"] as const) {
      intent[field].forEach((other, i) => {
        if (intents.has(other) || unreadable.intentIds.has(other)) return;
        errors.push(`${at([field, i])}: unknown intent "${other}" in ${field}${didYouMean(other, intents.keys())}`);
      });
    }
    if (intent.type === "clarify" && intent.options.length < 2) {
      errors.push(`${at(["options"])}: a clarify intent needs at least two options`);
    }
    if (intent.type === "faq" && !intent.reply && intent.answer.length + intent.steps.length === 0 && !badRefs.has(intent.id)) {
      errors.push(`${intent.source}: intent "${intent.id}" has nothing to answer with (answer, steps or reply)`);
    }
  }

  const slots = slotsFile ? compileSlots(slotsFile.data, slotsFile.parsed, lexicon, errors) : [];
  const values = new Set(slots.flatMap((slot) => slot.values.map((v) => v.id)));
  for (const intent of intents.values()) {
    for (const value of Object.keys(intent.variants)) {
      if (values.has(value)) continue;
      errors.push(`${locate.get(intent.id)!(["variants", value])}: unknown slot value "${value}" in variants of intent "${intent.id}"${didYouMean(value, values)} (slot values are declared in knowledge/${SLOTS_FILE})`);
    }
  }

  // the same phrasing under two intents makes both unreliable
  const seen = new Map<string, string>();
  for (const intent of intents.values()) {
    intent.examples.forEach((ex, i) => {
      const key = exampleKey(ex);
      if (!key) return;
      const owner = seen.get(key);
      if (owner && owner !== intent.id) {
        errors.push(`${locate.get(intent.id)!(["examples", i])}: example "${ex}" of "${intent.id}" reads the same as an example of "${owner}"`);
      } else seen.set(key, intent.id);
    });
  }

  if (errors.length > 0) return { ok: false, errors };
  const list = [...intents.values()];
  const subject = subjectTerms(lexiconFile, lexicon, list);
  return {
    ok: true,
    kb: {
      intents,
      facts,
      tables,
      lexicon,
      subject,
      slots,
      index: buildIndex(
        list.map((intent) => ({ ...intent, answerTexts: answerTexts(intent, facts, tables) })),
        lexicon,
      ),
      cannedReplies,
      responses: withDefaults(responses),
      files: [...knowledgeFiles, ...intentFiles].map(rel),
      loadedAt: Date.now(),
    },
  };
}

/** The slots of knowledge/slots.yaml, their words read as the lexicon's canonical entity terms. */
function compileSlots(data: SlotsFile, parsed: ParsedYaml, lexicon: Lexicon, errors: string[]): Slot[] {
  const owner = new Map<string, string>();
  return Object.entries(data.slots).map(([id, spec]) => {
    if (id === "goal") errors.push(`${parsed.file}:${lineOf(parsed, ["slots", id])}: "goal" is the slot intents fill with their goal: name this slot otherwise`);
    const values = Object.entries(spec.values).map(([valueId, v]) => {
      if (owner.has(valueId)) errors.push(`${parsed.file}:${lineOf(parsed, ["slots", id, "values", valueId])}: slot value "${valueId}" is already a value of slot "${owner.get(valueId)}"`);
      owner.set(valueId, id);
      const words = v.words.map((w, i) => {
        const term = lexicon.surfaces.get(cleanWord(w)) ?? cleanWord(w);
        if (!lexicon.entityOf.has(term)) {
          errors.push(`${parsed.file}:${lineOf(parsed, ["slots", id, "values", valueId, "words", i])}: "${w}" is no entity of the lexicon: list it in an entity group of knowledge/${LEXICON_FILE} (with the role slot)`);
        }
        return term;
      });
      return { id: valueId, label: v.label, words, ...(v["before-last-step"] ? { beforeLastStep: v["before-last-step"] } : {}) };
    });
    spec["when-unknown"].forEach((valueId, i) => {
      if (!spec.values[valueId]) errors.push(`${parsed.file}:${lineOf(parsed, ["slots", id, "when-unknown", i])}: slot "${id}" has no value "${valueId}"${didYouMean(valueId, Object.keys(spec.values))}`);
    });
    return { id, values, whenUnknown: spec["when-unknown"] };
  });
}

// Without a declared subject, a term more than this share of the answering intents is asked with is the subject.
const SUBJECT_SHARE = 0.5;

/** The terms that name the knowledge base's subject: declared in the lexicon, else derived from the phrasings. */
function subjectTerms(file: LexiconFile, lexicon: Lexicon, intents: Intent[]): Set<string> {
  if (file.subject) return new Set(file.subject.map((w) => lexicon.surfaces.get(cleanWord(w)) ?? cleanWord(w)));
  const answering = intents.filter((i) => i.type === "faq");
  const count = new Map<string, number>();
  for (const intent of answering) {
    const terms = new Set(intent.examples.flatMap((e) => tokenize(e, lexicon)).filter((t) => t.kind !== "stop" && !lexicon.frames.has(t.text)).map((t) => t.text));
    for (const t of terms) count.set(t, (count.get(t) ?? 0) + 1);
  }
  return new Set([...count].filter(([, n]) => answering.length >= 4 && n / answering.length > SUBJECT_SHARE).map(([t]) => t));
}

/** Like loadKnowledge, but throws a KnowledgeError listing every problem. */
export function loadKnowledgeOrThrow(paths: KnowledgePaths, cwd = process.cwd()): KnowledgeBase {
  const result = loadKnowledge(paths, cwd);
  if (!result.ok) throw new KnowledgeError(result.errors);
  return result.kb;
}

function exampleKey(example: string): string {
  return example.normalize("NFKC").toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, "");
}

function listFiles(dir: string, exts: string[], errors: string[], rel: (p: string) => string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    errors.push(`${rel(dir)}:1: folder not found`);
    return [];
  }
  return names
    .filter((n) => exts.some((e) => n.endsWith(e)) && !n.startsWith("."))
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile())
    .sort();
}

/** Parses a YAML file; a file that does not parse is reported and its text kept in `unparsed`. */
function readYaml(path: string, file: string, errors: string[], unparsed: string[]): ParsedYaml | null {
  const counter = new LineCounter();
  let src: string;
  try {
    src = readFileSync(path, "utf8");
  } catch (e) {
    errors.push(`${file}:1: cannot be read (${(e as Error).message})`);
    return null;
  }
  const doc = parseDocument(src, { lineCounter: counter, uniqueKeys: true });
  if (doc.errors.length === 0) return { file, src, doc, counter };
  unparsed.push(src);
  const lines = src.split("\n");
  const errorLines = doc.errors.map((err) => err.linePos?.[0]?.line ?? 1);
  // YAML forbids tabs in indentation; the parser then reports every token after the tab as unexpected
  const tabs = lines.flatMap((l, i) => (/^[ ]*\t/.test(l) || (l.includes("\t") && errorLines.includes(i + 1)) ? [i + 1] : []));
  if (tabs.length > 0) {
    for (const n of tabs) {
      errors.push(`${file}:${n}: tab character at line ${n} (column ${lines[n - 1]!.indexOf("\t") + 1}): YAML is indented with spaces only; replace the tab with spaces`);
    }
    return null;
  }
  // the errors after the first one are usually its consequences: fix the first, then run again
  const [first] = doc.errors;
  const message = first!.message.split("\n")[0]!.replace(/ at line \d+, column (\d+):?$/, " (column $1)");
  const more = doc.errors.length - 1;
  errors.push(`${file}:${errorLines[0]}: ${message}${more > 0 ? ` (and ${more} more YAML error(s) after it, probably caused by this one)` : ""}`);
  return null;
}

function lineOf(parsed: ParsedYaml, path: ReadonlyArray<PropertyKey>): number {
  for (let n = path.length; n >= 0; n--) {
    const node = parsed.doc.getIn(path.slice(0, n) as (string | number)[], true) as YamlNode | undefined;
    if (node && typeof node === "object" && "range" in node && node.range) {
      return parsed.counter.linePos(node.range[0]).line;
    }
    // a key whose value is missing: point at the key itself
    if (n > 0) {
      const parent = parsed.doc.getIn(path.slice(0, n - 1) as (string | number)[], true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => (p.key as { value?: unknown })?.value === path[n - 1]);
        const key = pair?.key as YamlNode | undefined;
        if (key?.range) return parsed.counter.linePos(key.range[0]).line;
      }
    }
  }
  return 1;
}

function lineOfText(parsed: ParsedYaml, needle: string): number {
  const i = parsed.src.split("\n").findIndex((l) => l.toLowerCase().includes(needle));
  return i >= 0 ? i + 1 : 1;
}

function validate<T>(parsed: ParsedYaml, schema: ZodType<T>, errors: string[], value: unknown = parsed.doc.toJS(), prefix: Array<string | number> = []): T | null {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = [...prefix, ...(issue.path as Array<string | number>)];
    // an unknown key is on its own line, not on its parent's
    if (issue.code === "unrecognized_keys" && issue.keys[0] !== undefined) path.push(issue.keys[0]);
    const where = path.length ? ` (${path.join(".")})` : "";
    errors.push(`${parsed.file}:${lineOf(parsed, path)}: ${issue.message}${where}`);
  }
  return null;
}

function addKnowledge(
  data: KnowledgeFile,
  parsed: ParsedYaml,
  facts: Map<string, Fact>,
  tables: Map<string, Table>,
  factLines: Map<string, string>,
  errors: string[],
): void {
  for (const [id, entry] of Object.entries(data.facts)) {
    const source = `${parsed.file}:${lineOf(parsed, ["facts", id])}`;
    if (factLines.has(id)) {
      errors.push(`${source}: fact id "${id}" is already used at ${factLines.get(id)}`);
      continue;
    }
    factLines.set(id, source);
    const text = typeof entry === "string" ? entry : entry.text;
    const section = typeof entry === "string" ? data.section : (entry.section ?? data.section);
    facts.set(id, { id, text, section, source });
  }
  for (const [id, t] of Object.entries(data.tables)) {
    const source = `${parsed.file}:${lineOf(parsed, ["tables", id])}`;
    if (tables.has(id) || factLines.has(id)) {
      errors.push(`${source}: table id "${id}" is already used`);
      continue;
    }
    factLines.set(id, source);
    const columns = Object.entries(t.columns).map(([cid, c]) => ({ id: cid, name: c.name, aliases: c.aliases, ...(c.sentence ? { sentence: c.sentence } : {}) }));
    const rows = Object.entries(t.rows).map(([rid, r]) => {
      const { name, aliases, note, ...cells } = r;
      for (const col of columns) {
        if (cells[col.id] === undefined) {
          errors.push(`${parsed.file}:${lineOf(parsed, ["tables", id, "rows", rid])}: row "${rid}" has no value for column "${col.id}"`);
        }
      }
      for (const key of Object.keys(cells)) {
        if (!columns.some((c) => c.id === key)) {
          errors.push(`${parsed.file}:${lineOf(parsed, ["tables", id, "rows", rid, key])}: row "${rid}" names unknown column "${key}"`);
        }
      }
      return { id: rid, name, aliases, cells: cells as Record<string, string>, ...(note ? { note } : {}) };
    });
    const table: Table = { id, title: t.title, key: t.key, section: t.section ?? data.section, columns, rows, source, ...(t.sentence ? { sentence: t.sentence } : {}) };
    // a template that names no column would say "{…}" to users
    const templates: Array<{ template: string | undefined; path: string[]; forColumn: boolean }> = [
      { template: t.sentence, path: ["tables", id, "sentence"], forColumn: false },
      ...columns.map((c) => ({ template: c.sentence, path: ["tables", id, "columns", c.id, "sentence"], forColumn: true })),
    ];
    for (const { template, path, forColumn } of templates) {
      for (const name of template ? unknownPlaceholders(template, table, forColumn) : []) {
        const known = ["row", ...(forColumn ? ["value"] : []), ...columns.flatMap((c) => [c.id, c.name])];
        errors.push(`${parsed.file}:${lineOf(parsed, path)}: sentence names "{${name}}", which is no column of table "${id}" (use {row}${forColumn ? ", {value}" : ""} or a column's id or name)${didYouMean(name, known)}`);
      }
    }
    tables.set(id, table);
  }
}

function readCannedReplies(parsed: ParsedYaml, errors: string[]): CannedReply[] {
  const data = validate(parsed, cannedRepliesFileSchema, errors);
  if (!data) return [];
  const titles = new Map<string, string>();
  return data.replies.flatMap((reply, i) => {
    const source = `${parsed.file}:${lineOf(parsed, ["replies", i])}`;
    const previous = titles.get(reply.title);
    if (previous) {
      errors.push(`${source}: canned reply title "${reply.title}" is already used at ${previous}`);
      return [];
    }
    titles.set(reply.title, source);
    return [{ ...reply, source }];
  });
}

function readYamlIntents(path: string, file: string, errors: string[], unreadableIds: Set<string>): IntentEntry[] {
  const unparsed: string[] = [];
  const parsed = readYaml(path, file, errors, unparsed);
  if (!parsed) {
    // the ids the file seems to declare, so other files' references to them are not reported too
    for (const src of unparsed) for (const m of src.matchAll(/^[\s-]*id:\s*["']?([a-z0-9][a-z0-9-]*)/gm)) unreadableIds.add(m[1]!);
    return [];
  }
  if (!isSeq(parsed.doc.contents)) {
    errors.push(`${file}:1: an intents file is a list of intents (each item starting with "- id: ...")`);
    return [];
  }
  // each intent on its own: one bad intent leaves the others of the file loaded
  const items = parsed.doc.toJS() as unknown[];
  return items.flatMap((item, i) => {
    const spec = validate(parsed, intentSchema, errors, item, [i]);
    if (!spec) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === "string") unreadableIds.add(id);
      return [];
    }
    return [{ spec, line: lineOf(parsed, [i]), at: (p: ReadonlyArray<string | number>) => `${file}:${lineOf(parsed, [i, ...p])}` }];
  });
}

function readCsvIntents(path: string, file: string, errors: string[]): IntentEntry[] {
  let records;
  try {
    records = parseCsv(readFileSync(path, "utf8"));
  } catch (e) {
    errors.push(`${file}:${e instanceof CsvError ? e.line : 1}: ${(e as Error).message}`);
    return [];
  }
  const header = records.shift();
  const cols = header?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const qi = cols.indexOf("question");
  const ai = cols.indexOf("answer");
  if (qi < 0 || ai < 0) {
    errors.push(`${file}:1: a FAQ sheet needs a header row with the columns question,answer`);
    return [];
  }
  const stem = basename(path).replace(/\.csv$/, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "faq";
  const out: IntentEntry[] = [];
  for (const rec of records) {
    const questions = (rec.fields[qi] ?? "").split("|").map((q) => q.trim()).filter(Boolean);
    const answer = (rec.fields[ai] ?? "").trim();
    if (questions.length === 0 || !answer) {
      errors.push(`${file}:${rec.line}: every row needs a question and an answer`);
      continue;
    }
    out.push({
      line: rec.line,
      at: () => `${file}:${rec.line}`,
      spec: {
        id: `${stem}-${rec.line}`,
        title: questions[0]!,
        type: "faq",
        examples: questions,
        keywords: [],
        reply: answer,
        answer: [],
        steps: [],
        caveats: [],
        retention: [],
        options: [],
        related: [],
        variants: {},
        why: [],
        suggest: false,
      },
    });
  }
  return out;
}

type RefField = "answer" | "steps" | "caveats" | "retention" | "why";

function compileIntent(
  spec: IntentSpec,
  source: string,
  at: IntentEntry["at"],
  facts: Map<string, Fact>,
  tables: Map<string, Table>,
  unreadable: Unreadable,
  errors: string[],
  badRefs: Set<string>,
): Intent {
  const resolveAll = (list: string[], path: Array<string | number>, field: string): FactRef[] =>
    list.flatMap((raw, i) => {
      const ref = resolveRef(raw, facts, tables);
      if (typeof ref !== "string") return [ref];
      badRefs.add(spec.id);
      if (!declaredInUnreadable(raw, unreadable)) errors.push(`${at([...path, i])}: ${ref} (in ${field} of intent "${spec.id}")`);
      return [];
    });
  const refs = (field: RefField): FactRef[] => resolveAll(spec[field], [field], field);
  const answer = refs("answer");
  const rowRefs = answer.flatMap((r) => (r.kind === "fact" ? [] : [r]));
  const first = rowRefs[0];
  const focus =
    rowRefs.length === 1 && first
      ? { table: first.table, row: first.row, column: first.kind === "cell" ? first.column : null }
      : null;
  return {
    id: spec.id,
    title: spec.title,
    type: spec.type,
    examples: spec.examples.map(String),
    keywords: spec.keywords,
    ...(spec.lead ? { lead: spec.lead } : {}),
    ...(spec.reply ? { reply: spec.reply } : {}),
    answer,
    steps: refs("steps"),
    caveats: refs("caveats"),
    retention: refs("retention"),
    variants: Object.fromEntries(Object.entries(spec.variants).map(([value, list]) => [value, resolveAll(list, ["variants", value], `variants.${value}`)])),
    why: refs("why"),
    options: spec.options,
    related: spec.related,
    ...(spec.goal ? { goal: spec.goal } : {}),
    suggest: spec.suggest,
    focus,
    source,
  };
}

// a reference whose fact or table sits in a knowledge file that could not be read: reported there
function declaredInUnreadable(raw: string, unreadable: Unreadable): boolean {
  const id = raw.split(".")[0]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const key = new RegExp(`^\\s*["']?${id}["']?\\s*:`, "m");
  return unreadable.knowledgeSources.some((src) => key.test(src));
}

/** "fact-id", "table.row" or "table.row.column" → a reference, or a message saying what is wrong (with the nearest known id). */
export function resolveRef(raw: string, facts: Map<string, Fact>, tables: Map<string, Table>): FactRef | string {
  const parts = raw.split(".");
  if (parts.length === 1) return facts.has(raw) ? { kind: "fact", id: raw } : `unknown fact "${raw}"${didYouMean(raw, facts.keys())}`;
  const [tableId, rowId, colId] = parts as [string, string, string | undefined];
  const table = tables.get(tableId);
  if (!table) return `unknown table "${tableId}" in "${raw}"${didYouMean(tableId, tables.keys())}`;
  if (!table.rows.some((r) => r.id === rowId)) {
    return `table "${tableId}" has no row "${rowId}"${didYouMean(rowId, table.rows.map((r) => r.id))}`;
  }
  if (parts.length === 2) return { kind: "row", table: tableId, row: rowId };
  if (parts.length === 3 && colId && table.columns.some((c) => c.id === colId)) {
    return { kind: "cell", table: tableId, row: rowId, column: colId };
  }
  return `table "${tableId}" has no column "${colId ?? ""}" (in "${raw}")${didYouMean(colId ?? "", table.columns.map((c) => c.id))}`;
}
