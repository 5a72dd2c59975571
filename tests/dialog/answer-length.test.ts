import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { decide, initialState } from "../../src/dialog/decide.js";
import type { KnowledgeBase } from "../../src/knowledge/knowledge-base.js";
import { loadKnowledgeOrThrow } from "../../src/knowledge/load.js";
import { projectKnowledge } from "../helpers/kb.js";

// The longest first reply a question may get. The longest the knowledge base needs is an overview of a
// three-row table with the facts that frame it (about 250 characters); a section said whole, or a row
// followed by every column's name and value, runs past 300 — the length at which an answer reads as a dump.
const FIRST_REPLY_MAX = 300;

const settings = { threshold: 0.45, clarifyMargin: 0.02, feedbackEvery: 0 };

/** The first reply to every example phrasing of every intent, each asked first in a new conversation. */
function firstReplies(kb: KnowledgeBase): Array<{ asked: string; text: string }> {
  return [...kb.intents.values()].flatMap((intent) =>
    intent.examples.map((asked) => ({ asked, text: decide(initialState(0), { text: asked, at: 1 }, kb, settings).outcome.replies[0]?.text ?? "" })),
  );
}

const library = () =>
  loadKnowledgeOrThrow({ intentsDir: resolve(import.meta.dirname, "../fixtures/library-kb/intents"), knowledgeDir: resolve(import.meta.dirname, "../fixtures/library-kb/knowledge") });

describe.each([
  ["the project's knowledge base", projectKnowledge],
  ["a knowledge base of another topic", library],
])("first answers in %s", (_, load) => {
  const replies = firstReplies(load());

  it(`stay within ${FIRST_REPLY_MAX} characters`, () => {
    const long = replies.filter((r) => r.text.length > FIRST_REPLY_MAX).map((r) => `${r.asked} (${r.text.length}): ${r.text}`);
    expect(long).toEqual([]);
  });

  it("say no line twice and no unit twice", () => {
    for (const { asked, text } of replies) {
      const lines = text.split("\n");
      expect(new Set(lines).size, asked).toBe(lines.length);
      // "耗时(分钟)：3-5分钟": the unit of a column's name said again by its value
      expect(text, asked).not.toMatch(/[（(]([^（）()]+)[)）][：:]\s*[\d.~-]+\s*\1/);
    }
  });
});
