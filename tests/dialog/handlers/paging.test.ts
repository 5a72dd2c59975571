import { describe, expect, it } from "vitest";
import { paging } from "../../../src/dialog/handlers/paging.js";
import { respond } from "../../../src/dialog/responses.js";
import { libraryKnowledge, shownBy, turnOf } from "./turns.js";

describe("the paging handler", () => {
  it("moves through the procedure in focus: next (or an acknowledgment while walking), previous, repeat", () => {
    const next = paging(turnOf("下一步", { topic: "renew", step: 0 }));
    expect(next?.state.step).toBe(1);
    expect(shownBy(next)).toContain("第 2 步");
    expect(paging(turnOf("好的", { topic: "renew", step: 0 }))?.state.step).toBe(1);
    expect(paging(turnOf("上一步", { topic: "renew", step: 1 }))?.state.step).toBe(0);
    expect(paging(turnOf("重复", { topic: "renew", step: 1 }))?.state.step).toBe(1);
  });

  it("says the walk-through is over after its last step", () => {
    const d = paging(turnOf("下一步", { topic: "renew", step: 1 }));
    expect(shownBy(d)).toContain(respond(libraryKnowledge().responses, "steps.finished", { count: 2 }));
  });

  it("resumes the procedure of the stated goal after a side question", () => {
    const d = paging(turnOf("全部步骤", { topic: "overdue", slots: { goal: "renew-loan" } }));
    expect(d?.state).toMatchObject({ topic: "renew", step: 1 });
    expect(d?.outcome.intent).toBe("renew");
  });

  it("offers the procedures when none is in context", () => {
    const d = paging(turnOf("下一步", { topic: "overdue" }));
    expect(d?.outcome.kind).toBe("fallback");
    expect(d?.state.pending).toEqual({ kind: "menu", options: ["renew"] });
  });

  it("passes what is no paging, and an acknowledgment when not walking through steps", () => {
    expect(paging(turnOf("书可以借多久", { topic: "renew" }))).toBeUndefined();
    expect(paging(turnOf("好的", { topic: "overdue" }))).toBeUndefined();
  });
});
