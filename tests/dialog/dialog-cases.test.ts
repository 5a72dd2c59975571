import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { shownText, turnProblem, type ChatCase } from "../helpers/chat-cases.js";
import { projectKnowledge, silentLog } from "../helpers/kb.js";

// Multi-turn conversations written from the article, apart from the intents: every turn must get an
// allowed kind and carry one fact of each group (wording is free; facts and figures count).
const file = JSON.parse(readFileSync(resolve(import.meta.dirname, "../fixtures/dialogs.json"), "utf8")) as { cases: ChatCase[] };

describe("multi-turn conversations written from the article", () => {
  const kb = projectKnowledge();
  it.each(file.cases.map((c) => [`${c.id} (${c.topic})`, c] as const))("%s", async (_name, c) => {
    const bot = createBot({ knowledge: () => kb, store: createMemoryStore(), log: silentLog, settings: { threshold: 0.45, clarifyMargin: 0.02, feedbackEvery: 3 } });
    let at = Date.now();
    for (const [n, turn] of c.turns.entries()) {
      const o = await bot.handle({ channel: "test", conversationId: `t:${c.id}`, userId: c.id, text: turn.text, messageId: `${c.id}-${n}`, at: (at += 1000) });
      expect(turnProblem(turn.expect, o), `turn ${n + 1} "${turn.text}" → ${o.kind}: ${shownText(o).slice(0, 200)}`).toBeNull();
    }
  });
});
