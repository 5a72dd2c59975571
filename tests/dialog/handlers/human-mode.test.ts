import { describe, expect, it } from "vitest";
import { humanMode } from "../../../src/dialog/handlers/human-mode.js";
import { respond } from "../../../src/dialog/responses.js";
import { libraryKnowledge, turnOf } from "./turns.js";

describe("the human-mode handler", () => {
  it("stays silent while a human agent has the conversation", () => {
    const d = humanMode(turnOf("书可以借多久", { mode: "human" }));
    expect(d?.outcome).toEqual({ kind: "human", intent: null, confidence: 1, replies: [] });
    expect(d?.state.mode).toBe("human");
  });

  it("gives the conversation back to the bot when the user leaves the queue", () => {
    const d = humanMode(turnOf("取消人工", { mode: "human", misses: 2 }));
    expect(d?.outcome.replies[0]?.text).toBe(respond(libraryKnowledge().responses, "handoff.cancelled"));
    expect(d?.state).toMatchObject({ mode: "bot", misses: 0 });
  });

  it("passes in bot mode, and on a channel without agents even for a state left in human mode", () => {
    expect(humanMode(turnOf("取消人工"))).toBeUndefined();
    expect(humanMode(turnOf("书可以借多久", { mode: "human" }, { settings: { humans: false } }))).toBeUndefined();
  });
});
