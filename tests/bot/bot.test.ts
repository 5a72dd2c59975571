import { describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { ConversationStore, InboundMessage } from "../../src/types.js";
import { libraryKnowledge, silentLog } from "../helpers/kb.js";

const kb = libraryKnowledge();
const settings = { threshold: 0.45, clarifyMargin: 0.02, feedbackEvery: 0 };
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
let seq = 0;
const msg = (conversationId: string, text: string, at: number): InboundMessage => ({
  channel: "test",
  conversationId,
  userId: conversationId,
  text,
  messageId: `m${++seq}`,
  at,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A store whose reads and writes of one conversation are slow, each read faster than the one
 * before: without the per-conversation lock, later messages would overtake earlier ones.
 */
function slowStore(inner: ConversationStore, slowId: string, ms: number): ConversationStore {
  let reads = 0;
  return {
    ...inner,
    read: async (id) => {
      if (id === slowId) await sleep(Math.max(ms - 10 * reads++, 1));
      return inner.read(id);
    },
    write: async (id, state) => {
      if (id === slowId) await sleep(ms);
      return inner.write(id, state);
    },
  };
}

describe("Bot.handle", () => {
  it("handles messages of one conversation sent at once one at a time, in arrival order", async () => {
    const store = createMemoryStore();
    const bot = createBot({ knowledge: () => kb, store: slowStore(store, "c1", 60), log: silentLog, settings });
    const texts = ["怎么续借", "下一步", "上一步", "下一步", "上一步"];
    const outcomes = await Promise.all(texts.map((t, i) => bot.handle(msg("c1", t, T0 + i))));
    const counters = outcomes.map((o) => /第 (\d) 步 \/ 共 2 步/.exec(o.replies[0]!.text)?.[1]);
    expect(counters).toEqual(["1", "2", "1", "2", "1"]);
    const transcript = await store.transcript("c1");
    expect(transcript.filter((e) => e.direction === "in").map((e) => e.text)).toEqual(texts);
    // each inbound message is followed by its own replies before the next inbound one
    expect(transcript.map((e) => e.direction)).toEqual(texts.flatMap(() => ["in", "out"]));
    expect(transcript.map((e) => e.at)).toEqual([...transcript.map((e) => e.at)].sort((a, b) => a - b));
  });

  it("handles different conversations concurrently", async () => {
    const store = createMemoryStore();
    const bot = createBot({ knowledge: () => kb, store: slowStore(store, "slow", 200), log: silentLog, settings });
    const finished: string[] = [];
    await Promise.all([
      bot.handle(msg("slow", "书可以借多久", T0)).then(() => finished.push("slow")),
      bot.handle(msg("fast", "书可以借多久", T0)).then(() => finished.push("fast")),
    ]);
    expect(finished).toEqual(["fast", "slow"]);
  });

  it("records every inbound and outbound message with time, intent, confidence and kind", async () => {
    const store = createMemoryStore();
    const bot = createBot({ knowledge: () => kb, store, log: silentLog, settings });
    await bot.handle(msg("c2", "今天股市怎么样", T0));
    await bot.handle(msg("c2", "怎么续借", T0 + 1000));
    await bot.handle(msg("c2", "2", T0 + 2000));
    const t = await store.transcript("c2");
    expect(t.map((e) => [e.direction, e.kind, e.at])).toEqual([
      ["in", "fallback", T0],
      ["out", "fallback", T0],
      ["in", "answer", T0 + 1000],
      ["out", "answer", T0 + 1000],
      ["in", "answer", T0 + 2000],
      ["out", "answer", T0 + 2000],
    ]);
    expect(t[0]).toMatchObject({ text: "今天股市怎么样", intent: null });
    // "2" is the second quick reply offered with the first step: 全部步骤
    expect(t[4]).toMatchObject({ text: "2", intent: "renew", channel: "test", userId: "c2" });
    expect(t[5]!.text).toContain("2. 在要续借的书后面点「续借」");
    for (const e of t) expect(typeof e.confidence).toBe("number");
    // quick replies are part of what was sent
    expect(t[3]!.text).toContain("全部步骤");
  });

  it("starts a conversation idle longer than configured afresh", async () => {
    const store = createMemoryStore();
    const bot = createBot({ knowledge: () => kb, store, log: silentLog, settings, idleMs: 10 * 60_000 });
    await bot.handle(msg("c3", "怎么续借", T0));
    const soon = await bot.handle(msg("c3", "下一步", T0 + 9 * 60_000));
    expect(soon.replies[0]!.text).toContain("第 2 步");
    const late = await bot.handle(msg("c3", "上一步", T0 + 9 * 60_000 + 10 * 60_000 + 1));
    expect(late.replies[0]!.text).not.toContain("第 1 步");
    expect(late.kind).toBe("fallback");
  });

  it("writes no state when handling a message fails, and goes on with the next message", async () => {
    const store = createMemoryStore();
    let broken = false;
    const bot = createBot({
      knowledge: () => {
        if (broken) throw new Error("knowledge unavailable");
        return kb;
      },
      store,
      log: silentLog,
      settings,
    });
    await bot.handle(msg("c4", "怎么续借", T0));
    const before = await store.read("c4");
    broken = true;
    const failed = bot.handle(msg("c4", "下一步", T0 + 1000));
    const queued = bot.handle(msg("c4", "下一步", T0 + 2000));
    await expect(failed).rejects.toThrow("knowledge unavailable");
    await expect(queued).rejects.toThrow();
    expect(await store.read("c4")).toEqual(before);
    expect((await store.transcript("c4")).filter((e) => e.direction === "in")).toHaveLength(1);
    broken = false;
    const next = await bot.handle(msg("c4", "下一步", T0 + 3000));
    expect(next.replies[0]!.text).toContain("第 2 步");
  });

  it("does not move the conversation on when storing the message fails", async () => {
    const store = createMemoryStore();
    let failing = false;
    const flaky: ConversationStore = {
      ...store,
      appendTranscript: async (entries) => {
        if (failing) throw new Error("disk full");
        return store.appendTranscript(entries);
      },
    };
    const bot = createBot({ knowledge: () => kb, store: flaky, log: silentLog, settings });
    await bot.handle(msg("c5", "怎么续借", T0));
    failing = true;
    await expect(bot.handle(msg("c5", "下一步", T0 + 1000))).rejects.toThrow("disk full");
    failing = false;
    const retried = await bot.handle(msg("c5", "下一步", T0 + 2000));
    expect(retried.replies[0]!.text).toContain("第 2 步 / 共 2 步");
  });
});
