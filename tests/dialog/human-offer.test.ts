import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/memory.js";
import { conversation, shown } from "./conversation.js";

/** A conversation whose store's recorded handoffs can be read. */
function withStore(settings: { feedbackEvery?: number } = {}) {
  const store = createMemoryStore();
  return { c: conversation({ store, settings }), handoffs: () => store.handoffs };
}

/** Two misses in a row: the bot offers a human. */
async function offered(c: ReturnType<typeof conversation>): Promise<void> {
  await c.play([
    { say: "asdfqwer", kind: "fallback" },
    { say: "zxcvbnm啊啊", kind: "fallback", has: ["要不要转人工"] },
  ]);
}

/** A thumbs-down on an answer: the bot offers a human. */
async function thumbsDown(c: ReturnType<typeof conversation>): Promise<void> {
  const answer = await c.send("粉丝会保留吗");
  expect(shown(answer)).toContain("这个回答有帮助吗");
  await c.play([{ say: "👎 没用", kind: "answer", has: ["要不要转人工"] }]);
}

describe("the offer of a human after repeated misses", () => {
  it.each(["不需要", "不用", "不用了", "算了", "不用了谢谢", "no", "不要了"])("takes %s as a polite no: no ticket", async (say) => {
    const { c, handoffs } = withStore();
    await offered(c);
    await c.play([{ say, kind: "answer", intent: null, has: ["不转人工"], lacks: ["排队", "转接"] }]);
    expect(handoffs()).toEqual([]);
    // the conversation goes on with the bot
    await c.play([{ say: "粉丝会保留吗", kind: "answer", intent: "retention-fans" }]);
  });

  it.each(["asdfgh", "???", "😀", "<p></p>"])("reads an unrelated third message (%s) as a new message, not as a yes", async (say) => {
    const { c, handoffs } = withStore();
    await offered(c);
    const [o] = await c.play([{ say, kind: "fallback", lacks: ["排队"] }]);
    expect(o!.kind).not.toBe("handoff");
    expect(handoffs()).toEqual([]);
  });

  it("takes 好的 after the polite no as an acknowledgment, not as a miss", async () => {
    const { c, handoffs } = withStore();
    await offered(c);
    await c.play([
      { say: "不需要", kind: "answer", intent: null, has: ["不转人工"] },
      { say: "好的", kind: "answer", intent: null, has: ["直接问我就行"] },
    ]);
    expect(handoffs()).toEqual([]);
  });

  it("answers a question asked instead of replying to the offer", async () => {
    const { c, handoffs } = withStore();
    await offered(c);
    await c.play([{ say: "粉丝会保留吗", kind: "answer", intent: "retention-fans" }]);
    expect(handoffs()).toEqual([]);
  });

  it.each(["好的", "1", "转人工", "要"])("opens a ticket on %s, always for the same reason", async (say) => {
    const { c, handoffs } = withStore();
    await offered(c);
    await c.play([{ say, kind: "handoff", has: ["人工"] }]);
    expect(handoffs()).toEqual([expect.objectContaining({ reason: "repeated-misses" })]);
  });
});

describe("the offer of a human after a thumbs-down", () => {
  it.each(["不需要", "不用了", "算了"])("takes %s as a polite no: no ticket", async (say) => {
    const { c, handoffs } = withStore({ feedbackEvery: 1 });
    await thumbsDown(c);
    await c.play([{ say, kind: "answer", intent: null, has: ["不转人工"], lacks: ["排队"] }]);
    expect(handoffs()).toEqual([]);
  });

  it.each(["好的", "1", "转人工"])("opens a ticket on %s, always for the same reason", async (say) => {
    const { c, handoffs } = withStore({ feedbackEvery: 1 });
    await thumbsDown(c);
    await c.play([{ say, kind: "handoff" }]);
    expect(handoffs()).toEqual([expect.objectContaining({ reason: "negative-feedback" })]);
  });
});

describe("a no with nothing asked", () => {
  it.each(["不用", "不用了", "不需要", "算了"])("does not read %s as a question of the knowledge base", async (say) => {
    const { c, handoffs } = withStore();
    await c.play([
      { say: "粉丝会保留吗", kind: "answer" },
      { say, kind: "answer", intent: null, has: ["随时直接问我"], lacks: ["抖音", "小红书", "原因"] },
    ]);
    expect(handoffs()).toEqual([]);
  });
});

describe("a channel with no human agents (the terminal chat)", () => {
  it("says plainly that no human is available, opens no ticket, and keeps answering", async () => {
    const store = createMemoryStore();
    const c = conversation({ store, settings: { humans: false, feedbackEvery: 1 } });
    await c.play([
      { say: "转人工", kind: "fallback", intent: "human", has: ["没有人工客服"], lacks: ["排队"] },
      { say: "粉丝会保留吗", kind: "answer", intent: "retention-fans" },
      { say: "👎 没用", kind: "answer", lacks: ["要不要转人工"] },
      { say: "asdfqwer", kind: "fallback", lacks: ["转人工"] },
      { say: "zxcvbnm啊啊", kind: "fallback", lacks: ["转人工"] },
      { say: "好的", kind: "answer" },
    ]);
    expect(store.handoffs).toEqual([]);
  });
});
