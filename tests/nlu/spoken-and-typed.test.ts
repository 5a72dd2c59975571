import { describe, expect, it } from "vitest";
import { matchIntent, QUESTION, splitRunOns } from "../../src/nlu/match.js";
import { normalizeText } from "../../src/nlu/normalize.js";
import { segment } from "../../src/nlu/segment.js";
import { compileLexicon, generalLanguage } from "../../src/nlu/lexicon.js";
import { projectKnowledge } from "../helpers/kb.js";

// How the general language data reads messages as people speak and type them: sentence-ending
// particles in voice input, multi-character function words, connectives, sound-alike typos next to
// real words, and English function words.

const kb = projectKnowledge();
const lex = kb.index.lexicon;
const tokens = (text: string) => normalizeText(text).clauses.flatMap((c) => segment(c, lex));
const words = (text: string) => tokens(text).map((t) => t.text);

describe("a long stretch typed by voice that no rule splits", () => {
  it("is also read a few words at a time, so the question inside it is found", () => {
    const m = matchIntent("我闺女给我开了个小商店卖腊肉的跟视频号绑在一起现在视频号我不想弄了小商店那边我得先弄点啥才行", kb.index);
    expect(m.candidates[0]?.intentId).toBe("unbind-shop");
    expect(m.confidence).toBeGreaterThanOrEqual(0.45);
  });
});

describe("a long stretch typed by voice that opens with a greeting", () => {
  it("is not answered with the greeting: small talk read out of a message that says more is how it begins, not what it asks", () => {
    const m = matchIntent("你好我跟你说我这几年在外面跑车拍了好多视频都发在那个视频号上了现在老板不让拍了我想把号关了但是那些视频我还舍不得关了以后还能在上面留多少天我好叫儿子给我存下来", kb.index);
    expect(m.candidates[0]?.intentId).not.toBe("greeting");
    expect(m.candidates[0]?.intentId).toBe("retention-video");
  });
});

describe("a long message whose question is one of its parts", () => {
  it("is surer when the whole message reads as the same question as the part", () => {
    const part = matchIntent("我想问问关掉以后那些视频还能留多久我要先备份一下", kb.index);
    const whole = matchIntent("我在那个视频号上面发了好几百个做菜的视频现在不想弄了准备关掉我想问问关掉以后那些视频还能留多久我要先备份一下", kb.index);
    expect(whole.candidates[0]?.intentId).toBe(part.candidates[0]?.intentId);
    expect(whole.confidence).toBeGreaterThan(part.confidence);
    expect(whole.confidence).toBeLessThanOrEqual(1);
  });

  it("is surer when a few words of a long stretch typed by voice read as the same question as all of it", () => {
    const m = matchIntent("哎我家小孩老在我手机上点那个视频号刷个不停我想把那个按钮藏起来号不用删你告诉我在哪弄", kb.index);
    expect(m.candidates[0]?.intentId).toBe("close-entry");
    expect(m.confidence).toBeGreaterThanOrEqual(0.45);
  });
});

describe("a long message typed by voice", () => {
  it("is split after a sentence-ending particle when another sentence follows", () => {
    expect(splitRunOns(["那个注销视频号的话大概要花多长时间啊我等下还要去接孩子就是怕弄一半来不及"], lex)[0]).toBe("那个注销视频号的话大概要花多长时间啊");
    // a run of particles ends once; a particle at the very end cuts nothing
    expect(splitRunOns(["视频号关了以后粉丝还在不在啊啊我好担心"], lex)).toEqual(["视频号关了以后粉丝还在不在啊啊", "我好担心"]);
    expect(splitRunOns(["视频号注销了粉丝还会不会在呢"], lex)).toEqual(["视频号注销了粉丝还会不会在呢"]);
  });

  it("is answered by the sentence that asks, not dragged down by the story after it", () => {
    const m = matchIntent("那个注销视频号的话大概要花多长时间啊我等下还要去接孩子就是怕弄一半来不及", kb.index);
    expect(m.candidates[0]?.intentId).toBe("deregister-time");
    expect(m.confidence).toBeGreaterThanOrEqual(0.45);
  });
});

describe("function words", () => {
  it("of several characters are read whole, not cut across the next word by the dictionary (大概 | 要, not 大 | 概要)", () => {
    expect(words("我大概要花多久")).toContain("大概");
    expect(words("我大概要花多久")).not.toContain("概要");
  });

  it("a connective opening a clause is not read as the knowledge base's word for it when the clause says more", () => {
    // this knowledge base reads 然后 on its own as "next step"; inside a question it only links
    expect(matchIntent("然后", kb.index).tokens).toEqual(["下一步"]);
    expect(matchIntent("然后注销视频号要多久", kb.index).tokens).not.toContain("下一步");
  });

  it("of English count as function words, contractions included", () => {
    const read = tokens("Which industries are most likely to close Channels over privacy? they'd say");
    for (const w of ["most", "likely", "over", "d", "say"]) expect(read.find((t) => t.text === w)?.kind).toBe("stop");
  });
});

describe("sound-alike typos", () => {
  it("never take a character from a real word beside them (香港今日 has no 港今 for 干净)", () => {
    expect(words("香港今日有冇落雨")).not.toContain("彻底");
    expect(matchIntent("香港今日有冇落雨？", kb.index).confidence).toBeLessThan(0.45);
  });

  it("of a term of three characters win over a shorter word read at the same place (视屏号主销: not 视屏 | 号主)", () => {
    expect(words("视屏号主销老是失败").slice(0, 2)).toEqual(["视频号", "注销"]);
    // a word spelled right still wins over a two-character sound-alike overlapping it
    expect(words("别人连麦怎么办")).not.toContain("人脸");
  });
});

describe("overlapping words", () => {
  it("a longer surface that would cut the next word gives way to a shorter one ending where that word starts (个人视频号: 个人 | 视频号)", () => {
    expect(words("个人视频号注销要营业执照吗").slice(0, 3)).toEqual(["个人", "视频号", "注销"]);
  });
});

describe("English typos", () => {
  it("are corrected a letter or two away with the first letter kept, never into another word that merely contains them", () => {
    expect(words("how to delet my chanels acount")).toEqual(expect.arrayContaining(["注销", "视频号", "账号"]));
    // stick is not sticker, migration is not navigation
    expect(words("how long do my videos stick around")).not.toContain("表情包");
    expect(words("migration cost")).toContain("迁移");
  });
});

describe("other features of WeChat, named in English", () => {
  it("read as those features, so a question about them is not taken for the knowledge base's", () => {
    expect(words("How do I rename my WeChat Channels account?")).toContain("改名");
    expect(matchIntent("How do I rename my WeChat Channels account?", kb.index).confidence).toBeLessThan(0.45);
  });
});

describe("Cantonese, as Hong Kong users type it", () => {
  it("reads its words and particles as the plain words they mean (點樣閂 → 怎么 关闭, 幾耐 → 多久, del acc → delete account)", () => {
    expect(words("點樣閂視頻號？")).toEqual(expect.arrayContaining(["怎么", "关闭", "视频号"]));
    // this knowledge base reads "delete account" as its own term for deregistering, and 多久 as its 耗时
    expect(words("del acc要幾耐？")).toEqual(expect.arrayContaining(["注销", "账号", "耗时"]));
    expect(words("del acc要幾耐？")).toEqual(words("del acc要多久？"));
    expect(tokens("閂咗之後啲followers會唔會即刻冇晒").filter((t) => t.kind !== "stop").map((t) => t.text)).toEqual(
      expect.arrayContaining(["关闭", "粉丝", "立即"]),
    );
    // 返 after a verb is back (搵返 → 找回, this knowledge base's 恢复); 先可以 is 才能
    expect(words("要幾耐先可以搵返啲粉絲？")).toEqual(expect.arrayContaining(["耗时", "才能", "恢复", "粉丝"]));
  });
});

describe("a sound-alike typo starting with a character the knowledge base treats as a function word", () => {
  it("is still read (事频号 → 视频号): only the general data's particles never start a typo", () => {
    expect(words("事频号咋关比较好")).toContain("视频号");
    expect(words("的视频")).not.toContain("地势");
  });
});

describe("a typo that keeps a character of its word right", () => {
  it("is read even next to a word it could also form (下栽到 → 下载), while one that keeps none still may not borrow a neighbour's character", () => {
    expect(words("关之前视频能下栽到手机上吗")).toContain("导出");
    expect(words("香港今日有冇落雨")).not.toContain("彻底");
  });
});

describe("spaces between Chinese characters", () => {
  it("are pauses: a long clause is read as its sentences, a short stretch joined to the one before", () => {
    expect(splitRunOns(["俺们店里这个手机是俺闺女给装的微信 俺平时就收收钱 结果一点发现就跳出来那个视频号"], lex)).toEqual([
      "俺们店里这个手机是俺闺女给装的微信",
      "俺平时就收收钱",
      "结果一点发现就跳出来那个视频号",
    ]);
    expect(splitRunOns(["视频号 怎么关"], lex)).toEqual(["视频号 怎么关"]);
    expect(splitRunOns(["老是点错 点错 我就想把它弄掉 不要它再显示了"], lex)).toEqual(["老是点错点错", "我就想把它弄掉", "不要它再显示了"]);
  });
});

describe("names of three characters or more from the general data", () => {
  it("are read whole even where the dictionary segmenter would cut them (朋友圈, not 朋友 | 圈)", () => {
    expect(words("朋友圈下面那个放小视频的")).toContain("朋友圈");
  });
});

describe("an action that did not succeed", () => {
  it("reads as its failure (没注销成功 → 注销 失败), but a yes-or-no question about success does not", () => {
    expect(words("要是没注销成功咋处理")).toEqual(expect.arrayContaining(["注销", "失败"]));
    expect(words("能不能注销成功")).not.toContain("失败");
    expect(words("有没有注销成功的")).not.toContain("失败");
  });
});

describe("a knowledge base that lists no function words of its own (as kb:ingest drafts one)", () => {
  const bare = compileLexicon({ synonyms: { 学生卡: ["学生卡"] }, stopwords: [], entities: {}, frames: [] }, generalLanguage()).lexicon;
  const kinds = (text: string) => Object.fromEntries(segment(text, bare).map((t) => [t.text, t.kind]));

  it("still reads the words a question is framed with as function words (怎么办, 哪些, 需要, 时候)", () => {
    const read = kinds("坐车的时候卡里钱不够了怎么办");
    expect(read["时候"]).toBe("stop");
    expect(read["怎么办"]).toBe("stop");
    expect(kinds("办学生卡需要准备哪些")).toMatchObject({ 需要: "stop", 哪些: "stop", 学生卡: "term" });
  });

  it("reads how long, how much and why as what is asked, not what about", () => {
    expect(bare.frames.has("多久")).toBe(true);
    expect(bare.frames.has("为什么")).toBe(true);
  });
});

describe("Cantonese", () => {
  it("asks with A唔A, 咩 and 点样 as Mandarin asks with A不A: the clause that asks is the question", () => {
    expect(QUESTION.test("粉丝名单可唔可以导出")).toBe(true);
    expect(QUESTION.test("要咩资料")).toBe(true);
    expect(QUESTION.test("点样注销")).toBe(true);
    expect(QUESTION.test("我平时用视频号")).toBe(false);
    const m = matchIntent("close 咗 Channels 之前，fans list 可唔可以 export 出嚟？", kb.index);
    expect(m.candidates[0]?.intentId).toBe("retention-fans");
  });
});

describe("a premise said after whom it is about (俺要是不玩了)", () => {
  it("is read with the clause after it, not alone as the question", () => {
    const m = matchIntent("俺要是不玩了，那些天天给俺点赞的老伙计都是谁，俺还能留个名单不？", kb.index);
    expect(m.text).not.toBe("俺要是不玩了");
    expect(m.tokens).toContain("点赞");
  });
});

describe("colloquial words of general chat", () => {
  it("reads 拖着 (putting it off) as a delay, and asking to be put through as asking for a person", () => {
    expect(words("很多企业一直拖着没关视频号")).toContain("延迟");
    expect(matchIntent("Could you put me through to someone, please?", kb.index).candidates[0]?.intentId).toBe("human");
  });

  it("reads everyday short names as the full ones (低保, 房租), and 多唔多 / how common as asking how many", () => {
    expect(words("低保家庭的房租能减多少")).toEqual(expect.arrayContaining(["最低生活保障", "租金"]));
    expect(words("好似我咁諗嘅人多唔多")).toContain("比例");
    expect(words("How common is that?")).toContain("比例");
  });

  it("reads the odds of something working, and Cantonese 几大机会 / 搞掂, as its success", () => {
    expect(words("What are my odds?")).toContain("成功率");
    expect(words("注销通常有几大机会一次搞掂")).toEqual(["注销", "通常", "有", "成功率", "一次", "成功率"]);
  });
});

describe("making something go away (让它消失, make it disappear)", () => {
  it("is doing away with it, not it lasting or vanishing of itself", () => {
    const m = matchIntent("孩子天天刷，我想让微信里那个视频号入口从此别再出现，去哪弄", kb.index);
    expect(m.tokens).toContain("隐藏");
    expect(m.candidates[0]?.intentId).toBe("close-entry");
    expect(matchIntent("有什么办法让视频号从我眼前消失", kb.index).tokens).toContain("关闭");
    expect(matchIntent("Can I make Channels disappear from the Discover page?", kb.index).candidates[0]?.intentId).toBe("close-entry");
  });

  it("is not read so when it is not wanted (不想让视频一起消失)", () => {
    expect(matchIntent("不想让我拍的视频跟着号一起消失", kb.index).tokens).not.toContain("关闭");
  });
});

describe("a part of a long message naming only the knowledge base's subject and one word", () => {
  it("counts as a fragment beside the parts that say more (把视频号关了 in a story whose question comes after)", () => {
    const m = matchIntent("我们公司去年开始在视频号直播卖茶,老板最近说要收缩渠道,把视频号关了。我是运营,最怕直播带货那块留下一堆尾巴。除了解绑之外,还得额外处理些什么?", kb.index);
    expect(m.text).not.toBe("把视频号关了");
    expect(m.candidates[0]?.intentId).toBe("live-merchants");
  });

  it("is not the clause that asks the question in the knowledge base's own frame words (关闭视频号之后…会保留多久)", () => {
    const m = matchIntent("跟你说哈，我去年在视频号上发了几十条钓鱼的vlog，最近想转去抖音发，视频号就不打算要了。但是我担心一关掉那些视频就没了，所以想问清楚：关闭视频号之后我发过的视频会保留多久？", kb.index);
    expect(m.candidates[0]?.intentId).toBe("retention-video");
  });
});

describe("settings of a post people ask about (who may see it, how long it may be, comments on it)", () => {
  it("are read as those settings, so a knowledge base that turns them away turns the question away", () => {
    expect(words("视屏号的作品怎么设置仅自己可见")).toContain("可见范围");
    expect(words("视频号发的视频怎么设置成只给好友看")).toContain("可见范围");
    expect(words("视频号最长能发多长的视频")).toContain("视频时长");
    expect(matchIntent("视频号的视频能不能设置成仅好友可见", kb.index).confidence).toBeLessThan(0.45);
    expect(words("How do I turn off comments on my video?")).toContain("关闭评论");
    expect(matchIntent("视频号下面不想让人评论，评论区关掉怎么弄", kb.index).confidence).toBeLessThan(0.45);
  });
});
