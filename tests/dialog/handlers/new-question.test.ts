import { describe, expect, it } from "vitest";
import { newQuestion } from "../../../src/dialog/handlers/new-question.js";
import { turnOf } from "./turns.js";

describe("the new-question handler", () => {
  it("answers a question understood on its own and keeps it for reading follow-ups", () => {
    const d = newQuestion(turnOf("书可以借多久"));
    expect(d?.outcome).toMatchObject({ kind: "answer", intent: "loan-period" });
    expect(d?.state).toMatchObject({ topic: "loan-period", lastQuestion: "书可以借多久" });
  });

  it("hands off a request for a human, as asked", () => {
    const d = newQuestion(turnOf("找馆员"));
    expect(d?.outcome.kind).toBe("handoff");
    expect(d?.handoff).toEqual({ reason: "asked" });
  });

  it("hands off a request for a human said among words that weigh its confidence down, when nothing else comes near it", () => {
    for (const text of ["算了你直接帮我转人工吧我打字说不清楚", "哎呀算了算了你帮我找馆员吧我真的说不明白"]) {
      const d = newQuestion(turnOf(text));
      expect(d?.outcome.kind).toBe("handoff");
      expect(d?.handoff).toEqual({ reason: "asked" });
    }
    // a question that names a human among the words of another question is that question
    expect(newQuestion(turnOf("人工续借要多久"))?.outcome).toMatchObject({ kind: "answer", intent: "renew" });
  });

  it("hands off a request for a human said in a clause of its own after the trouble, not a story naming the staff", () => {
    const d = newQuestion(turnOf("书一直续借不了，找馆员"));
    expect(d?.outcome.kind).toBe("handoff");
    expect(d?.handoff).toEqual({ reason: "asked" });
    expect(newQuestion(turnOf("上次找馆员问过了，书可以借多久"))?.outcome.kind).toBe("answer");
  });

  it("passes what it does not understand", () => {
    expect(newQuestion(turnOf("qwerty asdf"))).toBeUndefined();
  });
});
