import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { initialState } from "../../src/dialog/decide.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { createSqliteStore } from "../../src/store/sqlite.js";
import type { ConversationStore, HandoffTicket, InboundMessage } from "../../src/types.js";
import { createDesk } from "../helpers/handoff.js";
import { libraryKnowledge, silentLog } from "../helpers/kb.js";
import { postgresBackend } from "../helpers/postgres-store.js";

const dir = mkdtempSync(join(tmpdir(), "store-tx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const kb = libraryKnowledge();
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
let seq = 0;
const msg = (conversationId: string, text: string, at: number, messageId = `m${++seq}`): InboundMessage => ({
  channel: "api",
  conversationId,
  userId: conversationId.replace(/^api:/, ""),
  text,
  messageId,
  at,
});

/** The store, with a switch that makes one of its methods throw (a full disk at that write). */
function failing(inner: ConversationStore, method: "write" | "recordMessageOutcome" | "recordFeedback") {
  const sw = { on: false };
  const store: ConversationStore = {
    ...inner,
    [method]: async (...args: unknown[]) => {
      if (sw.on) throw new Error("disk full");
      return (inner[method] as (...a: unknown[]) => Promise<void>)(...args);
    },
  };
  return { store, sw };
}

const ticket = (id: string, conversationId: string): HandoffTicket => ({
  id,
  conversationId,
  channel: "api",
  userId: "u",
  reason: "asked",
  status: "waiting",
  agent: null,
  openedAt: T0,
  assignedAt: null,
  closedAt: null,
  closeReason: null,
  timeoutNotifiedAt: null,
  lastMessages: [],
});

type Open = () => ConversationStore | Promise<ConversationStore>;
const postgres = postgresBackend("store_transaction");

function contract(_name: string, open: Open): void {
  it("stores nothing of a handoff message when its last write fails: no transcript, ticket, handoff record or state", async () => {
    const inner = await open();
    const { store, sw } = failing(inner, "recordMessageOutcome");
    const { bot } = createDesk({ store });
    await bot.handle(msg("api:u1", "怎么续借", T0));
    const before = { state: await inner.read("api:u1"), transcript: await inner.transcript("api:u1") };
    sw.on = true;
    await expect(bot.handle(msg("api:u1", "转人工", T0 + 1000))).rejects.toThrow("disk full");
    expect(await inner.read("api:u1")).toEqual(before.state);
    expect(await inner.transcript("api:u1")).toEqual(before.transcript);
    expect(await inner.openTicket("api:u1")).toBeNull();
    expect(await inner.ticketCounts()).toEqual({ waiting: 0, assigned: 0, closed: 0 });
    sw.on = false;
    const retried = await bot.handle(msg("api:u1", "转人工", T0 + 2000));
    expect(retried.kind).toBe("handoff");
    expect(await inner.ticketCounts()).toEqual({ waiting: 1, assigned: 0, closed: 0 });
    expect((await inner.transcript("api:u1")).filter((e) => e.text === "转人工")).toHaveLength(1);
    await inner.close();
  });

  it("stores no feedback and no transcript when the state write after them fails", async () => {
    const inner = await open();
    const { store, sw } = failing(inner, "write");
    const bot = createBot({ knowledge: () => kb, store, log: silentLog, settings: { threshold: 0.45, clarifyMargin: 0.02, feedbackEvery: 1 } });
    const answer = await bot.handle(msg("c-fb", "书可以借多久", T0));
    const verdict = answer.replies.find((r) => r.quickReplies?.length === 2)!.quickReplies![0]!;
    const count = (await inner.transcript("c-fb")).length;
    sw.on = true;
    await expect(bot.handle(msg("c-fb", verdict, T0 + 1000))).rejects.toThrow("disk full");
    expect(await inner.feedbackSince(0)).toEqual([]);
    expect(await inner.transcript("c-fb")).toHaveLength(count);
    sw.on = false;
    await bot.handle(msg("c-fb", verdict, T0 + 2000));
    expect(await inner.feedbackSince(0)).toEqual([expect.objectContaining({ conversationId: "c-fb", helpful: true })]);
    await inner.close();
  });

  it("answers a retry of the same messageId with the same reply, stored once", async () => {
    const store = await open();
    const bot = createBot({ knowledge: () => kb, store, log: silentLog });
    const first = await bot.handle(msg("api:u2", "怎么续借", T0, "client-1"));
    const again = await bot.handle(msg("api:u2", "怎么续借", T0 + 500, "client-1"));
    expect(again).toEqual(first);
    expect((await store.transcript("api:u2")).filter((e) => e.direction === "in")).toHaveLength(1);
    const other = await bot.handle(msg("api:u3", "怎么续借", T0, "client-1"));
    expect(other.replies.length).toBeGreaterThan(0);
    expect(await store.transcript("api:u3")).not.toHaveLength(0);
    await store.close();
  });

  it("keeps another request's write made while a transaction is open, when that transaction rolls back", async () => {
    const store = await open();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = store.transaction(async () => {
      await store.appendTranscript([{ conversationId: "c", direction: "in", text: "inside", at: T0, intent: null, confidence: null, kind: null, channel: "t", userId: "u" }]);
      await gate;
      throw new Error("failed inside");
    });
    const outside = store.createTicket(ticket("t-outside", "other"));
    release();
    await expect(tx).rejects.toThrow("failed inside");
    await outside;
    expect(await store.transcript("c")).toEqual([]);
    expect(await store.ticket("t-outside")).not.toBeNull();
    await store.close();
  });
}

describe.each([
  ["memory", () => createMemoryStore()],
  ["sqlite", () => createSqliteStore(join(dir, `tx-${Math.random().toString(36).slice(2)}.sqlite`))],
] as Array<[string, Open]>)("one transaction per message, %s store", contract);
describe.skipIf(postgres.skip)(`one transaction per message, ${postgres.name} store`, () => contract("postgres", postgres.open));

describe("the memory store's bound", () => {
  it("forgets the least recently used conversations past its limit, keeping those a human has", async () => {
    const store = createMemoryStore({ maxConversations: 3 });
    const state = (mode: "bot" | "human") => ({ ...initialState(T0), mode });
    await store.write("human", state("human"));
    await store.write("a", state("bot"));
    await store.write("b", state("bot"));
    await store.read("a");
    await store.write("c", state("bot"));
    await store.write("d", state("bot"));
    expect(await store.read("human")).not.toBeNull();
    expect(await store.read("b")).toBeNull();
    expect(await store.read("a")).toBeNull();
    expect(await store.read("d")).not.toBeNull();
  });
});

async function readinessCheck(name: string, open: Open): Promise<void> {
  const store = await open();
  await store.check(T0);
  expect(await store.inboundSince(0)).toEqual([]);
  expect(await store.read("\u0000health")).toBeNull();
  await store.close();
  if (name === "sqlite") await expect(store.check(T0 + 1)).rejects.toThrow(/not open/);
}

describe("the store's readiness check", () => {
  it.each([
    ["memory", () => createMemoryStore()],
    ["sqlite", () => createSqliteStore(join(dir, `check-${Math.random().toString(36).slice(2)}.sqlite`))],
  ] as Array<[string, Open]>)("writes and reads back without leaving a trace (%s), and fails once the store is gone", readinessCheck);
});
describe.skipIf(postgres.skip)(`the store's readiness check, ${postgres.name} store`, () => {
  it("writes and reads back without leaving a trace (postgres), and fails once the store is gone", () => readinessCheck("postgres", postgres.open));
});
