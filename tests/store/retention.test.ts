import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { initialState } from "../../src/dialog/decide.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { createRetention } from "../../src/store/retention.js";
import { createSqliteStore } from "../../src/store/sqlite.js";
import type { ConversationStore, HandoffTicket, TranscriptEntry } from "../../src/types.js";
import { silentLog } from "../helpers/kb.js";
import { postgresBackend } from "../helpers/postgres-store.js";

const dir = mkdtempSync(join(tmpdir(), "store-retention-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const OLD = NOW - 100 * DAY;
const RECENT = NOW - 10 * DAY;

const entry = (conversationId: string, at: number, text: string): TranscriptEntry => ({
  conversationId,
  direction: "in",
  text,
  at,
  intent: null,
  confidence: null,
  kind: null,
  channel: "api",
  userId: "u",
});
const ticket = (id: string, conversationId: string, status: HandoffTicket["status"], at: number): HandoffTicket => ({
  id,
  conversationId,
  channel: "api",
  userId: "u",
  reason: "asked",
  status,
  agent: status === "waiting" ? null : "wang",
  openedAt: at,
  assignedAt: null,
  closedAt: status === "closed" ? at : null,
  closeReason: status === "closed" ? "closed" : null,
  timeoutNotifiedAt: null,
  lastMessages: [],
});

type Open = () => ConversationStore | Promise<ConversationStore>;
const postgres = postgresBackend("store_retention");

function contract(_name: string, open: Open): void {
  it("prunes transcripts, closed tickets and idle states older than the retention, batch by batch, and keeps the rest", async () => {
    const store = await open();
    for (let i = 0; i < 7; i++) await store.appendTranscript([entry("api:old", OLD + i, `old ${i}`)]);
    await store.appendTranscript([entry("api:old", RECENT, "recent"), entry("api:new", RECENT, "new")]);
    await store.write("api:old", { ...initialState(OLD), updatedAt: OLD });
    await store.write("api:waiting", { ...initialState(OLD), mode: "human", updatedAt: OLD });
    await store.write("api:new", initialState(RECENT));
    await store.createTicket(ticket("closed-old", "api:old", "closed", OLD));
    await store.appendTicketMessage({ ticketId: "closed-old", from: "agent", author: "wang", text: "hi", at: OLD });
    await store.createTicket(ticket("closed-new", "api:new", "closed", RECENT));
    await store.createTicket(ticket("waiting-old", "api:waiting", "waiting", OLD));
    await store.recordFeedback("api:old", "x", true, OLD);
    await store.recordMessageOutcome("api:old", "m-old", { kind: "answer", intent: null, confidence: 1, replies: [] }, OLD);

    let batches = 0;
    const counted: ConversationStore = { ...store, prune: (before, batch) => ((batches += 1), store.prune(before, batch)) };
    const retention = createRetention({ store: counted, days: 90, log: silentLog, batch: 2, now: () => NOW });
    expect(await retention.prune()).toBeGreaterThanOrEqual(7 + 1 + 1);
    expect(batches).toBeGreaterThan(2);

    expect((await store.transcript("api:old")).map((e) => e.text)).toEqual(["recent"]);
    expect((await store.transcript("api:new")).map((e) => e.text)).toEqual(["new"]);
    expect(await store.read("api:old")).toBeNull();
    expect(await store.read("api:waiting")).not.toBeNull();
    expect(await store.read("api:new")).not.toBeNull();
    expect(await store.ticket("closed-old")).toBeNull();
    expect(await store.ticketMessages("closed-old")).toEqual([]);
    expect(await store.ticket("closed-new")).not.toBeNull();
    expect(await store.ticket("waiting-old")).not.toBeNull();
    expect(await store.feedbackSince(0)).toEqual([]);
    expect(await store.messageOutcome("api:old", "m-old")).toBeNull();
    expect(await retention.prune()).toBe(0);
    await store.close();
  });

  it("keeps everything when the retention is 0 days", async () => {
    const store = await open();
    await store.appendTranscript([entry("api:old", OLD, "old")]);
    expect(await createRetention({ store, days: 0, log: silentLog, now: () => NOW }).prune()).toBe(0);
    expect(await store.transcript("api:old")).toHaveLength(1);
    await store.close();
  });

  it("lets a message's transaction in between two batches", async () => {
    const store = await open();
    for (let i = 0; i < 20; i++) await store.appendTranscript([entry("api:old", OLD + i, `old ${i}`)]);
    const order: string[] = [];
    // after its first batch the pruning waits for the message (at most a few seconds): a pruning that held
    // the store across batches would keep the message out until it gave up waiting, and the message would come last
    let messageDone!: () => void;
    const done = new Promise<void>((resolve) => (messageDone = resolve));
    const slow: ConversationStore = {
      ...store,
      prune: async (before, batch) => {
        const n = await store.prune(before, batch);
        order.push(`batch ${n}`);
        if (order.length === 1) await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 3000))]);
        return n;
      },
    };
    const pruning = createRetention({ store: slow, days: 90, log: silentLog, batch: 5, now: () => NOW }).prune();
    await Promise.resolve();
    await store.transaction(async () => {
      await store.appendTranscript([entry("api:live", NOW, "a message")]);
      order.push("message");
    });
    messageDone();
    await pruning;
    expect(order.indexOf("message")).toBeGreaterThan(-1);
    expect(order.indexOf("message")).toBeLessThan(order.length - 1);
    expect(await store.transcript("api:live")).toHaveLength(1);
    await store.close();
  });
}

describe.each([
  ["memory", () => createMemoryStore()],
  ["sqlite", () => createSqliteStore(join(dir, `r-${Math.random().toString(36).slice(2)}.sqlite`))],
] as Array<[string, Open]>)("retention, %s store", contract);
describe.skipIf(postgres.skip)(`retention, ${postgres.name} store`, () => contract("postgres", postgres.open));
