import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  IngestError,
  cleanHtml,
  ingestArticle,
  renderDrafts,
  sentences,
  splitRow,
  type IngestResult,
} from "../../src/knowledge/ingest.js";
import { loadKnowledge, resolveRef } from "../../src/knowledge/load.js";
import { intentFileSchema, knowledgeFileSchema } from "../../src/knowledge/schema.js";
import { matchIntent } from "../../src/nlu/match.js";

const root = resolve(import.meta.dirname, "../..");
const articlePath = resolve(root, "tests/fixtures/sample-article.txt");
const article = readFileSync(articlePath, "utf8");
const SOURCE = "sample-article.txt";
const HEADINGS = ["一、注销前的准备工作", "二、注销步骤与审核时长", "三、注销后的数据处理"];

const result = ingestArticle(article, { prefix: "qingji", sourceName: SOURCE });
const facts = Object.entries(result.knowledgeFile.facts ?? {}).map(([id, f]) => ({
  id,
  ...(typeof f === "string" ? { text: f, section: undefined } : f),
}));
const tables = result.knowledgeFile.tables ?? {};

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** Writes the drafts as the CLI does, next to the project's lexicon (and optionally its whole knowledge base). */
function writeDrafts(r: IngestResult, withProject = false): { knowledgeDir: string; intentsDir: string } {
  const dir = mkdtempSync(join(tmpdir(), "ingest-test-"));
  scratch.push(dir);
  const knowledgeDir = join(dir, "knowledge");
  const intentsDir = join(dir, "intents");
  if (withProject) {
    cpSync(resolve(root, "knowledge"), knowledgeDir, { recursive: true });
    cpSync(resolve(root, "intents"), intentsDir, { recursive: true });
  } else {
    mkdirSync(knowledgeDir);
    mkdirSync(intentsDir);
    copyFileSync(resolve(root, "knowledge/lexicon.yaml"), join(knowledgeDir, "lexicon.yaml"));
  }
  const drafts = renderDrafts(r, SOURCE);
  writeFileSync(join(knowledgeDir, "qingji.yaml"), drafts.knowledge);
  writeFileSync(join(intentsDir, "qingji.yaml"), drafts.intents);
  return { knowledgeDir, intentsDir };
}

describe("ingestArticle on the sample article", () => {
  it("counts sections, facts, tables, rows and intents", () => {
    expect(result.stats).toEqual({ sections: 3, facts: 12, tables: 2, rows: 6, intents: 4 });
    expect(facts).toHaveLength(12);
    expect(Object.keys(tables)).toEqual(["qingji-s1-table", "qingji-s2-table"]);
    expect(result.intentFile.map((i) => i.id)).toEqual(["qingji-overview", "qingji-s1", "qingji-s2", "qingji-s3"]);
    expect(result.warnings).toEqual([]);
  });

  it("uses the title line as the file's section and keeps the text before the first section as 引言", () => {
    expect(result.knowledgeFile.section).toBe("如何注销轻记笔记账号(轻记账号注销指南)");
    expect(facts.filter((f) => f.section === "引言").map((f) => f.id)).toEqual(["qingji-intro-1", "qingji-intro-2"]);
  });

  it("makes one fact per sentence and per bullet, each naming its section", () => {
    for (const f of facts) expect(["引言", ...HEADINGS]).toContain(f.section);
    const bySection = (h: string) => facts.filter((f) => f.section === h).map((f) => f.text);
    expect(bySection(HEADINGS[0]!)).toEqual([
      "注销前需要先处理会员订阅和共享笔记本,否则注销申请会被退回。",
      "约41%的注销失败是因为自动续费没有关闭。",
    ]);
    expect(bySection(HEADINGS[1]!)).toEqual([
      "在App内进入「我的」-「设置」-「账号与安全」-「注销账号」,验证手机号后提交申请。",
      "提交后有7天冷静期,期间重新登录即视为撤销注销！",
    ]);
    expect(bySection(HEADINGS[2]!)).toEqual([
      "账号注销完成后,以下数据会被永久删除:",
      "云端保存的全部笔记和附件",
      "会员剩余时长(不予退款)",
      "绑定的微博、QQ等第三方登录关系",
      "注销后同一手机号需等待30天才能重新注册。",
      // a question stays with its answer
      "注销后还能找回笔记吗？不能,请务必提前导出。",
    ]);
  });

  it("keeps figures exactly as written", () => {
    const all = facts.map((f) => f.text).join("\n");
    for (const figure of ["约1200万", "2024年底", "约41%", "7天冷静期", "30天"]) expect(all).toContain(figure);
  });

  it("turns each table into columns and rows, cells kept as written", () => {
    const steps = tables["qingji-s2-table"]!;
    expect(steps.title).toBe("注销步骤与审核时长");
    expect(steps.key).toBe("注销方式");
    expect(steps.section).toBe("二、注销步骤与审核时长");
    expect(Object.entries(steps.columns).map(([id, c]) => [id, c.name])).toEqual([
      ["shen-he-shi-chang", "审核时长"],
      ["cheng-gong-lv", "成功率"],
    ]);
    expect(Object.values(steps.rows).map((r) => r.name)).toEqual(["App内自助注销", "客服人工注销", "网页端注销"]);
    const app = steps.rows["app-nei-zi-zhu-zhu-xiao"]!;
    expect(app["cheng-gong-lv"]).toBe("93%");
    expect(app["shen-he-shi-chang"]).toBe("7天冷静期后自动完成");
    expect(steps.rows["wang-ye-duan-zhu-xiao"]!["cheng-gong-lv"]).toBe("90.5%");
    expect(steps.rows["ke-fu-ren-gong-zhu-xiao"]!["shen-he-shi-chang"]).toBe("3-5个工作日");
  });

  it("cleans stray HTML out of a cell and says so", () => {
    const prep = tables["qingji-s1-table"]!;
    expect(prep.key).toBe("准备事项");
    expect(Object.values(prep.columns).map((c) => c.name)).toEqual(["操作位置", "所需时间", "是否必须"]);
    const share = prep.rows["zhuan-yi-gong-xiang-bi-ji"]!;
    expect(share.name).toBe("转移共享笔记本");
    expect(share["shi-fou-bi-xu"]).toBe("必须");
    expect(share["suo-xu-shi-jian"]).toBe("5-10分钟");
    expect(result.notes).toEqual([`${SOURCE}:10: removed stray HTML: "td>必须</td>" → "必须"`]);
  });

  it("drafts an intent per section: examples from the heading, its facts and rows as the answer, neighbours as related", () => {
    const s2 = result.intentFile.find((i) => i.id === "qingji-s2")!;
    expect(s2.title).toBe("注销步骤与审核时长");
    expect(s2.examples).toEqual(expect.arrayContaining(["二、注销步骤与审核时长", "注销步骤与审核时长", "注销步骤与审核时长是怎样的"]));
    expect(s2.answer).toEqual([
      "qingji-s2-1",
      "qingji-s2-2",
      "qingji-s2-table.app-nei-zi-zhu-zhu-xiao",
      "qingji-s2-table.ke-fu-ren-gong-zhu-xiao",
      "qingji-s2-table.wang-ye-duan-zhu-xiao",
    ]);
    expect(s2.related).toEqual(["qingji-s1", "qingji-s3"]);
    expect(result.intentFile.find((i) => i.id === "qingji-s1")!.related).toEqual(["qingji-s2"]);
    expect(result.intentFile.find((i) => i.id === "qingji-s1")!.examples).toContain("注销前的准备工作有哪些");
    const overview = result.intentFile.find((i) => i.id === "qingji-overview")!;
    expect(overview.examples).toEqual(expect.arrayContaining(["如何注销轻记笔记账号", "轻记账号注销指南"]));
    expect(overview.answer).toEqual(["qingji-intro-1", "qingji-intro-2"]);
  });

  it("produces files the project's schemas accept", () => {
    expect(knowledgeFileSchema.safeParse(result.knowledgeFile).success).toBe(true);
    expect(intentFileSchema.safeParse(result.intentFile).success).toBe(true);
  });

  it("renders YAML that starts with a draft comment", () => {
    const drafts = renderDrafts(result, SOURCE);
    expect(drafts.knowledge).toMatch(/^# DRAFT .*review/);
    expect(drafts.intents).toMatch(/^# DRAFT .*review/);
  });
});

describe("the drafts in the knowledge base", () => {
  it("load without errors through loadKnowledge, next to the project's lexicon", () => {
    const loaded = loadKnowledge(writeDrafts(result));
    if (!loaded.ok) expect(loaded.errors).toEqual([]);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const { kb } = loaded;
    expect(kb.facts.size).toBe(12);
    expect(kb.tables.size).toBe(2);
    expect(kb.intents.size).toBe(4);
    expect(kb.facts.get("qingji-s2-2")!.section).toBe("二、注销步骤与审核时长");
    expect(kb.tables.get("qingji-s1-table")!.section).toBe("一、注销前的准备工作");

    // any cell can be referred to
    const ref = resolveRef("qingji-s2-table.app-nei-zi-zhu-zhu-xiao.cheng-gong-lv", kb.facts, kb.tables);
    expect(ref).toEqual({ kind: "cell", table: "qingji-s2-table", row: "app-nei-zi-zhu-zhu-xiao", column: "cheng-gong-lv" });
    const row = kb.tables.get("qingji-s2-table")!.rows.find((r) => r.id === "app-nei-zi-zhu-zhu-xiao")!;
    expect(row.cells["cheng-gong-lv"]).toBe("93%");
  });

  it("matches each draft intent's examples to that intent", () => {
    const loaded = loadKnowledge(writeDrafts(result));
    if (!loaded.ok) throw new Error(loaded.errors.join("\n"));
    for (const intent of result.intentFile) {
      for (const example of intent.examples) {
        const match = matchIntent(String(example), loaded.kb.index);
        expect(match.candidates[0]?.intentId, String(example)).toBe(intent.id);
      }
    }
  });

  it("load together with the project's own knowledge base", () => {
    const loaded = loadKnowledge(writeDrafts(result, true));
    if (!loaded.ok) expect(loaded.errors).toEqual([]);
    expect(loaded.ok).toBe(true);
  });
});

describe("ingestArticle on bad input", () => {
  const ingest = (text: string) => ingestArticle(text, { prefix: "t", sourceName: "bad.txt" });

  it("refuses an article without numbered sections, as file:line", () => {
    expect(() => ingest("标题\n只有一段话。\n")).toThrow(IngestError);
    try {
      ingest("标题\n只有一段话。\n");
    } catch (e) {
      expect((e as IngestError).problems).toEqual(['bad.txt:1: no numbered sections found (headings look like "一、注销前的准备工作")']);
    }
  });

  it("refuses a prefix that cannot be an id", () => {
    expect(() => ingestArticle("t\n一、a\nb。", { prefix: "Qing Ji", sourceName: "x.txt" })).toThrow(/prefix "Qing Ji"/);
  });

  it("warns about a row with the wrong number of cells, skips it and keeps the rest", () => {
    const r = ingest(["标题", "一、方式", "说明。", "方式 | 时长 | 成功率 |", "---|---|---|", "甲 | 1天 | 90% |", "乙 | 2天 |", "丙 | 3天 | 80% | 多余 |", "丁 | 4天 | 70% |"].join("\n"));
    expect(r.warnings).toEqual([
      "bad.txt:7: table row has 2 cells, the header has 3: row skipped",
      "bad.txt:8: table row has 4 cells, the header has 3: row skipped",
    ]);
    const table = r.knowledgeFile.tables!["t-s1-table"]!;
    expect(Object.values(table.rows).map((row) => row.name)).toEqual(["甲", "丁"]);
    expect(r.stats.rows).toBe(2);
  });

  it("warns about an empty section and drafts no intent for it", () => {
    const r = ingest("标题\n一、有内容\n内容。\n二、空的\n三、也有内容\n内容二。\n");
    expect(r.warnings).toEqual(['bad.txt:4: section "二、空的" has no text or tables: no facts and no intent drafted for it']);
    expect(r.intentFile.map((i) => i.id)).toEqual(["t-s1", "t-s3"]);
    expect(r.intentFile[0]!.related).toEqual(["t-s3"]);
  });

  it("warns about pipe lines outside a table", () => {
    const r = ingest("标题\n一、节\n内容。\na | b | c\n");
    expect(r.warnings).toEqual([
      'bad.txt:4: a line with "|" outside a table (a table needs a header line followed by a ---|---| line): skipped',
    ]);
  });
});

describe("helpers", () => {
  it("splits table lines with or without outer pipes", () => {
    expect(splitRow("a | b | c |")).toEqual(["a", "b", "c"]);
    expect(splitRow("| a | b |")).toEqual(["a", "b"]);
    expect(splitRow("a|b")).toEqual(["a", "b"]);
  });

  it("cleans HTML tags, broken fragments and entities", () => {
    expect(cleanHtml("td>必须</td>")).toBe("必须");
    expect(cleanHtml("<td>建议</td>")).toBe("建议");
    expect(cleanHtml("<b>93%</b>")).toBe("93%");
    expect(cleanHtml("必须</td")).toBe("必须");
    expect(cleanHtml("A&amp;B&nbsp;C")).toBe("A&B C");
    expect(cleanHtml("<5分钟")).toBe("<5分钟");
    expect(cleanHtml("A > B")).toBe("A > B");
    expect(cleanHtml('td class="x">必须')).toBe("必须");
    expect(cleanHtml("3-5个工作日")).toBe("3-5个工作日");
  });

  it("splits sentences at 。！？ without breaking numbers", () => {
    expect(sentences("成功率90.5%。再试一次！好吗？好。")).toEqual(["成功率90.5%。", "再试一次！", "好吗？好。"]);
    expect(sentences("没有句号的一句")).toEqual(["没有句号的一句"]);
    expect(sentences("他说「完了。」然后走了。")).toEqual(["他说「完了。」", "然后走了。"]);
  });
});
