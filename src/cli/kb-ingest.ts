import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { parseArgs } from "node:util";
import { IngestError, ingestArticle, renderDrafts, slug } from "../knowledge/ingest.js";
import { loadKnowledge } from "../knowledge/load.js";

// npm run kb:ingest -- ARTICLE [--out DIR] [--prefix NAME] [--force]
// Writes a complete knowledge base from a help article (knowledge/<prefix>.yaml, knowledge/lexicon.yaml,
// intents/<prefix>.yaml, intents/conversation.yaml) that serves as it is and that an operator can
// review. Problems of the article are printed as file:line: message; exit 1 if there were any.

const USAGE = `usage: npm run kb:ingest -- ARTICLE [--out DIR] [--prefix NAME] [--force]

  ARTICLE        the article as plain text (title line, sections "一、…", paragraphs, "- " bullets,
                 pipe tables with a ---|---| line under the header)
  --prefix NAME  namespace of the drafted ids (default: from the file name)
  --out DIR      where to write the knowledge base: DIR/knowledge (NAME.yaml, lexicon.yaml) and
                 DIR/intents (NAME.yaml, conversation.yaml) (default: drafts/NAME)
  --force        overwrite files that already exist`;

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        out: { type: "string" },
        prefix: { type: "string" },
        force: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    return fail(`kb:ingest: ${(e as Error).message}\n\n${USAGE}`, 2);
  }
}

const { values, positionals } = parseCommandLine();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (positionals.length !== 1) fail(`kb:ingest: give exactly one article file\n\n${USAGE}`, 2);

const article = positionals[0]!;
let text: string;
try {
  text = readFileSync(article, "utf8");
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a folder, not a file" : err.message;
  fail(`${article}:1: cannot read the article: ${why}`);
}

const prefix = values.prefix ?? slug(basename(article, extname(article)));
if (!prefix) fail(`kb:ingest: cannot make a prefix from the file name "${basename(article)}": pass --prefix NAME`, 2);

let result;
try {
  result = ingestArticle(text, { prefix, sourceName: article });
} catch (e) {
  if (e instanceof IngestError) fail(e.problems.join("\n"));
  throw e;
}

const outDir = values.out ?? join("drafts", prefix);
const targets = {
  knowledge: join(outDir, "knowledge", `${prefix}.yaml`),
  lexicon: join(outDir, "knowledge", "lexicon.yaml"),
  intents: join(outDir, "intents", `${prefix}.yaml`),
  conversation: join(outDir, "intents", "conversation.yaml"),
};
if (!values.force) {
  const existing = Object.values(targets).filter((p) => existsSync(p));
  if (existing.length > 0) {
    fail(existing.map((p) => `${p}:1: already exists: pass --force to overwrite it, or choose another --out or --prefix`).join("\n"));
  }
}

const drafts = renderDrafts(result, basename(article));
mkdirSync(join(outDir, "knowledge"), { recursive: true });
mkdirSync(join(outDir, "intents"), { recursive: true });
for (const [what, path] of Object.entries(targets)) writeFileSync(path, drafts[what as keyof typeof targets]);

for (const n of result.notes) console.log(`note: ${n}`);
for (const w of result.warnings) console.error(`warning: ${w}`);

const s = result.stats;
console.log(`
Drafted from ${article}:
  ${s.sections} sections, ${s.facts} facts, ${s.tables} tables (${s.rows} rows), ${s.intents} intents
${Object.values(targets).map((p) => `  wrote ${p}`).join("\n")}`);

const knowledgeDir = join(outDir, "knowledge");
const intentsDir = join(outDir, "intents");
const loaded = loadKnowledge({ knowledgeDir, intentsDir });
if (loaded.ok) {
  console.log(`\nThe knowledge base loads without problems. Serve it as it is:

  INTENTS_DIR=${intentsDir} KNOWLEDGE_DIR=${knowledgeDir} npm start

Then, to make it better:
  1. Review the files: each fact's wording and figures, the example phrasings of each intent (add how
     people really ask), aliases for table columns and rows, new terms in ${targets.lexicon}.
  2. Run INTENTS_DIR=${intentsDir} KNOWLEDGE_DIR=${knowledgeDir} npm run kb:validate, then npm run kb:test.`);
} else {
  console.error(`\nThe knowledge base does not load: ${loaded.errors.length} problem(s) to resolve:`);
  for (const p of loaded.errors) console.error(`  ${p}`);
}

if (result.warnings.length > 0) {
  fail(`\n${result.warnings.length} warning(s) above: the knowledge base leaves those lines out. Fix the article and run again with --force.`);
}
if (!loaded.ok) process.exit(1);
