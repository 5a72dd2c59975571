import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { createSqliteStore } from "../../src/store/sqlite.js";
import type { InboundMessage } from "../../src/types.js";
import { libraryKnowledge, silentLog } from "../helpers/kb.js";

const dir = mkdtempSync(join(tmpdir(), "sqlite-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const kb = libraryKnowledge();
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const msg = (text: string, at: number): InboundMessage => ({ channel: "test", conversationId: "api:u1", userId: "u1", text, messageId: `m${at}`, at });
const start = (file: string, feedbackEvery = 0) => {
  const store = createSqliteStore(file);
  const bot = createBot({ knowledge: () => kb, store, log: silentLog, settings: { threshold: 0.4, clarifyMargin: 0.02, feedbackEvery } });
  return { store, bot };
};

describe("the SQLite store", () => {
  it("continues a conversation after a restart: 下一步 still continues the steps", async () => {
    const file = join(dir, "restart", "bot.sqlite");
    const first = start(file);
    await first.bot.handle(msg("我是教师", T0));
    const begun = await first.bot.handle(msg("怎么续借", T0 + 1000));
    expect(begun.replies[0]!.text).toContain("第 1 步 / 共 2 步");
    await first.store.close();

    const again = start(file);
    const last = await again.bot.handle(msg("下一步", T0 + 60_000));
    expect(last.replies[0]!.text).toContain("第 2 步 / 共 2 步");
    // the reader said before the restart is still known at the last step (unknown, it reads "如果是教师：…")
    expect(last.replies[0]!.text).toMatch(/^教师：教师续借时要先确认所在院系。$/m);
    const transcript = await again.store.transcript("api:u1");
    expect(transcript.filter((e) => e.direction === "in").map((e) => e.text)).toEqual(["我是教师", "怎么续借", "下一步"]);
    await again.store.close();
  });

  it("uses write-ahead logging", async () => {
    const file = join(dir, "wal.sqlite");
    const { store } = start(file);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("stores feedback verdicts against their intent and handoff requests, across a restart", async () => {
    const file = join(dir, "feedback.sqlite");
    const first = start(file, 1);
    const answer = await first.bot.handle(msg("书可以借多久", T0));
    const prompt = answer.replies.find((r) => r.quickReplies?.some((q) => q.includes("👍")));
    await first.bot.handle(msg(prompt!.quickReplies!.find((q) => q.includes("👍"))!, T0 + 1000));
    await first.bot.handle(msg("转人工", T0 + 2000));
    await first.store.close();

    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT conversation_id, intent, helpful, at FROM feedback").all()).toEqual([
      { conversation_id: "api:u1", intent: "loan-period", helpful: 1, at: T0 + 1000 },
    ]);
    expect(db.prepare("SELECT conversation_id, reason FROM handoff_requests").all()).toEqual([{ conversation_id: "api:u1", reason: "asked" }]);
    db.close();

    const again = start(file);
    expect((await again.bot.handle(msg("还在吗", T0 + 3000))).kind).toBe("human");
    await again.store.close();
  });

  it("adds who spoke to a file made before it was recorded, telling the agent's replies from the desk's notices", async () => {
    const file = join(dir, "before-speakers.sqlite");
    const old = new Database(file);
    // the transcript and ticket tables as files made before the speaker columns have them
    old.exec(`
      CREATE TABLE transcript (seq INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL, direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        text TEXT NOT NULL, at INTEGER NOT NULL, intent TEXT, confidence REAL, kind TEXT, channel TEXT NOT NULL, user_id TEXT NOT NULL);
      CREATE TABLE tickets (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, channel TEXT NOT NULL, user_id TEXT NOT NULL, reason TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('waiting', 'assigned', 'closed')), agent TEXT, opened_at INTEGER NOT NULL, assigned_at INTEGER,
        closed_at INTEGER, close_reason TEXT, timeout_notified_at INTEGER, last_messages TEXT NOT NULL);
      CREATE TABLE ticket_messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id TEXT NOT NULL, sender TEXT NOT NULL CHECK (sender IN ('user', 'agent', 'system')),
        author TEXT, text TEXT NOT NULL, at INTEGER NOT NULL);
    `);
    const line = old.prepare("INSERT INTO transcript (conversation_id, direction, text, at, intent, confidence, kind, channel, user_id) VALUES ('web:x', ?, ?, ?, NULL, NULL, ?, 'web', 'x')");
    line.run("in", "转人工", 1, "handoff");
    line.run("out", "正在为你转接", 1, "handoff");
    line.run("out", "客服「小王」已接入，正在为你服务。", 2, "human");
    line.run("out", "您好，我来看看", 3, "human");
    old.prepare("INSERT INTO tickets VALUES ('t1', 'web:x', 'web', 'x', 'asked', 'assigned', '小王', 1, 2, NULL, NULL, NULL, '[]')").run();
    const note = old.prepare("INSERT INTO ticket_messages (ticket_id, sender, author, text, at) VALUES ('t1', ?, ?, ?, ?)");
    note.run("system", null, "客服「小王」已接入，正在为你服务。", 2);
    note.run("agent", "小王", "您好，我来看看", 3);
    old.close();

    const store = createSqliteStore(file);
    const lines = await store.transcript("web:x");
    expect(lines.map((e) => [e.from, e.author ?? null, e.text])).toEqual([
      ["user", null, "转人工"],
      ["bot", null, "正在为你转接"],
      ["system", null, "客服「小王」已接入，正在为你服务。"],
      ["agent", "小王", "您好，我来看看"],
    ]);
    await store.appendTranscript([{ ...lines[3]!, text: "还有别的问题吗", at: 4 }]);
    expect((await store.transcript("web:x")).at(-1)).toMatchObject({ from: "agent", author: "小王", text: "还有别的问题吗" });
    await store.close();
    // opening it again changes nothing
    const again = createSqliteStore(file);
    expect((await again.transcript("web:x")).map((e) => e.from)).toEqual(["user", "bot", "system", "agent", "agent"]);
    await again.close();
  });
});
