import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decide, initialState } from "../../src/dialog/decide.js";
import { loadKnowledgeOrThrow } from "../../src/knowledge/load.js";
import { conversation } from "./conversation.js";

/** Lines of the first reply's text. */
const linesOf = (text: string): string[] => text.split("\n");

describe("a fact that disagrees with the table beside it", () => {
  it.each(["互动数据保留多久", "评论还在吗", "点赞会保留吗"])("answers %s with the table's figure and states the other once, as a note", async (say) => {
    const c = conversation();
    const [o] = await c.play([{ say, kind: "answer", intent: "retention-interactions" }]);
    const lines = linesOf(o!.replies[0]!.text);
    expect(lines[0]).toMatch(/互动数据.*7天/);
    const notes = lines.filter((l) => l.startsWith("注："));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/30 天.*以表格为准/);
    // the conflicting figure is not also given as an answer of its own
    expect(lines.filter((l) => /30 ?天/.test(l))).toEqual(notes);
  });

  it("notes the conflict once in the overview of all kinds of data, after the table (at once or on 更多)", async () => {
    const c = conversation();
    const [o] = await c.play([{ say: "关闭后数据保留多久", kind: "answer", intent: "retention-overview" }]);
    const rest = o!.replies[0]!.quickReplies?.includes("更多") ? await c.send("更多") : undefined;
    const lines = [...linesOf(o!.replies[0]!.text), ...(rest ? linesOf(rest.replies[0]!.text) : [])];
    expect(lines.filter((l) => l.startsWith("注："))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^注：.*互动数据.*7天/);
  });

  it("leaves a fact that agrees with the table as it is (videos: 30 天 in both)", async () => {
    const c = conversation();
    const [o] = await c.play([{ say: "视频保留多久", kind: "answer", intent: "retention-video" }]);
    expect(o!.replies[0]!.text).not.toContain("注：");
  });

  it("works for any knowledge base: the table cell wins and a figure within a range agrees", () => {
    const dir = mkdtempSync(join(tmpdir(), "kb-conflict-"));
    mkdirSync(join(dir, "intents"));
    mkdirSync(join(dir, "knowledge"));
    writeFileSync(join(dir, "knowledge", "lexicon.yaml"), "synonyms:\n  保存: [保存, 放多久]\nstopwords: [怎么, 吗, 的, 能]\n");
    writeFileSync(
      join(dir, "knowledge", "fruit.yaml"),
      [
        "section: test",
        "facts:",
        "  fridge: 水果放冰箱一般能保存 14 天。",
        "  bananas: 香蕉常温能保存 3-5 天。",
        "tables:",
        "  keeping:",
        "    title: 水果保存",
        "    key: 水果",
        "    columns:",
        "      days: { name: 保存时间, aliases: [保存] }",
        "    rows:",
        "      apple: { name: 苹果, aliases: [水果], days: 30天 }",
        "      banana: { name: 香蕉, days: 4天 }",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "intents", "fruit.yaml"),
      [
        "- id: apple-keep\n  title: 苹果能放多久\n  answer: [keeping.apple, fridge]\n  examples: [苹果能放多久, 苹果保存多久]",
        "- id: banana-keep\n  title: 香蕉能放多久\n  answer: [keeping.banana, bananas]\n  examples: [香蕉能放多久, 香蕉保存多久]",
      ].join("\n"),
    );
    const kb = loadKnowledgeOrThrow({ intentsDir: join(dir, "intents"), knowledgeDir: join(dir, "knowledge") });
    const say = (text: string) => decide(initialState(0), { text, at: 1 }, kb, { threshold: 0.45, clarifyMargin: 0.02, feedbackEvery: 0 });
    const apple = linesOf(say("苹果能放多久").outcome.replies[0]!.text);
    expect(apple[0]).toContain("30天");
    expect(apple).toHaveLength(2);
    expect(apple[1]).toMatch(/^注：.*14 天.*以表格为准/);
    const banana = linesOf(say("香蕉能放多久").outcome.replies[0]!.text);
    expect(banana).toEqual([expect.stringContaining("4天"), "香蕉常温能保存 3-5 天。"]);
  });
});
