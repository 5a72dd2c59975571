import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { createLiveHub } from "../../src/channels/live.js";
import { createChannelRegistry, type ChannelRegistry } from "../../src/channels/registry.js";
import { createWebChannel } from "../../src/channels/web.js";
import { createApp } from "../../src/server/app.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { projectKnowledge, silentLog } from "../helpers/kb.js";

let server: Server;
let base: string;
let registry: ChannelRegistry;

beforeAll(async () => {
  const kb = projectKnowledge();
  const store = createMemoryStore();
  const bot = createBot({ knowledge: () => kb, store, log: silentLog });
  const hub = createLiveHub({ heartbeatMs: 1000 });
  const web = createWebChannel({ bot, store, hub, maxTextLength: 2000, welcome: () => "欢迎使用" });
  registry = createChannelRegistry();
  registry.register(web);
  const app = createApp({ bot, knowledge: () => kb, log: silentLog, maxTextLength: 2000, routers: [web.router] });
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const post = (body: string, type = "application/json") => fetch(`${base}/web/messages`, { method: "POST", headers: { "content-type": type }, body });

describe("web chat routes", () => {
  it("serves the page and its assets from the bot itself", async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('lang="zh-CN"');
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ["/web/chat.js", "/web/chat.css"]) expect((await fetch(base + asset)).status).toBe(200);
    expect((await fetch(`${base}/web/index.html`)).status).toBe(404);
    expect((await fetch(`${base}/web/..%2fweb.ts`)).status).toBe(404);
  });

  it("answers a message with the API's outcome fields", async () => {
    const res = await post(JSON.stringify({ id: "page-0001", text: "视频号注销后粉丝还在吗" }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.conversationId).toBe("web:page-0001");
    expect(body.replies.map((r: { text: string }) => r.text).join("")).toMatch(/粉丝/);
  });

  it("gives the conversation back with its quick replies for a reloaded page", async () => {
    await post(JSON.stringify({ id: "page-0002", text: "视频号怎么关" }));
    const body = await (await fetch(`${base}/web/history?id=page-0002`)).json();
    expect(body.welcome).toBe("欢迎使用");
    expect(body.messages[0]).toMatchObject({ direction: "in", text: "视频号怎么关" });
    const last = body.messages.at(-1);
    expect(last.direction).toBe("out");
    expect(last.text).not.toMatch(/\[.*\|.*\]$/);
    expect(Array.isArray(last.quickReplies)).toBe(true);
    const empty = await (await fetch(`${base}/web/history?id=page-never`)).json();
    expect(empty.messages).toEqual([]);
  });

  it.each([
    ["non-JSON", "{", "application/json", 400],
    ["a missing id", JSON.stringify({ text: "hi" }), "application/json", 400],
    ["a short id", JSON.stringify({ id: "x", text: "hi" }), "application/json", 400],
    ["an id with markup", JSON.stringify({ id: "<script>alert(1)</script>", text: "hi" }), "application/json", 400],
    ["an empty text", JSON.stringify({ id: "page-0003", text: " " }), "application/json", 400],
    ["an over-long text", JSON.stringify({ id: "page-0003", text: "关".repeat(2001) }), "application/json", 400],
    ["a form body", "id=page-0003&text=hi", "application/x-www-form-urlencoded", 415],
  ])("rejects %s with a JSON error", async (_name, body, type, status) => {
    const res = await post(body, type);
    expect(res.status).toBe(status);
    expect(typeof (await res.json()).error).toBe("string");
  });

  it("rejects history and events without a valid id", async () => {
    expect((await fetch(`${base}/web/history`)).status).toBe(400);
    expect((await fetch(`${base}/web/events?id=bad id`)).status).toBe(400);
  });

  it("streams an agent's reply sent through the registry to the page's event stream", async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/web/events?id=page-0004`, { signal: controller.signal });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    await registry.send("web", "web:page-0004", [{ text: "您好，我是客服小王" }]);
    let text = "";
    while (!text.includes("\n\n")) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain("event: reply");
    const data = JSON.parse(/data: (.*)/.exec(text)![1]!);
    expect(data).toEqual({ from: "agent", replies: [{ text: "您好，我是客服小王" }] });
    await expect(registry.send("web", "api:u-1", [{ text: "x" }])).rejects.toThrow(/web chat/);
  });
});
