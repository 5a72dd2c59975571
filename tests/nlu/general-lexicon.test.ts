import { describe, expect, it } from "vitest";
import { compileLexicon, generalLanguage, type GeneralLanguage } from "../../src/nlu/lexicon.js";
import { englishBases } from "../../src/nlu/bridge.js";
import { buildIndex, matchIntent, splitRunOns, tokenize } from "../../src/nlu/match.js";

// A small knowledge base of its own (a library's opening hours and loans): the general language
// data must carry to any topic, not only to the project's article.
const libraryLexicon = {
  synonyms: { "借书证": ["借书证", "读者证"], "保留": ["保留", "保存"], "多久": ["多久", "几天"], "注销": ["注销", "删除"], "续借": ["续借"] },
  stopwords: ["怎么", "吗", "我的"],
  entities: {},
  frames: ["多久"],
};
const general: GeneralLanguage = {
  synonyms: { "删除": ["delete", "remove"], "多久": ["how long"], "保留": ["keep", "kept"], "续借": ["renew"], "原因": ["why"], "咋": ["肿么"] },
  stopwords: ["the", "my", "are", "咋"],
};
const texts = (s: string, g: GeneralLanguage = general) =>
  tokenize(s, compileLexicon(libraryLexicon, g).lexicon).filter((t) => t.kind !== "stop").map((t) => t.text);

describe("general language data", () => {
  it("reads an English form as the knowledge base's term for its plain word", () => {
    // delete → 删除, which this knowledge base lists under its term 注销
    expect(texts("how do I delete my 借书证")).toEqual(expect.arrayContaining(["注销", "借书证"]));
    expect(texts("how long are loans kept")).toEqual(expect.arrayContaining(["多久", "保留"]));
  });

  it("reads English inflections through their base form", () => {
    expect(texts("deleted")).toEqual(["注销"]);
    expect(texts("renewing")).toEqual(["续借"]);
    // and a word made from it (renewal is renew), as the dictionary bridge reads it
    expect(texts("renewal")).toEqual(["续借"]);
    expect(texts("removes")).toEqual(["注销"]);
  });

  it("reads an English phrase of the glossary with its first word inflected as the phrase", () => {
    const g: GeneralLanguage = { ...general, synonyms: { ...general.synonyms, 注销: ["turn off", "sign up"] } };
    expect(texts("turning off my 借书证", g)).toEqual(["注销", "借书证"]);
    expect(texts("turned off", g)).toEqual(["注销"]);
    // a word that only starts like one is no inflection of it
    expect(texts("turnip off", g)).not.toContain("注销");
  });

  it("reads a mistyped English word as the vocabulary's nearest word, but not a different word", () => {
    expect(texts("how do I delette my 借书证")).toContain("注销");
    expect(texts("removve")).toEqual(["注销"]);
    expect(texts("delivery")).toEqual(["delivery"]);
    // two neighbouring letters swapped, of a word or of an inflected form of one
    expect(texts("rnewed")).toEqual(["rnewed"]);
    expect(texts("renwe")).toEqual(["续借"]);
    expect(texts("reneiwng")).toEqual(["续借"]);
  });

  it("keeps a plain word the knowledge base does not know as itself", () => {
    expect(texts("why")).toEqual(["原因"]);
  });

  it("lets the knowledge base's own surface forms win over the general ones", () => {
    const g: GeneralLanguage = { synonyms: { "原因": ["借书证"] }, stopwords: [] };
    expect(texts("借书证", g)).toEqual(["借书证"]);
  });

  it("adds the general stopwords to the knowledge base's", () => {
    const lex = compileLexicon(libraryLexicon, general).lexicon;
    expect(lex.stopwords.has("the")).toBe(true);
    expect(lex.stopwords.has("怎么")).toBe(true);
  });

  it("ships a general file that loads, with English product names and question words", () => {
    const g = generalLanguage();
    expect(Object.keys(g.synonyms).length).toBeGreaterThan(50);
    const all = Object.values(g.synonyms).flat();
    for (const word of ["how long", "delete", "followers", "official account", "mini program"]) expect(all).toContain(word);
    // 扣钱 is being charged, not fined; 一共 only frames a count
    expect(g.synonyms["扣费"]).toContain("扣钱");
    expect(g.synonyms["罚款"]).not.toContain("扣钱");
    expect(g.stopwords).toContain("一共");
    // 要好久 asks how long in the south-west ("要弄好久哦"), and says it takes long elsewhere: either way, a duration
    expect(g.synonyms["多久"]).toContain("要好久");
    // a thing asked back with its object between the words ("get them back"), and cheapness as cost
    expect(g.synonyms["恢复"]).toContain("get them back");
    expect(g.synonyms["便宜"]).toContain("cheapest");
    // a price is no cost of doing something: the general words are plain, a knowledge base maps them to its own
    expect(g.synonyms["价格"]).toContain("price");
    expect(g.synonyms["成本"]).toBeUndefined();
    // Hong Kong and Taiwan wording: 匯出 is exporting; 不要再顯示 is hiding
    expect(g.synonyms["导出"]).toContain("汇出");
    expect(g.synonyms["隐藏"]).toContain("不要再显示");
    // colloquial forms: 重样 is 重复, 爹娘 and 爸妈 are 父母
    expect(g.synonyms["重复"]).toContain("重样");
    expect(g.synonyms["父母"]).toEqual(expect.arrayContaining(["爸妈", "爹娘"]));
    // general data holds words and short terms, never whole questions
    for (const form of all) expect(form.split(" ").length, form).toBeLessThanOrEqual(5);
  });
});

describe("long messages typed without punctuation", () => {
  const lex = () => compileLexicon(libraryLexicon, { synonyms: {}, stopwords: [], discourse: ["但是", "我想问"], premise: ["如果"] }).lexicon;

  it("splits a run-on clause before the words a new thought starts with", () => {
    expect(splitRunOns(["我上个月办了一张借书证但是一直没用过我想问借书证能保留多久"], lex())).toEqual([
      "我上个月办了一张借书证",
      "但是一直没用过",
      "我想问借书证能保留多久",
    ]);
  });

  it("does not cut a pair joined by 和 at the second member's opening word", () => {
    expect(splitRunOns(["但是借书证和但是读者证分别能保留多久"], lex())).toEqual(["但是借书证和但是读者证分别能保留多久"]);
  });

  it("leaves short clauses and clauses without such words whole", () => {
    expect(splitRunOns(["但是借书证多久"], lex())).toEqual(["但是借书证多久"]);
    expect(splitRunOns(["我上个月办了一张借书证一直没用过能保留多久"], lex())).toEqual(["我上个月办了一张借书证一直没用过能保留多久"]);
  });

  it("joins a piece too short to say anything to the piece before it", () => {
    expect(splitRunOns(["我上个月办了一张借书证但是"], lex())).toEqual(["我上个月办了一张借书证但是"]);
  });
});

describe("sound-alike typos of the knowledge base's own words", () => {
  const build = () => {
    const lexicon = compileLexicon(libraryLexicon, { synonyms: {}, stopwords: [] }).lexicon;
    const index = buildIndex([{ id: "hours", type: "faq", title: "开放时间", examples: ["图书馆几点开门"], keywords: [] }], lexicon);
    return index.lexicon;
  };

  it("reads a word of the phrasings typed with other characters of the same sound as that word", () => {
    expect(tokenize("周末几点开们", build()).map((t) => t.text)).toContain("开门");
  });

  it("leaves a real word that cuts across the span alone", () => {
    // 开们 sounds like 开门, but here its 开 belongs to the word 召开
    expect(tokenize("会议召开们都到了", build()).map((t) => t.text)).not.toContain("开门");
    expect(tokenize("几点开门", build()).map((t) => t.text)).toContain("开门");
  });
});

describe("pinyin initials", () => {
  const intents = [
    { id: "fee", type: "faq" as const, title: "退票手续费", examples: ["退票要手续费吗", "退票扣多少钱"], keywords: [] },
    { id: "when", type: "faq" as const, title: "什么时候能退票", examples: ["开车后还能退票吗", "改签后能退票吗"], keywords: [] },
    { id: "change", type: "faq" as const, title: "改签几次", examples: ["改签能改几次", "改签收费吗"], keywords: [] },
    { id: "pc", type: "faq" as const, title: "配送范围", examples: ["配送到哪里", "配送范围多大"], keywords: [] },
  ];
  const index = () => {
    // (改签 is a term of this knowledge base's lexicon; 退票 a word of its phrasings the dictionary knows)
    const { lexicon } = compileLexicon({ synonyms: { 改签: ["改签"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage());
    return buildIndex(intents, lexicon);
  };
  const read = (s: string) => tokenize(s, index().lexicon).map((t) => t.text);

  it("reads the initials of a word the knowledge base says in several intents as that word (tp is 退票, gq 改签)", () => {
    expect(read("tp扣钱吗")).toContain("退票");
    expect(read("gq能gq几次")).toEqual(expect.arrayContaining(["改签"]));
    expect(matchIntent("gq几次", index()).candidates[0]?.intentId).toBe("change");
  });

  it("leaves a Latin abbreviation of chat or of things alone, and an English word", () => {
    // 配送 is said in one intent only, and pc is a computer
    expect(read("pc上能退吗")).not.toContain("配送");
    expect(index().lexicon.initials.has("pc")).toBe(false);
    expect(read("the tp")).toContain("退票");
    expect(read("top")).not.toContain("退票");
  });
});

describe("places", () => {
  const general: GeneralLanguage = { synonyms: {}, stopwords: ["的", "怎么", "吗"], places: ["上海", "香港"] };
  const intents = (city: string) => [
    { id: "card", type: "faq" as const, title: "月卡怎么办", examples: ["月卡怎么办理", `${city}停车月卡怎么申请`], keywords: [] },
    { id: "fee", type: "faq" as const, title: "月卡多少钱", examples: ["月卡多少钱一个月"], keywords: [] },
  ];
  const confidence = (city: string, text: string): number => {
    const { lexicon } = compileLexicon({ synonyms: {}, stopwords: [], entities: {}, frames: [] }, general);
    return matchIntent(text, buildIndex(intents(city), lexicon)).confidence;
  };

  it("reads the pinyin abbreviations of WeChat's products as them (gzh, xcx, dy)", () => {
    const { lexicon } = compileLexicon({ synonyms: {}, stopwords: [], entities: {}, frames: [] }, generalLanguage());
    const read = (s: string) => tokenize(s, lexicon).map((t) => t.text);
    expect(read("gzh和xcx要先解绑吗")).toEqual(expect.arrayContaining(["公众号", "小程序"]));
    expect(read("转去dy还是xhs")).toEqual(expect.arrayContaining(["抖音", "小红书"]));
  });

  it("ships a list of cities and regions, and reads their English names as them", () => {
    expect(generalLanguage().places).toEqual(expect.arrayContaining(["上海", "香港"]));
    const { lexicon } = compileLexicon({ synonyms: { 签注: ["签注"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage());
    const read = (s: string) => tokenize(s, lexicon).map((t) => t.text);
    expect(read("an endorsement for Hong Kong")).toContain("香港");
    expect(read("moving to hongkong")).toContain("香港");
    expect(read("a trip to Macau")).toContain("澳门");
    expect(lexicon.places.has("香港")).toBe(true);
  });

  it("turns away a question about a place a knowledge base about one city never names", () => {
    // a city's services (全市): 上海 is another city's question; its people are not (香港人可以办吗)
    expect(confidence("全市", "上海的停车月卡怎么办理")).toBeLessThan(0.5 * confidence("全市", "停车月卡怎么办理"));
    expect(confidence("全市", "香港人可以办理月卡吗")).toBeGreaterThan(0.5 * confidence("全市", "可以办理月卡吗"));
  });

  it("leaves a place alone where the knowledge base is not about one city", () => {
    expect(confidence("小区", "上海的停车月卡怎么办理")).toBeGreaterThan(0.5 * confidence("小区", "停车月卡怎么办理"));
  });
});

describe("apps and services", () => {
  const general: GeneralLanguage = { synonyms: {}, stopwords: ["的", "怎么", "吗", "多少钱", "my", "how", "do", "i"], products: ["爱奇艺", "抖音", "snapchat"] };
  const intents = [
    { id: "price", type: "faq" as const, title: "黄金会员价格", examples: ["黄金会员多少钱", "黄金会员一个月多少钱"], keywords: [] },
    { id: "close", type: "faq" as const, title: "注销账号", examples: ["怎么注销账号", "账号怎么注销"], keywords: [] },
    { id: "douyin", type: "faq" as const, title: "同步到抖音", examples: ["视频能同步到抖音吗"], keywords: [] },
  ];
  const confidence = (text: string): number => {
    const { lexicon } = compileLexicon({ synonyms: { 注销: ["注销", "delete"], 账号: ["账号", "account"] }, stopwords: [], entities: {}, frames: [] }, general);
    return matchIntent(text, buildIndex(intents, lexicon)).confidence;
  };

  it("ships a list of apps and services", () => {
    expect(generalLanguage().products).toEqual(expect.arrayContaining(["爱奇艺", "snapchat"]));
  });

  it("turns away a question about an app the knowledge base never names, in Chinese or English", () => {
    expect(confidence("爱奇艺黄金会员多少钱")).toBeLessThan(0.5 * confidence("黄金会员多少钱"));
    expect(confidence("how do i delete my Snapchat account")).toBeLessThan(0.5 * confidence("how do i delete my account"));
  });

  it("leaves alone an app the knowledge base names", () => {
    expect(confidence("视频能同步到抖音吗")).toBeGreaterThan(0.8);
  });
});

/** The content words of a message, read with the shipped general language over a small knowledge base's phrasings. */
function readerOver(examples: string[], synonyms: Record<string, string[]> = {}): (text: string) => string[] {
  const { lexicon } = compileLexicon({ synonyms, stopwords: [], entities: {}, frames: [] }, generalLanguage());
  const index = buildIndex(examples.map((e, i) => ({ id: `q${i}`, type: "faq", title: e, examples: [e], keywords: [] })), lexicon);
  return (text) => tokenize(text, index.lexicon).filter((t) => t.kind !== "stop").map((t) => t.text);
}

describe("the shipped general language", () => {
  // a knowledge base that writes 原件 ("the original") and 优先 ("to have priority")
  const read = readerOver(["病历原件能借出吗", "复印要带原件吗", "老人可以优先就诊吗"]);

  it("reads 原来 (before) as wording, not as a word of the knowledge base the dictionary also glosses 'original'", () => {
    expect(read("原来的病历号还在吗")).not.toContain("原件");
  });

  it("reads 'have' as wording, not as a verb the dictionary gives a word of the knowledge base", () => {
    expect(read("I have no idea")).not.toContain("优先");
  });
});

describe("common English verbs in the shipped glossary", () => {
  // a knowledge base that writes 股票 (stocks) and 电话 but never 分享
  const read = readerOver(["怎么开直播", "客服电话是多少", "股票类内容能发吗"], { 直播: ["直播", "live"] });

  it("reads share as sharing, not as a stock", () => {
    expect(read("share my videos")).not.toContain("股票");
  });

  it("reads living and called as wording, not as live streaming or a phone", () => {
    expect(read("living in Shanghai")).not.toContain("直播");
    expect(read("what are they called")).not.toContain("电话");
    expect(read("call the hotline")).toContain("电话");
  });
});

describe("the shipped glossary's words of service help pages", () => {
  const read = readerOver(["停车每天最多收多少钱", "晚上有门诊吗", "几点签到"]);

  it("reads parking, evening, clinic and check in as the knowledge base's words", () => {
    expect(read("maximum parking fee")).toContain("停车");
    expect(read("the evening clinic")).toEqual(expect.arrayContaining(["晚上", "门诊"]));
    expect(read("when can I check in")).toContain("签到");
  });
});

describe("the shipped general language's chat words", () => {
  const lexicon = () => compileLexicon({ synonyms: { 多久: ["多久"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage()).lexicon;

  it("reads the words a story is told with as wording, not as words the knowledge base never uses", () => {
    const kinds = tokenize("听说那边还是一直这样 到底是真的吗 分别是 各自 方面 什么时候 最晚 过段时间", lexicon()).map((t) => t.kind);
    expect(kinds.every((k) => k === "stop")).toBe(true);
  });

  it("reads whole, entire, 全部 and 整个 as how much, not as what the question is about", () => {
    const kinds = (s: string) => tokenize(s, lexicon()).filter((t) => ["whole", "entire", "全部", "整个"].includes(t.from ?? t.text)).map((t) => t.kind);
    expect(kinds("deleting the whole account")).toEqual(["stop"]);
    expect(kinds("the entire thing")).toEqual(["stop"]);
    expect(kinds("整个注销要多久")).toEqual(["stop"]);
  });

  it("reads 里 after a noun as where, not as part of an unknown word (卡里的钱)", () => {
    expect(tokenize("卡里的钱还能退吗", lexicon()).map((t) => t.text)).not.toContain("卡里");
  });

  it("reads 几天 as asking how long", () => {
    expect(tokenize("退款要几天", lexicon()).map((t) => t.text)).toContain("多久");
  });
});

describe("more of the shipped glossary", () => {
  const read = readerOver(["包裹丢失了赔多少", "寄手机要保价吗", "首重多少公斤"]);

  it("reads lost as a lost thing, phone as a phone and kg as 公斤", () => {
    expect(read("my parcel was lost")).toContain("丢失");
    expect(read("sending a phone")).toContain("手机");
    expect(read("the first kg")).toContain("公斤");
  });

  it("reads metro, a physical card and stolen as the knowledge base's words, and before, anything and else as wording", () => {
    const transit = readerOver(["地铁能刷实体卡吗", "卡被盗了怎么办"]);
    expect(transit("can I tap the physical card on the metro")).toEqual(expect.arrayContaining(["地铁", "实体"]));
    expect(transit("my card was stolen")).toContain("被盗");
    expect(transit("before anything else")).toEqual([]);
  });

  it("reads the time spent doing something (花多长时间, 多长功夫) as 耗时, not as how long something lasts", () => {
    const read = readerOver(["注销账号耗时多少分钟", "数据保留多久"]);
    expect(read("注销得花多长功夫")).toContain("耗时");
    expect(read("注销要花多少时间")).toContain("耗时");
    expect(read("注销得花多长功夫")).not.toContain("多久");
  });

  it("reads people as 人, straight as 直接 and another platform as 别的平台, and what kind of as wording", () => {
    const read = readerOver(["退出的人多吗", "能直接同步吗"]);
    expect(read("do many people quit")).toContain("人");
    expect(read("can I sync it straight over")).toContain("直接");
    expect(read("what kind of")).toEqual([]);
    // another platform is 别的平台, which a knowledge base may file under its own term
    const { lexicon } = compileLexicon({ synonyms: { 替代: ["替代", "别的平台"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage());
    expect(tokenize("move it to another platform", lexicon).map((t) => t.text)).toContain("替代");
  });

  it("reads how long … take as the time doing it takes (耗时), not as how long something lasts (多久)", () => {
    const { lexicon } = compileLexicon({ synonyms: {}, stopwords: [], entities: {}, frames: [] }, generalLanguage());
    const index = buildIndex(
      [
        { id: "kept", type: "faq", title: "视频保留多久", examples: ["注销后视频保留多久", "视频能保留多久"], keywords: [] },
        { id: "time", type: "faq", title: "注销耗时", examples: ["注销耗时多少分钟", "注销要花多少时间"], keywords: [] },
      ],
      lexicon,
    );
    const m = matchIntent("How long does fully deleting the account take?", index);
    expect(m.tokens).toContain("耗时");
    expect(m.tokens).not.toContain("多久");
    expect(m.candidates[0]?.intentId).toBe("time");
    expect(matchIntent("how long are my videos kept", index).candidates[0]?.intentId).toBe("kept");
  });

  it("reads British spellings as the American ones of the dictionary, and a driving licence as 驾驶证, not a business licence", () => {
    const bases = (w: string): string[] => englishBases(w).map((b) => b.base);
    expect(bases("licence")).toContain("license");
    expect(bases("centre")).toContain("center");
    expect(bases("colour")).toContain("color");
    expect(bases("licences")).toContain("license");
    const read = readerOver(["驾驶证有效期多久", "考试中心在哪里", "营业执照复印件"]);
    expect(read("is my driving licence still valid")).toContain("驾驶证");
    expect(read("is my driving licence still valid")).not.toContain("营业执照");
    expect(read("where is the test centre")).toContain("中心");
  });

  it("reads an e-card as an electronic card, a cap as an upper limit, how far as 距离, a tier as 等级 and a technician as 维修人员", () => {
    const read = readerOver(["电子卡怎么申请", "单笔付款上限是多少"]);
    expect(read("how do I get the e-card")).toEqual(expect.arrayContaining(["电子"]));
    expect(read("what is the payment cap")).toContain("上限");
    expect(read("what is the payment cap")).not.toContain("帽子");
    // how far is a distance, a tier a level, a technician who repairs
    const more = readerOver(["网点距离多远", "会员等级有哪些", "维修人员多久上门"]);
    expect(more("how far is it")).toContain("距离");
    expect(more("which tier")).toContain("等级");
    expect(more("when will the technician come")).toContain("维修人员");
  });

  it("reads Taiwan's 短影音 as 短视频, and 不再用 (no longer use) as giving it up, not as using it again", () => {
    const read = readerOver(["短视频入口怎么关", "弃用的人多吗", "还能再用吗"]);
    expect(read("短影音的入口")).toContain("短视频");
    expect(read("不再用的人多吗")).toContain("弃用");
    expect(read("I'm done with it")).toEqual(["弃用"]);
  });

  it("reads how long a document may be used (能用几年, valid for) as its period of validity, not as how long something takes", () => {
    expect(read("护照能用几年")).toContain("有效期");
    expect(read("is the card still valid")).toContain("有效期");
    expect(read("护照能用几年")).not.toContain("多久");
  });

  it("reads but, because and until as wording, and Cantonese 几多钱 as 多少钱", () => {
    expect(read("fine but because until")).not.toContain("只是");
    expect(read("要俾几多钱")).toContain("多少钱");
    expect(read("有几多人肯返嚟")).toEqual(expect.arrayContaining(["回来", "愿意"]));
    expect(read("部lift困咗人")).toContain("电梯");
    expect(read("装潢要申请吗")).toContain("装修");
    expect(read("泊车要俾钱吗")).toContain("停车");
    expect(read("the EV charger last year")).toEqual(expect.arrayContaining(["充电桩", "去年"]));
  });
});

describe("the shipped general glossary", () => {
  const shipped = (s: string): string[] =>
    tokenize(s, compileLexicon({ synonyms: { 私域: ["私域"], 打开率: ["打开率"], 难度: ["难度"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage()).lexicon)
      .filter((t) => t.kind !== "stop")
      .map((t) => t.text);

  it("reads marketing terms said in English as the Chinese terms", () => {
    expect(shipped("private traffic")).toEqual(["私域"]);
    expect(shipped("private-domain live room")).toContain("私域");
    expect(shipped("open rate")).toEqual(["打开率"]);
  });

  it("reads Hong Kong words after 繁→简 as the plain words they mean", () => {
    const read = (s: string): string[] =>
      tokenize(s, compileLexicon({ synonyms: { 关闭: ["关闭"], 隐私: ["隐私"], 需要: ["需要"], 哪个: ["哪个"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage()).lexicon)
        .filter((t) => t.kind !== "stop")
        .map((t) => t.text);
    expect(read("點樣熄咗個入口")).toContain("关闭");
    expect(read("私隱擔憂")).toContain("隐私");
    expect(read("使唔使交證件")).toContain("需要");
    expect(read("邊個複雜啲")).toContain("哪个");
    // 唔想 refuses what follows it, as 不想 does; 好唔好 asks, it refuses nothing
    const { lexicon: lib } = compileLexicon(libraryLexicon, generalLanguage());
    const libIndex = buildIndex([{ id: "cancel", type: "faq", title: "注销借书证", examples: ["借书证怎么注销"], keywords: [] }], lib);
    expect(matchIntent("我唔想删除借书证", libIndex).tokens).not.toContain("注销");
    expect(matchIntent("我想删除借书证", libIndex).tokens).toContain("注销");
    expect(tokenize("轉去小紅書好唔好", compileLexicon(libraryLexicon, generalLanguage()).lexicon).map((t) => t.text)).not.toContain("不要");
  });

  it("reads gamers' 回坑 as coming back, pull the plug as closing, churn as 流失, and 后生 only as a word of its own", () => {
    const read = (s: string): string[] =>
      tokenize(s, compileLexicon({ synonyms: { 回来: ["回来"], 关闭: ["关闭"], 流失: ["流失"], 年轻人: ["年轻人"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage()).lexicon)
        .filter((t) => t.kind !== "stop")
        .map((t) => t.text);
    expect(read("关了还回坑的人多吗")).toContain("回来");
    expect(read("before I pull the plug on it")).toContain("关闭");
    expect(read("what is the churn rate")).toContain("流失");
    expect(read("以后生意会差吗")).not.toContain("年轻人");
  });

  it("reads keeping a copy (留一份, 存一份) as backing up", () => {
    const read = (s: string): string[] => tokenize(s, compileLexicon({ synonyms: { 备份: ["备份"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage()).lexicon).map((t) => t.text);
    expect(read("怎么给自己手机上留一份")).toContain("备份");
  });

  it("reads how hard as the difficulty asked, not a how-to", () => {
    expect(shipped("how hard is it")).toEqual(["难度"]);
  });

  it("reads a feed's recommendations as 推荐, not as advice, and at all as wording", () => {
    const read = (s: string): string[] =>
      tokenize(s, compileLexicon({ synonyms: { 推荐: ["推荐"], 建议: ["建议"], 全部: ["全部"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage()).lexicon)
        .filter((t) => t.kind !== "stop")
        .map((t) => t.text);
    expect(read("off-target recommendations")).toContain("推荐");
    expect(read("off-target recommendations")).not.toContain("建议");
    expect(read("does it link up at all")).not.toContain("全部");
    const liked = tokenize("I would like to delete it", compileLexicon({ synonyms: { 点赞: ["点赞"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage()).lexicon);
    expect(liked.map((t) => t.text)).not.toContain("点赞");
    const liking = (s: string): string[] => tokenize(s, compileLexicon({ synonyms: { 点赞: ["点赞"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage()).lexicon).map((t) => t.text);
    // like as a preposition or a filler is no like on a video; likes and a like are
    expect(liking("what does that look like in practice")).not.toContain("点赞");
    expect(liking("tried like 3 times")).not.toContain("点赞");
    const graced = tokenize("is there like a grace period", compileLexicon({ synonyms: { 点赞: ["点赞"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage()).lexicon);
    expect(graced.find((t) => t.text === "like")?.kind).toBe("stop");
    expect(liking("will my likes disappear")).toContain("点赞");
    expect(liking("can I keep the like count")).toContain("点赞");
    const contracted = tokenize("I'd like it gone, ppl say so bc it's slow tho", compileLexicon({ synonyms: { 点赞: ["点赞"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage()).lexicon);
    expect(contracted.filter((t) => ["点赞", "ppl", "bc", "tho"].includes(t.text) && t.kind !== "stop")).toEqual([]);
  });

  it("reads back alone as wording, and the phrases made with it as theirs", () => {
    expect(shipped("send traffic back")).not.toContain("支持");
    expect(shipped("back")).toEqual([]);
    expect(shipped("back up my videos")).toContain("备份");
  });
});
