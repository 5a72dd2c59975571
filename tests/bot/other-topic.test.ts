import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createServer, type RunningServer } from "../../src/server/create-server.js";
import { silentLog } from "../helpers/kb.js";

// A knowledge base on a library's loans, served by the same engine: everything the bot says
// besides answers comes from that knowledge base's responses.yaml, or from the engine's topic-free defaults.

const fixture = resolve(import.meta.dirname, "../fixtures/library-kb");
const dir = mkdtempSync(join(tmpdir(), "faq-library-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serve(kbDir: string, name: string): Promise<{ running: RunningServer; base: string }> {
  const config = loadConfig({
    PORT: "0",
    STORE: "memory",
    DATA_DIR: join(dir, name),
    INTENTS_DIR: join(kbDir, "intents"),
    KNOWLEDGE_DIR: join(kbDir, "knowledge"),
  });
  const running = await createServer(config, silentLog);
  const { port } = await running.listen();
  return { running, base: `http://127.0.0.1:${port}` };
}

async function ask(base: string, userId: string, text: string) {
  const res = await fetch(`${base}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId, text }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { kind: string; intent: string | null; replies: Array<{ text: string; quickReplies?: string[] }> };
}

const ARTICLE_WORDS = /视频号|公众号|小程序|企业微信|小商店|注销/;

describe("a knowledge base on another topic", () => {
  it("greets, falls back and hands off in its own words, never the article's", async () => {
    const { running, base } = await serve(fixture, "own");
    try {
      const history = await (await fetch(`${base}/web/history?id=reader-0001`)).json();
      expect(history.welcome).toBe("欢迎来到图书馆！我是图书借阅助手，可以回答借书、续借、逾期和借阅数量的问题。");
      expect(history.name).toBe("图书借阅助手");

      const answer = await ask(base, "r1", "书可以借多久");
      expect(answer).toMatchObject({ kind: "answer", intent: "loan-period" });
      expect(answer.replies[0]!.text).toContain("30 天");

      const miss = await ask(base, "r1", "今天股市怎么样");
      expect(miss.kind).toBe("fallback");
      expect(miss.replies[0]!.text).toBe("这个问题我暂时答不上来。我只懂借书、续借、逾期和借阅数量，可以试试下面这些问题，或者说「找馆员」。");
      expect(miss.replies[0]!.quickReplies).toEqual(["能借多久", "怎么续借", "逾期罚款"]);

      const again = await ask(base, "r1", "股票涨了吗");
      expect(again.replies[0]!.quickReplies?.[0]).toBe("找馆员");

      const handoff = await ask(base, "r2", "找馆员");
      expect(handoff).toMatchObject({ kind: "handoff", intent: "librarian" });
      expect(handoff.replies.map((r) => r.text)).toEqual(["馆员马上就来，你是下一位（约 3 分钟）。"]);

      for (const r of [miss, again, handoff]) for (const reply of r.replies) expect(reply.text).not.toMatch(ARTICLE_WORDS);
    } finally {
      await running.stop();
    }
  });

  it("says the engine's own topic-free sentences when the knowledge base has no responses file", async () => {
    const copy = join(dir, "no-responses");
    cpSync(fixture, copy, { recursive: true });
    rmSync(join(copy, "knowledge", "responses.yaml"));
    const { running, base } = await serve(copy, "defaults");
    try {
      const history = await (await fetch(`${base}/web/history?id=reader-0002`)).json();
      expect(history.welcome).toBe("你好！我是问答助手，可以回答关于这份资料的问题。直接发文字问我就行；需要人工可以说「转人工」。");
      const miss = await ask(base, "r3", "今天股市怎么样");
      expect(miss.replies[0]!.text).toBe("抱歉，这个问题我还不会回答。我能解答关于这份资料的问题，你可以试试下面这些，或者说「转人工」找客服。");
      const handoff = await ask(base, "r4", "找馆员");
      expect(handoff.replies[0]!.text).toMatch(/^好的，正在为你转接人工客服，你已进入排队：你是下一位/);
      for (const r of [miss, handoff]) for (const reply of r.replies) expect(reply.text).not.toMatch(ARTICLE_WORDS);
    } finally {
      await running.stop();
    }
  });
});
