import { describe, expect, it } from "vitest";
import { decide, initialState } from "../../src/dialog/decide.js";
import { tieredTables } from "../../src/dialog/handlers/figure-in-range.js";
import { draftedKnowledge } from "../helpers/small-kb.js";

// A knowledge base of another topic whose fee table is tiered by the time before departure.
const article = [
  "城际大巴退票指南(退票手续费与办理渠道)",
  "",
  "城际大巴车票可以在App或车站窗口退票,手续费按退票时距发车时间的长短计算。",
  "一、退票手续费",
  "退票手续费的标准如下:",
  "距发车时间 | 退票手续费 | 办理渠道 |",
  "---|---|---|",
  "发车前7天以上(含7天) | 免收 | 网上或窗口 |",
  "发车前24小时以上、不足7天 | 票价的10% | 网上或窗口 |",
  "发车前不足24小时 | 票价的30% | 仅限窗口 |",
  "发车后1小时内 | 票价的50% | 仅限始发站窗口 |",
  "二、儿童票",
  "儿童乘车的规定如下:",
  "类别 | 适用对象 | 票价 |",
  "---|---|---|",
  "免票儿童 | 身高不足1.2米或未满6周岁的儿童 | 免费 |",
  "儿童票 | 年满6周岁、未满14周岁的儿童 | 半价 |",
  "三、行李",
  "每位乘客可以免费携带1件20公斤以内的行李。",
  "",
].join("\n");

const kb = draftedKnowledge(article, "bus");
const ask = (text: string) => {
  const { outcome } = decide(initialState(0), { text, at: 0 }, kb);
  return { kind: outcome.kind, text: outcome.replies.map((r) => r.text).join("\n") };
};

// Rows all counted after the purchase, one of them saying no 后 (1年以上).
const purchases = [
  "耳机售后指南",
  "",
  "一、退换与维修",
  "不同时间段的处理方式如下:",
  "购买后时间 | 出现故障时 | 只是不想要 |",
  "---|---|---|",
  "购买后7天内 | 可选退货或换货 | 可以无理由退货 |",
  "购买后8至15天 | 可选换货或维修 | 不能退货 |",
  "购买后16天至1年 | 免费维修 | 不能退换 |",
  "1年以上 | 付费维修 | 不能退换 |",
  "",
].join("\n");

describe("a figure in a question about a tiered table", () => {
  it("puts a length said in two units on its row, where every row counts after the purchase", () => {
    const kb2 = draftedKnowledge(purchases, "ear");
    const said = (text: string) => decide(initialState(0), { text, at: 0 }, kb2).outcome.replies.map((r) => r.text).join("\n");
    expect(said("耳机买了十天出现故障,能退货吗")).toContain("可选换货或维修");
    expect(said("购买后一年零两个月出现故障,维修要付费吗")).toContain("付费维修");
  });

  it("finds the tables whose rows are tiers of one quantity", () => {
    expect(tieredTables(kb).map((t) => t.ranges.size)).toEqual([4, 2]);
  });

  it("answers with the row whose range holds the figure, in the column asked", () => {
    expect(ask("离发车还有十来天,退票手续费多少")).toMatchObject({ kind: "answer", text: expect.stringContaining("免收") });
    expect(ask("发车前三天退票要扣多少手续费")).toMatchObject({ kind: "answer", text: expect.stringContaining("10%") });
    expect(ask("What is the refund fee less than 24 hours before departure?").text).toContain("30%");
    expect(ask("车开走半小时了还能退票吗 手续费多少").text).toContain("50%");
  });

  it("says both rows when two figures fall on two rows", () => {
    const { text } = ask("发车前十天退票和发车前两天退票,手续费差多少");
    expect(text).toContain("免收");
    expect(text).toContain("10%");
  });

  it("reads an age in a column of who a row is for", () => {
    expect(ask("孩子八岁坐大巴买什么票,票价多少").text).toContain("半价");
  });

  it("leaves a figure about something the table does not say alone", () => {
    expect(ask("行李20公斤以内免费吗").text).not.toContain("%");
  });
});
