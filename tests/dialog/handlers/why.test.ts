import { describe, expect, it } from "vitest";
import { why } from "../../../src/dialog/handlers/why.js";
import { initialState } from "../../../src/dialog/decide.js";
import { respond } from "../../../src/dialog/responses.js";
import { createTurn } from "../../../src/dialog/turn.js";
import { libraryKnowledge, settings, shownBy, turnOf } from "./turns.js";

describe("the why handler", () => {
  it("says the knowledge gives no reason for the topic in focus, rather than answer another question", () => {
    const d = why(turnOf("为什么", { topic: "loan-period" }));
    expect(d?.outcome).toMatchObject({ kind: "fallback", intent: "loan-period" });
    expect(shownBy(d)).toContain(respond(libraryKnowledge().responses, "why.unknown", { title: "能借多久" }));
  });

  it("reads a why that goes on in pronouns and words no question uses as the same why, but not one naming another question's words", () => {
    const d = why(turnOf("为什么他们对这个这么敏感", { topic: "loan-period" }));
    expect(d?.outcome).toMatchObject({ kind: "fallback", intent: "loan-period" });
    expect(why(turnOf("为什么逾期要罚款", { topic: "loan-period" }))).toBeUndefined();
  });

  it("answers a why about a topic that is itself a why with its answer", () => {
    const kb = libraryKnowledge();
    const journals = kb.intents.get("journals")!;
    const whyKb = { ...kb, intents: new Map([...kb.intents, ["journals", { ...journals, title: "期刊为什么不能外借" }]]) };
    const turn = createTurn({ ...initialState(1), topic: "journals" }, { text: "为什么呢", at: 2 }, whyKb, settings, () => {
      throw new Error("not rerun");
    });
    const d = why(turn);
    expect(d?.outcome).toMatchObject({ kind: "answer", intent: "journals" });
    expect(shownBy(d).length).toBeGreaterThan(0);
  });

  it("passes without a topic, or for another question", () => {
    expect(why(turnOf("为什么"))).toBeUndefined();
    expect(why(turnOf("书可以借多久", { topic: "loan-period" }))).toBeUndefined();
  });
});
