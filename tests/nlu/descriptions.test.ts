import { describe, expect, it } from "vitest";
import { lexiconFileSchema } from "../../src/knowledge/schema.js";
import { compileLexicon, generalLanguage } from "../../src/nlu/lexicon.js";
import { buildIndex, matchIntent } from "../../src/nlu/match.js";

// A term people describe instead of naming ("微信里那个点餐的功能" for the ordering mini program): the
// knowledge base's lexicon says what the thing is and what it belongs to; the general data says what
// a description refers to (功能, 号, 主页...).
const file = lexiconFileSchema.parse({
  synonyms: { 点餐小程序: ["点餐小程序", "点餐程序"], 注销: ["注销", "删除"], 企业微信: ["企业微信"], 点餐: ["点餐", "food ordering"] },
  stopwords: [],
  descriptions: { 点餐小程序: { kinds: ["点餐", "订餐"], of: ["微信"] } },
});

function index() {
  const { lexicon } = compileLexicon(file, generalLanguage());
  return buildIndex(
    [
      { id: "delete", type: "faq", title: "怎么注销点餐小程序", examples: ["点餐小程序怎么注销", "注销点餐小程序"], keywords: [] },
      { id: "hours", type: "faq", title: "营业时间", examples: ["店里几点开门"], keywords: [] },
    ],
    lexicon,
  );
}

describe("terms described instead of named", () => {
  it("reads a description of what the thing is and what it belongs to as the term", () => {
    const m = matchIntent("微信里那个能点餐的功能怎么注销", index());
    expect(m.tokens).toContain("点餐小程序");
    expect(m.candidates[0]?.intentId).toBe("delete");
    expect(matchIntent("我想把微信上订餐的那个账号删除", index()).tokens).toContain("点餐小程序");
    // the place, the thingy, the tile one orders in
    expect(matchIntent("微信里那个点餐的地方怎么注销", index()).tokens).toContain("点餐小程序");
    expect(matchIntent("微信里那个订餐的玩意儿我想删除", index()).tokens).toContain("点餐小程序");
  });

  it("leaves a description of another product's thing alone: what it belongs to must be said", () => {
    expect(matchIntent("美团那个点餐的功能怎么注销", index()).tokens).not.toContain("点餐小程序");
  });

  it("reads what the thing is said right after what it does, or pointed at, and the doing alone after its owner", () => {
    expect(matchIntent("微信里那个点餐功能怎么注销", index()).tokens).toContain("点餐小程序");
    expect(matchIntent("微信上订餐那块能删除吗", index()).tokens).toContain("点餐小程序");
    expect(matchIntent("不在微信上弄订餐以后要注销吗", index()).tokens).toContain("点餐小程序");
    // the doing alone needs its owner said
    expect(matchIntent("不在美团上弄订餐以后要注销吗", index()).tokens).not.toContain("点餐小程序");
  });

  it("never reads an owner inside a longer word, nor swallows the term it names", () => {
    expect(matchIntent("企业微信跟那个点餐功能怎么注销", index()).tokens).toContain("企业微信");
    const named = matchIntent("微信发现里那个点餐小程序怎么注销", index());
    expect(named.tokens).toContain("点餐小程序");
    expect(named.tokens).toContain("发现");
  });

  it("reads an English description word by word, either way round, but only when it says what the thing is", () => {
    expect(matchIntent("how do I delete WeChat's food ordering feature", index()).tokens).toContain("点餐小程序");
    expect(matchIntent("how do I delete the food ordering thing inside WeChat", index()).tokens).toContain("点餐小程序");
    // with a word or two English says of it between (built-in, native)
    expect(matchIntent("how do I delete WeChat's built-in food ordering thing", index()).tokens).toContain("点餐小程序");
    // what it does and what it belongs to, but not what it is: no description
    expect(matchIntent("can I delete WeChat food ordering history", index()).tokens).not.toContain("点餐小程序");
  });

  it("is checked when the lexicon is read: a description names what the thing is", () => {
    expect(lexiconFileSchema.safeParse({ synonyms: {}, descriptions: { 点餐小程序: { kinds: [], of: ["微信"] } } }).success).toBe(false);
    expect(lexiconFileSchema.safeParse({ synonyms: {}, descriptions: { 点餐小程序: { kind: ["点餐"] } } }).success).toBe(false);
  });
});
