import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { decide, initialState } from "../../src/dialog/decide.js";
import { loadKnowledge, loadKnowledgeOrThrow } from "../../src/knowledge/load.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { silentLog } from "../helpers/kb.js";
import { conversation } from "./conversation.js";

// The library fixture declares a reader slot (学生 / 教师) in knowledge/slots.yaml, and intents with
// per-value facts: the dialog handles it as it handles the article's account type, knowing neither.

const fixture = resolve(import.meta.dirname, "../fixtures/library-kb");
const kb = loadKnowledgeOrThrow({ intentsDir: join(fixture, "intents"), knowledgeDir: join(fixture, "knowledge") });
const library = () => {
  const store = createMemoryStore();
  return conversation({ store, bot: createBot({ knowledge: () => kb, store, log: silentLog, settings: { threshold: 0.45, clarifyMargin: 0.02, feedbackEvery: 0 } }) });
};

const dir = mkdtempSync(join(tmpdir(), "faq-slots-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("slots declared by the knowledge base", () => {
  it("answers 教师呢 with the same topic's facts for that value", async () => {
    await library().play([
      { say: "书可以借多久", kind: "answer", intent: "loan-period", has: ["30 天"], lacks: ["教师："] },
      { say: "教师呢", kind: "answer", intent: "loan-period", has: ["教师：教师证借书的借期延长到 60 天。"] },
    ]);
  });

  it("remembers a value stated early and adds its facts to later answers", async () => {
    await library().play([
      { say: "我是教师", kind: "answer" },
      { say: "书可以借多久", kind: "answer", intent: "loan-period", has: ["教师：教师证借书的借期延长到 60 天。"], lacks: ["学生证"] },
    ]);
  });

  it("says a topic without value-specific facts holds for every value", async () => {
    await library().play([
      { say: "逾期了怎么办", kind: "answer", intent: "overdue" },
      { say: "学生呢", kind: "answer", intent: "overdue", has: ["没有区分学生和教师", "0.1 元"] },
    ]);
  });

  it("names the when-unknown value's facts before a procedure's last step, and the value's note", async () => {
    await library().play([
      { say: "怎么续借", kind: "answer", intent: "renew", has: ["第 1 步 / 共 2 步"] },
      { say: "下一步", kind: "answer", intent: "renew", has: ["如果是教师：教师续借时要先确认所在院系。", "第 2 步 / 共 2 步"] },
      { say: "教师呢", kind: "answer", intent: "renew", has: ["教师：教师续借时要先确认所在院系。", "其余步骤相同，带上教师证："] },
    ]);
  });

  it("remembers any goal id an intent declares, and resumes its procedure on a bare how-to", () => {
    const first = decide(initialState(0), { text: "怎么续借", at: 1 }, kb);
    expect(first.state.slots.goal).toBe("renew-loan");
    const aside = decide(first.state, { text: "逾期了怎么办", at: 2 }, kb);
    expect(aside.outcome.intent).toBe("overdue");
    const back = decide(aside.state, { text: "怎么弄", at: 3 }, kb);
    expect(back.outcome.intent).toBe("renew");
    expect(back.outcome.replies[0]!.text).toContain("第 1 步 / 共 2 步");
  });

  it("reports variants of an unknown value and slot words the lexicon lacks, at their lines", () => {
    const copy = join(dir, "bad");
    cpSync(fixture, copy, { recursive: true });
    writeFileSync(join(copy, "knowledge", "slots.yaml"), "slots:\n  reader:\n    values:\n      student:\n        label: 学生\n        words: [学僧]\n");
    const result = loadKnowledge({ intentsDir: join(copy, "intents"), knowledgeDir: join(copy, "knowledge") }, copy);
    expect(result.ok ? [] : result.errors).toEqual([
      'knowledge/slots.yaml:6: "学僧" is no entity of the lexicon: list it in an entity group of knowledge/lexicon.yaml (with the role slot)',
      expect.stringMatching(/^intents\/01-loans\.yaml:4: unknown slot value "teacher" in variants of intent "loan-period"/),
      expect.stringMatching(/^intents\/01-loans\.yaml:\d+: unknown slot value "teacher" in variants of intent "renew"/),
    ]);
  });
});
