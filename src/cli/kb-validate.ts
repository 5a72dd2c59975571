import { resolve } from "node:path";
import { loadKnowledge } from "../knowledge/load.js";

// npm run kb:validate [-- INTENTS_DIR KNOWLEDGE_DIR]: every problem as file:line: message, exit 1 if any.
const [intentsArg, knowledgeArg] = process.argv.slice(2);
const result = loadKnowledge({
  intentsDir: resolve(intentsArg ?? process.env.INTENTS_DIR ?? "intents"),
  knowledgeDir: resolve(knowledgeArg ?? process.env.KNOWLEDGE_DIR ?? "knowledge"),
});
if (!result.ok) {
  for (const e of result.errors) console.error(e);
  console.error(`\n${result.errors.length} problem(s) found.`);
  process.exit(1);
}
const { kb } = result;
let examples = 0;
for (const i of kb.intents.values()) examples += i.examples.length;
console.log(
  `knowledge base OK: ${kb.intents.size} intents, ${examples} example phrasings, ${kb.facts.size} facts, ${kb.tables.size} tables (${kb.files.length} files)`,
);
