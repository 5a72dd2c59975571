import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { createLiveHub } from "../../src/channels/live.js";
import { createChannelRegistry, type ChannelRegistry } from "../../src/channels/registry.js";
import { createWebChannel } from "../../src/channels/web.js";
import { createApp } from "../../src/server/app.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { libraryKnowledge, silentLog } from "../helpers/kb.js";
import { startWebStack, type WebStack } from "../helpers/web.js";

let server: Server;
let base: string;
let registry: ChannelRegistry;

beforeAll(async () => {
  const kb = libraryKnowledge();
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
    const res = await post(JSON.stringify({ id: "page-0001", text: "书可以借多久" }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.conversationId).toBe("web:page-0001");
    expect(body.intent).toBe("loan-period");
    expect(body.replies.map((r: { text: string }) => r.text).join("")).toMatch(/30 天/);
  });

  it("gives the conversation back with its quick replies for a reloaded page", async () => {
    await post(JSON.stringify({ id: "page-0002", text: "怎么续借" }));
    const body = await (await fetch(`${base}/web/history?id=page-0002`)).json();
    expect(body.welcome).toBe("欢迎使用");
    expect(body.messages[0]).toMatchObject({ direction: "in", text: "怎么续借" });
    const last = body.messages.at(-1);
    expect(last.direction).toBe("out");
    expect(last.text).not.toMatch(/\[.*\|.*\]$/);
    expect(last.quickReplies).toEqual(["下一步", "全部步骤"]);
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

type Event = { type: string; data: any };

/** Reads a response's Server-Sent Events; `until` reads on until `done` holds for all events read so far. */
function eventReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: Event[] = [];
  let buffer = "";
  return async (done: (events: Event[]) => boolean): Promise<Event[]> => {
    while (!done(events)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (type && data) events.push({ type, data: JSON.parse(data) });
      }
    }
    return events;
  };
}

describe("the web chat with the handoff desk", () => {
  let s: WebStack;
  beforeAll(async () => {
    s = await startWebStack();
  });
  afterAll(() => s.close());
  const say = (id: string, text: string) =>
    fetch(`${s.base}/web/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id, text }) }).then((r) => r.json());

  it("gives back who said each line: the user, the bot, the agent by name, and the desk's notices", async () => {
    await say("who-0001", "怎么续借");
    await say("who-0001", "转人工");
    const ticket = (await s.store.openTicket("web:who-0001"))!;
    await s.desk.reply(ticket.id, "小王", "您好，我来帮你看看");
    const body = await (await fetch(`${s.base}/web/history?id=who-0001`)).json();
    const lines = body.messages.map((m: { from: string; author: string | null; text: string }) => [m.from, m.author, m.text]);
    expect(lines[0]).toEqual(["user", null, "怎么续借"]);
    expect(lines[1]?.[0]).toBe("bot");
    expect(lines).toContainEqual(["user", null, "转人工"]);
    expect(lines).toContainEqual(["system", null, "客服「小王」已接入，正在为你服务。"]);
    expect(lines.at(-1)).toEqual(["agent", "小王", "您好，我来帮你看看"]);
    expect(body.handoff).toEqual({ status: "assigned", position: null, agent: "小王" });
  });

  it("cancels the waiting ticket when the page starts a new conversation, and gives the conversation back to the bot", async () => {
    await say("cancel-0001", "转人工");
    const ticket = (await s.store.openTicket("web:cancel-0001"))!;
    expect(ticket.status).toBe("waiting");
    const res = await fetch(`${s.base}/web/cancel`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "cancel-0001" }) });
    expect(await res.json()).toEqual({ conversationId: "web:cancel-0001", cancelled: true });
    expect(await s.store.ticket(ticket.id)).toMatchObject({ status: "closed", closeReason: "cancelled" });
    expect((await s.store.read("web:cancel-0001"))?.mode).toBe("bot");
    await expect(s.desk.reply(ticket.id, "小王", "在吗")).rejects.toMatchObject({ status: 409 });
    // nothing to cancel the second time
    const again = await fetch(`${s.base}/web/cancel`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "cancel-0001" }) });
    expect((await again.json()).cancelled).toBe(false);
    const bad = await fetch(`${s.base}/web/cancel`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "x" }) });
    expect(bad.status).toBe(400);
    expect(typeof (await bad.json()).error).toBe("string");
  });

  it("pushes the queue place as the queue moves, then the agent's name, typing and reply", async () => {
    // another user waits first
    await s.bot.handle({ channel: "api", conversationId: "api:first", userId: "first", text: "转人工", messageId: "q1", at: Date.now() });
    await say("queue-0001", "转人工");
    const history = await (await fetch(`${s.base}/web/history?id=queue-0001`)).json();
    expect(history.handoff).toEqual({ status: "waiting", position: 2, agent: null });
    const controller = new AbortController();
    const res = await fetch(`${s.base}/web/events?id=queue-0001&after=${history.lastEventId}`, { signal: controller.signal });
    const until = eventReader(res);
    const first = (await s.store.openTicket("api:first"))!;
    const mine = (await s.store.openTicket("web:queue-0001"))!;
    // on connecting, the page is told where it stands; then where it moves to
    await until((events) => events.some((e) => e.type === "handoff"));
    await s.desk.claim(first.id, "小李");
    const moved = await until((events) => events.filter((e) => e.type === "handoff").length >= 2);
    expect(moved.filter((e) => e.type === "handoff").map((e) => e.data.handoff.position)).toEqual([2, 1]);
    await s.desk.claim(mine.id, "小王");
    await s.desk.typing(mine.id, "小王");
    await s.desk.reply(mine.id, "小王", "您好");
    const later = await until(
      (events) => events.some((e) => e.type === "reply" && e.data.from === "agent") && events.some((e) => e.type === "handoff" && e.data.handoff?.status === "assigned"),
    );
    controller.abort();
    expect(later.filter((e) => e.type === "handoff").at(-1)!.data).toEqual({ handoff: { status: "assigned", position: null, agent: "小王" } });
    expect(later).toContainEqual({ type: "typing", data: { from: "agent", author: "小王" } });
    expect(later).toContainEqual({ type: "reply", data: { from: "system", replies: [{ text: "客服「小王」已接入，正在为你服务。" }] } });
    expect(later).toContainEqual({ type: "reply", data: { from: "agent", author: "小王", replies: [{ text: "您好" }] } });
    await expect(s.desk.typing(mine.id, "小李")).rejects.toMatchObject({ status: 403 });
  });
});
