import { describe, expect, it } from "vitest";
import { followUp } from "../../../src/dialog/handlers/follow-up.js";
import { shownBy, turnOf } from "./turns.js";

describe("the follow-up handler", () => {
  it("answers the topic in focus again for the slot value a short follow-up names, and remembers it", () => {
    const d = followUp(turnOf("教师呢", { topic: "loan-period" }));
    expect(d?.outcome).toMatchObject({ kind: "answer", intent: "loan-period" });
    expect(shownBy(d)).toContain("60 天");
    expect(d?.state.slots).toMatchObject({ reader: "teacher" });
  });

  it("passes without a topic in focus", () => {
    expect(followUp(turnOf("教师呢"))).toBeUndefined();
  });
});
