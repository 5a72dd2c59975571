import { describe, expect, it } from "vitest";
import { howTo } from "../../../src/dialog/handlers/how-to.js";
import { shownBy, turnOf } from "./turns.js";

describe("the how-to handler", () => {
  it("answers 怎么弄 with the procedure of the goal the user stated", () => {
    const d = howTo(turnOf("怎么弄", { topic: "overdue", slots: { goal: "renew-loan" } }));
    expect(d?.outcome.intent).toBe("renew");
    expect(shownBy(d)).toContain("第 1 步");
  });

  it("shows the step the user is at when the goal is the procedure being walked through", () => {
    const d = howTo(turnOf("怎么弄", { topic: "renew", step: 1, slots: { goal: "renew-loan" } }));
    expect(shownBy(d)).toContain("第 2 步");
  });

  it("passes a question that names a topic, and a how-to with no procedure to point to", () => {
    expect(howTo(turnOf("书可以借多久"))).toBeUndefined();
    expect(howTo(turnOf("怎么弄"))).toBeUndefined();
  });
});
