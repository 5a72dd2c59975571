import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { groupQuestions, jaccard, bigrams } from "../../src/insights/cluster.js";
import { draftIntents } from "../../src/insights/draft-intents.js";
import { computeInsights } from "../../src/insights/insights.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { createSqliteStore } from "../../src/store/sqlite.js";
import type { TranscriptEntry } from "../../src/types.js";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "faq-insights-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (text: string, kind: TranscriptEntry["kind"], at: number, intent: string | null = null): TranscriptEntry => ({
  conversationId: "api:u",
  channel: "api",
  userId: "u",
  direction: "in",
  text,
  at,
  intent,
  confidence: 0.5,
  kind,
});

describe("grouping unanswered questions", () => {
  it("puts differently written versions of a question together, after normalisation", () => {
    const groups = groupQuestions(["抖音直播怎么开美颜", "抖音直播怎么开美颜啊", "抖音直播怎麼開美顏？", "快手怎么涨粉", "快手怎么涨粉丝呢"]);
    expect(groups.map((g) => g.count)).toEqual([3, 2]);
    // 繁體 and 简体 spellings are one wording once normalised
    expect(groups[0]!.examples).toEqual(["抖音直播怎么开美颜", "抖音直播怎么开美颜啊"]);
  });

  it("keeps unrelated questions apart and skips empty ones", () => {
    expect(groupQuestions(["怎么退款", "小程序打不开", "   ", "🙂"]).map((g) => g.count)).toEqual([1, 1]);
  });

  it("measures overlap with character bigrams", () => {
    expect(jaccard(bigrams("视频号"), bigrams("視頻號"))).toBe(1);
    expect(jaccard(bigrams("退款"), bigrams("涨粉"))).toBe(0);
  });
});

describe("the insights summary", () => {
  it("counts questions per day, outcome rates, top intents, unanswered groups and feedback", async () => {
    const store = createMemoryStore();
    const day = Date.parse("2026-11-25T12:00:00+08:00");
    await store.appendTranscript([
      entry("视频号怎么注销", "answer", day - 86_400_000, "deregister"),
      entry("注销视频号", "answer", day, "deregister"),
      entry("视频号怎么关", "clarify", day),
      entry("抖音怎么开美颜", "fallback", day),
      entry("转人工", "handoff", day, "human"),
      entry("在吗", "human", day),
    ]);
    await store.recordFeedback("api:u", "deregister", true, day);
    await store.recordFeedback("api:u", "deregister", false, day);
    const insights = await computeInsights(store, { days: 7, timeZone: "Asia/Shanghai", title: (id) => (id === "deregister" ? "彻底注销视频号" : undefined), now: day });
    expect(insights.days).toHaveLength(7);
    expect(insights.days.at(-1)).toMatchObject({ date: "2026-11-25", total: 5, answer: 1, clarify: 1, fallback: 1, handoff: 1, human: 1 });
    expect(insights.days.at(-2)).toMatchObject({ date: "2026-11-24", total: 1 });
    expect(insights.rates).toEqual({ total: 5, answered: 0.6, fallback: 0.2, handoff: 0.2 });
    expect(insights.topIntents).toEqual([{ intent: "deregister", title: "彻底注销视频号", count: 2 }]);
    expect(insights.unanswered).toEqual([{ label: "抖音怎么开美颜", count: 1, examples: ["抖音怎么开美颜"] }]);
    expect(insights.feedback).toEqual([{ intent: "deregister", title: "彻底注销视频号", helpful: 1, unhelpful: 1 }]);
  });
});

describe("the insights totals", () => {
  it("counts the same messages in the total as in the daily bars, those a human had included", async () => {
    const store = createMemoryStore();
    const day = Date.parse("2026-11-25T12:00:00+08:00");
    await store.appendTranscript([
      entry("视频号怎么注销", "answer", day - 86_400_000, "deregister"),
      entry("转人工", "handoff", day, "human"),
      entry("在吗", "human", day),
      entry("还在吗", "human", day),
    ]);
    const insights = await computeInsights(store, { days: 7, timeZone: "Asia/Shanghai", title: () => undefined, now: day });
    const bars = insights.days.reduce((n, d) => n + d.total, 0);
    const stacked = insights.days.reduce((n, d) => n + d.answer + d.clarify + d.fallback + d.handoff + d.human, 0);
    expect(insights.total).toBe(4);
    expect(bars).toBe(4);
    expect(stacked).toBe(4);
    // the outcome rates are over what the bot itself handled, and say so by their own total
    expect(insights.rates.total).toBe(2);
  });

  it("covers whole local days: a message from the day before the range adds no bar and no count", async () => {
    const store = createMemoryStore();
    const now = Date.parse("2026-11-25T09:00:00+08:00");
    await store.appendTranscript([
      // 7 × 24 h before now is still 2026-11-18 in Shanghai: before a 7-day range that starts on the 19th
      entry("小红书怎么发笔记", "fallback", Date.parse("2026-11-18T20:00:00+08:00")),
      entry("抖音怎么开美颜", "fallback", Date.parse("2026-11-19T00:30:00+08:00")),
      entry("快手怎么涨粉", "fallback", now),
    ]);
    const insights = await computeInsights(store, { days: 7, timeZone: "Asia/Shanghai", title: () => undefined, now });
    expect(insights.days.map((d) => d.date)).toEqual(["2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"]);
    expect(insights).toMatchObject({ from: "2026-11-19", to: "2026-11-25", total: 2 });
    expect(insights.unanswered.map((g) => g.label).sort()).toEqual(["快手怎么涨粉", "抖音怎么开美颜"].sort());
  });
});

describe("npm run kb:suggest", () => {
  it("drafts intents in the intents/*.yaml format for the operator to edit", () => {
    const yaml = draftIntents([{ label: "抖音怎么开美颜", count: 3, examples: ["抖音怎么开美颜", "抖音直播美颜在哪开"] }], "test");
    const intents = parse(yaml) as Array<Record<string, unknown>>;
    expect(intents).toEqual([{ id: "draft-1", title: "TODO 抖音怎么开美颜", answer: ["todo-fact-id"], examples: ["抖音怎么开美颜", "抖音直播美颜在哪开"] }]);
  });

  it("prints the unanswered groups of the SQLite store", async () => {
    const store = createSqliteStore(join(dir, "faq-bot.sqlite"));
    const now = Date.now();
    await store.appendTranscript([
      entry("抖音直播怎么开美颜", "fallback", now),
      entry("抖音直播怎么开美颜啊", "fallback", now),
      entry("快手怎么涨粉", "fallback", now),
      entry("视频号怎么注销", "answer", now, "deregister"),
    ]);
    await store.close();
    const out = execFileSync(process.execPath, ["--import", "tsx", "src/cli/kb-suggest.ts", "--min", "2"], { cwd: root, env: { ...process.env, DATA_DIR: dir }, encoding: "utf8" });
    const intents = parse(out) as Array<{ id: string; examples: string[] }>;
    expect(intents).toHaveLength(1);
    expect(intents[0]!.examples).toEqual(["抖音直播怎么开美颜", "抖音直播怎么开美颜啊"]);
  });

  it("says where it looked when there is no store", () => {
    let message = "";
    try {
      execFileSync(process.execPath, ["--import", "tsx", "src/cli/kb-suggest.ts"], { cwd: root, env: { ...process.env, DATA_DIR: join(dir, "none") }, encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      message = String((e as { stderr: string }).stderr);
    }
    expect(message).toMatch(/no conversation store/);
  });
});
