import { createDecipheriv, randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBot, type Bot } from "../../src/bot.js";
import { cdata, createWechatMpChannel, wechatCrypto, wechatSignature } from "../../src/channels/wechat-mp.js";
import { respond } from "../../src/dialog/responses.js";
import { createApp } from "../../src/server/app.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { InboundMessage } from "../../src/types.js";
import { libraryKnowledge, silentLog } from "../helpers/kb.js";

const TOKEN = "test-token";
const APP_ID = "wx1234567890abcdef";
const AES_KEY = randomBytes(32).toString("base64").slice(0, 43);
const BUDGET_MS = 300;

let server: Server;
let apiServer: Server;
let base: string;
const handled: InboundMessage[] = [];
/** Extra delay of bot.handle for texts starting with "慢" (simulates a slow answer). */
const SLOW_MS = 900;
const customSent: Array<{ touser: string; content: string }> = [];
let tokenFetches = 0;
let revokeToken = "";

beforeAll(async () => {
  const api = express();
  api.use(express.json());
  api.get("/cgi-bin/token", (req, res) => {
    tokenFetches++;
    if (req.query.appid !== APP_ID || req.query.secret !== "test-secret") res.json({ errcode: 40013, errmsg: "invalid appid" });
    else res.json({ access_token: `tok-${tokenFetches}`, expires_in: 7200 });
  });
  api.post("/cgi-bin/message/custom/send", (req, res) => {
    if (req.body.touser === "o-gone") return void res.json({ errcode: 45015, errmsg: "response out of time limit or subscription is canceled" });
    if (revokeToken === req.query.access_token) return void res.json({ errcode: 40001, errmsg: "invalid credential" });
    customSent.push({ touser: req.body.touser, content: req.body.text.content });
    res.json({ errcode: 0, errmsg: "ok" });
  });
  apiServer = api.listen(0, "127.0.0.1");
  await new Promise((r) => apiServer.once("listening", r));
  const apiBase = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;

  const kb = libraryKnowledge();
  const real = createBot({ knowledge: () => kb, store: createMemoryStore(), log: silentLog });
  const bot: Bot = {
    release: real.release,
    async handle(msg) {
      handled.push(msg);
      if (msg.text.startsWith("慢")) await new Promise((r) => setTimeout(r, SLOW_MS));
      if (msg.text.startsWith("稍")) await new Promise((r) => setTimeout(r, BUDGET_MS / 3));
      return real.handle(msg);
    },
  };
  const mp = createWechatMpChannel({
    bot,
    log: silentLog,
    token: TOKEN,
    appId: APP_ID,
    appSecret: "test-secret",
    encodingAesKey: AES_KEY,
    // compatible mode: plaintext and encrypted messages both arrive
    security: "compat",
    apiBase,
    replyBudgetMs: BUDGET_MS,
    welcome: () => respond(kb.responses, "greeting.welcome"),
    maxTextLength: 2000,
  });
  const app = createApp({ bot, knowledge: () => kb, log: silentLog, maxTextLength: 2000, routers: [mp.router] });
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  channel = mp;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await new Promise((r) => apiServer.close(r));
});
let channel: ReturnType<typeof createWechatMpChannel>;

beforeEach(() => {
  handled.length = 0;
  customSent.length = 0;
});

const parser = new XMLParser({ processEntities: false, parseTagValue: false });

function signedQuery(extra: Record<string, string> = {}): URLSearchParams {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(6).toString("hex");
  return new URLSearchParams({ signature: wechatSignature(TOKEN, timestamp, nonce), timestamp, nonce, ...extra });
}

let nextMsgId = 1000;
function textXml(content: string, openId = "o-user-1", msgId = String(nextMsgId++)): string {
  return `<xml><ToUserName>${cdata("gh_account")}</ToUserName><FromUserName>${cdata(openId)}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata("text")}</MsgType><Content>${cdata(content)}</Content><MsgId>${msgId}</MsgId></xml>`;
}

const postXml = (query: URLSearchParams, body: string) =>
  fetch(`${base}/wechat?${query}`, { method: "POST", headers: { "content-type": "text/xml" }, body });

/** Reads a passive text reply: its fields. */
async function readReply(res: Response): Promise<Record<string, string>> {
  expect(res.status).toBe(200);
  const doc = parser.parse(await res.text()) as { xml: Record<string, string> };
  return doc.xml;
}

describe("server verification (GET /wechat)", () => {
  it("echoes echostr when the signature is the SHA1 of the sorted token, timestamp and nonce", async () => {
    const q = signedQuery({ echostr: "echo-123" });
    const res = await fetch(`${base}/wechat?${q}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("echo-123");
  });

  it.each([
    ["a wrong signature", (q: URLSearchParams) => q.set("signature", "0".repeat(40))],
    ["a missing signature", (q: URLSearchParams) => q.delete("signature")],
    ["a changed nonce", (q: URLSearchParams) => q.set("nonce", "other")],
  ])("answers 401 to %s", async (_name, spoil) => {
    const q = signedQuery({ echostr: "echo-123" });
    spoil(q);
    const res = await fetch(`${base}/wechat?${q}`);
    expect(res.status).toBe(401);
    expect((await res.text()).includes("echo-123")).toBe(false);
  });
});

describe("plain mode (POST /wechat)", () => {
  it("answers a text message with a passive XML text reply", async () => {
    const reply = await readReply(await postXml(signedQuery(), textXml("书可以借多久")));
    expect(reply.ToUserName).toBe("o-user-1");
    expect(reply.FromUserName).toBe("gh_account");
    expect(reply.MsgType).toBe("text");
    expect(reply.Content).toMatch(/30 天/);
    expect(handled).toHaveLength(1);
    expect(handled[0]).toMatchObject({ channel: "wechat-mp", conversationId: "wechat-mp:o-user-1", userId: "o-user-1" });
  });

  it("processes nothing when the POST signature is bad or missing", async () => {
    const q = signedQuery();
    q.set("signature", "f".repeat(40));
    expect((await postXml(q, textXml("你好"))).status).toBe(401);
    expect((await postXml(new URLSearchParams(), textXml("你好"))).status).toBe(401);
    expect(handled).toHaveLength(0);
  });

  it("keeps user text containing ]]> and markup intact in the CDATA of the reply", async () => {
    const reply = await readReply(await postXml(signedQuery(), textXml("]]><xml>转人工</xml>", "o-cdata")));
    expect(handled[0]?.text).toBe("]]><xml>转人工</xml>");
    expect(reply.ToUserName).toBe("o-cdata");
    expect(typeof reply.Content).toBe("string");
  });

  it("answers a user whose text itself contains <!DOCTYPE and <!ENTITY", async () => {
    const text = '<!DOCTYPE html><!ENTITY x "y">&x;';
    const reply = await readReply(await postXml(signedQuery(), textXml(text, "o-doctype")));
    expect(reply.ToUserName).toBe("o-doctype");
    expect(handled[0]?.text).toBe(text);
  });

  it("welcomes a new follower on the subscribe event", async () => {
    const xml = `<xml><ToUserName>${cdata("gh_account")}</ToUserName><FromUserName>${cdata("o-new")}</FromUserName><CreateTime>123</CreateTime><MsgType>${cdata("event")}</MsgType><Event>${cdata("subscribe")}</Event></xml>`;
    const reply = await readReply(await postXml(signedQuery(), xml));
    expect(reply.Content).toMatch(/^欢迎来到图书馆/);
    expect(handled).toHaveLength(0);
  });

  it("answers an image politely that it reads only text", async () => {
    const xml = `<xml><ToUserName>${cdata("gh_account")}</ToUserName><FromUserName>${cdata("o-img")}</FromUserName><CreateTime>123</CreateTime><MsgType>${cdata("image")}</MsgType><PicUrl>${cdata("http://x/y.jpg")}</PicUrl><MsgId>77</MsgId></xml>`;
    const reply = await readReply(await postXml(signedQuery(), xml));
    expect(reply.Content).toMatch(/文字/);
    expect(handled).toHaveLength(0);
  });

  it("reads a voice message through WeChat's speech recognition", async () => {
    const xml = `<xml><ToUserName>${cdata("gh_account")}</ToUserName><FromUserName>${cdata("o-voice")}</FromUserName><CreateTime>123</CreateTime><MsgType>${cdata("voice")}</MsgType><Recognition>${cdata("转人工")}</Recognition><MsgId>78</MsgId></xml>`;
    await readReply(await postXml(signedQuery(), xml));
    expect(handled[0]?.text).toBe("转人工");
  });

  it("reads a bare number as the numbered quick reply it stands for", async () => {
    const first = await readReply(await postXml(signedQuery(), textXml("怎么续借", "o-num")));
    const line = /^1\. (.+)$/m.exec(first.Content ?? "");
    expect(line, `no numbered options in: ${first.Content}`).not.toBeNull();
    await readReply(await postXml(signedQuery(), textXml("1", "o-num")));
    expect(handled[1]?.text).toBe(line?.[1]);
  });
});

describe("hostile and broken bodies", () => {
  it.each([
    ["malformed XML", "<xml><ToUserName>a</ToUserName"],
    ["not XML at all", "hello"],
    ["a DOCTYPE with entities", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType><Content>&lol2;</Content><MsgId>1</MsgId></xml>`],
    ["an external entity", `<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>`],
    ["XML without the required fields", "<xml><Foo>1</Foo></xml>"],
    ["a DOCTYPE hidden behind a comment holding a CDATA opener", `<!-- <![CDATA[ --><!DOCTYPE x [<!ENTITY a "b">]><!-- ]]> --><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType><Content>&a;</Content><MsgId>3</MsgId></xml>`],
    ["another root element", "<foo><ToUserName>a</ToUserName></foo>"],
  ])("answers 400 to %s and processes nothing", async (_name, body) => {
    const res = await postXml(signedQuery(), body);
    expect(res.status).toBe(400);
    expect(typeof (await res.json()).error).toBe("string");
    expect(handled).toHaveLength(0);
  });

  it("answers 413 to a body over the limit", async () => {
    const res = await postXml(signedQuery(), textXml("关".repeat(100_000)));
    expect(res.status).toBe(413);
    expect(handled).toHaveLength(0);
  });
});

describe("security mode (encrypt_type=aes)", () => {
  const crypto = wechatCrypto(AES_KEY, APP_ID);

  /** Encrypts a message the way WeChat does and signs it with msg_signature. */
  function encryptedRequest(inner: string): { query: URLSearchParams; body: string } {
    const encrypted = crypto.encrypt(inner);
    const query = signedQuery({ encrypt_type: "aes", openid: "o-aes" });
    query.set("msg_signature", wechatSignature(TOKEN, query.get("timestamp") ?? "", query.get("nonce") ?? "", encrypted));
    return { query, body: `<xml><ToUserName>${cdata("gh_account")}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt></xml>` };
  }

  it("decrypts the request and answers with an encrypted, signed reply", async () => {
    const { query, body } = encryptedRequest(textXml("书可以借多久", "o-aes"));
    const outer = await readReply(await postXml(query, body));
    expect(outer.MsgSignature).toBe(wechatSignature(TOKEN, outer.TimeStamp ?? "", outer.Nonce ?? "", outer.Encrypt ?? ""));
    // decrypt by hand, independently of the channel's own code
    const key = Buffer.from(`${AES_KEY}=`, "base64");
    const d = createDecipheriv("aes-256-cbc", key, key.subarray(0, 16)).setAutoPadding(false);
    const plain = Buffer.concat([d.update(Buffer.from(outer.Encrypt ?? "", "base64")), d.final()]);
    expect(plain.length % 32).toBe(0);
    const pad = plain[plain.length - 1] ?? 0;
    const content = plain.subarray(16, plain.length - pad);
    const len = content.readUInt32BE(0);
    expect(content.subarray(4 + len).toString()).toBe(APP_ID);
    const inner = (parser.parse(content.subarray(4, 4 + len).toString()) as { xml: Record<string, string> }).xml;
    expect(inner.ToUserName).toBe("o-aes");
    expect(inner.Content).toMatch(/30 天/);
    expect(handled[0]?.text).toBe("书可以借多久");
  });

  it("rejects a bad msg_signature with 401", async () => {
    const { query, body } = encryptedRequest(textXml("你好", "o-aes"));
    query.set("msg_signature", "0".repeat(40));
    expect((await postXml(query, body)).status).toBe(401);
    expect(handled).toHaveLength(0);
  });

  it("rejects a message encrypted for another appid", async () => {
    const other = wechatCrypto(AES_KEY, "wxOTHERAPPID00000");
    const encrypted = other.encrypt(textXml("你好", "o-aes"));
    const query = signedQuery({ encrypt_type: "aes" });
    query.set("msg_signature", wechatSignature(TOKEN, query.get("timestamp") ?? "", query.get("nonce") ?? "", encrypted));
    const res = await postXml(query, `<xml><Encrypt>${cdata(encrypted)}</Encrypt></xml>`);
    expect(res.status).toBe(400);
    expect(handled).toHaveLength(0);
  });

  it("round-trips texts of every padding length", () => {
    for (let n = 0; n < 70; n++) expect(crypto.decrypt(crypto.encrypt("字".repeat(n)))).toBe("字".repeat(n));
  });
});

describe("WeChat's retries and the 5-second rule", () => {
  it("answers a retried MsgId with the same reply and handles it once", async () => {
    const xml = textXml("怎么续借", "o-retry", "555001");
    const first = await readReply(await postXml(signedQuery(), xml));
    const second = await readReply(await postXml(signedQuery(), xml));
    expect(second.Content).toBe(first.Content);
    expect(handled).toHaveLength(1);
  });

  it("gives a retry that arrives while the first is processing the same passive reply", async () => {
    const xml = textXml("稍 书可以借多久", "o-inflight-fast", "555004");
    const [a, b] = await Promise.all([postXml(signedQuery(), xml), postXml(signedQuery(), xml)]);
    const [ra, rb] = [await readReply(a), await readReply(b)];
    expect(ra.Content).toMatch(/30 天/);
    expect(rb.Content).toBe(ra.Content);
    expect(handled).toHaveLength(1);
  });

  it("makes a retry that arrives while the first is processing wait for the same result", async () => {
    const xml = textXml("慢 怎么续借", "o-inflight", "555002");
    // both within the budget: give this test a budget-free path by asking twice at once
    const [a, b] = await Promise.all([postXml(signedQuery(), xml), postXml(signedQuery(), xml)]);
    const [ta, tb] = [await a.text(), await b.text()];
    expect(handled).toHaveLength(1);
    // the answer is slower than the budget: both say success, and one customer-service message goes out
    expect(ta).toBe("success");
    expect(tb).toBe("success");
    await waitFor(() => customSent.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(customSent).toHaveLength(1);
    expect(customSent[0]?.touser).toBe("o-inflight");
  });

  it("answers success past the budget and sends the reply as a customer-service message", async () => {
    const xml = textXml("慢 书可以借多久", "o-slow", "555003");
    const started = Date.now();
    const res = await postXml(signedQuery(), xml);
    expect(await res.text()).toBe("success");
    expect(Date.now() - started).toBeLessThan(SLOW_MS);
    await waitFor(() => customSent.length > 0);
    expect(customSent[0]).toMatchObject({ touser: "o-slow" });
    expect(customSent[0]?.content).toMatch(/30 天/);
    // WeChat's retry after the deferral gets success, not a second answer
    expect(await (await postXml(signedQuery(), xml)).text()).toBe("success");
    await new Promise((r) => setTimeout(r, 100));
    expect(customSent).toHaveLength(1);
    expect(handled).toHaveLength(1);
  });

  it("caches the access_token across customer-service messages", async () => {
    const before = tokenFetches;
    await channel.send("wechat-mp:o-agent", [{ text: "您好，我是客服小王" }]);
    await channel.send("wechat-mp:o-agent", [{ text: "还有什么问题吗？", quickReplies: ["没有了", "有"] }]);
    expect(tokenFetches - before).toBeLessThanOrEqual(1);
    await channel.send("wechat-mp:o-agent", [{ text: "第一条" }, { text: "第二条" }]);
    expect(customSent.map((m) => m.content)).toEqual(["您好，我是客服小王", "还有什么问题吗？\n1. 没有了\n2. 有\n（回复数字即可）", "第一条\n\n第二条"]);
    expect(customSent.every((m) => m.touser === "o-agent")).toBe(true);
  });

  it("fetches a new access_token once when WeChat says the cached one is invalid", async () => {
    await channel.send("wechat-mp:o-agent", [{ text: "一" }]);
    revokeToken = `tok-${tokenFetches}`;
    const before = tokenFetches;
    await channel.send("wechat-mp:o-agent", [{ text: "二" }]);
    expect(tokenFetches).toBe(before + 1);
    expect(customSent.map((m) => m.content)).toEqual(["一", "二"]);
  });

  it("explains WeChat's 45015 when a user wrote too long ago", async () => {
    await expect(channel.send("wechat-mp:o-gone", [{ text: "在吗" }])).rejects.toThrow(/45015.*write to the account again/);
  });

  it("refuses to send to a conversation of another channel", async () => {
    await expect(channel.send("web:abc", [{ text: "x" }])).rejects.toThrow(/Official Account/);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}
