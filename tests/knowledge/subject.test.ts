import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadKnowledgeOrThrow } from "../../src/knowledge/load.js";
import { projectKnowledge } from "../helpers/kb.js";

// The subject's words (what every question of a knowledge base names) come from the data: the
// lexicon's `subject:` list, or, without one, the terms most answering intents are asked with.

const fixture = resolve(import.meta.dirname, "../fixtures/library-kb");
const dir = mkdtempSync(join(tmpdir(), "faq-subject-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the knowledge base's subject", () => {
  it("is the lexicon's subject list, read as canonical terms", () => {
    expect([...projectKnowledge().subject].sort()).toEqual(["关闭", "微信", "账号", "视频号"].sort());
    const kb = loadKnowledgeOrThrow({ intentsDir: join(fixture, "intents"), knowledgeDir: join(fixture, "knowledge") });
    expect([...kb.subject]).toEqual(["图书馆"]);
  });

  it("is derived from the phrasings when the lexicon declares none: the words most intents share, not a topic's", () => {
    const copy = join(dir, "derived");
    cpSync(fixture, copy, { recursive: true });
    const lexicon = join(copy, "knowledge", "lexicon.yaml");
    writeFileSync(lexicon, readFileSync(lexicon, "utf8").replace(/^subject:.*\n/m, ""));
    const kb = loadKnowledgeOrThrow({ intentsDir: join(copy, "intents"), knowledgeDir: join(copy, "knowledge") });
    expect(kb.subject.has("书")).toBe(true);
    for (const topic of ["续借", "逾期", "罚款", "期刊"]) expect(kb.subject.has(topic), topic).toBe(false);
  });
});
