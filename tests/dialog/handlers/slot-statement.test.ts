import { describe, expect, it } from "vitest";
import { slotStatement } from "../../../src/dialog/handlers/slot-statement.js";
import { turnOf } from "./turns.js";

describe("the slot-statement handler", () => {
  it("notes a value stated on its own, which is all it asked", () => {
    const d = slotStatement(turnOf("我是教师", { misses: 1 }));
    expect(d?.outcome).toMatchObject({ kind: "answer", intent: null });
    expect(d?.state).toMatchObject({ misses: 0, slots: { reader: "teacher" } });
  });

  it("passes a question that is understood, and words that state no value", () => {
    expect(slotStatement(turnOf("书可以借多久"))).toBeUndefined();
    expect(slotStatement(turnOf("qwerty"))).toBeUndefined();
  });
});
