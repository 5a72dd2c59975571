import { describe, expect, it } from "vitest";
import { decline } from "../../../src/dialog/handlers/decline.js";
import { turnOf } from "./turns.js";

describe("the decline handler", () => {
  it("answers a plain no politely, not as a miss, and remembers it was a no", () => {
    const d = decline(turnOf("不用了", { misses: 1 }));
    expect(d?.outcome).toMatchObject({ kind: "answer", intent: null, replies: [{ text: "好的。还有其他问题，随时直接问我。" }] });
    expect(d?.state).toMatchObject({ misses: 0, pending: { kind: "declined" } });
  });

  it("passes anything that is not a no", () => {
    expect(decline(turnOf("书可以借多久"))).toBeUndefined();
  });
});
