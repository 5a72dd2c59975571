import { describe, it } from "vitest";
import { conversation } from "./conversation.js";

describe("remembering the account type and the goal", () => {
  it("gives what differs for a value from a related topic when the topic itself says nothing of it (注销要多久 → 那企业号呢)", async () => {
    await conversation().play([
      { say: "个人注销视频号大概要几分钟", kind: "answer", has: ["3-5"] },
      { say: "那企业号呢", kind: "answer", has: ["营业执照"] },
    ]);
  });

  it("includes the business-licence requirement in the deregistration answer after 我是企业号", async () => {
    const c = conversation();
    await c.play([
      { say: "我是企业号", kind: "answer" },
      { say: "视频号要怎么注销", kind: "answer", intent: "deregister", has: ["营业执照", "第 1 步 / 共 3 步"] },
    ]);
  });

  it("says a personal account needs no licence after the user said it is personal", async () => {
    const c = conversation();
    await c.play([
      { say: "我是个人号", kind: "answer" },
      { say: "注销视频号", kind: "answer", intent: "deregister", has: [/个人号：.*不需要/], lacks: ["企业号："] },
    ]);
  });

  it("gives the entry steps for 怎么弄 after the user said they only want to hide it", async () => {
    const c = conversation();
    await c.play([
      { say: "我只想把视频号入口藏起来", kind: "answer", intent: "close-entry" },
      { say: "关后数据还在吗", kind: "answer" },
      { say: "怎么弄", kind: "answer", intent: "close-entry", has: ["第 1 步 / 共 5 步"], lacks: ["微信注销，按提示"] },
    ]);
  });

  it("gives the deregistration steps for 怎么弄 after the user chose to deregister", async () => {
    const c = conversation();
    await c.play([
      { say: "视频号怎么关", kind: "clarify" },
      { say: "彻底注销", kind: "answer", intent: "deregister" },
      { say: "粉丝会保留吗", kind: "answer", intent: "retention-fans" },
      { say: "那具体怎么操作", kind: "answer", intent: "deregister", has: ["第 1 步 / 共 3 步"] },
    ]);
  });

  it("answers the ambiguous close question with the stated goal instead of asking again", async () => {
    const c = conversation();
    await c.play([
      { say: "只想隐藏入口，不注销", kind: "answer", intent: "close-entry" },
      { say: "视频号到底怎么关", kind: "answer", intent: "close-entry", has: ["发现页管理"] },
    ]);
  });

  it("forgets the slots when the conversation starts fresh", async () => {
    const c = conversation();
    await c.play([{ say: "我们是公司账号", kind: "answer" }]);
    // more than the idle limit later: a new conversation
    await c.send("注销视频号", c.now() + 31 * 60_000).then((o) => {
      if (o.replies.some((r) => r.text.includes("企业号：企业号注销"))) throw new Error("the account slot survived the idle reset");
    });
  });

  it("remembers the account type given in reply to a clarification and asks again", async () => {
    const c = conversation();
    await c.play([
      { say: "视频号怎么关", kind: "clarify" },
      { say: "我是公司的号", kind: "clarify", has: ["企业号", "只关闭视频号入口", "彻底注销视频号"] },
      { say: "2", kind: "answer", intent: "deregister", has: ["营业执照"] },
    ]);
  });
});
