import { describe, expect, it } from "vitest";
import { segment } from "../../src/nlu/segment.js";
import { tokenize } from "../../src/nlu/match.js";
import { projectKnowledge } from "../helpers/kb.js";

const lex = () => projectKnowledge().lexicon;
const texts = (s: string) => tokenize(s, lex()).map((t) => t.text);

describe("segment", () => {
  it("reads synonyms and abbreviations as the canonical term", () => {
    expect(texts("sph怎么删号")).toEqual(expect.arrayContaining(["视频号", "注销"]));
    expect(texts("zx sph 在哪")).toEqual(expect.arrayContaining(["注销", "视频号"]));
    // another app's abbreviation is that app (a question about it is turned away)
    expect(texts("wb zx咋弄")).toContain("微博");
    expect(texts("ks号咋注销")).toContain("快手");
    expect(texts("去b占发的话迁移成本咋样")).toContain("b站");
    expect(texts("b栈主要是啥类型的")).toContain("b站");
    // 就好了 is no step done: the next step is asked with words of its own
    expect(texts("直接按就好了吗")).not.toContain("下一步");
    expect(texts("gzh要先解除绑定吗")).toEqual(expect.arrayContaining(["公众号", "解绑"]));
  });

  it("prefers the longest lexicon term", () => {
    const tokens = segment("账号与安全在哪", lex());
    expect(tokens[0]).toEqual({ text: "账号与安全", kind: "term" });
  });

  it("reads a doubled verb as itself, not the second of it as the start of a typo (讲讲看 is not 讲 | 健康)", () => {
    expect(texts("你帮我讲讲看要点到哪里去关")).not.toContain("医疗");
    // Wu 啥西 is 什么, a function word
    expect(segment("要弄啥西伐", lex()).find((t) => t.text === "什么")?.kind).toBe("stop");
  });

  it("catches homophone typos by their sound", () => {
    expect(texts("视屏号怎么注消")).toEqual(expect.arrayContaining(["视频号", "注销"]));
    // a typo of a term of three characters may end in a function word's character (号 typed 好)
    expect(texts("公众好打开率会降多少")).toEqual(expect.arrayContaining(["公众号"]));
  });

  it("understands typed pinyin", () => {
    expect(texts("shipinhao zenme guan")).toEqual(expect.arrayContaining(["视频号", "关闭"]));
  });

  it("reads pinyin typed a syllable at a time as one word, but never an English phrase", () => {
    expect(texts("shipinhao zen me guan")).toEqual(["视频号", "怎么", "关闭"]);
    expect(texts("zhuxiao sph yao duo jiu")).toEqual(["注销", "视频号", "耗时"]);
    expect(texts("you can do it")).toEqual(["you", "can", "do", "it"]);
  });

  it("reads an English word of two syllables as English, not as the pinyin it could spell", () => {
    // mode spells 莫得 (没有), a general word of chat
    expect(texts("is there a dormant mode")).toContain("mode");
    expect(texts("is there a dormant mode")).not.toContain("没有");
  });

  it("reads an English inflection by its own base (rides is ride, not rid), and an adverb by its adjective", () => {
    expect(texts("how many rides are included")).not.toContain("删除");
    expect(texts("how many boxes")).toEqual(texts("how many box"));
    expect(texts("did it go through successfully")).toEqual(texts("did it go through successful"));
  });

  it("reads how as steps only when it asks how to do something, not how much or how well", () => {
    expect(texts("how do we close it")).toContain("步骤");
    expect(texts("how does it work")).toContain("步骤");
    expect(texts("how painful is it to move")).not.toContain("步骤");
    expect(texts("how well does it work with wechat")).not.toContain("成功");
    // to call something is to name it, not to phone
    expect(texts("what do people call accounts like that")).not.toContain("手机号");
  });

  it("reads one syllable typed alone as a function word rather than a term's character", () => {
    // yao is 要 or 幺 (function words) before 药 (a character of a term of the general glossary)
    expect(segment("yao", lex())[0]?.kind).toBe("stop");
  });

  it("reads English words of the lexicon in a Chinese sentence", () => {
    expect(texts("sph怎么close")).toEqual(expect.arrayContaining(["视频号", "关闭"]));
  });

  it("marks question frames as stopwords and keeps figures as numbers", () => {
    const tokens = segment("怎么关 32%", lex());
    expect(tokens.find((t) => t.text === "怎么")?.kind).toBe("stop");
    expect(tokens.some((t) => t.kind === "number")).toBe(true);
  });

  it("segments words the lexicon does not know with the dictionary", () => {
    const tokens = segment("今天天气怎么样", lex());
    expect(tokens.map((t) => t.text).join("")).toBe("今天天气怎么样");
    expect(tokens.some((t) => t.kind === "word")).toBe(true);
  });
});
