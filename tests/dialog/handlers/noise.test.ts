import { describe, expect, it } from "vitest";
import { noise } from "../../../src/dialog/handlers/noise.js";
import { respond } from "../../../src/dialog/responses.js";
import { libraryKnowledge, shownBy, turnOf } from "./turns.js";

describe("the noise handler", () => {
  it("counts an empty message as a miss and asks for text", () => {
    const d = noise(turnOf(""));
    expect(d?.outcome.kind).toBe("fallback");
    expect(d?.state.misses).toBe(1);
    expect(shownBy(d)).toContain(respond(libraryKnowledge().responses, "fallback.not-text"));
  });

  it("passes a message with words", () => {
    expect(noise(turnOf("书可以借多久"))).toBeUndefined();
  });
});
