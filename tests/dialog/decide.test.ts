import { describe, expect, it } from "vitest";
import { decide, initialState } from "../../src/dialog/decide.js";
import { projectKnowledge } from "../helpers/kb.js";

const kb = projectKnowledge();
const settings = { threshold: 0.45, clarifyMargin: 0.02, feedbackEvery: 2 };

describe("decide()", () => {
  it("is pure: it never changes the state it is given and gives the same decision for the same input", () => {
    let state = initialState(0);
    for (const [i, text] of ["我是企业号", "视频号怎么关", "2", "下一步", "粉丝呢", "下一步", "👍 有用", "转人工"].entries()) {
      const frozen = structuredClone(state);
      const a = decide(state, { text, at: i + 1 }, kb, settings);
      const b = decide(state, { text, at: i + 1 }, kb, settings);
      expect(state, `"${text}" changed its input`).toEqual(frozen);
      expect(b).toEqual(a);
      state = a.state;
    }
    expect(state.mode).toBe("human");
  });

  it("takes the time from the message, not from a clock", () => {
    const d = decide(initialState(0), { text: "粉丝会保留吗", at: 12345 }, kb, settings);
    expect(d.state.updatedAt).toBe(12345);
  });

  it("reports what to record: a handoff request and a feedback verdict", () => {
    const asked = decide(initialState(0), { text: "人工客服", at: 1 }, kb, settings);
    expect(asked.handoff).toEqual({ reason: "asked" });
    let s = decide(initialState(0), { text: "粉丝会保留吗", at: 1 }, kb, settings).state;
    s = decide(s, { text: "视频保留多久", at: 2 }, kb, settings).state;
    expect(s.feedbackFor).toBe("retention-video");
    expect(decide(s, { text: "👎", at: 3 }, kb, settings).feedback).toEqual({ intent: "retention-video", helpful: false });
  });
});
