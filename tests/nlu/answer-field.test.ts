import { describe, expect, it } from "vitest";
import { compileLexicon, generalLanguage } from "../../src/nlu/lexicon.js";
import { buildIndex, matchIntent, splitRunOns, tokenize, type IndexableIntent } from "../../src/nlu/match.js";
import { projectKnowledge } from "../helpers/kb.js";

// What an intent answers with is a retrieval field of its own: a question nobody phrased yet finds
// the paragraph that says its words. And sound-alike typos never replace a real word.

const lexiconFile = {
  synonyms: { 套餐: ["套餐"], 新号: ["新号"], 手机号: ["手机号"], 燃气: ["燃气"], 导出: ["导出"], 后生: ["后生"], 怎么办: ["怎么办"], 携号转网: ["携号转网", "转网"], 反馈: ["反馈", "意见"], 二维码: ["二维码"] },
  stopwords: ["怎么", "吗", "什么"],
  entities: {},
  frames: [],
};

const intents: IndexableIntent[] = [
  {
    id: "change-plan",
    type: "faq",
    title: "改套餐",
    examples: ["怎么改套餐", "套餐能改吗"],
    keywords: [],
    answerTexts: ["套餐每月可以变更1次。升档可以选择立即生效；降档一律次月1日生效。"],
  },
  { id: "new-number", type: "faq", title: "办新号", examples: ["怎么办新号", "新号要带什么"], keywords: [], answerTexts: ["带身份证到营业厅办理新号。"] },
  { id: "tiers", type: "faq", title: "阶梯气价", examples: ["阶梯气价多少", "燃气阶梯怎么算", "通话记录能导出来吗"], keywords: [], answerTexts: ["燃气按阶梯计价。"] },
  { id: "porting", type: "faq", title: "携号转网", examples: ["怎么携号转网", "转网要多久"], keywords: [], answerTexts: ["转网一般1天完成，期间信号可能中断2小时。"] },
];

function kb() {
  const { lexicon } = compileLexicon(lexiconFile, generalLanguage());
  const index = buildIndex(intents, lexicon);
  const read = (s: string): string[] => tokenize(s, lexicon).map((t) => t.text);
  return { index, read };
}

describe("the answer as a field of its own", () => {
  const { index } = kb();

  it("finds the intent whose answer says the question's words though none of its phrasings does", () => {
    // no phrasing of any intent says 降档, 次月, 生效 or 立即: only change-plan's answer does
    const m = matchIntent("降档以后次月生效还是立即生效", index);
    expect(m.candidates[0]?.intentId).toBe("change-plan");
    expect(m.confidence).toBeGreaterThan((m.candidates[1]?.score ?? 0) + 0.1);
  });

  it("does not count a question's frame words as said by an answer", () => {
    // 什么 and 怎么 are everywhere: they short-list nothing on their own
    const m = matchIntent("什么", index);
    expect(m.confidence).toBeLessThan(0.45);
  });
});

describe("sound-alike typos", () => {
  const { read } = kb();

  it("never replace a real word that sounds like a term (信号 is not 新号)", () => {
    expect(read("转网会不会没信号")).toContain("信号");
    expect(read("转网会不会没信号")).not.toContain("新号");
  });

  it("never read a span cutting through real words on both sides (啥时候生效 has no 候生 → 后生)", () => {
    expect(read("降档啥时候生效")).not.toContain("后生");
    expect(read("降档啥时候生效")).toContain("生效");
  });

  it("never take the last character of a word whose rest is a word itself and which makes a word with the next (手机好像 is 手机 | 好像)", () => {
    expect(read("我的手机好像没信号")).not.toContain("手机号");
    expect(read("我的手机好像没信号")).toContain("手机");
  });

  it("read a term typed by its sound whose last character the dictionary glued to a function word after it (通行正要等 is 通行证 | 要)", () => {
    const { lexicon } = compileLexicon({ synonyms: { 通行证: ["通行证"], 手机号: ["手机号"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage());
    const words = (s: string): string[] => tokenize(s, lexicon).map((t) => t.text);
    expect(words("办港澳通行正要等几天")).toContain("通行证");
    // not when the word after it is a word of its own (手机好像 stays 手机 | 好像)
    expect(words("我的手机好像坏了")).not.toContain("手机号");
  });

  it("never cut a word the knowledge base uses with a short typo beside it (点阶梯 is not 点解 | 梯), nor read inside a longer word (天然气 has no 燃气)", () => {
    expect(read("能多申请点阶梯气量吗")).toContain("阶梯");
    expect(read("能多申请点阶梯气量吗")).not.toContain("为什么");
    expect(read("天然气怎么开通")).not.toContain("燃气");
    // a typo whose own right character makes the word with the next one is still read (倒出来 → 导出 | 来)
    expect(read("记录能倒出来吗")).toContain("导出");
  });

  it("never read an English word as a typo of another (smell is not sell)", () => {
    expect(read("i can smell gas")).not.toContain("卖");
  });

  it("still read a typo that is no word of its own (新好 → 新号)", () => {
    expect(read("怎么办新好")).toContain("新号");
  });

  it("never start with a numeral in place of another character (一键 is not 意见), though they may keep one (二为码 → 二维码)", () => {
    expect(read("通话记录能一键导出吗")).not.toContain("反馈");
    expect(read("通话记录能一键导出吗")).toContain("导出");
    expect(read("新号的二为码在哪")).toContain("二维码");
  });
});

describe("the knowledge base's own phrasings", () => {
  it("are read as written, not as typos of its terms: a message with the typo still finds them", () => {
    const { lexicon } = compileLexicon(lexiconFile, generalLanguage());
    const own: IndexableIntent[] = [...intents, { id: "sign", type: "faq", title: "新好评", examples: ["新好评在哪看"], keywords: [] }];
    const index = buildIndex(own, lexicon);
    // 新好 sounds like the term 新号, but the knowledge base wrote it: its phrasing keeps it as written
    expect(index.examples.find((e) => e.text === "新好评在哪看")!.canonical).not.toContain("新号");
    // while a message typed with 新好 is read as the term
    expect(matchIntent("怎么办新好", index).candidates[0]!.intentId).toBe("new-number");
  });
});

describe("a term whose last character makes a word with the next", () => {
  it("is read shorter: 怎么办理 is 怎么 | 办理, not 怎么办 | 理", () => {
    const { read } = kb();
    expect(read("新号怎么办理")).toEqual(expect.arrayContaining(["怎么", "办理"]));
    expect(read("新号怎么办理")).not.toContain("怎么办");
    expect(read("丢了怎么办")).toContain("怎么办");
  });
});

describe("typed pinyin", () => {
  it("reads one syllable as one character at most, never as two words (yuan is not 与 + 俺)", () => {
    const { read } = kb();
    expect(read("39 yuan")).not.toContain("俺");
    expect(read("39 yuan")).not.toContain("与");
  });
});

describe("a word the knowledge base never uses", () => {
  const lexicon = { synonyms: { 开户: ["开户"], 租户: ["租户"] }, stopwords: ["怎么", "吗", "要"], entities: {}, frames: [] };
  const intents: IndexableIntent[] = [
    { id: "tenant", type: "faq", title: "租户开户", examples: ["租户怎么开户"], keywords: [], answerTexts: ["租户开户须交保证金。"] },
    { id: "worry", type: "faq", title: "担心漏气", examples: ["担心漏气怎么办"], keywords: [], answerTexts: ["担心漏气请拨打热线。"] },
    { id: "plans", type: "faq", title: "未来规划", examples: ["未来有什么规划"], keywords: [], answerTexts: ["未来三年将更换智能表，方案另行公布。"] },
  ];
  const { lexicon: lex } = compileLexicon(lexicon, generalLanguage());
  const index = buildIndex(intents, lex);
  const read = (s: string): string[] => tokenize(s, lex).map((t) => t.text);

  it("is read as the one of its words the dictionary gives the same usual meaning (租客 'tenant' → 租户 'tenant')", () => {
    expect(read("租客能开户吗")).toContain("租户");
    expect(matchIntent("租客能开户吗", index).candidates[0]?.intentId).toBe("tenant");
  });

  it("is not read through a rarer sense of either word (悄悄 'quietly', not 'worried' → 担心; 明天 'tomorrow', not 未来 'future')", () => {
    expect(read("悄悄关掉")).not.toContain("担心");
    expect(read("明天几号")).not.toContain("未来");
    // nor as another part of speech: 打算 "to plan" is not 方案 "plan"
    expect(read("不打算开户")).not.toContain("方案");
    expect(read("租户要交什么")).toContain("租户");
  });
});

describe("a long message read clause by clause", () => {
  it("never takes a clause that only frames the question (有没有什么办法) for the question", () => {
    const kb = projectKnowledge();
    const m = matchIntent("我那个号攒了好多粉丝 要是注销了 然后有没有什么办法", kb.index);
    expect(m.text).not.toBe("有没有什么办法");
    expect(m.candidates[0]?.intentId).not.toBe("deregister");
  });
});

describe("a one-word clause of a message that says much more", () => {
  const lexicon = { synonyms: { 打通: ["打通"], 平台: ["平台"], 视频: ["视频"] }, stopwords: ["怎么", "吗", "想", "都", "也", "在", "里"], entities: {}, frames: [] };
  const intents: IndexableIntent[] = [
    { id: "link", type: "faq", title: "打通", examples: ["打通", "怎么打通"], keywords: [] },
    { id: "move", type: "faq", title: "换平台", examples: ["换平台发视频", "视频转去别的平台", "换个平台发视频行吗"], keywords: [] },
  ];
  const { lexicon: lex } = compileLexicon(lexicon, generalLanguage());
  const index = buildIndex(intents, lex);

  it("is a fragment of it, not its question", () => {
    const m = matchIntent("视频想放别的平台，粉丝都在微信里，店也在那边，打通", index);
    expect(m.text).not.toBe("打通");
    expect(m.candidates[0]?.intentId).toBe("move");
  });

  it("is the question when it is all the message says", () => {
    expect(matchIntent("打通", index).candidates[0]?.intentId).toBe("link");
  });
});

describe("clauses of a run-on message", () => {
  it("never start between an adverb and the modal it binds (那边还能不能打通 stays whole)", () => {
    const kb = projectKnowledge();
    const clauses = splitRunOns(["关了视频号转去抖音的话跟微信那边还能不能打通"], kb.index.lexicon);
    expect(clauses.some((c) => c.startsWith("能不能"))).toBe(false);
  });

  it("start at the words that open a question even after an adverb (就 | 问一下…)", () => {
    const kb = projectKnowledge();
    const clauses = splitRunOns(["我这岁数了手脚慢眼神也不好使就问一下关那个入口得整多长时间别整老半天了"], kb.index.lexicon);
    expect(clauses.some((c) => c.startsWith("问一下"))).toBe(true);
    expect(matchIntent("我这岁数了手脚慢眼神也不好使就问一下关那个入口得整多长时间别整老半天了还整不明白", kb.index).candidates[0]?.intentId).toBe("entry-time");
  });
});

describe("a message naming several other subjects", () => {
  it("is penalised once as another subject's question, not once per subject it names", () => {
    const kb = projectKnowledge();
    const compare = matchIntent("小红书、B站还有抖音，搬过去哪家成本最低？", kb.index);
    expect(compare.confidence).toBeGreaterThanOrEqual(0.45);
    expect(kb.intents.get(compare.candidates[0]!.intentId)?.type).toBe("faq");
    // a question about another subject alone stays out of scope
    const other = matchIntent("抖音怎么注销", kb.index);
    expect(other.candidates[0]?.intentId).toBe("out-of-scope");
  });
});

describe("a term made of words", () => {
  const { lexicon } = compileLexicon(
    {
      synonyms: { 账号: ["账号", "账户"], 账号与安全: ["账号与安全"], 创作者: ["创作者", "博主"], 中小博主: ["中小博主"], 视频号: ["视频号"], 视频: ["视频", "短片"] },
      stopwords: [],
      entities: {},
      frames: [],
    },
    generalLanguage(),
  );

  it("is also read with the other forms of its words and its linking character (账户和安全, 中小创作者)", () => {
    expect(lexicon.surfaces.get("账户和安全")).toBe("账号与安全");
    expect(lexicon.surfaces.get("账号及安全")).toBe("账号与安全");
    expect(lexicon.surfaces.get("中小创作者")).toBe("中小博主");
  });

  it("keeps what the lexicon lists, and gives a term no form for a part with less than a word beside it (视频号 is not 短片号)", () => {
    expect(lexicon.surfaces.get("账户")).toBe("账号");
    expect(lexicon.surfaces.has("短片号")).toBe(false);
  });
});
