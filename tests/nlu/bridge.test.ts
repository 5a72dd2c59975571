import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { glossLines } from "../../src/cli/dict-build.js";
import { englishBases } from "../../src/nlu/bridge.js";
import { dictionaryGlosses } from "../../src/nlu/dictionary.js";
import { compileLexicon, type GeneralLanguage } from "../../src/nlu/lexicon.js";
import { buildIndex, matchIntent, tokenize, type IndexableIntent } from "../../src/nlu/match.js";

// The dictionary bridge: an English word no glossary lists is read as the knowledge base's own
// word that CC-CEDICT translates it to, and only as a word this knowledge base uses.

// A small library knowledge base whose lexicon and glossary know no English at all.
const lexiconFile = { synonyms: { 注销: ["注销", "销户"], 家庭证: ["家庭证", "家庭借书证"] }, stopwords: ["怎么", "吗", "多少"], entities: {}, frames: [] };
const noEnglish: GeneralLanguage = {
  synonyms: {},
  stopwords: ["how", "do", "i", "my", "a", "the", "is", "what", "s", "can", "for", "much", "per", "day", "it", "when"],
};
const intents: IndexableIntent[] = [
  { id: "renew", type: "faq", title: "怎么续借", examples: ["图书怎么续借", "续借几次"], keywords: [] },
  { id: "deposit", type: "faq", title: "押金多少", examples: ["办证要交多少押金", "押金怎么退"], keywords: [] },
  { id: "overdue", type: "faq", title: "逾期怎么办", examples: ["图书逾期了怎么办", "逾期要交滞纳金吗"], keywords: [] },
  { id: "cancel", type: "faq", title: "注销借书证", examples: ["怎么注销借书证", "借书证可以销户吗"], keywords: [] },
  { id: "reserve", type: "faq", title: "预约图书", examples: ["借出的图书可以预约吗"], keywords: [] },
  { id: "family", type: "faq", title: "家庭证", examples: ["家庭证能借几本", "家庭成员都能用吗"], keywords: [] },
];

function library(general: GeneralLanguage = noEnglish) {
  const { lexicon } = compileLexicon(lexiconFile, general);
  const index = buildIndex(intents, lexicon);
  const read = (s: string): string[] => tokenize(s, lexicon).filter((t) => t.kind !== "stop").map((t) => t.text);
  return { lexicon, index, read };
}

describe("the dictionary bridge", () => {
  const { index, read } = library();

  it("reads an English word no glossary lists as the knowledge base's word it translates to", () => {
    expect(read("overdue")).toEqual(["逾期"]);
    expect(read("deposit")).toEqual(["押金"]);
    expect(read("deregister")).toEqual(["注销"]);
    // "extended borrowing (e.g. library renewal)": a word inside a gloss's brackets, through its base form
    expect(read("renew")).toEqual(["续借"]);
  });

  it("reads inflected forms through their base", () => {
    expect(read("deposits")).toEqual(["押金"]);
    expect(read("renewed")).toEqual(["续借"]);
    expect(read("renewing")).toEqual(["续借"]);
  });

  it("reads a phrase whole before its words, as the tokens the knowledge base reads the word as", () => {
    // 借书证 is a word of the dictionary ("library card") that the knowledge base's segmenter cuts
    expect(read("library card")).toEqual(read("借书证"));
    expect(read("my library card")).toEqual(read("借书证"));
  });

  it("reads a compound the dictionary has no entry for by a gloss of each of its parts (校园卡: campus card)", () => {
    const { lexicon } = compileLexicon({ synonyms: { 校园卡: ["校园卡"] }, stopwords: [], entities: {}, frames: [] }, noEnglish);
    buildIndex([{ id: "card", type: "faq", title: "校园卡丢了怎么办", examples: ["校园卡丢了怎么办", "校园卡怎么充值"], keywords: [] }], lexicon);
    const words = (t: string): string[] => tokenize(t, lexicon).filter((x) => x.kind !== "stop").map((x) => x.text);
    expect(words("my campus card")).toEqual(["校园卡"]);
    expect(words("campus cards")).toEqual(["校园卡"]);
  });

  it("reads two translations that together spell a term of the lexicon as that term", () => {
    // family → 家庭 (of 家庭成员), library card → 借书证: 家庭借书证 is the lexicon's form of 家庭证
    expect(read("a family library card")).toEqual(["家庭证"]);
  });

  it("reads a word after a determiner as a noun, not as the verb the dictionary also gives it", () => {
    // 图书 is "books", 预约 "to book"
    expect(read("a book")).toEqual(["图书"]);
    expect(read("book")).toEqual(expect.arrayContaining(["图书", "预约"]));
  });

  it("leaves a word whose translations the knowledge base does not use unknown", () => {
    expect(tokenize("weather", index.lexicon)).toEqual([{ text: "weather", kind: "latin" }]);
    expect(tokenize("dog", index.lexicon)).toEqual([{ text: "dog", kind: "latin" }]);
  });

  it("answers English questions with the knowledge base's Chinese phrasings", () => {
    expect(matchIntent("how do I renew a book", index).candidates[0]?.intentId).toBe("renew");
    expect(matchIntent("what's the deposit for a library card", index).candidates[0]?.intentId).toBe("deposit");
    expect(matchIntent("my book is overdue, what now", index).candidates[0]?.intentId).toBe("overdue");
    expect(matchIntent("how do I deregister my library card", index).candidates[0]?.intentId).toBe("cancel");
  });

  it("does not make a question out of one translated word that nothing else in the message backs", () => {
    // the knowledge base says 押金 only with words this message does not have
    const lone = matchIntent("deposit lol", index);
    expect(lone.tokens).not.toContain("押金");
    expect(matchIntent("deposit for a library card", index).tokens).toContain("押金");
  });

  it("gives the lexicon and the glossary priority where they name a word the knowledge base uses", () => {
    const general: GeneralLanguage = { ...noEnglish, synonyms: { 借书证: ["deposit"] } };
    const { read: withGlossary } = library(general);
    // the glossary's reading (deliberately odd here) is kept: the knowledge base uses 借书证
    expect(withGlossary("deposit")).toEqual(["借书证"]);
  });

  it("reads a glossary word the knowledge base never uses as the word of it the dictionary gives the same meaning", () => {
    // the glossary reads "late fee" and 罚钱 as 罚款 ("to fine; penalty"); this knowledge base says 滞纳金 ("late fine")
    const general: GeneralLanguage = { ...noEnglish, synonyms: { 罚款: ["late fee", "罚钱"] } };
    const { read: withGlossary } = library(general);
    expect(withGlossary("罚钱")).toEqual(withGlossary("滞纳金"));
    expect(withGlossary("late fee")).toEqual(withGlossary("滞纳金"));
  });

  it("is rebuilt with each index: a knowledge base without the word has no translation for it", () => {
    const { lexicon } = compileLexicon(lexiconFile, noEnglish);
    buildIndex([{ id: "hours", type: "faq", title: "开放时间", examples: ["图书馆几点开门"], keywords: [] }], lexicon);
    expect(tokenize("overdue", lexicon)).toEqual([{ text: "overdue", kind: "latin" }]);
  });
});

describe("English base forms", () => {
  it("undoes inflections, irregular forms and word-making suffixes", () => {
    expect(englishBases("renewed").map((b) => b.base)).toContain("renew");
    expect(englishBases("libraries").map((b) => b.base)).toContain("library");
    expect(englishBases("lost")).toEqual([{ base: "lose", derived: false }]);
    expect(englishBases("renewal")).toContainEqual({ base: "renew", derived: true });
    expect(englishBases("cat")).toEqual([]);
    // (words that end like an inflection but are none)
    expect(englishBases("news").map((b) => b.base)).not.toContain("new");
    expect(englishBases("evening").map((b) => b.base)).not.toContain("even");
    // -ed after e is no past tense: "feed" is not "fee", "need" not "nee"; "closed" is "close"
    expect(englishBases("feed")).toEqual([]);
    expect(englishBases("need")).toEqual([]);
    expect(englishBases("closed").map((b) => b.base)).toContain("close");
  });

  it("meets a word made from another only where a gloss says that other word", () => {
    // 电子 is "electron (particle physics)": physics and physical both come to "physic", but no gloss says physic
    const { lexicon } = compileLexicon(lexiconFile, noEnglish);
    buildIndex([{ id: "e-card", type: "faq", title: "电子证", examples: ["电子证怎么办"], keywords: [] }], lexicon);
    expect(tokenize("physical", lexicon)).toEqual([{ text: "physical", kind: "latin" }]);
    expect(tokenize("electronic", lexicon).map((t) => t.text)).toEqual(["电子"]);
  });
});

describe("the dictionary data", () => {
  it("finds a word's glosses and leaves out words it does not list", () => {
    const found = dictionaryGlosses(["押金", "借书证", "不是一个词吧"]);
    expect(found.get("押金")).toContain("deposit");
    expect(found.get("借书证")).toEqual(["library card"]);
    expect(found.has("不是一个词吧")).toBe(false);
  });

  it("is sorted by the bytes of its words, as the reader's search by halves needs", () => {
    const words = readFileSync(new URL("../../src/nlu/cedict-glosses.tsv", import.meta.url), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => Buffer.from(l.slice(0, l.indexOf("\t"))));
    expect(words.length).toBeGreaterThan(50000);
    for (let i = 1; i < words.length; i++) if (Buffer.compare(words[i - 1]!, words[i]!) >= 0) expect.fail(`line ${i}: ${words[i]} is out of order`);
  });

  it("is generated from CC-CEDICT's entries without proper names, pointers to other entries or pinyin", () => {
    const lines = glossLines([
      ["押金", "押金", "ya1 jin1", ["deposit", "down payment"], [], []],
      ["北京", "北京", "Bei3 jing1", "Beijing", [], []],
      ["鐘", "钟", "zhong1", ["variant of 鍾|钟[zhong1]", "clock", "classifier for enumerated events: time"], [], []],
      ["拜拜", "拜拜", "bai2 bai2", "(loanword) bye-bye (also written 掰掰[bai1 bai1])", [], []],
      ["3D", "3D", "san1 D", "three-dimensional", [], []],
    ]);
    // 押 (e6 8a bc) sorts before 拜 (e6 8b 9c)
    expect(lines).toEqual(["押金\tdeposit/down payment", "拜拜\t(loanword) bye-bye", "钟\tclock/time"]);
  });
});

describe("the object of a verb gloss", () => {
  it("is not read as the verb's meaning (weight is no 减肥 'to lose weight'), unless a light verb carries it", () => {
    const lexiconFile = { synonyms: {}, stopwords: [], entities: {}, frames: [] };
    const { lexicon } = compileLexicon(lexiconFile, { synonyms: {}, stopwords: ["the", "a", "an", "is", "what", "for"] });
    const index = buildIndex(
      [
        { id: "slim", type: "faq", title: "减肥", examples: ["怎么减肥"], keywords: [] },
        { id: "book", type: "faq", title: "预约", examples: ["怎么预约"], keywords: [] },
      ],
      lexicon,
    );
    const read = (s: string) => tokenize(s, index.lexicon).filter((t) => t.kind !== "stop").map((t) => t.text);
    expect(read("weight")).not.toContain("减肥");
    expect(read("appointment")).toContain("预约");
  });
});

describe("a word modifying a noun in a gloss", () => {
  it("is not read as the noun's word (new is no 新年 'New Year', monthly no 月票 'monthly ticket')", () => {
    const { lexicon } = compileLexicon({ synonyms: {}, stopwords: [], entities: {}, frames: [] }, { synonyms: {}, stopwords: ["the", "a", "is", "my"] });
    const index = buildIndex([{ id: "holiday", type: "faq", title: "新年营业", examples: ["新年营业吗", "月票多少钱"], keywords: [] }], lexicon);
    expect(tokenize("my new card", index.lexicon).map((t) => t.text)).not.toContain("新年");
    expect(tokenize("monthly", index.lexicon).map((t) => t.text)).not.toContain("月票");
  });
});
