import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  IngestError,
  aliasesOf,
  articleTerms,
  countQuestions,
  cleanHtml,
  factQuestions,
  ingestArticle,
  renderDrafts,
  sentences,
  splitRow,
  type IngestResult,
} from "../../src/knowledge/ingest.js";
import { renderRefs } from "../../src/dialog/render.js";
import { loadKnowledge, resolveRef } from "../../src/knowledge/load.js";
import { questionTemplates } from "../../src/knowledge/question-templates.js";
import { intentFileSchema, knowledgeFileSchema, lexiconFileSchema } from "../../src/knowledge/schema.js";
import { matchIntent } from "../../src/nlu/match.js";

const root = resolve(import.meta.dirname, "../..");
const articlePath = resolve(root, "tests/fixtures/sample-article.txt");
const article = readFileSync(articlePath, "utf8");
const SOURCE = "sample-article.txt";
const HEADINGS = ["一、注销前的准备工作", "二、注销步骤与审核时长", "三、注销后的数据处理"];

const result = ingestArticle(article, { prefix: "qingji", sourceName: SOURCE });
const allFacts = Object.entries(result.knowledgeFile.facts ?? {}).map(([id, f]) => ({
  id,
  ...(typeof f === "string" ? { text: f, section: undefined } : f),
}));
// the article's own sentences (the others are read across a table: its rows, a column)
const facts = allFacts.filter((f) => !f.id.includes("-table"));
const tables = result.knowledgeFile.tables ?? {};

/** The synonyms a small article's drafted lexicon gives, the article's lines joined. */
function draftedSynonyms(lines: string[]): Record<string, string[]> {
  return ingestArticle(lines.join("\n"), { prefix: "small", sourceName: "small.txt" }).lexiconFile.synonyms as Record<string, string[]>;
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** Writes the knowledge base as the CLI does. */
function writeDrafts(r: IngestResult): { knowledgeDir: string; intentsDir: string } {
  const dir = mkdtempSync(join(tmpdir(), "ingest-test-"));
  scratch.push(dir);
  const knowledgeDir = join(dir, "knowledge");
  const intentsDir = join(dir, "intents");
  mkdirSync(knowledgeDir);
  mkdirSync(intentsDir);
  const drafts = renderDrafts(r, SOURCE);
  writeFileSync(join(knowledgeDir, "qingji.yaml"), drafts.knowledge);
  writeFileSync(join(knowledgeDir, "lexicon.yaml"), drafts.lexicon);
  writeFileSync(join(intentsDir, "qingji.yaml"), drafts.intents);
  writeFileSync(join(intentsDir, "conversation.yaml"), drafts.conversation);
  return { knowledgeDir, intentsDir };
}

describe("ingestArticle on the sample article", () => {
  it("counts sections, facts, tables, rows and intents", () => {
    expect(result.stats).toEqual({ sections: 3, facts: 12, tables: 2, rows: 6, intents: 33 });
    expect(facts).toHaveLength(12);
    expect(Object.keys(tables)).toEqual(["qingji-s1-table", "qingji-s2-table"]);
    expect(result.intentFile.map((i) => i.id).filter((id) => !id.includes("-t"))).toEqual(["qingji-overview", "qingji-s1", "qingji-s2", "qingji-s3", "qingji-s3-p2"]);
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

  it("drafts an intent per section: examples from the heading and its sentences, its text as the answer, neighbours as related", () => {
    const s2 = result.intentFile.find((i) => i.id === "qingji-s2")!;
    expect(s2.title).toBe("注销步骤与审核时长");
    expect(s2.examples).toEqual(expect.arrayContaining(["二、注销步骤与审核时长", "注销步骤与审核时长", "注销步骤与审核时长是怎样的"]));
    expect(s2.answer).toEqual(["qingji-s2-1", "qingji-s2-2"]);
    expect(s2.related).toEqual(["qingji-s1", "qingji-s3"]);
    expect(result.intentFile.find((i) => i.id === "qingji-s1")!.related).toEqual(["qingji-s2"]);
    expect(result.intentFile.find((i) => i.id === "qingji-s1")!.examples).toContain("注销前的准备工作有哪些");
    // a figure of the text is asked for
    expect(s2.examples).toContain("提交后有多久冷静期");
    // a paragraph after the first is an intent of its own: its figures are asked of it, and it answers with itself
    const s3p2 = result.intentFile.find((i) => i.id === "qingji-s3-p2")!;
    expect(s3p2.examples).toEqual(expect.arrayContaining(["注销后同一手机号需等待多久才能重新注册", "注销后还能找回笔记吗"]));
    expect(s3p2.answer).toEqual(["qingji-s3-5", "qingji-s3-6"]);
    expect(s3p2.related).toEqual(["qingji-s3"]);
    const overview = result.intentFile.find((i) => i.id === "qingji-overview")!;
    expect(overview.examples).toEqual(expect.arrayContaining(["如何注销轻记笔记账号", "轻记账号注销指南"]));
    expect(overview.answer).toEqual(["qingji-intro-1", "qingji-intro-2"]);
  });

  it("drafts an intent per table: its rows as a list, each row, each cell, and each column of short values", () => {
    const byId = (id: string) => result.intentFile.find((i) => i.id === id)!;
    expect(byId("qingji-s2-t1").answer).toEqual(["qingji-s2-table-rows"]);
    expect(byId("qingji-s2-t1").examples).toContain("有哪些注销方式");
    expect(result.knowledgeFile.facts!["qingji-s2-table-rows"]).toEqual({ text: "注销方式：App内自助注销、客服人工注销、网页端注销。", section: "二、注销步骤与审核时长" });

    const row = byId("qingji-s2-t1-ke-fu-ren-gong-zhu-xiao");
    expect(row.answer).toEqual(["qingji-s2-table.ke-fu-ren-gong-zhu-xiao"]);
    expect(row.examples).toEqual(expect.arrayContaining(["客服人工注销", "客服人工注销怎么样"]));

    const cell = byId("qingji-s2-t1-ke-fu-ren-gong-zhu-xiao-shen-he-shi-chang");
    expect(cell.answer).toEqual(["qingji-s2-table.ke-fu-ren-gong-zhu-xiao.shen-he-shi-chang"]);
    expect(cell.title).toBe("客服人工注销的审核时长");
    // a column of durations is asked "how long", a column of percentages "how much"
    expect(cell.examples).toEqual(expect.arrayContaining(["客服人工注销的审核时长", "客服人工注销要多久"]));
    expect(byId("qingji-s2-t1-ke-fu-ren-gong-zhu-xiao-cheng-gong-lv").examples).toContain("客服人工注销的成功率是多少");
    // a yes/no column is asked without its 是否
    expect(byId("qingji-s1-t1-dao-chu-ge-ren-bi-ji-shi-fou-bi-xu").examples).toContain("导出个人笔记必须吗");

    const column = byId("qingji-s2-t1-by-cheng-gong-lv");
    expect(column.examples).toContain("哪个成功率最高");
    expect(result.knowledgeFile.facts!["qingji-s2-table-by-cheng-gong-lv"]).toEqual({
      text: "成功率：App内自助注销 93%；客服人工注销 88%；网页端注销 90.5%。",
      section: "二、注销步骤与审核时长",
    });
  });

  it("asks a row of a table of one column of values what that column holds (how long, how much)", () => {
    const text = [
      "证件办理指南",
      "一、办理时限",
      "各项业务的办理时限如下:",
      "业务 | 办理时限 |",
      "---|---|",
      "护照首次申领 | 7个工作日 |",
      "护照补发 | 12个工作日 |",
      "二、收费",
      "各项业务的收费如下:",
      "业务 | 收费标准 |",
      "---|---|",
      "护照 | 120元 |",
      "签注 | 15元 |",
    ].join("\n");
    const r = ingestArticle(text, { prefix: "doc", sourceName: "doc.txt" });
    const row = (name: string) => r.intentFile.find((i) => i.title.startsWith(name) && i.answer?.length === 1 && /\.[a-z0-9-]+$/.test(String(i.answer[0])))!;
    expect(row("护照补发").examples).toEqual(expect.arrayContaining(["护照补发要多久", "护照补发的办理时限"]));
    expect(row("签注").examples).toEqual(expect.arrayContaining(["签注多少钱"]));
  });

  it("drafts small talk, a human and out-of-scope intents from general data, with the article's title in the replies", () => {
    const conv = result.conversationFile;
    expect(conv.map((i) => i.id)).toEqual(["greeting", "thanks", "goodbye", "who-are-you", "capabilities", "human", "out-of-scope"]);
    const greeting = conv.find((i) => i.id === "greeting")!;
    expect(greeting.reply).toContain("如何注销轻记笔记账号");
    expect(greeting.reply).toContain("注销前的准备工作、注销步骤与审核时长、注销后的数据处理");
    for (const i of conv) expect(i.reply ?? "").not.toMatch(/[{}]/);
    expect(conv.find((i) => i.id === "human")!.type).toBe("handoff");
    expect(conv.find((i) => i.id === "out-of-scope")!.examples).toContain("今天天气怎么样");
  });

  it("produces files the project's schemas accept", () => {
    expect(knowledgeFileSchema.safeParse(result.knowledgeFile).success).toBe(true);
    expect(intentFileSchema.safeParse(result.intentFile).success).toBe(true);
  });

  it("renders YAML that starts with a comment naming the article", () => {
    const drafts = renderDrafts(result, SOURCE);
    for (const text of Object.values(drafts)) expect(text).toMatch(/^# Drafted from sample-article.txt by npm run kb:ingest/);
  });
});

describe("the drafts in the knowledge base", () => {
  it("load alone without errors through loadKnowledge", () => {
    const loaded = loadKnowledge(writeDrafts(result));
    if (!loaded.ok) expect(loaded.errors).toEqual([]);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const { kb } = loaded;
    expect(kb.facts.size).toBe(12 + 7);
    expect(kb.tables.size).toBe(2);
    expect(kb.intents.size).toBe(33 + 7);
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

  it("answer every intent in at most 300 characters", () => {
    const loaded = loadKnowledge(writeDrafts(result));
    if (!loaded.ok) throw new Error(loaded.errors.join("\n"));
    for (const intent of loaded.kb.intents.values()) {
      const text = renderRefs(intent.answer, loaded.kb).join("\n");
      expect(text.length, intent.id).toBeLessThanOrEqual(300);
      if (intent.type === "faq") expect(text.length, intent.id).toBeGreaterThan(0);
    }
  });
});

describe("a sentence that leads into a table", () => {
  const text = (rows: number): string =>
    [
      "标题",
      "一、租金减免",
      "租金按月收取，每月1日至15日缴纳。",
      "租金减免按家庭收入分为几档:",
      "档次 | 减免比例 |",
      "---|---|",
      ...Array.from({ length: rows }, (_, i) => `第${i + 1}档 | ${90 - i * 10}% |`),
      "",
      "减免每年审核一次。",
    ].join("\n");

  it("is answered with the table's rows, which say what it announces", () => {
    const r = ingestArticle(text(4), { prefix: "rent", sourceName: "rent.txt" });
    const rows = Object.keys(r.knowledgeFile.tables?.["rent-s1-table"]?.rows ?? {}).map((id) => `rent-s1-table.${id}`);
    expect(rows).toHaveLength(4);
    // the section's intent answers with its sentences, the one that leads into the table among them, then the rows
    const section = r.intentFile.find((i) => i.id === "rent-s1");
    const facts = (section?.answer as string[]).filter((ref) => r.knowledgeFile.facts?.[ref] !== undefined);
    expect(facts.map((ref) => r.knowledgeFile.facts?.[ref])).toContainEqual(expect.objectContaining({ text: "租金减免按家庭收入分为几档:" }));
    expect(section?.answer).toEqual(expect.arrayContaining(rows));
  });

  it("is not, when the table is long: its rows and cells are asked about one by one", () => {
    const r = ingestArticle(text(9), { prefix: "rent", sourceName: "rent.txt" });
    expect(r.intentFile.find((i) => i.id === "rent-s1")?.answer).not.toEqual(expect.arrayContaining([expect.stringMatching(/^rent-s1-table\./)]));
  });
});

describe("ingestArticle on a Markdown article", () => {
  it("reads # the title and ## headings, numbered or not, as the plain article's title and sections", () => {
    const lines = article.split(/\r?\n/);
    const markdown = lines
      .map((line, i) => (i === 0 ? `# ${line}` : HEADINGS.includes(line.trim()) ? `## ${line.trim()}` : line))
      .join("\n");
    const md = ingestArticle(markdown, { prefix: "qingji", sourceName: SOURCE });
    expect(md.knowledgeFile).toEqual(result.knowledgeFile);
    expect(md.intentFile).toEqual(result.intentFile);
    // a heading without a numeral is a section too
    const unnumbered = ingestArticle("# 标题\n\n## 费用说明\n办理费 10 元。\n\n### 退款\n7 天内退款。\n", { prefix: "t", sourceName: "md.txt" });
    expect(Object.values(unnumbered.knowledgeFile.facts ?? {}).map((f) => (typeof f === "string" ? undefined : f.section))).toEqual(["费用说明", "退款"]);
  });
});

describe("ingestArticle on bad input", () => {
  const ingest = (text: string) => ingestArticle(text, { prefix: "t", sourceName: "bad.txt" });

  it("refuses an article without numbered sections, as file:line", () => {
    expect(() => ingest("标题\n只有一段话。\n")).toThrow(IngestError);
    try {
      ingest("标题\n只有一段话。\n");
    } catch (e) {
      expect((e as IngestError).problems).toEqual(['bad.txt:1: no sections found (headings look like "一、注销前的准备工作" or "## 注销前的准备工作")']);
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

describe("questions and names drafted from the text", () => {
  it("asks for a figure, a reason, a code and a way of doing what a sentence says", () => {
    expect(factQuestions("注销后同一手机号需等待30天才能重新注册。")).toEqual(
      expect.arrayContaining(["注销后同一手机号需等待多久才能重新注册", "怎么重新注册"]),
    );
    expect(factQuestions("约41%的注销失败是因为自动续费没有关闭。")).toEqual(expect.arrayContaining(["为什么注销失败", "注销失败是什么原因"]));
    expect(factQuestions("在浏览器输入管理地址192.168.1.1,设置管理员密码")).toContain("管理地址是多少");
    expect(factQuestions("路由器应放在房屋中央的高处,远离微波炉。")).toContain("路由器放在哪里");
    // the figure of a short clause is asked with the clause that says what it is of
    expect(factQuestions("路由器会自动重启,大约需要2分钟")).toContain("路由器会自动重启大约需要多久");
  });

  it("asks for a figure written in Chinese numerals, and what the short clause with it is about", () => {
    expect(factQuestions("每人限办一张借书证,有效期两年。")).toEqual(expect.arrayContaining(["每人限办几张借书证", "有效期多久"]));
    // minutes are a duration, not a count of 分
    expect(factQuestions("大约需要2分钟").join(" ")).not.toContain("几分");
  });

  it("does not take 一 of a word (同一本, 每一张) for a count, nor an age (18周岁) for a duration", () => {
    const same = factQuestions("同一本房产证最多办两张卡。");
    expect(same.join(" ")).not.toContain("同几本");
    expect(same).toContain("同一本房产证最多办几张卡");
    const age = factQuestions("申请人年满18周岁。").join(" ");
    expect(age).not.toContain("多久");
  });

  it("asks for a figure as of what follows the case its clause opens with (销户后号码冻结90天: the freeze, not the closing)", () => {
    const qs = factQuestions("销户后号码冻结90天，冻结期内可以申请恢复。");
    expect(qs).toEqual(expect.arrayContaining(["号码冻结多久", "号码冻结多长时间"]));
    expect(qs).not.toContain("销户多久");
    expect(qs).not.toContain("销户要多久");
  });

  it("does not take a year for a duration", () => {
    expect(factQuestions("截至2024年底累计注册用户约1200万。").join(" ")).not.toContain("多久");
    expect(factQuestions("截至2024年底累计注册用户约1200万。")).toContain("截至2024年底累计注册用户多少");
  });

  it("reads other names of a row or column from brackets and slashes", () => {
    expect(aliasesOf("耗时(分钟)")).toEqual(["耗时"]);
    expect(aliasesOf("宽带拨号(PPPoE)")).toEqual(["宽带拨号", "PPPoE"]);
    expect(aliasesOf("公众号/小程序")).toEqual(["公众号", "小程序"]);
    expect(aliasesOf("网页端注销")).toEqual([]);
    // a bracket that qualifies the name (a choice, a list) names nothing
    expect(aliasesOf("主动退卡(月卡或季卡)")).toEqual(["主动退卡"]);
  });

  it("reads a marked short name as the whole name it is made from, and a bracketed condition as no name", () => {
    const syn = draftedSynonyms([
      "停车月卡说明",
      "全市的路边泊位由岚江城市停车管理有限公司(简称\"岚江停车\")统一运营。岚江停车每年发布报告。",
      "一、条件",
      "申请人须在片区内有住房(自有或租住均可)。有住房的居民可以申请。",
    ]);
    expect(syn["岚江城市停车管理有限公司"]).toContain("岚江停车");
    expect(syn["有限公司"]).toBeUndefined();
    expect(Object.values(syn).flat()).not.toContain("自有或租住均可");
  });

  it("reads every name marked inside one pair of brackets as a name of what comes before them", () => {
    const syn = draftedSynonyms([
      "门诊指南",
      "澜州市第二人民医院(简称\"澜州二院\",本地人俗称\"二院\")有3个院区。二院的门诊全年开放。",
      "溪州市公安局交通管理支队(以下简称\"溪州交管\")负责登记。",
      "一、院区",
      "本部在中山路。",
    ]);
    expect(syn["澜州市第二人民医院"]).toEqual(expect.arrayContaining(["澜州二院", "二院"]));
    // not the word before 俗称 inside the brackets (who calls it so), nor 以下 of 以下简称
    expect(syn["本地人"]).toBeUndefined();
    expect(syn["以下"]).toBeUndefined();
    expect(syn["溪州市公安局交通管理支队"]).toContain("溪州交管");
  });

  it("gives the article's words for a year, collecting, an address and money the everyday forms people ask with", () => {
    const syn = draftedSynonyms([
      "医保指南",
      "一、待遇",
      "统筹基金年度最高支付限额为30万元。",
      "二、领卡",
      "卡片制作完成后到网点领取，网点地址见附表。",
      "三、费用",
      "补卡收费20元，余额转入新卡，可以在App充值。",
      "四、乘车与维修",
      "乘坐地铁时刷卡进站。读卡器故障由维修人员上门处理，维修人员2小时内到达。",
    ]);
    expect(syn["年度"]).toEqual(expect.arrayContaining(["一年", "全年"]));
    expect(syn["领取"]).toEqual(expect.arrayContaining(["拿到", "去领"]));
    expect(syn["地址"]).toEqual(expect.arrayContaining(["什么地方"]));
    // money said plainly: 要钱 is a charge, 卡里的钱 the balance, 充钱 a top-up
    expect(syn["收费"]).toEqual(expect.arrayContaining(["要钱"]));
    expect(syn["余额"]).toEqual(expect.arrayContaining(["卡里的钱"]));
    expect(syn["充值"]).toEqual(expect.arrayContaining(["充钱", "充"]));
    // riding is sitting (坐地铁), and the one who comes to repair is the 师傅
    expect(syn["乘坐"]).toEqual(expect.arrayContaining(["坐"]));
    expect(syn["维修人员"]).toEqual(expect.arrayContaining(["师傅"]));
  });

  it("gives the article's words for a vehicle, a flat, moving out and signing the everyday forms people ask with", () => {
    const syn = draftedSynonyms([
      "住房指南",
      "一、条件",
      "家庭名下车辆合计价值不超过20万元。",
      "二、签约与退出",
      "选房后7日内签约，房屋交付后入住；合同期满不再续租的，应在30日内腾退。",
    ]);
    expect(syn["车辆"]).toEqual(expect.arrayContaining(["车", "汽车"]));
    expect(syn["房屋"]).toEqual(expect.arrayContaining(["房子"]));
    expect(syn["腾退"]).toEqual(expect.arrayContaining(["搬走"]));
    expect(syn["签约"]).toEqual(expect.arrayContaining(["签合同"]));
  });

  it("does not read a parcel sent back (退回来) as money arriving (到账)", () => {
    expect(draftedSynonyms(["寄件指南", "一、退回", "包裹无法投递会退回寄件人。退款3个工作日内到账。"])["到账"] ?? []).not.toContain("退回来");
  });

  it("gives an age limit's words no everyday form that says something else (号满了 is full, 抢不到 is missing out)", () => {
    const forms = Object.values(draftedSynonyms(["办卡指南", "一、条件", "年满18周岁可以办理。未满18周岁由监护人代办。"])).flat();
    expect(forms).not.toContain("满");
    expect(forms).not.toContain("不到");
  });

  it("takes no word that ends in a character starting the phrase after it (每月|多30元), but keeps a word with a head (快递|柜)", () => {
    const T = questionTemplates();
    const texts = [
      "畅享套餐每月多30元，极速套餐每月多40元。",
      "每月可以更换一次套餐，每月账单在1日出。",
      "旗舰套餐每月多50元，每月赠送流量。",
      "每月1日扣费，每月最多改一次。",
      "快递柜取件免费，快递柜在小区门口。",
      "快递员会把快递放进快递柜，快递丢了可以赔。",
    ];
    const terms = articleTerms(texts, T);
    expect(terms).not.toContain("每月多");
    expect(terms).toContain("快递柜");
  });

  it("reads the article's own words whole, with their everyday forms and other names", () => {
    const T = questionTemplates();
    // a run of characters a dictionary reads one by one, and a word with a one-character head, in two facts or more
    expect(articleTerms(["逾期会收滞纳金。", "滞纳金可在线缴纳。", "借书证丢失请挂失。", "挂失后，借书证作废。"], T)).toEqual(
      expect.arrayContaining(["滞纳金", "挂失", "借书证"]),
    );
    const r = ingestArticle(
      [
        "会员卡说明",
        "健身会员卡（简称会员卡）全市通用。会员卡丢失请到前台挂失。挂失后补办。",
        "一、卡种",
        "卡种 | 价格 | 有效期 |",
        "---|---|---|",
        "月卡 | 299元 | 30天 |",
        "年卡 | 2399元 | 365天 |",
        "二、证件",
        "办理会员卡需带身份证。学员证丢失后可补办。学员证每年审核一次。",
      ].join("\n"),
      { prefix: "gym", sourceName: "gym.txt" },
    );
    const syn = r.lexiconFile.synonyms;
    expect(syn["挂失"]).toEqual(["挂失"]);
    // 证 is also typed 卡 (学员证 → 学员卡), a row named by its kind also with the article's word (年卡 → 年会员卡)
    expect(syn["学员证"]).toContain("学员卡");
    expect(syn["年卡"]).toContain("年会员卡");
    // a group of everyday words maps to the word the article uses (前台), whichever it is
    expect(syn["前台"]).toEqual(expect.arrayContaining(["服务台", "柜台"]));
    // words of the circumstances are read as themselves (晚上 is no typo of 网上)
    expect(r.lexiconFile.stopwords).toContain("晚上");
    // and so are the story's times, places and people (去年, 楼下, 老婆) when the article does not use them
    expect(r.lexiconFile.stopwords).toEqual(expect.arrayContaining(["去年", "楼下", "老婆"]));
    expect(lexiconFileSchema.safeParse(r.lexiconFile).success).toBe(true);
    // quick-reply titles are questions: a row by its columns, the table by its rows
    expect(r.intentFile.find((i) => i.id === "gym-s1-t1-nian-ka")!.title).toBe("年卡的价格和有效期");
    expect(r.intentFile.find((i) => i.id === "gym-s1")!.suggest).toBe(true);
  });

  it("asks a column of prices, counts, shares or durations for its extremes (哪个套餐最便宜)", () => {
    const r = ingestArticle(
      ["套餐说明", "一、套餐", "套餐名称 | 月费 | 流量 |", "---|---|---|", "小套餐 | 19元 | 10GB |", "大套餐 | 99元 | 100GB |"].join("\n"),
      { prefix: "plan", sourceName: "plan.txt" },
    );
    const byPrice = r.intentFile.find((i) => i.id.endsWith("-by-yue-fei"))!;
    expect(byPrice.examples).toEqual(expect.arrayContaining(["最便宜的套餐", "哪个套餐最贵"]));
  });

  it("reads a group of everyday words as the one the article uses most, and never a hotline's number as the hotline", () => {
    const r = ingestArticle(
      [
        "号码办理指南",
        "一、销户",
        "销户请到营业厅办理。销户后号码冻结90天。线上销户约1天。也可以注销副卡。",
        "二、热线",
        "客服热线96580全天服务。号码过户须本人到场。号码丢失可挂失。",
      ].join("\n"),
      { prefix: "num", sourceName: "num.txt" },
    );
    const syn = r.lexiconFile.synonyms;
    // the article says 销户 four times and 注销 once: 注销 is read as 销户
    expect(syn["销户"]).toEqual(expect.arrayContaining(["注销"]));
    expect(syn["注销"]).toBeUndefined();
    // 号码 is a word of its own here, not another name of 热线
    expect(syn["热线"] ?? []).not.toContain("号码");
  });

  it("asks a row named by its kind with each of the title's words for what it is, never with another word of the same ending", () => {
    const r = ingestArticle(
      [
        "如何办理和注销某市公交卡(某市交通卡办理与退卡指南)",
        "一、卡种",
        "卡种 | 押金 |",
        "---|---|",
        "普通卡 | 20元 |",
        "学生卡 | 20元 |",
        "二、退卡",
        "退卡请到网点办理。退卡时押金全额退还。退卡后余额转入账户。",
      ].join("\n"),
      { prefix: "card", sourceName: "card.txt" },
    );
    const syn = r.lexiconFile.synonyms;
    expect(syn["普通卡"]).toContain("普通公交卡");
    expect(syn["学生卡"]).toEqual(expect.arrayContaining(["学生公交卡", "学生交通卡"]));
    // 退卡 is the article's most frequent word ending in 卡, but the title says what the rows are kinds of
    expect(syn["普通卡"]).not.toContain("普通退卡");
  });

  it("asks for a count in the words people use for it", () => {
    const T = questionTemplates();
    expect(countQuestions("可借册数", T)).toEqual(expect.arrayContaining(["可借几册", "能借多少册", "能借几本"]));
    expect(countQuestions("押金", T)).toEqual([]);
    // a clock range is asked for its end, and a figure by what its sentence is about
    expect(factQuestions("总馆周二至周日9:00-21:00开放")).toContain("总馆几点关门");
    expect(factQuestions("现场办证在服务台办理，全程约3分钟")).toEqual(expect.arrayContaining(["现场办证多久", "现场办证要多久"]));
  });

  it("drafts a lexicon of the article's terms and their other names", () => {
    const r = ingestArticle(
      ["家用路由器设置", "无线路由器(Wi-Fi路由器)是家庭上网的核心设备。", "一、上网方式", "方式 | 难度 |", "---|---|", "宽带拨号(PPPoE) | 中 |", "自动获取IP(DHCP) | 低 |"].join("\n"),
      { prefix: "router", sourceName: "router.txt" },
    );
    expect(r.lexiconFile.synonyms).toEqual({
      无线路由器: ["无线路由器", "Wi-Fi路由器"],
      宽带拨号: ["宽带拨号", "PPPoE"],
      自动获取IP: ["自动获取IP", "DHCP"],
      "Wi-Fi": ["Wi-Fi", "WiFi"],
    });
    expect(lexiconFileSchema.safeParse(r.lexiconFile).success).toBe(true);
  });
});
