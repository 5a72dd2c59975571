import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { Bot } from "../../src/bot.js";
import { cdata, createWechatMpChannel, wechatCrypto, wechatSignature, type WechatMpOptions } from "../../src/channels/wechat-mp.js";
import { createInboundLimits } from "../../src/coordination/rate-limit.js";
import { createReplayGuard } from "../../src/coordination/replay-guard.js";
import { createApp } from "../../src/server/app.js";
import type { InboundMessage } from "../../src/types.js";
import { libraryKnowledge, silentLog } from "../helpers/kb.js";

const TOKEN = "sectoken";
const APP_ID = "wx00000000000000aa";
const AES_KEY = randomBytes(32).toString("base64").slice(0, 43);
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** A webhook on its own port; `handled` lists what reached the bot. */
async function startMp(options: Partial<WechatMpOptions> = {}) {
  const handled: InboundMessage[] = [];
  const bot: Bot = {
    async handle(msg) {
      handled.push(msg);
      return { kind: "answer", intent: "x", confidence: 1, replies: [{ text: `答：${msg.text}` }] };
    },
    async release() {
      return false;
    },
  };
  const mp = createWechatMpChannel({
    bot,
    log: silentLog,
    token: TOKEN,
    apiBase: "http://127.0.0.1:9",
    replyBudgetMs: 2000,
    welcome: () => "欢迎",
    maxTextLength: 2000,
    ...options,
  });
  const kb = libraryKnowledge();
  const server = createApp({ bot, knowledge: () => kb, log: silentLog, maxTextLength: 2000, routers: [mp.router] }).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  servers.push(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (query: URLSearchParams, body: string | Buffer) =>
    fetch(`${base}/wechat?${query}`, {
      method: "POST",
      headers: { "content-type": "text/xml" },
      body: typeof body === "string" ? body : new Blob([new Uint8Array(body)]),
    });
  return { base, handled, post };
}

function signedQuery(timestamp = Math.floor(Date.now() / 1000), extra: Record<string, string> = {}): URLSearchParams {
  const nonce = randomBytes(6).toString("hex");
  return new URLSearchParams({ signature: wechatSignature(TOKEN, String(timestamp), nonce), timestamp: String(timestamp), nonce, ...extra });
}

let nextId = 1;
function textXml(content: string, openId = "o-sec", msgId = String(nextId++)): string {
  return `<xml><ToUserName>${cdata("gh_a")}</ToUserName><FromUserName>${cdata(openId)}</FromUserName><CreateTime>1</CreateTime><MsgType>${cdata("text")}</MsgType><Content>${cdata(content)}</Content><MsgId>${msgId}</MsgId></xml>`;
}

function encrypted(inner: string): { query: URLSearchParams; body: string } {
  const enc = wechatCrypto(AES_KEY, APP_ID).encrypt(inner);
  const query = signedQuery(undefined, { encrypt_type: "aes" });
  query.set("msg_signature", wechatSignature(TOKEN, query.get("timestamp") ?? "", query.get("nonce") ?? "", enc));
  return { query, body: `<xml><ToUserName>${cdata("gh_a")}</ToUserName><Encrypt>${cdata(enc)}</Encrypt></xml>` };
}

describe("the timestamp window", () => {
  it.each([
    ["ten years old", Math.floor(Date.now() / 1000) - 10 * 365 * 86400],
    ["310 seconds old", Math.floor(Date.now() / 1000) - 310],
    ["310 seconds ahead", Math.floor(Date.now() / 1000) + 310],
    ["1", 1],
  ])("refuses a correctly signed message whose timestamp is %s", async (_name, ts) => {
    const mp = await startMp();
    const res = await mp.post(signedQuery(ts), textXml("你好"));
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/timestamp/);
    expect(mp.handled).toHaveLength(0);
  });

  it("refuses a timestamp that is not a number, even when signed", async () => {
    const mp = await startMp();
    const nonce = "n1";
    const q = new URLSearchParams({ signature: wechatSignature(TOKEN, "abc", nonce), timestamp: "abc", nonce });
    expect((await mp.post(q, textXml("你好"))).status).toBe(401);
    expect(mp.handled).toHaveLength(0);
  });

  it("takes a timestamp within the window, and the window is configurable", async () => {
    const mp = await startMp();
    expect((await mp.post(signedQuery(Math.floor(Date.now() / 1000) - 250), textXml("你好"))).status).toBe(200);
    const narrow = await startMp({ timestampWindowSec: 60 });
    expect((await narrow.post(signedQuery(Math.floor(Date.now() / 1000) - 120), textXml("你好"))).status).toBe(401);
  });

  it("applies to the server verification too", async () => {
    const mp = await startMp();
    const q = signedQuery(1, { echostr: "e1" });
    expect((await fetch(`${mp.base}/wechat?${q}`)).status).toBe(401);
  });
});

describe("replayed signatures", () => {
  it("refuses the same signed query carrying another message, and handles nothing", async () => {
    const mp = await startMp();
    const q = signedQuery();
    expect((await mp.post(q, textXml("怎么续借", "o-victim"))).status).toBe(200);
    const replay = await mp.post(q, textXml("转人工", "o-someone-else"));
    expect(replay.status).toBe(403);
    expect((await replay.json()).error).toMatch(/another message/);
    const sameUserOtherText = await mp.post(q, textXml("别的话", "o-victim"));
    expect(sameUserOtherText.status).toBe(403);
    expect(mp.handled.map((m) => m.text)).toEqual(["怎么续借"]);
  });

  it("answers WeChat's own retry (same query, same MsgId) once, with the same reply", async () => {
    const mp = await startMp();
    const q = signedQuery();
    const xml = textXml("怎么续借", "o-retry", "9001");
    const first = await (await mp.post(q, xml)).text();
    const again = await mp.post(q, xml);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(first);
    expect(mp.handled).toHaveLength(1);
  });

  it("refuses an encrypted replay under the same signed query too", async () => {
    const mp = await startMp({ appId: APP_ID, encodingAesKey: AES_KEY });
    const a = encrypted(textXml("第一条", "o-enc"));
    expect((await mp.post(a.query, a.body)).status).toBe(200);
    // the attacker cannot sign a new Encrypt, but can send a plaintext body under the seen query
    const plain = new URLSearchParams(a.query);
    plain.delete("encrypt_type");
    plain.delete("msg_signature");
    expect((await mp.post(plain, textXml("第二条", "o-enc"))).status).toBe(400);
    expect(mp.handled.map((m) => m.text)).toEqual(["第一条"]);
  });

  it("cannot be dodged by adding a msg_signature to a plaintext query", async () => {
    const mp = await startMp();
    const q = signedQuery();
    expect((await mp.post(q, textXml("第一条"))).status).toBe(200);
    const dodged = new URLSearchParams(q);
    dodged.set("msg_signature", "0".repeat(40));
    expect((await mp.post(dodged, textXml("第二条"))).status).toBe(403);
    expect(mp.handled).toHaveLength(1);
  });
});

describe("the replay guard", () => {
  it("tells new, same and different apart, and forgets after the time to live", async () => {
    const guard = createReplayGuard();
    expect(await guard.check("k", "m1", 1000, 0)).toBe("new");
    expect(await guard.check("k", "m1", 1000, 500)).toBe("same");
    expect(await guard.check("k", "m2", 1000, 999)).toBe("different");
    expect(await guard.check("k", "m2", 1000, 1000)).toBe("new");
  });

  it("stays within its bound, forgetting the oldest first", async () => {
    const guard = createReplayGuard({ maxEntries: 3 });
    for (const k of ["a", "b", "c", "d"]) await guard.check(k, "m", 60_000, 0);
    expect(await guard.check("a", "other", 60_000, 1)).toBe("new");
    expect(await guard.check("d", "other", 60_000, 1)).toBe("different");
  });
});

describe("security modes (WECHAT_SECURITY)", () => {
  it("defaults to safe with an EncodingAESKey: plaintext is refused, encrypted is answered", async () => {
    const mp = await startMp({ appId: APP_ID, encodingAesKey: AES_KEY });
    const res = await mp.post(signedQuery(), textXml("你好"));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/plaintext.*safe/);
    const e = encrypted(textXml("加密的问题", "o-enc2"));
    const ok = await mp.post(e.query, e.body);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/<Encrypt>/);
    expect(mp.handled.map((m) => m.text)).toEqual(["加密的问题"]);
  });

  it("cannot be downgraded by dropping encrypt_type from an encrypted request", async () => {
    const mp = await startMp({ appId: APP_ID, encodingAesKey: AES_KEY });
    const e = encrypted(textXml("加密的问题"));
    e.query.delete("encrypt_type");
    const body = `<xml><ToUserName>gh_a</ToUserName><FromUserName>o-x</FromUserName><MsgType>text</MsgType><Content>冒充</Content><MsgId>1</MsgId></xml>`;
    expect((await mp.post(e.query, body)).status).toBe(400);
    expect(mp.handled).toHaveLength(0);
  });

  it("takes both plaintext and encrypted messages in compat mode", async () => {
    const mp = await startMp({ appId: APP_ID, encodingAesKey: AES_KEY, security: "compat" });
    expect((await mp.post(signedQuery(), textXml("明文"))).status).toBe(200);
    const e = encrypted(textXml("密文"));
    expect((await mp.post(e.query, e.body)).status).toBe(200);
    expect(mp.handled.map((m) => m.text)).toEqual(["明文", "密文"]);
  });

  it("takes plaintext in plain mode, the default without a key", async () => {
    const mp = await startMp();
    expect((await mp.post(signedQuery(), textXml("明文"))).status).toBe(200);
    expect(mp.handled).toHaveLength(1);
  });

  it("refuses to start in safe or compat mode without a key", () => {
    expect(() => createWechatMpChannel({ bot: {} as Bot, log: silentLog, token: TOKEN, apiBase: "x", replyBudgetMs: 100, welcome: () => "", maxTextLength: 10, security: "safe" })).toThrow(
      /WECHAT_ENCODING_AES_KEY/,
    );
  });
});

describe("bodies the XML parser will not build", () => {
  const wrap = (inner: string) => `<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType>${inner}<MsgId>1</MsgId></xml>`;
  it.each([
    ["nesting deeper than the parser's limit", wrap(`<Content>${"<a>".repeat(500)}x${"</a>".repeat(500)}</Content>`)],
    ["a tag named __proto__", wrap("<__proto__><Content>x</Content></__proto__>")],
    ["a tag named constructor", wrap("<constructor>x</constructor><Content>x</Content>")],
    ["a nested __proto__", wrap("<Content><__proto__>x</__proto__></Content>")],
  ])("answers 400 to %s and handles nothing", async (_name, body) => {
    const mp = await startMp();
    const res = await mp.post(signedQuery(), body);
    expect(res.status).toBe(400);
    expect(typeof (await res.json()).error).toBe("string");
    expect(mp.handled).toHaveLength(0);
  });

  it("answers 400 to an encrypted message whose inner XML the parser will not build", async () => {
    const mp = await startMp({ appId: APP_ID, encodingAesKey: AES_KEY });
    const e = encrypted(wrap("<__proto__>x</__proto__><Content>x</Content>"));
    expect((await mp.post(e.query, e.body)).status).toBe(400);
    expect(mp.handled).toHaveLength(0);
  });

  it("answers 400 to a body that is not UTF-8", async () => {
    const mp = await startMp();
    const body = Buffer.concat([Buffer.from(textXml("你").slice(0, 80)), Buffer.from([0xc3, 0x28]), Buffer.from("</xml>")]);
    const res = await mp.post(signedQuery(), body);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/UTF-8/);
  });
});

describe("message limits on the webhook", () => {
  it("answers a user over the limit politely once, then with silence (success), and handles nothing more", async () => {
    const mp = await startMp({ limits: createInboundLimits({ userPerMinute: 6, addressPerMinute: 1 }) });
    const texts: string[] = [];
    for (let i = 0; i < 5; i++) texts.push(await (await mp.post(signedQuery(), textXml(`问题${i}`, "o-flood"))).text());
    // a burst of two, then one polite reply, then silence
    expect(texts[0]).toMatch(/问题0/);
    expect(texts[1]).toMatch(/问题1/);
    expect(texts[2]).toMatch(/歇一会儿/);
    expect(texts.slice(3)).toEqual(["success", "success"]);
    expect(mp.handled.map((m) => m.text)).toEqual(["问题0", "问题1"]);
    // the address limit does not apply: every message comes from WeChat's servers
    expect(await (await mp.post(signedQuery(), textXml("别人的问题", "o-other"))).text()).toMatch(/别人的问题/);
  });

  it("does not count WeChat's retry of a message against the user", async () => {
    const mp = await startMp({ limits: createInboundLimits({ userPerMinute: 3, addressPerMinute: 0 }) });
    const xml = textXml("只问一次", "o-retrying", "777");
    for (let i = 0; i < 4; i++) expect(await (await mp.post(signedQuery(), xml)).text()).toMatch(/只问一次/);
    expect(mp.handled).toHaveLength(1);
  });
});
