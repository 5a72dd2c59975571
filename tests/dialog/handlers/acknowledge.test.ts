import { describe, expect, it } from "vitest";
import { acknowledge } from "../../../src/dialog/handlers/acknowledge.js";
import { turnOf } from "./turns.js";

describe("the acknowledge handler", () => {
  it("takes 好的 after an answer, or after a no, as an acknowledgment", () => {
    expect(acknowledge(turnOf("好的", { topic: "overdue", misses: 1 }))?.state.misses).toBe(0);
    expect(acknowledge(turnOf("嗯", { pending: { kind: "declined" } }))?.outcome.intent).toBe("acknowledge");
  });

  it("passes 好的 out of context, and what is no acknowledgment", () => {
    expect(acknowledge(turnOf("好的"))).toBeUndefined();
    expect(acknowledge(turnOf("书可以借多久", { topic: "overdue" }))).toBeUndefined();
  });
});
