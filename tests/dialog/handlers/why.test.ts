import { describe, expect, it } from "vitest";
import { why } from "../../../src/dialog/handlers/why.js";
import { respond } from "../../../src/dialog/responses.js";
import { libraryKnowledge, shownBy, turnOf } from "./turns.js";

describe("the why handler", () => {
  it("says the knowledge gives no reason for the topic in focus, rather than answer another question", () => {
    const d = why(turnOf("为什么", { topic: "loan-period" }));
    expect(d?.outcome).toMatchObject({ kind: "fallback", intent: "loan-period" });
    expect(shownBy(d)).toContain(respond(libraryKnowledge().responses, "why.unknown", { title: "能借多久" }));
  });

  it("passes without a topic, or for another question", () => {
    expect(why(turnOf("为什么"))).toBeUndefined();
    expect(why(turnOf("书可以借多久", { topic: "loan-period" }))).toBeUndefined();
  });
});
