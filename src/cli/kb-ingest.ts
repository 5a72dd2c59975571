import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, extname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { IngestError, ingestArticle, renderDrafts, slug } from "../knowledge/ingest.js";
import { loadKnowledge } from "../knowledge/load.js";

// npm run kb:ingest -- ARTICLE [--out DIR] [--prefix NAME] [--force]
// Drafts knowledge/<prefix>.yaml and intents/<prefix>.yaml from a help article for an operator to
// review. Problems of the article are printed as file:line: message; exit 1 if there were any.

const USAGE = `usage: npm run kb:ingest -- ARTICLE [--out DIR] [--prefix NAME] [--force]

  ARTICLE        the article as plain text (title line, sections "一、…", paragraphs, "- " bullets,
                 pipe tables with a ---|---| line under the header)
  --prefix NAME  namespace of the drafted ids (default: from the file name)
  --out DIR      where to write knowledge/NAME.yaml and intents/NAME.yaml (default: drafts/NAME)
  --force        overwrite drafts that already exist
  --knowledge DIR, --intents DIR
                 the knowledge base to check the drafts against (default: knowledge, intents)`;

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
        knowledge: { type: "string", default: process.env.KNOWLEDGE_DIR ?? "knowledge" },
        intents: { type: "string", default: process.env.INTENTS_DIR ?? "intents" },
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
  intents: join(outDir, "intents", `${prefix}.yaml`),
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
writeFileSync(targets.knowledge, drafts.knowledge);
writeFileSync(targets.intents, drafts.intents);

for (const n of result.notes) console.log(`note: ${n}`);
for (const w of result.warnings) console.error(`warning: ${w}`);

const s = result.stats;
console.log(`
Drafted from ${article}:
  ${s.sections} sections, ${s.facts} facts, ${s.tables} tables (${s.rows} rows), ${s.intents} intents
  wrote ${targets.knowledge}
  wrote ${targets.intents}`);

const check = checkDrafts();
if (check === null) {
  console.log(`\nNot checked against a knowledge base: no ${join(values.knowledge, "lexicon.yaml")}.`);
} else if (check.length === 0) {
  console.log(`\nChecked with the current knowledge base (${values.knowledge}/, ${values.intents}/): the drafts load without problems.`);
} else {
  console.log(`\nChecked with the current knowledge base (${values.knowledge}/, ${values.intents}/): ${check.length} problem(s) to resolve while reviewing:`);
  for (const p of check) console.log(`  ${p}`);
}

console.log(`
Next steps:
  1. Review both drafts: each fact's wording and figures, the ids, the example phrasings of each
     intent (add how people really ask), aliases for table columns and rows, and each answer.
  2. Move them into ${values.knowledge}/ and ${values.intents}/ (adding new terms to ${join(values.knowledge, "lexicon.yaml")}).
  3. Run npm run kb:validate, then npm run kb:test.`);

if (result.warnings.length > 0) {
  fail(`\n${result.warnings.length} warning(s) above: the drafts leave those lines out. Fix the article and run again with --force.`);
}

/** Loads the drafts together with the current knowledge base in a scratch folder; null when there is none. */
function checkDrafts(): string[] | null {
  const knowledgeDir = resolve(values.knowledge);
  const intentsDir = resolve(values.intents);
  if (!existsSync(join(knowledgeDir, "lexicon.yaml"))) return null;
  const scratch = mkdtempSync(join(tmpdir(), "kb-ingest-"));
  try {
    cpSync(knowledgeDir, join(scratch, "knowledge"), { recursive: true });
    if (existsSync(intentsDir)) cpSync(intentsDir, join(scratch, "intents"), { recursive: true });
    else mkdirSync(join(scratch, "intents"));
    writeFileSync(join(scratch, "knowledge", `${prefix}.yaml`), drafts.knowledge);
    writeFileSync(join(scratch, "intents", `${prefix}.yaml`), drafts.intents);
    const loaded = loadKnowledge(
      { knowledgeDir: join(scratch, "knowledge"), intentsDir: join(scratch, "intents") },
      scratch,
    );
    if (loaded.ok) return [];
    // name the files where the operator has them, not in the scratch folder
    const where = (dir: string, name: string): string => {
      if (name === `${prefix}.yaml`) return dir === "knowledge" ? targets.knowledge : targets.intents;
      return join(relative(process.cwd(), dir === "knowledge" ? knowledgeDir : intentsDir) || ".", name);
    };
    return loaded.errors.map((e) =>
      e.replace(/(^|\s)(knowledge|intents)\/([^\s:]+)/g, (_m, pre: string, dir: string, name: string) => pre + where(dir, name)),
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
