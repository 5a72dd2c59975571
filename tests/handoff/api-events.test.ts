import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/server/app.js";
import { createDesk, type Desk } from "../helpers/handoff.js";
import { silentLog } from "../helpers/kb.js";

let server: Server;
let base: string;
let d: Desk;

beforeAll(async () => {
  d = createDesk();
  const app = createApp({ bot: d.bot, knowledge: () => d.knowledge, log: silentLog, maxTextLength: 2000, api: d.api });
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise((r) => server.close(r));
});

const post = async (userId: string, text: string) =>
  (await fetch(`${base}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId, text }) })).json();

async function openTicketFor(userId: string) {
  const out = await post(userId, "转人工");
  expect(out.kind).toBe("handoff");
  return (await d.store.openTicket(`api:${userId}`))!;
}

describe("GET /api/messages/poll", () => {
  it("returns an agent's reply to the user, waiting for it when asked to", async () => {
    const ticket = await openTicketFor("p1");
    const pending = fetch(`${base}/api/messages/poll?userId=p1&after=0&waitMs=5000`).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 100));
    await d.desk.reply(ticket.id, "wang", "您好，我是客服");
    const body = await pending;
    expect(body.conversationId).toBe("api:p1");
    expect(body.events[0].type).toBe("reply");
    const all = await (await fetch(`${base}/api/messages/poll?userId=p1&after=0&waitMs=0`)).json();
    expect(all.events.flatMap((e: { data: { replies: Array<{ text: string }> } }) => e.data.replies.map((r) => r.text))).toEqual([
      "客服「wang」已接入，正在为你服务。",
      "您好，我是客服",
    ]);
    const after = await (await fetch(`${base}/api/messages/poll?userId=p1&after=${all.last}&waitMs=0`)).json();
    expect(after.events).toEqual([]);
    expect(after.last).toBe(all.last);
  });

  it("never returns another user's events", async () => {
    const ticket = await openTicketFor("p2");
    await d.desk.reply(ticket.id, "wang", "只给 p2 的消息");
    const other = await (await fetch(`${base}/api/messages/poll?userId=p3&after=0&waitMs=0`)).json();
    expect(other.conversationId).toBe("api:p3");
    expect(other.events).toEqual([]);
  });

  it.each([
    ["no userId", "after=0"],
    ["a bad userId", "userId=a%20b"],
    ["two userIds", "userId=a&userId=b"],
    ["a negative after", "userId=a&after=-1"],
    ["a non-numeric waitMs", "userId=a&waitMs=soon"],
    ["a waitMs over 30 s", "userId=a&waitMs=60000"],
  ])("answers %s with a JSON 400", async (_name, query) => {
    const res = await fetch(`${base}/api/messages/poll?${query}`);
    expect(res.status).toBe(400);
    expect(typeof (await res.json()).error).toBe("string");
  });
});

describe("GET /api/messages/events", () => {
  it("streams an agent's reply as a Server-Sent Event", async () => {
    const ticket = await openTicketFor("s1");
    const controller = new AbortController();
    const res = await fetch(`${base}/api/messages/events?userId=s1`, { signal: controller.signal });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    await d.desk.reply(ticket.id, "wang", "SSE 消息");
    let text = "";
    while (!text.includes("SSE 消息")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toMatch(/event: reply/);
    expect(text).toMatch(/SSE 消息/);
  });

  it("answers a missing userId with a JSON 400", async () => {
    const res = await fetch(`${base}/api/messages/events`);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/userId/);
  });

  it("answers a bad after with a JSON 400", async () => {
    const res = await fetch(`${base}/api/messages/events?userId=a&after=x`);
    expect(res.status).toBe(400);
  });
});

describe("POST /api/messages during a handoff", () => {
  it("is kind human with no replies until the agent gives the conversation back", async () => {
    const ticket = await openTicketFor("h1");
    const silent = await post("h1", "书可以借多久");
    expect(silent).toMatchObject({ kind: "human", replies: [] });
    await d.desk.finish(ticket.id, "wang", "released");
    const back = await post("h1", "书可以借多久");
    expect(back.kind).toBe("answer");
  });
});

describe("GET /api/messages/history", () => {
  it("gives the user's own conversation as stored, the agent's replies included", async () => {
    const ticket = await openTicketFor("h1");
    await d.desk.reply(ticket.id, "wang", "请稍等，我查一下");
    await post("h2", "怎么续借");
    const body = await (await fetch(`${base}/api/messages/history?userId=h1`)).json();
    expect(body.conversationId).toBe("api:h1");
    const texts = body.messages.map((m: { text: string }) => m.text);
    expect(texts[0]).toBe("转人工");
    expect(texts).toContain("请稍等，我查一下");
    // nothing of another user's conversation
    expect(texts.join("\n")).not.toContain("怎么续借");
    // who spoke: the agent by name, the desk's notice apart from the bot's replies
    const who = (text: string) => body.messages.find((m: { text: string }) => m.text === text);
    expect(who("转人工")).toMatchObject({ from: "user", author: null });
    expect(who("请稍等，我查一下")).toMatchObject({ from: "agent", author: "wang" });
    expect(who("客服「wang」已接入，正在为你服务。")).toMatchObject({ from: "system", author: null });
    expect(body.messages.filter((m: { from: string }) => m.from === "bot").length).toBeGreaterThan(0);
  });

  it.each([["no userId", ""], ["a bad limit", "userId=h1&limit=0"], ["a huge limit", "userId=h1&limit=5000"]])(
    "answers %s with a JSON 400",
    async (_name, query) => {
      const res = await fetch(`${base}/api/messages/history?${query}`);
      expect(res.status).toBe(400);
      expect(typeof (await res.json()).error).toBe("string");
    },
  );
});
