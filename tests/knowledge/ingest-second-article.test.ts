import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { ingestArticle, renderDrafts } from "../../src/knowledge/ingest.js";
import { loadKnowledge } from "../../src/knowledge/load.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { turnProblem, type ChatCase } from "../helpers/chat-cases.js";
import { silentLog } from "../helpers/kb.js";

// An article on another topic than the project's, with questions about it written apart from the
// drafts: ingested and served with no edit, the bot must load it and answer it above a floor.

const root = resolve(import.meta.dirname, "../..");
const article = readFileSync(resolve(root, "tests/fixtures/second-article.txt"), "utf8");

const { cases } = JSON.parse(readFileSync(resolve(root, "tests/fixtures/second-article-cases.json"), "utf8")) as { cases: ChatCase[] };

const dir = mkdtempSync(join(tmpdir(), "second-article-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const result = ingestArticle(article, { prefix: "second", sourceName: "second-article.txt" });
const drafts = renderDrafts(result, "second-article.txt");
mkdirSync(join(dir, "knowledge"));
mkdirSync(join(dir, "intents"));
writeFileSync(join(dir, "knowledge", "second.yaml"), drafts.knowledge);
writeFileSync(join(dir, "knowledge", "lexicon.yaml"), drafts.lexicon);
writeFileSync(join(dir, "intents", "second.yaml"), drafts.intents);
writeFileSync(join(dir, "intents", "conversation.yaml"), drafts.conversation);
const loaded = loadKnowledge({ knowledgeDir: join(dir, "knowledge"), intentsDir: join(dir, "intents") });

/** The share of cases of a category whose first turn gets an allowed kind with every fact asked for. */
async function passRate(category: string): Promise<number> {
  if (!loaded.ok) throw new Error(loaded.errors.join("\n"));
  const kb = loaded.kb;
  const bot = createBot({ knowledge: () => kb, store: createMemoryStore(), log: silentLog });
  const picked = cases.filter((c) => c.category === category);
  let passed = 0;
  for (const [n, c] of picked.entries()) {
    const turn = c.turns[0]!;
    const outcome = await bot.handle({ channel: "api", conversationId: `t:${n}`, userId: `u${n}`, text: turn.text, messageId: c.id, at: 0 });
    if (turnProblem(turn.expect, outcome) === null) passed++;
  }
  return passed / picked.length;
}

describe("an article on another topic, ingested and served with no edit", () => {
  it("drafts sections, tables and intents from it without warnings", () => {
    expect(result.warnings).toEqual([]);
    expect(result.stats.sections).toBeGreaterThanOrEqual(5);
    expect(result.stats.tables).toBeGreaterThanOrEqual(1);
    expect(result.intentFile.length).toBeGreaterThan(result.stats.sections);
  });

  it("loads and validates as a knowledge base of its own", () => {
    if (!loaded.ok) expect(loaded.errors).toEqual([]);
    expect(loaded.ok).toBe(true);
  });

  it("answers its held-out questions above a floor and turns away those outside it", async () => {
    // the floors sit under the figures recorded in the README, so a regression of the drafts shows here
    expect(await passRate("inscope")).toBeGreaterThanOrEqual(0.52);
    expect(await passRate("oos")).toBeGreaterThanOrEqual(0.85);
  });
});
