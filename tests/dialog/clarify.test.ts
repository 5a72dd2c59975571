import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderPlainText } from "../../src/channels/plain-text.js";
import { answerWithRunnerUp } from "../../src/dialog/answer.js";
import { decide, defaultDialogSettings, initialState } from "../../src/dialog/decide.js";
import { loadKnowledgeOrThrow } from "../../src/knowledge/load.js";
import { matchIntent } from "../../src/nlu/match.js";
import { projectKnowledge } from "../helpers/kb.js";
import { conversation, shown } from "./conversation.js";

const projectKnowledgeTitleToId = (title: string): string | undefined =>
  [...projectKnowledge().intents.values()].find((i) => i.title === title)?.id;

describe("clarifying an ambiguous question", () => {
  it("asks which way to close when the question is ambiguous, with both meanings as quick replies", async () => {
    const c = conversation();
    const [o] = await c.play([{ say: "视频号怎么关", kind: "clarify", intent: "close-ambiguous", has: ["发现页", "注销", "0.5", "3-5"] }]);
    expect(o!.replies[0]!.quickReplies).toEqual(["只关闭视频号入口", "彻底注销视频号"]);
  });

  it("asks which way is meant when the ambiguous question is read a little under the threshold, rather than not understanding it", async () => {
    const said = "老铁们 视频号咋关啊 在线等挺急的";
    const m = matchIntent(said, projectKnowledge().index);
    expect(m.candidates[0]?.intentId).toBe("close-ambiguous");
    expect(m.confidence).toBeLessThan(0.45);
    const c = conversation();
    await c.play([{ say: said, kind: "clarify", intent: "close-ambiguous" }, { say: "1", kind: "answer", intent: "close-entry" }]);
  });

  it("gives the options once, as quick replies: the reply text does not list them too", async () => {
    const c = conversation();
    for (const say of ["视频号怎么关", "3", "我是公司的号"]) {
      const o = await c.send(say);
      expect(o.kind).toBe("clarify");
      const reply = o.replies[0]!;
      const listed = (text: string): string[] => text.split("\n").filter((l) => /^\d+\. |^\[\d+\]/.test(l));
      expect(listed(reply.text)).toEqual([]);
      for (const option of reply.quickReplies!) expect(reply.text.split("\n")).not.toContain(option);
      // a channel without buttons numbers them, each once
      expect(listed(renderPlainText(reply))).toEqual(reply.quickReplies!.map((q, i) => `${i + 1}. ${q}`));
    }
  });

  it.each([
    ["1", "close-entry", ["发现页管理", "第 1 步 / 共 5 步"]],
    ["第二个", "deregister", ["账号与安全", "第 1 步 / 共 3 步"]],
    ["2", "deregister", ["微信注销"]],
    ["第一种", "close-entry", ["发现页管理"]],
    ["彻底注销", "deregister", ["微信注销", "32%"]],
    ["只关入口", "close-entry", ["发现页管理", "0.5"]],
    ["后者", "deregister", ["微信注销"]],
  ])("understands the answer %j to the clarification", async (reply, intent, facts) => {
    const c = conversation();
    await c.play([
      { say: "视频号怎么关", kind: "clarify" },
      { say: reply, kind: "answer", intent, has: facts },
    ]);
  });

  it("shows the options again for a number that is not one of them", async () => {
    const c = conversation();
    await c.play([
      { say: "视频号怎么关", kind: "clarify" },
      { say: "3", kind: "clarify", has: ["没有第 3 个", "只关闭视频号入口", "彻底注销视频号"] },
      { say: "2", kind: "answer", intent: "deregister" },
    ]);
  });

  it("picks the option whose quick reply text is sent back", async () => {
    const c = conversation();
    const first = await c.send("咋关视频号啊");
    expect(first.kind).toBe("clarify");
    const second = await c.send(first.replies[0]!.quickReplies![1]!);
    expect(second.intent).toBe("deregister");
  });

  it("lets a fresh question take over from a pending clarification", async () => {
    const c = conversation();
    await c.play([
      { say: "视频号怎么关", kind: "clarify" },
      { say: "粉丝列表会保留吗", kind: "answer", intent: "retention-fans", has: ["立即清除"] },
    ]);
    // the clarification is no longer pending: "1" picks the first quick reply of the last answer
    const last = await c.send("粉丝列表会保留吗");
    const firstTopic = last.replies[0]!.quickReplies![0]!;
    const picked = await c.send("1");
    expect(picked.intent).not.toBe("close-entry");
    expect(picked.kind).toBe("answer");
    expect(picked.intent).toBe(projectKnowledgeTitleToId(firstTopic));
  });

  it("asks which procedure is meant when a how-to names nothing and nothing is in context", async () => {
    const c = conversation();
    await c.play([
      { say: "具体怎么操作", kind: "clarify", has: ["只关闭视频号入口", "彻底注销视频号"] },
      { say: "1", kind: "answer", intent: "close-entry", has: ["第 1 步 / 共 5 步"] },
    ]);
  });

  it("does not ask again once the user said what they want", async () => {
    const c = conversation();
    await c.play([
      { say: "我就是不想在发现页看到它，不想注销", kind: "answer", intent: "close-entry" },
      { say: "视频号怎么关", kind: "answer", intent: "close-entry", has: ["发现页管理"] },
    ]);
    const outcome = await c.send("视频号怎么关");
    expect(shown(outcome)).not.toContain("你想要哪一种");
  });
});

describe("a reply to a clarification", () => {
  it("picks the option it reads closest to, though it reads as the ambiguous question itself too", async () => {
    await conversation().play([
      { say: "微信里那个短视频功能我不打算用了", kind: "clarify" },
      // (close-ambiguous reads it a little better than close-entry: the question just asked is no answer to it)
      { say: "账号留着，只要别在发现页出现就行", kind: "answer", intent: "close-entry" },
    ]);
  });
});

describe("a near tie read clearly", () => {
  it("answers a whole question both close readings understand rather than asking which (只关入口的成功率)", async () => {
    await conversation().play([{ say: "ＷｅＣｈａｔ视频号，只关入口的成功率是多少？？", kind: "answer", has: ["98%"] }]);
  });
});

describe("the entry said beside the best one", () => {
  it("is said briefly: the start of its first reply, under its title, not its whole first reply", () => {
    const kb = projectKnowledge();
    const fans = kb.intents.get("retention-fans")!;
    const deregister = kb.intents.get("deregister")!;
    const alone = shown(decide(initialState(0), { text: "彻底注销视频号", at: 1 }, kb, { ...defaultDialogSettings, feedbackEvery: 0 }).outcome);
    expect(alone).toContain("第 1 步");
    const state = { ...initialState(0), pending: null };
    const both = shown(answerWithRunnerUp(deregister, state, fans, 0.6, kb, { ...defaultDialogSettings, feedbackEvery: 0 }).outcome);
    expect(both).toContain("立即清除");
    expect(both).toContain(`「${deregister.title}」`);
    expect(both).toContain("彻底注销");
    expect(both).not.toContain("第 1 步");
  });
});

describe("clarifying between close candidates", () => {
  const dir = mkdtempSync(join(tmpdir(), "kb-close-"));
  mkdirSync(join(dir, "intents"));
  mkdirSync(join(dir, "knowledge"));
  writeFileSync(join(dir, "knowledge", "lexicon.yaml"), "synonyms:\n  苹果: [苹果, apple]\nstopwords: [怎么, 吗, 的]\n");
  writeFileSync(join(dir, "knowledge", "facts.yaml"), "section: test\nfacts:\n  keep: 苹果放冰箱能保存两周。\n  eat: 苹果洗干净直接吃。\n");
  writeFileSync(
    join(dir, "intents", "apples.yaml"),
    [
      "- id: apple-keep\n  title: 苹果怎么保存\n  answer: [keep]\n  examples: [苹果怎么保存, 苹果放多久]",
      "- id: apple-eat\n  title: 苹果怎么吃\n  answer: [eat]\n  examples: [苹果怎么吃, 苹果生吃吗]",
    ].join("\n"),
  );
  const kb = loadKnowledgeOrThrow({ intentsDir: join(dir, "intents"), knowledgeDir: join(dir, "knowledge") });
  const turn = (text: string, state = initialState(0), clarifyMargin = 0.2) =>
    decide(state, { text, at: 1 }, kb, { threshold: 0.45, clarifyMargin, feedbackEvery: 0 });

  it("answers both when the top two candidates score within the margin: the best, then the other under its title", () => {
    const both = turn("苹果");
    expect(both.outcome.kind).toBe("answer");
    const text = shown(both.outcome);
    expect(text).toContain("两周");
    expect(text).toContain("直接吃");
    const [best, other] = text.includes("「苹果怎么吃」") ? ["两周", "直接吃"] : ["直接吃", "两周"];
    expect(text.indexOf(best)).toBeLessThan(text.indexOf(other));
    // the conversation goes on with the best of the two
    expect(both.state.topic).toBe(best === "两周" ? "apple-keep" : "apple-eat");
  });

  it("still asks which one is meant when the knowledge base says the question has several meanings (a clarify entry)", async () => {
    await conversation().play([{ say: "视频号怎么关", kind: "clarify", intent: "close-ambiguous" }]);
  });

  it("answers the best candidate when the runner-up is clearly behind", () => {
    const only = turn("苹果", initialState(0), 0);
    expect(only.outcome.kind).toBe("answer");
  });
});
