import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot, type Bot } from "../../src/bot.js";
import { cdata, createWechatMpChannel, wechatSignature } from "../../src/channels/wechat-mp.js";
import { createReplayGuard } from "../../src/coordination/replay-guard.js";
import { createApp } from "../../src/server/app.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { InboundMessage } from "../../src/types.js";
import { libraryKnowledge, silentLog } from "../helpers/kb.js";

// Two instances of the Official Account webhook behind one load balancer: one store, one replay
// guard (Redis in a fleet; its in-process twin here). WeChat retries a slow message after 5 seconds,
// and the retry may land on the other instance.

const TOKEN = "fleet-token";
const BUDGET_MS = 300;
const handled: InboundMessage[] = [];
const customSent: string[] = [];
const servers: Server[] = [];
const bases: string[] = [];

beforeAll(async () => {
  const api = express();
  api.use(express.json());
  api.get("/cgi-bin/token", (_req, res) => void res.json({ access_token: "tok", expires_in: 7200 }));
  api.post("/cgi-bin/message/custom/send", (req, res) => {
    customSent.push(req.body.text.content);
    res.json({ errcode: 0, errmsg: "ok" });
  });
  const apiServer = api.listen(0, "127.0.0.1");
  servers.push(apiServer);
  await new Promise((r) => apiServer.once("listening", r));
  const apiBase = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;
  const kb = libraryKnowledge();
  const real = createBot({ knowledge: () => kb, store: createMemoryStore(), log: silentLog });
  const bot: Bot = {
    release: real.release,
    async handle(msg) {
      handled.push(msg);
      if (msg.text.startsWith("慢")) await new Promise((r) => setTimeout(r, BUDGET_MS * 3));
      return real.handle(msg);
    },
  };
  const replayGuard = createReplayGuard();
  for (let i = 0; i < 2; i++) {
    const mp = createWechatMpChannel({ bot, log: silentLog, token: TOKEN, appId: "wx-fleet", appSecret: "s", apiBase, replyBudgetMs: BUDGET_MS, replayGuard, welcome: () => "欢迎", maxTextLength: 2000 });
    const app = createApp({ bot, knowledge: () => kb, log: silentLog, maxTextLength: 2000, routers: [mp.router] });
    const server = app.listen(0, "127.0.0.1");
    servers.push(server);
    await new Promise((r) => server.once("listening", r));
    bases.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

const post = (base: string, xml: string) => {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(6).toString("hex");
  const q = new URLSearchParams({ signature: wechatSignature(TOKEN, timestamp, nonce), timestamp, nonce });
  return fetch(`${base}/wechat?${q}`, { method: "POST", headers: { "content-type": "text/xml" }, body: xml });
};
const xml = (text: string, msgId: string) =>
  `<xml><ToUserName>${cdata("gh")}</ToUserName><FromUserName>${cdata("o-fleet")}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata("text")}</MsgType><Content>${cdata(text)}</Content><MsgId>${msgId}</MsgId></xml>`;

describe("WeChat's retry reaching another instance", () => {
  it("is answered once: the first instance sends the late reply, the other only acknowledges the retry", async () => {
    const message = xml("慢 书可以借多久", "777001");
    expect(await (await post(bases[0]!, message)).text()).toBe("success");
    // WeChat gives up on the first request and retries on the other instance
    expect(await (await post(bases[1]!, message)).text()).toBe("success");
    const until = Date.now() + 5000;
    while (customSent.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, BUDGET_MS * 4));
    expect(handled.filter((m) => m.messageId === "777001")).toHaveLength(1);
    expect(customSent).toHaveLength(1);
    expect(customSent[0]).toMatch(/30 天/);
  });
});
