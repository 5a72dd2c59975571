import { describe, expect, it } from "vitest";
import { decide, initialState, type Decision } from "../../src/dialog/decide.js";
import { handlers, runPipeline } from "../../src/dialog/pipeline.js";
import type { Handler } from "../../src/dialog/turn.js";
import { libraryKnowledge, settings, turnOf } from "./handlers/turns.js";

const kb = libraryKnowledge();
const decided = (name: string): Decision => ({ state: initialState(0), outcome: { kind: "answer", intent: name, confidence: 1, replies: [] } });

describe("the dialog pipeline", () => {
  it("asks its handlers in one visible order: what the bot asked or is doing before a new question, the fallback last", () => {
    expect(handlers.map((h) => h.name)).toEqual([
      "humanMode",
      "numberedPick",
      "feedback",
      "more",
      "pendingReply",
      "paging",
      "why",
      "decline",
      "acknowledge",
      "noise",
      "howTo",
      "compare",
      "figureInRange",
      "followUp",
      "slotStatement",
      "newQuestion",
      "fallback",
    ]);
  });

  it("takes the first handler that decides and asks none after it", () => {
    const asked: string[] = [];
    const handler = (name: string, decides: boolean): Handler => () => {
      asked.push(name);
      return decides ? decided(name) : undefined;
    };
    const d = runPipeline(turnOf("x"), [handler("a", false), handler("b", true), handler("c", true)]);
    expect(d.outcome.intent).toBe("b");
    expect(asked).toEqual(["a", "b"]);
  });

  it("throws when no handler decides: the list must end with the fallback", () => {
    expect(() => runPipeline(turnOf("x"), [() => undefined])).toThrow(/fallback/);
  });

  it("reads a rating or a reply to the bot's question before reading the message as a question of its own", () => {
    const rating = decide({ ...initialState(0), feedbackFor: "renew" }, { text: "有用", at: 1 }, kb, settings);
    expect(rating.feedback).toEqual({ intent: "renew", helpful: true });
    // "前者" is no question at all: only the clarification it answers gives it a meaning
    const clarifying = { ...initialState(0), pending: { kind: "clarification" as const, options: ["overdue", "renew"] } };
    expect(decide(clarifying, { text: "前者", at: 1 }, kb, settings).outcome.intent).toBe("overdue");
    expect(decide(initialState(0), { text: "前者", at: 1 }, kb, settings).outcome.kind).toBe("fallback");
  });

  it("keeps a human agent's conversation silent whatever is said, even a number or a thumbs up", () => {
    const state = { ...initialState(0), mode: "human" as const, offered: ["能借多久"], feedbackFor: "renew" };
    for (const text of ["1", "👍", "下一步"]) expect(decide(state, { text, at: 1 }, kb, settings).outcome.kind, text).toBe("human");
  });
});
