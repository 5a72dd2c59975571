import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { initialState } from "../../src/dialog/decide.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { createSqliteStore } from "../../src/store/sqlite.js";
import type { ConversationStore, TranscriptEntry } from "../../src/types.js";
import { postgresBackend } from "../helpers/postgres-store.js";

const dir = mkdtempSync(join(tmpdir(), "store-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (conversationId: string, n: number, direction: "in" | "out" = "in"): TranscriptEntry => ({
  conversationId,
  direction,
  text: `message ${n}`,
  at: 1000 + n,
  intent: n % 2 ? "renew" : null,
  confidence: n % 2 ? 0.9 : null,
  kind: n % 2 ? "answer" : null,
  channel: "test",
  userId: "u",
});

type Open = () => ConversationStore | Promise<ConversationStore>;
const postgres = postgresBackend("store_contract");

function contract(_name: string, open: Open): void {
  it("returns null for an unknown conversation and the state as written for a known one", async () => {
    const store = await open();
    expect(await store.read("nobody")).toBeNull();
    const state = { ...initialState(5), topic: "renew", step: 2, slots: { reader: "teacher" }, pending: ["a", "b"] };
    await store.write("c", state);
    expect(await store.read("c")).toEqual(state);
    await store.close();
  });

  it("keeps the transcript in order, per conversation, limited to the latest entries", async () => {
    const store = await open();
    await store.appendTranscript([entry("a", 1), entry("a", 2, "out"), entry("b", 3)]);
    await store.appendTranscript([entry("a", 4), entry("a", 5, "out")]);
    expect((await store.transcript("a")).map((e) => e.text)).toEqual(["message 1", "message 2", "message 4", "message 5"]);
    expect((await store.transcript("a", 2)).map((e) => e.text)).toEqual(["message 4", "message 5"]);
    expect(await store.transcript("b")).toEqual([entry("b", 3)]);
    await store.close();
  });

  it("keeps who said each line, with the agent's name", async () => {
    const store = await open();
    await store.appendTranscript([
      { ...entry("w", 1), from: "user" },
      { ...entry("w", 2, "out"), from: "bot" },
      { ...entry("w", 3, "out"), from: "system", author: null },
      { ...entry("w", 4, "out"), from: "agent", author: "小王" },
    ]);
    const lines = await store.transcript("w");
    expect(lines.map((e) => [e.from, e.author ?? null])).toEqual([
      ["user", null],
      ["bot", null],
      ["system", null],
      ["agent", "小王"],
    ]);
    await store.close();
  });

  it("forgets a deleted conversation's state and transcript", async () => {
    const store = await open();
    await store.write("gone", initialState(1));
    await store.appendTranscript([entry("gone", 1)]);
    await store.delete("gone");
    expect(await store.read("gone")).toBeNull();
    expect(await store.transcript("gone")).toEqual([]);
    await store.close();
  });
}

describe.each([
  ["memory", () => createMemoryStore()],
  ["sqlite", () => createSqliteStore(join(dir, `contract-${Math.random().toString(36).slice(2)}.sqlite`))],
] as Array<[string, Open]>)("the %s store", contract);
describe.skipIf(postgres.skip)(`the ${postgres.name} store`, () => contract("postgres", postgres.open));
