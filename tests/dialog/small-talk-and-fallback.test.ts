import { describe, expect, it } from "vitest";
import type { createMemoryStore } from "../../src/store/memory.js";
import { conversation, shown } from "./conversation.js";

describe("small talk", () => {
  it.each([
    ["你好", "greeting"],
    ["谢谢", "thanks"],
    ["拜拜", "goodbye"],
    ["你是谁", "who-are-you"],
    ["你能做什么", "capabilities"],
  ])("answers %s briefly, as its own intent, saying what the bot helps with", async (say, intent) => {
    const c = conversation();
    const [o] = await c.play([{ say, kind: "answer", intent, has: [/视频号/] }]);
    expect(o!.replies[0]!.text.length).toBeLessThan(160);
  });
});

describe("acknowledgments", () => {
  it("takes 好的 / 嗯 / ok after an answer as an acknowledgment, never climbing the fallback ladder", async () => {
    const c = conversation();
    await c.play([
      { say: "粉丝会保留吗", kind: "answer" },
      { say: "好的", kind: "answer", intent: null, has: ["直接问我就行"] },
      { say: "嗯", kind: "answer", intent: null, has: ["直接问我就行"] },
      { say: "ok", kind: "answer", intent: null, has: ["直接问我就行"] },
    ]);
    expect((c.store as ReturnType<typeof createMemoryStore>).handoffs).toEqual([]);
  });

  it("takes 好的 while walking through the steps as going on to the next one", async () => {
    const c = conversation();
    await c.play([
      { say: "注销视频号", kind: "answer", has: ["第 1 步 / 共 3 步"] },
      { say: "好的", kind: "answer", has: ["第 2 步 / 共 3 步"] },
      { say: "嗯", kind: "answer", has: ["第 3 步 / 共 3 步"] },
    ]);
  });
});

describe("the fallback ladder", () => {
  it("says it did not understand and suggests three topics on a first miss", async () => {
    const c = conversation();
    const [o] = await c.play([{ say: "asdfqwer", kind: "fallback", intent: null, has: ["转人工"] }]);
    expect(o!.replies[0]!.quickReplies).toHaveLength(3);
  });

  it("suggests the nearest topics when there are near ones, and the usual topics when nothing is near", async () => {
    const c = conversation();
    const near = await c.send("小红书账号怎么注销");
    expect(near.kind).toBe("fallback");
    const far = await conversation().send("今天天气怎么样");
    expect(far.kind).toBe("fallback");
    const usual = far.replies[0]!.quickReplies!;
    expect(usual).toHaveLength(3);
    // nothing about other platforms is offered for a question about the weather
    expect(usual.join(" ")).not.toMatch(/抖音|小红书|B站/);
  });

  it("picks a suggested topic by its number", async () => {
    const c = conversation();
    const miss = await c.send("今天股票涨了吗");
    expect(miss.kind).toBe("fallback");
    const second = miss.replies[0]!.quickReplies![1]!;
    const picked = await c.send("2");
    expect(picked.kind).not.toBe("fallback");
    expect(shown(picked)).not.toBe("");
    expect(second.length).toBeGreaterThan(0);
  });

  it("offers a human on the second miss in a row, and hands off when accepted", async () => {
    const c = conversation();
    await c.play([
      { say: "asdfqwer", kind: "fallback" },
      { say: "zxcvbnm啊啊", kind: "fallback", has: ["人工"] },
      { say: "好的", kind: "handoff", has: ["人工"] },
    ]);
    expect((c.store as ReturnType<typeof createMemoryStore>).handoffs).toEqual([
      expect.objectContaining({ conversationId: c.id, reason: "repeated-misses" }),
    ]);
  });

  it("starts the ladder again after an understood question", async () => {
    const c = conversation();
    await c.play([
      { say: "asdfqwer", kind: "fallback" },
      { say: "粉丝会保留吗", kind: "answer" },
      { say: "qwerty", kind: "fallback", lacks: ["要不要转人工"] },
    ]);
  });

  it.each(["转人工", "人工客服", "找客服", "我要投诉"])("hands off on %s at any time and records the request", async (say) => {
    const c = conversation();
    await c.play([
      { say: "注销视频号", kind: "answer" },
      { say: "下一步", kind: "answer" },
      { say, kind: "handoff", intent: "human", has: [/人工|客服/] },
      { say: "在吗？", kind: "human" },
    ]);
    expect((c.store as ReturnType<typeof createMemoryStore>).handoffs).toEqual([
      expect.objectContaining({ conversationId: c.id, reason: "asked" }),
    ]);
  });

  it.each([
    "Is there an actual person I could speak to?",
    "Please put me through to your support team.",
    // a request for a person asks with no question word, after a complaint that does (嘛)
    "这机器人说半天也说不明白嘛我要你们店里的人工跟我讲",
    // an operator, a switchboard's person, is a person too
    "麻烦给我找个话务员",
  ])("hands off on a request for a person worded without 转人工: %s", async (say) => {
    await conversation().play([{ say, kind: "handoff", intent: "human" }]);
  });

  it("hands off even while a clarification is pending", async () => {
    const c = conversation();
    await c.play([
      { say: "视频号怎么关", kind: "clarify" },
      { say: "转人工", kind: "handoff" },
    ]);
  });

  it("stays silent while a human has the conversation, and answers again after 取消人工", async () => {
    const c = conversation();
    const turns = await c.play([
      { say: "转人工", kind: "handoff" },
      { say: "视频号怎么关", kind: "human" },
      { say: "取消人工", kind: "answer" },
      { say: "视频号怎么关", kind: "clarify" },
    ]);
    expect(turns[1]!.replies).toEqual([]);
  });
});

describe("asking who the bot is", () => {
  it("is asked in its own words, not by a word a question about something else has (改视频号的名字)", async () => {
    await conversation().play([{ say: "你叫什么名字", kind: "answer", intent: "who-are-you" }]);
    const renamed = await conversation().send("怎么改视频号的名字");
    expect(renamed.intent).not.toBe("who-are-you");
  });
});
