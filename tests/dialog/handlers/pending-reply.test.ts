import { describe, expect, it } from "vitest";
import { pendingReply } from "../../../src/dialog/handlers/pending-reply.js";
import { respond } from "../../../src/dialog/responses.js";
import type { Pending } from "../../../src/types.js";
import { libraryKnowledge, shownBy, turnOf } from "./turns.js";

const r = (key: Parameters<typeof respond>[1]) => respond(libraryKnowledge().responses, key);
const clarification: Pending = { kind: "clarification", options: ["loan-period", "renew"] };
const offer: Pending = { kind: "human-offer", reason: "repeated-misses", topics: ["overdue"] };

describe("the pending-reply handler", () => {
  it("takes the offer of a human on a yes, a request or its number, for the reason it was made", () => {
    for (const text of ["好的", "找馆员", "1"]) {
      const d = pendingReply(turnOf(text, { pending: offer }));
      expect(d?.outcome.kind, text).toBe("handoff");
      expect(d?.handoff, text).toEqual({ reason: "repeated-misses" });
    }
    expect(pendingReply(turnOf("好的", { pending: { ...offer, reason: "negative-feedback" } }))?.handoff).toEqual({ reason: "negative-feedback" });
  });

  it("declines the offer on a no, and picks a topic listed after the human by its number", () => {
    const no = pendingReply(turnOf("不用", { pending: offer }));
    expect(no?.outcome).toMatchObject({ kind: "answer", intent: null, replies: [{ text: "好的，那就不转人工了。有问题可以换个说法直接问我。" }] });
    expect(no?.state.pending).toEqual({ kind: "declined" });
    expect(pendingReply(turnOf("2", { pending: offer }))?.outcome.intent).toBe("overdue");
  });

  it("picks a clarification's option by number, first/last, title or a few words", () => {
    expect(pendingReply(turnOf("2", { pending: clarification }))?.outcome.intent).toBe("renew");
    expect(pendingReply(turnOf("前者", { pending: clarification }))?.outcome.intent).toBe("loan-period");
    expect(pendingReply(turnOf("怎么续借", { pending: clarification }))?.outcome.intent).toBe("renew");
    expect(pendingReply(turnOf("续借", { pending: clarification }))?.outcome.intent).toBe("renew");
  });

  it("shows the options again for a number that is none of them", () => {
    const d = pendingReply(turnOf("3", { pending: clarification }));
    expect(d?.outcome.kind).toBe("clarify");
    expect(shownBy(d)).toContain(r("clarify.which-one"));
    expect(d?.state.pending).toEqual(clarification);
  });

  it("notes a slot value stated in reply to a clarification and asks again", () => {
    const d = pendingReply(turnOf("我是教师", { pending: clarification }));
    expect(d?.outcome.kind).toBe("clarify");
    expect(d?.state.slots).toMatchObject({ reader: "teacher" });
  });

  it("picks a menu's topic by number or title only, and consumes the question when passing", () => {
    const menu: Pending = { kind: "menu", options: ["loan-period", "overdue"] };
    expect(pendingReply(turnOf("逾期罚款", { pending: menu }))?.outcome.intent).toBe("overdue");
    const t = turnOf("续借", { pending: menu });
    expect(pendingReply(t)).toBeUndefined();
    expect(t.state.pending).toBeNull();
    expect(pendingReply(turnOf("好的", { pending: { kind: "declined" } }))).toBeUndefined();
  });
});
