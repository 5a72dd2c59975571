import { describe, expect, it } from "vitest";
import type { Intent, KnowledgeBase, Table } from "../../src/knowledge/knowledge-base.js";
import { renderCell, renderCellOnly, renderRow, renderStepsAhead, stateOnce, unknownPlaceholders } from "../../src/dialog/render.js";

/** A table of another topic, without sentence templates: the general wording applies. */
function plainTable(): Table {
  return {
    id: "breads",
    title: "面包",
    key: "面包",
    section: "烘焙",
    source: "knowledge/breads.yaml:1",
    columns: [
      { id: "time", name: "烤制时间(分钟)", aliases: [] },
      { id: "heat", name: "温度", aliases: [] },
      { id: "hard", name: "难度", aliases: [] },
    ],
    rows: [
      { id: "toast", name: "吐司", aliases: [], cells: { time: "35分钟", heat: "180度", hard: "中" } },
      { id: "bagel", name: "贝果", aliases: [], cells: { time: "20-25", heat: "200度", hard: "高" } },
    ],
  };
}

/** The same table with a row sentence and one column sentence declared. */
function templatedTable(): Table {
  const t = plainTable();
  t.sentence = "{row}要烤{time}，温度{温度}，难度{hard}";
  t.columns[0] = { ...t.columns[0]!, sentence: "{row}大约烤{value}" };
  return t;
}

describe("saying a table row or cell as a sentence", () => {
  it("says a unit in a column's name once, with the figure, when no template is declared", () => {
    const t = plainTable();
    const toast = renderRow(t, t.rows[0]!);
    expect(toast).toBe("吐司的烤制时间是35分钟，温度是180度，难度是中。");
    expect(toast).not.toContain("(分钟)");
    // a bare figure gets the unit the column's name carries
    expect(renderCellOnly(t, t.rows[1]!, "time")).toBe("贝果的烤制时间是20-25分钟。");
  });

  it("fills a table's row sentence by column id and by column name", () => {
    const t = templatedTable();
    expect(renderRow(t, t.rows[0]!)).toBe("吐司要烤35分钟，温度180度，难度中。");
  });

  it("says a cell in its column's sentence, else in the general one", () => {
    const t = templatedTable();
    expect(renderCellOnly(t, t.rows[0]!, "time")).toBe("吐司大约烤35分钟。");
    expect(renderCellOnly(t, t.rows[0]!, "hard")).toBe("吐司的难度是中。");
  });

  it("gives the asked cell first and the rest of the row after it, without the asked cell again", () => {
    const t = plainTable();
    const [first, rest, ...more] = renderCell(t, t.rows[0]!, "heat").split("\n");
    expect(first).toBe("吐司的温度是180度。");
    expect(rest).toContain("35分钟");
    expect(rest).toContain("难度是中");
    expect(rest).not.toContain("180度");
    expect(more).toEqual([]);
  });

  it("leaves the asked cell and its label out of a templated row's sentence", () => {
    const t = templatedTable();
    t.sentence = "{row}：烤制时间：{time}；温度{heat}；难度：{hard}";
    expect(renderCell(t, t.rows[0]!, "time").split("\n")).toEqual(["吐司大约烤35分钟。", "吐司：温度180度；难度：中。"]);
    expect(renderCell(t, t.rows[0]!, "heat").split("\n")).toEqual(["吐司的温度是180度。", "吐司：烤制时间：35分钟；难度：中。"]);
  });

  it("names the placeholders of a template that are no column", () => {
    const t = plainTable();
    expect(unknownPlaceholders("{row}要烤{time}，{温度}", t, false)).toEqual([]);
    expect(unknownPlaceholders("{row}要烤{minutes}", t, false)).toEqual(["minutes"]);
    // {value} is a column sentence's own cell; a row sentence has none
    expect(unknownPlaceholders("{row}：{value}", t, false)).toEqual(["value"]);
    expect(unknownPlaceholders("{row}：{value}", t, true)).toEqual([]);
  });
});

describe("a reply states each fact once", () => {
  it("leaves out a row's restatement of a path a fact already gave, and keeps its new figure", () => {
    const text = [
      "彻底注销的路径：「账号与安全」→「微信注销」→ 确认清空视频号数据，注销时还需要额外验证身份信息。",
      "注销账号：账号与安全 → 微信注销 → 确认视频号数据清空，成功率76%。",
    ].join("\n");
    const lines = stateOnce(text).split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("成功率76%。");
  });

  it("leaves out a figure said again with a few words, but keeps a clause that adds to it", () => {
    expect(stateOnce("彻底注销大约 3-5 分钟。\n注销账号：账号与安全 → 微信注销，大约需要3-5分钟，成功率76%。")).toBe(
      "彻底注销大约 3-5 分钟。\n注销账号：账号与安全 → 微信注销，成功率76%。",
    );
    const kept = "关闭视频号后，视频默认保留 30 天，超过 30 天永久删除。";
    expect(stateOnce(`个人视频保留30天。\n${kept}`)).toBe(`个人视频保留30天。\n${kept}`);
  });

  it("keeps a line with a figure not said yet, however alike its words (one row after another)", () => {
    const text = "私教课：\n初级健身教练的20节套餐是3400元。\n高级健身教练的20节套餐是6600元。";
    expect(stateOnce(text)).toBe(text);
  });

  it("keeps a short plain clause another row shares, and a figure that only ends like one said", () => {
    const text = "粉丝：立即清除；不支持导出\n互动数据：7天；不支持导出\n评论：37天";
    expect(stateOnce(text)).toBe(text);
  });

  it("drops a line that only repeats, but never a step of a walk-through", () => {
    const fact = "先解绑视频号关联的公众号、小程序和小商店，再向微信团队提交注销申请并等待审核。";
    expect(stateOnce(`${fact}\n${fact.replace("，", "；")}`)).toBe(fact);
    expect(stateOnce(`${fact}\n第 1 步 / 共 4 步：${fact}`)).toBe(`${fact}\n第 1 步 / 共 4 步：${fact}`);
    expect(stateOnce(`${fact}\n1. ${fact}`)).toBe(`${fact}\n1. ${fact}`);
  });
});

describe("the steps ahead of a step", () => {
  const walk = (steps: string[]) => {
    const kb = { facts: new Map(steps.map((text, i) => [`s${i}`, { id: `s${i}`, text }])), tables: new Map() } as unknown as KnowledgeBase;
    const intent = { steps: steps.map((_, i) => ({ kind: "fact", id: `s${i}` })) } as unknown as Intent;
    return (step: number) => renderStepsAhead(intent, step, kb);
  };

  it("are each one's first sentence, joined by arrows, and none after the last step", () => {
    const ahead = walk(["打开App。", "点「我的」。", "进入「设置」，找到「退出」；确认后生效。"]);
    expect(ahead(0)).toBe("点「我的」 → 进入「设置」，找到「退出」");
    expect(ahead(2)).toBeNull();
  });

  it("are the names they quote when whole they would be long, and nothing when a step quotes none", () => {
    const long = "这一步要仔细看清楚页面上的每一个提示再继续往下操作";
    expect(walk(["打开App。", `${long}，点「账户」。`, `${long}，点「注销」。`])(0)).toBe("「账户」 → 「注销」");
    expect(walk(["打开App。", `${long}，点「账户」。`, `${long}，然后等待。`])(0)).toBeNull();
  });
});
