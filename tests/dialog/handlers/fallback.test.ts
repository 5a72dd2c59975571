import { describe, expect, it } from "vitest";
import { fallback } from "../../../src/dialog/handlers/fallback.js";
import { respond } from "../../../src/dialog/responses.js";
import { libraryKnowledge, turnOf } from "./turns.js";

describe("the fallback handler", () => {
  it("says it did not understand, with the usual topics as a menu", () => {
    const d = fallback(turnOf("qwerty"));
    expect(d.outcome.kind).toBe("fallback");
    expect(d.state.misses).toBe(1);
    expect(d.state.pending).toMatchObject({ kind: "menu" });
  });

  it("offers a human first from the second miss in a row, waiting on that offer", () => {
    const d = fallback(turnOf("qwerty", { misses: 1 }));
    expect(d.outcome.replies[0]?.quickReplies?.[0]).toBe(respond(libraryKnowledge().responses, "handoff.choice"));
    expect(d.state.pending).toMatchObject({ kind: "human-offer", reason: "repeated-misses" });
  });

  it("offers no human where none can be reached", () => {
    const d = fallback(turnOf("qwerty", { misses: 1 }, { settings: { humans: false } }));
    expect(d.state.pending).toMatchObject({ kind: "menu" });
  });
});
