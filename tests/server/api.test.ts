import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { createApp } from "../../src/server/app.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { libraryKnowledge, silentLog } from "../helpers/kb.js";

let server: Server;
const store = createMemoryStore();
const kb = libraryKnowledge();
let base: string;

beforeAll(async () => {
  const bot = createBot({ knowledge: () => kb, store, log: silentLog });
  const app = createApp({ bot, knowledge: () => kb, log: silentLog, maxTextLength: 2000 });
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const post = (body: string, type = "application/json") =>
  fetch(`${base}/api/messages`, { method: "POST", headers: { "content-type": type }, body });

describe("POST /api/messages", () => {
  it("answers a question of the knowledge base with the contract's fields", async () => {
    const res = await post(JSON.stringify({ userId: "u-1", text: "书可以借多久" }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.conversationId).toBe("api:u-1");
    expect(body).toMatchObject({ kind: "answer", intent: "loan-period" });
    expect(typeof body.confidence).toBe("number");
    expect(body.confidence).toBeGreaterThanOrEqual(0);
    expect(body.confidence).toBeLessThanOrEqual(1);
    expect(body.replies.length).toBeGreaterThan(0);
    expect(body.replies.map((r: { text: string }) => r.text).join("\n")).toMatch(/30 天/);
  });

  it("says it did not understand a question outside the knowledge base", async () => {
    const body = await (await post(JSON.stringify({ userId: "u-2", text: "抖音直播怎么开美颜" }))).json();
    expect(body.kind).toBe("fallback");
  });

  it("recognises a request for a human", async () => {
    const body = await (await post(JSON.stringify({ userId: "u-3", text: "转人工" }))).json();
    expect(body.kind).toBe("handoff");
  });

  it.each([
    ["non-JSON", "{not json", "application/json", 400],
    ["an array body", "[1,2]", "application/json", 400],
    ["a missing userId", JSON.stringify({ text: "hi" }), "application/json", 400],
    ["a numeric text", JSON.stringify({ userId: "u", text: 5 }), "application/json", 400],
    ["an empty text", JSON.stringify({ userId: "u", text: "   " }), "application/json", 400],
    ["an over-long text", JSON.stringify({ userId: "u", text: "关".repeat(2001) }), "application/json", 400],
    ["a text/plain body", "hello", "text/plain", 415],
    ["a body over the size limit", JSON.stringify({ userId: "u", text: "x".repeat(200_000) }), "application/json", 413],
  ])("rejects %s with a JSON error", async (_name, body, type, status) => {
    const res = await post(body, type);
    expect(res.status).toBe(status);
    expect(typeof (await res.json()).error).toBe("string");
  });

  it("still answers after bad requests", async () => {
    await post("{", "application/json");
    const res = await post(JSON.stringify({ userId: "u-4", text: "你好" }));
    expect(res.status).toBe(200);
  });
});

describe("a client's retry", () => {
  it("answers the same messageId again with the same reply, stored once", async () => {
    const body = JSON.stringify({ userId: "u-retry", text: "怎么续借", messageId: "client-msg-1" });
    const first = await (await post(body)).json();
    const second = await (await post(body)).json();
    expect(second).toEqual(first);
    expect((await store.transcript("api:u-retry")).filter((e) => e.direction === "in")).toHaveLength(1);
  });
});

describe("other routes", () => {
  it("reports health with the knowledge base size", async () => {
    const body = await (await fetch(`${base}/healthz`)).json();
    expect(body.status).toBe("ok");
    expect(body.intents).toBe(kb.intents.size);
    expect(body.intents).toBeGreaterThan(0);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect((await res.json()).error).toBeTruthy();
  });
});
