import { describe, expect, it } from "vitest";
import type { createMemoryStore } from "../../src/store/memory.js";
import { conversation, shown } from "./conversation.js";

const PROMPT = "这个回答有帮助吗";

describe("feedback on answers", () => {
  it("offers thumbs up/down only every few answers, not every turn", async () => {
    const c = conversation({ settings: { feedbackEvery: 3 } });
    const questions = ["粉丝会保留吗", "视频保留多久", "评论还在吗", "小红书迁移成本高吗", "抖音的优势", "b站适合吗"];
    const prompted: boolean[] = [];
    for (const q of questions) prompted.push(shown(await c.send(q)).includes(PROMPT));
    expect(prompted).toEqual([false, false, true, false, false, true]);
  });

  it("stores the verdict against the intent it was about", async () => {
    const c = conversation({ settings: { feedbackEvery: 1 } });
    const answer = await c.send("注销失败了怎么办");
    const prompt = answer.replies.find((r) => r.text.includes(PROMPT));
    expect(prompt?.quickReplies).toHaveLength(2);
    const thanks = await c.send(prompt!.quickReplies![1]!);
    expect(thanks.kind).toBe("answer");
    expect((c.store as ReturnType<typeof createMemoryStore>).feedback).toEqual([
      expect.objectContaining({ conversationId: c.id, intent: "deregister-failure", helpful: false }),
    ]);
  });

  it("asks once the walk-through is done, never at its first step nor right after its last step", async () => {
    const c = conversation({ settings: { feedbackEvery: 1 } });
    expect(shown(await c.send("关闭视频号入口的步骤"))).not.toContain(PROMPT);
    for (let i = 0; i < 3; i++) expect(shown(await c.send("下一步"))).not.toContain(PROMPT);
    const last = await c.send("下一步");
    expect(shown(last)).toContain("第 5 步 / 共 5 步");
    expect(shown(last)).not.toContain(PROMPT);
    // the last step's own quick replies are the last ones shown
    expect(last.replies.at(-1)!.quickReplies).toContain("上一步");
    const done = await c.send("好了");
    expect(shown(done)).toContain("全部完成");
    expect(shown(done)).not.toContain("第 5 步 / 共 5 步");
    expect(shown(done)).toContain(PROMPT);
    await c.send("👍 有用");
    expect((c.store as ReturnType<typeof createMemoryStore>).feedback).toEqual([
      expect.objectContaining({ intent: "close-entry", helpful: true }),
    ]);
  });

  it.each([1, 2, 3])("never puts the prompt right after the last step (feedback every %i answers)", async (every) => {
    const c = conversation({ settings: { feedbackEvery: every } });
    const lastStep = /第 (\d) 步 \/ 共 \1 步/;
    const script = ["粉丝会保留吗", "视频保留多久", "注销视频号", "下一步", "下一步", "下一步", "上一步", "下一步", "怎么注销视频号", "全部步骤", "2"];
    for (const say of script) {
      const o = await c.send(say);
      const texts = o.replies.map((r) => r.text);
      const at = texts.findIndex((t) => lastStep.test(t) || /^4\. /m.test(t));
      if (at >= 0) expect(texts.slice(at + 1).join("\n"), `after "${say}"`).not.toContain(PROMPT);
    }
  });

  it("does not read a later message as a verdict once the prompt was passed over", async () => {
    const c = conversation({ settings: { feedbackEvery: 1 } });
    await c.send("粉丝会保留吗");
    await c.send("视频保留多久");
    await c.send("下一步呢");
    await c.send("有用");
    const store = c.store as ReturnType<typeof createMemoryStore>;
    expect(store.feedback).toHaveLength(0);
  });
});
