import { describe, expect, it } from "vitest";
import { feedback } from "../../../src/dialog/handlers/feedback.js";
import { respond } from "../../../src/dialog/responses.js";
import { libraryKnowledge, turnOf } from "./turns.js";

const r = (key: Parameters<typeof respond>[1]) => respond(libraryKnowledge().responses, key);

describe("the feedback handler", () => {
  it("thanks a thumbs up and reports it, forgetting the prompt", () => {
    const d = feedback(turnOf("👍", { feedbackFor: "loan-period" }));
    expect(d?.feedback).toEqual({ intent: "loan-period", helpful: true });
    expect(d?.outcome.replies).toEqual([{ text: r("feedback.thanks") }]);
    expect(d?.state.feedbackFor).toBeNull();
  });

  it("offers a human after a thumbs down, waiting on that offer for its reason", () => {
    const d = feedback(turnOf(r("feedback.unhelpful"), { feedbackFor: "renew" }));
    expect(d?.feedback).toEqual({ intent: "renew", helpful: false });
    expect(d?.outcome.replies[0]?.quickReplies).toEqual([r("handoff.choice")]);
    expect(d?.state.pending).toEqual({ kind: "human-offer", reason: "negative-feedback", topics: [] });
  });

  it("only apologises after a thumbs down where no human can be reached", () => {
    const d = feedback(turnOf("没用", { feedbackFor: "renew" }, { settings: { humans: false } }));
    expect(d?.outcome.replies).toEqual([{ text: r("feedback.sorry") }]);
    expect(d?.state.pending).toBeNull();
  });

  it("passes on anything else, and drops the prompt left unanswered", () => {
    const t = turnOf("书可以借多久", { feedbackFor: "renew" });
    expect(feedback(t)).toBeUndefined();
    expect(t.state.feedbackFor).toBeNull();
    expect(feedback(turnOf("👍"))).toBeUndefined();
  });
});
