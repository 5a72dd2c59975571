import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ingestArticle, renderDrafts } from "../../src/knowledge/ingest.js";
import type { KnowledgeBase } from "../../src/knowledge/knowledge-base.js";
import { loadKnowledge } from "../../src/knowledge/load.js";

/** A knowledge base of a few files in a temp folder; `files` maps relative paths to their text. */
export interface TempKb {
  dir: string;
  intentsDir: string;
  knowledgeDir: string;
  remove: () => void;
}

/** Writes the files under a new temp folder with intents/ and knowledge/ (both created even if empty). */
export function writeTempKb(files: Record<string, string>): TempKb {
  const dir = mkdtempSync(join(tmpdir(), "kb-small-"));
  mkdirSync(join(dir, "knowledge"));
  mkdirSync(join(dir, "intents"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, intentsDir: join(dir, "intents"), knowledgeDir: join(dir, "knowledge"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Two intents about unbinding and one out-of-scope intent about the weather. */
export const UNBIND_KB: Record<string, string> = {
  "knowledge/lexicon.yaml": "synonyms:\n  解绑: [解除绑定]\n  天气: [气温]\nstopwords: [吗, 怎么]\n",
  "knowledge/01.yaml": "section: 解绑\nfacts:\n  unbind-needed: 关闭前要先解绑公众号。\n  unbind-steps: 在设置里解除绑定。\n",
  "intents/01.yaml": [
    "- id: unbind-how",
    "  title: 怎么解绑",
    "  answer: [unbind-steps]",
    "  examples: [怎么解绑公众号, 解绑步骤]",
    "- id: unbind-why",
    "  title: 为什么要解绑",
    "  answer: [unbind-needed]",
    "  examples: [为什么要解绑公众号]",
    "- id: weather",
    "  title: 天气",
    "  type: out-of-scope",
    "  reply: 我只回答解绑的问题。",
    "  examples: [今天天气怎么样, 明天气温]",
    "",
  ].join("\n"),
};

/** The knowledge base `npm run kb:ingest` drafts from an article's text, loaded as the bot serves it with no edit. */
export function draftedKnowledge(article: string, prefix: string): KnowledgeBase {
  const d = renderDrafts(ingestArticle(article, { prefix, sourceName: `${prefix}.txt` }), `${prefix}.txt`);
  const kb = writeTempKb({ [`knowledge/${prefix}.yaml`]: d.knowledge, "knowledge/lexicon.yaml": d.lexicon, [`intents/${prefix}.yaml`]: d.intents, "intents/conversation.yaml": d.conversation });
  const loaded = loadKnowledge({ knowledgeDir: kb.knowledgeDir, intentsDir: kb.intentsDir });
  kb.remove();
  if (!loaded.ok) throw new Error(loaded.errors.join("\n"));
  return loaded.kb;
}
