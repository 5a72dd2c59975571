import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { createLiveHub } from "../../src/channels/live.js";
import { cdata, createWechatMpChannel, wechatCrypto, wechatSignature } from "../../src/channels/wechat-mp.js";
import { createWebChannel } from "../../src/channels/web.js";
import { createApp } from "../../src/server/app.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { ConversationStore } from "../../src/types.js";
import { libraryKnowledge, silentLog } from "../helpers/kb.js";

// Bounded property-based fuzzing of the HTTP inputs: whatever arrives, no 5xx, and a request that is
// refused (4xx) leaves the store as it was.

const TOKEN = "fuzztoken";
const APP_ID = "wx0000000000000fuz";
const AES_KEY = randomBytes(32).toString("base64").slice(0, 43);
const RUNS = 1000;

let server: Server;
let base: string;
/** Calls of the store's methods that change something. */
let writes = 0;

/** The store with every changing method counted. */
function countingStore(): ConversationStore {
  const store = createMemoryStore();
  const changing = new Set(["write", "delete", "appendTranscript", "recordFeedback", "recordHandoff", "createTicket", "updateTicket", "appendTicketMessage"]);
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop === "string" && changing.has(prop) && typeof value === "function") {
        return (...args: unknown[]) => {
          writes++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  });
}

beforeAll(async () => {
  const kb = libraryKnowledge();
  const store = countingStore();
  const bot = createBot({ knowledge: () => kb, store, log: silentLog });
  const web = createWebChannel({ bot, store, hub: createLiveHub({ firstId: 1 }), maxTextLength: 2000, welcome: () => "你好" });
  const mp = createWechatMpChannel({
    bot,
    log: silentLog,
    token: TOKEN,
    appId: APP_ID,
    encodingAesKey: AES_KEY,
    security: "compat",
    apiBase: "http://127.0.0.1:9",
    replyBudgetMs: 4000,
    welcome: () => "欢迎",
    maxTextLength: 2000,
  });
  server = createApp({ bot, knowledge: () => kb, log: silentLog, maxTextLength: 2000, routers: [web.router, mp.router] }).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

/** Sends, then checks: no 5xx; a JSON error for a 4xx; no store change for a 4xx. */
async function check(path: string, init: { body: string | Uint8Array; headers: Record<string, string> }): Promise<void> {
  const before = writes;
  const res = await fetch(`${base}${path}`, { method: "POST", headers: init.headers, body: typeof init.body === "string" ? init.body : new Blob([new Uint8Array(init.body)]) });
  const text = await res.text();
  expect(res.status, `${path} answered ${res.status}: ${text.slice(0, 200)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(typeof (JSON.parse(text) as { error?: unknown }).error).toBe("string");
    expect(writes, `${path} refused with ${res.status} but changed the store`).toBe(before);
  }
}

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
const anyText = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: codeUnit, maxLength: 40 }), fc.constantFrom("转人工", "怎么续借", "1", " ", "😀".repeat(3)));
const contentType = fc.constantFrom("application/json", "application/json; charset=utf-8", "application/json; charset=latin1", "text/plain", "application/x-www-form-urlencoded");

const field = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
const chatBody = fc.record({
  userId: field(fc.oneof(fc.stringMatching(/^[\w.:@-]{1,20}$/), anyText)),
  id: field(fc.oneof(fc.stringMatching(/^[\w-]{8,20}$/), anyText)),
  text: field(anyText),
  messageId: field(anyText),
});
const apiInput = fc.record({
  path: fc.constantFrom("/api/messages", "/web/messages"),
  type: contentType,
  body: fc.oneof(
    { weight: 6, arbitrary: chatBody.map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
  ),
});

const tagName = fc.oneof(
  fc.constantFrom("ToUserName", "FromUserName", "MsgType", "Content", "MsgId", "CreateTime", "Event", "Encrypt", "__proto__", "constructor", "prototype", "toString"),
  fc.stringMatching(/^[A-Za-z_][\w.-]{0,10}$/),
);
const xmlValue = fc.oneof(anyText.map(cdata), fc.stringMatching(/^[^<&]{0,20}$/), fc.constantFrom("text", "event", "subscribe", "o-fuzz", "gh_fuzz", "12345"));
const { node } = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.tuple(tagName, xmlValue).map(([t, v]) => `<${t}>${v}</${t}>`),
    fc.tuple(tagName, fc.array(tie("node"), { maxLength: 4 })).map(([t, kids]) => `<${t}>${kids.join("")}</${t}>`),
  ),
}));
const message = fc.record({
  to: xmlValue,
  from: xmlValue,
  type: fc.constantFrom("text", "event", "voice", "image", ""),
  extra: fc.array(node, { maxLength: 5 }),
  nest: fc.nat({ max: 600 }),
});
const xmlBody = fc.oneof(
  { weight: 5, arbitrary: message.map((m) => `<xml><ToUserName>${m.to}</ToUserName><FromUserName>${m.from}</FromUserName><MsgType>${m.type}</MsgType>${m.extra.join("")}${"<a>".repeat(m.nest)}${"</a>".repeat(m.nest)}</xml>`) },
  { weight: 2, arbitrary: fc.array(node, { maxLength: 6 }).map((kids) => `<xml>${kids.join("")}</xml>`) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
);
const webhookInput = fc.record({ body: xmlBody, encrypt: fc.boolean(), signed: fc.nat({ max: 9 }), timestampSkew: fc.constantFrom(0, 0, 0, -400, 400) });

describe("fuzzing the HTTP inputs", () => {
  it(`never answers 5xx on the API and web chat, and a refused request changes nothing (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(apiInput, async ({ path, type, body }) => {
        await check(path, { body, headers: { "content-type": type } });
      }),
      { numRuns: RUNS },
    );
  });

  it(`never answers 5xx on the webhook, and a refused request changes nothing (${RUNS} cases)`, async () => {
    const crypto = wechatCrypto(AES_KEY, APP_ID);
    await fc.assert(
      fc.asyncProperty(webhookInput, async ({ body, encrypt, signed, timestampSkew }) => {
        const timestamp = String(Math.floor(Date.now() / 1000) + timestampSkew);
        const nonce = randomBytes(6).toString("hex");
        const query = new URLSearchParams({ signature: wechatSignature(TOKEN, timestamp, nonce), timestamp, nonce });
        if (signed === 0) query.set("signature", "0".repeat(40));
        let payload: string | Uint8Array = body;
        if (encrypt && typeof body === "string") {
          const enc = crypto.encrypt(body);
          query.set("encrypt_type", "aes");
          query.set("msg_signature", wechatSignature(TOKEN, timestamp, nonce, enc));
          payload = `<xml><Encrypt>${cdata(enc)}</Encrypt></xml>`;
        }
        await check(`/wechat?${query}`, { body: payload, headers: { "content-type": "text/xml" } });
      }),
      { numRuns: RUNS },
    );
  });
});
