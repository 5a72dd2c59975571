import { describe, expect, it } from "vitest";
import { acknowledge } from "../../../src/dialog/handlers/acknowledge.js";
import { turnOf } from "./turns.js";

describe("the acknowledge handler", () => {
  it("takes 好的 after an answer, or after a no, as an acknowledgment", () => {
    expect(acknowledge(turnOf("好的", { topic: "overdue", misses: 1 }))?.state.misses).toBe(0);
    const ack = acknowledge(turnOf("嗯", { pending: { kind: "declined" } }))?.outcome;
    // no intent of the knowledge base answered: the outcome names none (the insights count intents only)
    expect(ack).toMatchObject({ kind: "answer", intent: null });
    expect(ack?.replies[0]?.text).toMatch(/^好的。还有关于.+的问题，直接问我就行。$/);
  });

  it("passes 好的 out of context, and what is no acknowledgment", () => {
    expect(acknowledge(turnOf("好的"))).toBeUndefined();
    expect(acknowledge(turnOf("书可以借多久", { topic: "overdue" }))).toBeUndefined();
  });
});
