import { describe, expect, it } from "vitest";
import { decide, initialState } from "../../src/dialog/decide.js";
import { draftedKnowledge } from "../helpers/small-kb.js";
import { conversation } from "./conversation.js";

// A question comparing rows of one table gets the column asked for each row it names.
describe("a question comparing rows of a table", () => {
  it("gets the column asked for each row it names", async () => {
    await conversation().play([
      { say: "关入口和注销比，哪个成功率高？各是多少", kind: "answer", has: ["98%", "76%"] },
    ]);
    await conversation().play([
      { say: "视频和粉丝列表，关了以后哪个留得久？分别多久", kind: "answer", has: ["30天", "立即清除"], lacks: ["7天"] },
    ]);
  });

  it("answers how two rows differ with both rows, though another entry reads the question well", async () => {
    await conversation().play([{ say: "关入口和注销账号有什么区别", kind: "answer", has: ["0.5", "3-5", "98%", "76%"] }]);
    await conversation().play([{ say: "close the entry vs delete account, what's the difference?", kind: "answer", has: ["98%", "76%"] }]);
  });

  it("reads which is faster as the time column when no column is named", async () => {
    await conversation().play([{ say: "关入口和注销哪个快", kind: "answer", has: ["0.5", "3-5"] }]);
    await conversation().play([{ say: "hiding the entry or deleting the account, which is faster?", kind: "answer", has: ["0.5", "3-5"] }]);
  });

  it("is read in an English question whose comparison spans its clauses (X, or Y: which …?)", async () => {
    await conversation().play([
      { say: "Official Account menu jump, or WeCom customer contact: which one takes more work to unbind?", kind: "answer", has: ["公众号菜单跳转", "企业微信客户联系"] },
    ]);
  });

  it("gets the column the message writes out, not one a comparing word reads as (比较 is also 优势 here)", async () => {
    await conversation().play([
      { say: "抖音跟B站，哪个搬过去的迁移成本比较高？", kind: "answer", has: ["需重建粉丝体系", "用户群体差异大"], lacks: ["算法推荐"] },
    ]);
    await conversation().play([
      { say: "抖音和小红书，哪个migration cost比较低？", kind: "answer", has: ["需重建粉丝体系", "内容格式相似"], lacks: ["算法推荐"] },
    ]);
    await conversation().play([
      { say: "Compare Xiaohongshu and Douyin on migration cost if I leave Channels.", kind: "answer", has: ["需重建粉丝体系", "内容格式相似"], lacks: ["算法推荐"] },
    ]);
  });

  it("gives a cell as the article writes it, its note in brackets included (高（需修改菜单配置）)", async () => {
    await conversation().play([
      { say: "公众号菜单解绑和小商店解绑，复杂度各是什么水平？", kind: "answer", has: ["需修改菜单配置", "直接关闭货架"] },
    ]);
  });

  it("is read as such after a question about another table, not as a column of the table in focus", async () => {
    await conversation().play([
      { say: "关闭入口要几分钟", kind: "answer" },
      { say: "视频和粉丝列表，关了以后哪个留得久？分别多久", kind: "answer", has: ["30天", "立即清除"], lacks: ["0.5分钟"] },
    ]);
  });

  it("is not made of two rows named without a word that compares, nor of a question out of scope", async () => {
    const [o] = await conversation().play([{ say: "注销账号以后入口还在吗", kind: "answer" }]);
    expect(o!.replies[0]!.text).not.toMatch(/^关闭方式对比/);
    await conversation().play([{ say: "B站注销跟抖音注销比，哪个更麻烦", kind: "fallback" }]);
  });

  it("is not made of a comparing word in the story around a long message's question", async () => {
    const [o] = await conversation().play([
      { say: "我在做一份合规比较，抖音、小红书的规则已经看过了。针对视频号，用户要求无条件导出数据时，平台规则实际提供的是什么？", kind: "answer" },
    ]);
    expect(o!.replies[0]!.text).not.toMatch(/^替代平台对比/);
    expect(o!.replies.map((r) => r.text).join("\n")).toMatch(/本地下载/);
  });

  it("is asked in an English clause of a longer message by its question mark, a Chinese clause by its words", async () => {
    await conversation().play([
      { say: "my boss asked me to check. how long for each: hide the entry vs delete the account?", kind: "answer", has: ["0.5分钟", "3-5分钟"] },
    ]);
    await conversation().play([
      { say: "Compare the time needed: hiding the entry versus fully deleting the Channels account.", kind: "answer", has: ["0.5分钟", "3-5分钟"] },
    ]);
    // (还是 joins two outcomes of one answer here, not two rows: the clause with the question mark asks no comparison)
    const [o] = await conversation().play([{ say: "跟她谈过了她也同意关掉。关掉以后那些视频会不会立刻删除，还是会在系统里再留一阵子？", kind: "answer" }]);
    expect(o!.replies[0]!.text).not.toMatch(/对比/);
  });

  it("leaves to the intent it reads clearly a question naming two rows but no column (一般大家是关入口还是直接注销: how many do which)", async () => {
    await conversation().play([{ say: "一般大家是关入口还是直接注销", kind: "answer", intent: "close-stats", has: ["67%"] }]);
  });
});

describe("a comparison in a drafted knowledge base", () => {
  const article = [
    "城南健身中心私教课指南(价格、预约与退课)",
    "",
    "城南健身中心提供一对一私教课,教练分为初级、中级和高级三个等级,课程可以单节购买,也可以买20节套餐。",
    "一、私教课价格",
    "不同等级教练的价格如下:",
    "教练等级 | 单节 | 20节套餐 |",
    "---|---|---|",
    "初级健身教练 | 200元 | 3400元 |",
    "中级健身教练 | 280元 | 4800元 |",
    "高级健身教练 | 380元 | 6600元 |",
    "二、预约与退课",
    "私教课须提前24小时在App预约。未上的课程可以在购买后30天内申请退课,按单节原价扣除已上课程后退还余额。",
    "",
  ].join("\n");
  const drafted = draftedKnowledge(article, "pt");

  it("names rows by the words that tell them apart, and says each row's figure though the lines read alike", () => {
    const { outcome } = decide(initialState(0), { text: "初级和高级教练20节套餐价格各多少", at: 0 }, drafted);
    expect(outcome.kind).toBe("answer");
    const text = outcome.replies.map((r) => r.text).join("\n");
    expect(text).toContain("3400元");
    expect(text).toContain("6600元");
    expect(text).not.toContain("4800元");
  });

  it("reads which is cheaper as the price column when no column is named", () => {
    const { outcome } = decide(initialState(0), { text: "中级和高级教练哪个便宜", at: 0 }, drafted);
    const text = outcome.replies.map((r) => r.text).join("\n");
    expect(text).toContain("280元");
    expect(text).toContain("380元");
  });

  it("takes 差多少 for a word that compares", () => {
    const { outcome } = decide(initialState(0), { text: "初级健身教练跟中级健身教练单节差多少", at: 0 }, drafted);
    const text = outcome.replies.map((r) => r.text).join("\n");
    expect(text).toContain("200元");
    expect(text).toContain("280元");
  });
});

describe("a comparison of rows that names what their table is about", () => {
  // two tables name the same products: one is about warranty periods, the other about plans' prices
  const article = [
    "澜星售后指南",
    "",
    "一、各产品的保修期限",
    "澜星产品的保修期自购买之日起计算。",
    "产品 | 整机 | 主板 | 电池 |",
    "---|---|---|---|",
    "手机 | 1年 | 2年 | 1年 |",
    "平板 | 1年 | 2年 | 1年 |",
    "笔记本电脑 | 2年 | 3年 | 1年 |",
    "二、延保服务",
    "延保服务的价格如下:",
    "保障服务 | 手机 | 平板 | 笔记本电脑 |",
    "---|---|---|---|",
    "延长保修1年 | 199元 | 199元 | 399元 |",
    "碎屏保障1年 | 149元 | 249元 | 不提供 |",
    "",
  ].join("\n");
  const kb = draftedKnowledge(article, "lx");

  it("answers with the rows of that table though another entry reads the question well", () => {
    const { outcome } = decide(initialState(0), { text: "笔记本电脑和手机的保修期哪个长", at: 0 }, kb);
    const text = outcome.replies.map((r) => r.text).join("\n");
    expect(text).toContain("2年");
    expect(text).toContain("3年");
    expect(text).not.toContain("399元");
  });
});

