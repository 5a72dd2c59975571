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

  it("passes what it does not understand", () => {
    expect(newQuestion(turnOf("qwerty asdf"))).toBeUndefined();
  });
});
