import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { turnProblem, type ChatCase } from "../helpers/chat-cases.js";
import { projectKnowledge, silentLog } from "../helpers/kb.js";

// Chat cases written from the article alone, without reading the intents or the lexicon, in many
// styles (voice, slang, typos, 繁體, English, fragments, rambling, indirect...). Each case runs as a
// fresh conversation through the whole bot; a turn passes when its kind is allowed, every fact
// group has one of its tokens in the reply, and no forbidden token appears. The floors keep what
// was reached; the README records what the sets scored the first time they were run.

async function score(file: string): Promise<Record<string, number>> {
  const { cases } = JSON.parse(readFileSync(resolve(import.meta.dirname, "../fixtures", file), "utf8")) as { cases: ChatCase[] };
  const kb = projectKnowledge();
  const bot = createBot({ knowledge: () => kb, store: createMemoryStore(), log: silentLog, settings: { threshold: 0.45, clarifyMargin: 0.05, feedbackEvery: 0 } });
  const tally: Record<string, [number, number]> = {};
  let at = Date.UTC(2026, 10, 28, 9);
  for (const c of cases) {
    let ok = true;
    for (const [i, turn] of c.turns.entries()) {
      const out = await bot.handle({ channel: "test", conversationId: c.id, userId: c.id, text: turn.text, messageId: `${c.id}-${i}`, at: (at += 1000) });
      if (turnProblem(turn.expect, out) !== null) ok = false;
    }
    const t = (tally[c.category ?? "inscope"] ??= [0, 0]);
    t[0] += ok ? 1 : 0;
    t[1] += 1;
  }
  return Object.fromEntries(Object.entries(tally).map(([k, [p, n]]) => [k, p / n]));
}

describe("chat cases written from the article alone", () => {
  it.each([
    ["chat-cases-a.json", { inscope: 0.8, oos: 0.93, multi: 0.8 }],
    ["chat-cases-b.json", { inscope: 0.72, oos: 0.8, multi: 0.85 }],
    ["chat-cases-c.json", { inscope: 0.74, oos: 0.85, multi: 0.8 }],
    ["chat-cases-d.json", { inscope: 0.75, oos: 0.8, multi: 0.66 }],
    ["chat-cases-e.json", { inscope: 0.7, oos: 0.92, multi: 0.73 }],
    ["chat-cases-f.json", { inscope: 0.68, oos: 0.8, multi: 0.6 }],
    ["chat-cases-g.json", { inscope: 0.72, oos: 0.78, multi: 0.66 }],
    ["chat-cases-h.json", { inscope: 0.79, oos: 0.8, multi: 0.46 }],
    ["chat-cases-i.json", { inscope: 0.69, oos: 0.85, multi: 0.53 }],
    ["chat-cases-j.json", { inscope: 0.77, oos: 0.86, multi: 0.53 }],
    ["chat-cases-k.json", { inscope: 0.71, oos: 0.9, multi: 0.53 }],
    ["chat-cases-l.json", { inscope: 0.7, oos: 0.83, multi: 0.8 }],
    ["chat-cases-m.json", { inscope: 0.72, oos: 0.9, multi: 0.53 }],
    ["chat-cases-n.json", { inscope: 0.75, oos: 0.8, multi: 0.66 }],
    ["chat-cases-o.json", { inscope: 0.73, oos: 0.92, multi: 0.66 }],
    ["chat-cases-p.json", { inscope: 0.67, oos: 0.77, multi: 0.6 }],
    ["chat-cases-q.json", { inscope: 0.68, oos: 0.9, multi: 0.66 }],
    ["chat-cases-r.json", { inscope: 0.79, oos: 0.9, multi: 0.86 }],
    ["chat-cases-s.json", { inscope: 0.69, oos: 0.85, multi: 0.73 }],
    ["chat-cases-t.json", { inscope: 0.83, oos: 0.88, multi: 0.73 }],
    ["chat-cases-u.json", { inscope: 0.81, oos: 0.85, multi: 0.66 }],
    ["chat-cases-v.json", { inscope: 0.78, oos: 0.88, multi: 0.73 }],
    ["chat-cases-w.json", { inscope: 0.77, oos: 0.88, multi: 0.8 }],
    ["chat-cases-x.json", { inscope: 0.79, oos: 0.88, multi: 0.4 }],
    ["chat-cases-y.json", { inscope: 0.69, oos: 0.77, multi: 0.66 }],
    ["chat-cases-z.json", { inscope: 0.73, oos: 0.77, multi: 0.6 }],
    ["chat-cases-aa.json", { inscope: 0.74, oos: 0.8, multi: 0.5 }],
    ["chat-cases-ab.json", { inscope: 0.84, oos: 0.8, multi: 0.8 }],
    ["chat-cases-ac.json", { inscope: 0.77, oos: 0.88, multi: 0.73 }],
    ["chat-cases-ad.json", { inscope: 0.71, oos: 0.8, multi: 0.8 }],
    ["chat-cases-ae.json", { inscope: 0.76, oos: 0.8, multi: 0.8 }],
  ])("%s stays above its floors", async (file, floors) => {
    const got = await score(file);
    for (const [category, floor] of Object.entries(floors)) expect(got[category], `${file} ${category}`).toBeGreaterThanOrEqual(floor);
  });
});
