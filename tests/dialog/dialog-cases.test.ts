import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { normalizeText } from "../../src/nlu/normalize.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { Outcome } from "../../src/types.js";
import { projectKnowledge, silentLog } from "../helpers/kb.js";

// Multi-turn conversations written from the article, apart from the intents: every turn must get an
// allowed kind and carry one fact of each group (wording is free; facts and figures count).
interface Expect {
  kind?: string[];
  all_of?: string[][];
  none_of?: string[];
  silent?: boolean;
  by_kind?: Record<string, Partial<Expect>>;
}
interface Case {
  id: string;
  topic: string;
  turns: Array<{ text: string; expect: Expect }>;
}

const file = JSON.parse(readFileSync(resolve(import.meta.dirname, "../fixtures/dialogs.json"), "utf8")) as { cases: Case[] };
const facts = (s: string) => normalizeText(s).text.replace(/\s+/g, "");
const shownText = (o: Outcome) => o.replies.flatMap((r) => [r.text, ...(r.quickReplies ?? [])]).join("\n");

function problem(expectation: Expect, o: Outcome): string | null {
  const kinds = expectation.kind ?? ["answer"];
  if (!kinds.includes(o.kind)) return `kind ${o.kind}, expected ${kinds.join("|")}`;
  const e = { ...expectation, ...(expectation.by_kind?.[o.kind] ?? {}) };
  if (e.silent && o.replies.some((r) => r.text.trim() !== "")) return "expected silence while a human has the conversation";
  const text = facts(shownText(o));
  const missing = (e.all_of ?? []).filter((group) => !group.some((token) => text.includes(facts(token))));
  if (missing.length > 0) return `missing one of: ${missing.map((g) => g.slice(0, 4).join("/")).join(" ; ")}`;
  const forbidden = (e.none_of ?? []).filter((token) => shownText(o).toLowerCase().includes(token.toLowerCase()));
  if (forbidden.length > 0) return `says what it must not: ${forbidden.join(", ")}`;
  return null;
}

describe("multi-turn conversations written from the article", () => {
  const kb = projectKnowledge();
  it.each(file.cases.map((c) => [`${c.id} (${c.topic})`, c] as const))("%s", async (_name, c) => {
    const bot = createBot({ knowledge: () => kb, store: createMemoryStore(), log: silentLog, settings: { threshold: 0.45, clarifyMargin: 0.02, feedbackEvery: 3 } });
    let at = Date.now();
    for (const [n, turn] of c.turns.entries()) {
      const o = await bot.handle({ channel: "test", conversationId: `t:${c.id}`, userId: c.id, text: turn.text, messageId: `${c.id}-${n}`, at: (at += 1000) });
      expect(problem(turn.expect, o), `turn ${n + 1} "${turn.text}" → ${o.kind}: ${shownText(o).slice(0, 200)}`).toBeNull();
    }
  });
});
