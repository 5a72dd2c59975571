import { describe, expect, it } from "vitest";
import { normalizeText } from "../../src/nlu/normalize.js";

describe("normalizeText", () => {
  it("turns full-width letters, digits and punctuation into half-width", () => {
    expect(normalizeText("ＳＰＨ怎么关１２３").text).toBe("sph怎么关123");
  });

  it("drops an English possessive and joins n't, so no lone letter is left to read as a one-letter term", () => {
    expect(normalizeText("My husband's passport").text).toBe("my husband passport");
    expect(normalizeText("We don't drive, it doesn’t matter").text).toBe("we dont drive it doesnt matter");
    expect(normalizeText("5's").text).toBe("5 s");
  });

  it("converts traditional characters to simplified", () => {
    expect(normalizeText("視頻號怎麼註銷").text).toBe("视频号怎么注销");
  });

  it("reads Taiwan and Hong Kong words as the mainland word for the same thing (影片 is 视频, 帳號 is 账号)", () => {
    expect(normalizeText("我的帳號影片要怎麼設定").text).toBe("我的账号视频要怎么设置");
    expect(normalizeText("寬頻簡訊").text).toBe("宽频短信");
    expect(normalizeText("列車誤點四十分鐘").text).toBe("列车晚点四十分钟");
    expect(normalizeText("閂咗視頻號").text).toBe("关了视频号");
  });

  it("reads Shanghainese, Sichuan and Tianjin words as Mandarin (哪能 is 怎么, 辰光 时间, 啥子 什么, 介个 这个)", () => {
    expect(normalizeText("侬好，阿拉想问问哪能关脱").text).toBe("你好 我们想问问怎么关掉");
    expect(normalizeText("只关入口，要多少辰光？").text).toBe("只关入口 要多久");
    expect(normalizeText("搞了半天也搞不懂为啥子").text).toBe("搞了半天也搞不懂为什么");
    expect(normalizeText("注销介个账号嘛时候能好").text).toBe("注销这个账号什么时候能好");
  });

  it("reads written Cantonese as Mandarin (幾耐 is 多久, 有冇 is 有没有, 唔 is 不)", () => {
    expect(normalizeText("按金幾耐先會退返俾我").text).toBe("押金多久先会退回给我");
    expect(normalizeText("公租房有冇傢俬，雪櫃要唔要自己買").clauses).toEqual(["公租房有没有家具", "冰箱要不要自己买"]);
    expect(normalizeText("唔該幫我搵個真人").text).toBe("麻烦帮我找个真人");
  });

  it("leaves mainland words alone where a regional word could be read across their boundary", () => {
    for (const text of ["申请暂停用气", "到营业网点办理", "劳动仲裁", "知识产权", "各自排队", "人事档案"]) expect(normalizeText(text).text).toBe(text);
  });

  it("reads variant characters the converter keeps as the common ones (妳 is 你)", () => {
    expect(normalizeText("妳是誰").text).toBe("你是谁");
  });

  it("lower-cases Latin text", () => {
    expect(normalizeText("SPH Close").text).toBe("sph close");
  });

  it("removes emoji and punctuation but keeps figures like 32% and 3-7", () => {
    const n = normalizeText("😂视频号！！怎么关？？32%…3-7天");
    expect(n.text).not.toMatch(/[😂！？!?…]/u);
    expect(n.text).toContain("32%");
    expect(n.text).toContain("3-7");
  });

  it("splits a message into clauses at punctuation", () => {
    expect(normalizeText("我想关视频号，怎么弄？还有粉丝呢").clauses).toEqual(["我想关视频号", "怎么弄", "还有粉丝呢"]);
  });

  it("splits English sentences at a full stop, but never a figure", () => {
    expect(normalizeText("I closed it last month. How do I get it back? It cost 3.5 yuan.").clauses).toEqual([
      "i closed it last month",
      "how do i get it back",
      "it cost 3.5 yuan",
    ]);
  });

  it("keeps a list written with 、 in one clause", () => {
    expect(normalizeText("没解绑公众号、小程序的，占比多少").clauses).toEqual(["没解绑公众号 小程序的", "占比多少"]);
  });

  it("reads an emoji-only or punctuation-only message as empty", () => {
    expect(normalizeText("😂😂👍").text).toBe("");
    expect(normalizeText("？？。。！").text).toBe("");
  });

  it("removes markup and reports how much of the message it was", () => {
    const n = normalizeText("<script>alert(1)</script>");
    expect(n.text).not.toContain("script");
    expect(n.markupShare).toBeGreaterThan(0.5);
    expect(normalizeText("视频号怎么关").markupShare).toBe(0);
  });

  it("drops control and zero-width characters", () => {
    expect(normalizeText("视\u200b频号\u0007怎么关").text).toBe("视频号怎么关");
  });
});
