// Per-message overhead of each channel against calling bot.handle() directly.
// Sequential round trips on 127.0.0.1, same bot, same questions; run with `npm run bench:channels`.
import type { EventEmitter } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import pino from "pino";
import { log as wechatyLog, WechatyBuilder } from "wechaty";
import { mock, PuppetMock } from "wechaty-puppet-mock";
import { createBot, type Bot } from "../src/bot.js";
import { createLiveHub } from "../src/channels/live.js";
import { cdata, createWechatMpChannel, wechatCrypto, wechatSignature } from "../src/channels/wechat-mp.js";
import { createWechatyChannel } from "../src/channels/wechaty.js";
import { createWebChannel } from "../src/channels/web.js";
import { loadKnowledgeOrThrow } from "../src/knowledge/load.js";
import { createApp } from "../src/server/app.js";
import { createMemoryStore } from "../src/store/memory.js";

const N = Number(process.env.BENCH_N ?? 1000);
const QUESTIONS = ["视频号怎么关", "视频号注销后粉丝还在吗", "注销视频号要先解绑公众号吗", "关闭视频号入口会影响朋友圈吗", "你好", "抖音直播怎么开美颜"];
const TOKEN = "benchtoken";
const APP_ID = "wxbench000000000";
const AES_KEY = randomBytes(32).toString("base64").slice(0, 43);

const root = resolve(import.meta.dirname, "..");
const kb = loadKnowledgeOrThrow({ intentsDir: resolve(root, "intents"), knowledgeDir: resolve(root, "knowledge") }, root);
const silent = pino({ level: "silent" });
wechatyLog.level("silent");

/** A fresh bot per channel, so no channel benefits from another's conversation state. */
function freshBot(): { bot: Bot; store: ReturnType<typeof createMemoryStore> } {
  const store = createMemoryStore();
  return { bot: createBot({ knowledge: () => kb, store, log: silent }), store };
}

/** One channel under test: sends message `i` and resolves when its whole reply has arrived. */
interface Run {
  name: string;
  one: (i: number) => Promise<void>;
  times: number[];
}
const runs: Run[] = [];
const cleanups: Array<() => unknown> = [];

// every 10 messages a new user, so conversations stay short as in real use
const user = (i: number) => `u${Math.floor((i + 1000) / 10)}`;
const question = (i: number) => QUESTIONS[(i + QUESTIONS.length * 100) % QUESTIONS.length]!;

async function listen(server: Server): Promise<string> {
  await new Promise((r) => server.once("listening", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

{
  const { bot } = freshBot();
  runs.push({ name: "bot.handle() direct", times: [], one: (i) => bot.handle({ channel: "api", conversationId: `d:${user(i)}`, userId: user(i), text: question(i), messageId: String(i), at: Date.now() }).then(() => undefined) });
}

{
  const { bot, store } = freshBot();
  const web = createWebChannel({ bot, store, hub: createLiveHub(), maxTextLength: 2000, welcome: () => "" });
  const server = createApp({ bot, knowledge: () => kb, log: silent, maxTextLength: 2000, routers: [web.router] }).listen(0, "127.0.0.1");
  const base = await listen(server);
  runs.push({
    name: "web POST /web/messages",
    times: [],
    one: async (i) => {
      const res = await fetch(`${base}/web/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: `bench-${user(i)}`, text: question(i) }) });
      await res.json();
    },
  });
  cleanups.push(() => server.close());
}

for (const aes of [false, true]) {
  const { bot } = freshBot();
  const mp = createWechatMpChannel({ bot, log: silent, token: TOKEN, appId: APP_ID, encodingAesKey: AES_KEY, security: "compat", apiBase: "http://127.0.0.1:9", replyBudgetMs: 4500, welcome: () => "", maxTextLength: 2000 });
  const server = createApp({ bot, knowledge: () => kb, log: silent, maxTextLength: 2000, routers: [mp.router] }).listen(0, "127.0.0.1");
  const base = await listen(server);
  const crypto = wechatCrypto(AES_KEY, APP_ID);
  let msgId = 1;
  runs.push({
    name: aes ? "Official Account, AES mode" : "Official Account, plain XML",
    times: [],
    one: async (i) => {
      const xml = `<xml><ToUserName>${cdata("gh_bench")}</ToUserName><FromUserName>${cdata(`o-${user(i)}`)}</FromUserName><CreateTime>1</CreateTime><MsgType>${cdata("text")}</MsgType><Content>${cdata(question(i))}</Content><MsgId>${msgId++}</MsgId></xml>`;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = String(msgId);
      const q = new URLSearchParams({ signature: wechatSignature(TOKEN, timestamp, nonce), timestamp, nonce });
      let body = xml;
      if (aes) {
        const encrypted = crypto.encrypt(xml);
        q.set("encrypt_type", "aes");
        q.set("msg_signature", wechatSignature(TOKEN, timestamp, nonce, encrypted));
        body = `<xml><ToUserName>${cdata("gh_bench")}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt></xml>`;
      }
      const res = await fetch(`${base}/wechat?${q}`, { method: "POST", headers: { "content-type": "text/xml" }, body });
      const text = await res.text();
      if (res.status !== 200 || text === "success") throw new Error(`unexpected answer ${res.status} ${text.slice(0, 80)}`);
    },
  });
  cleanups.push(() => server.close());
}

{
  const { bot: inner } = freshBot();
  let expected = 0;
  let wake: (() => void) | null = null;
  const bot: Bot = {
    release: inner.release,
    async handle(msg) {
      const outcome = await inner.handle(msg);
      expected = outcome.replies.length;
      setImmediate(() => wake?.());
      return outcome;
    },
  };
  const mocker = new mock.Mocker();
  const puppet = new PuppetMock({ mocker });
  const channel = createWechatyChannel({ bot, log: silent, create: () => WechatyBuilder.build({ puppet }), groupMentionOnly: true, minIntervalMs: 0, maxMessageLength: 10_000, maxTextLength: 2000 });
  await channel.start();
  const me = mocker.createContact({ name: "bot" });
  mocker.login(me);
  while (channel.state().status !== "logged-in") await new Promise((r) => setTimeout(r, 10));
  const contacts = new Map<string, mock.ContactMock>();
  let received = 0;
  runs.push({
    name: "Wechaty (mock puppet)",
    times: [],
    one: async (i) => {
      let contact = contacts.get(user(i));
      if (!contact) {
        contact = mocker.createContact({ name: user(i) });
        (contact as unknown as EventEmitter).on("message", (m: mock.MessageMock) => {
          if (m.talker().id !== me.id) return;
          received++;
          wake?.();
        });
        contacts.set(user(i), contact);
      }
      received = 0;
      expected = -1;
      contact.say(question(i)).to(me);
      while (expected < 0 || received < expected) await new Promise<void>((r) => (wake = r));
      wake = null;
    },
  });
  cleanups.push(() => channel.stop());
}

// rounds, each channel in turn, so warm-up, GC and CPU frequency spread over all of them alike
for (const run of runs) for (let i = 0; i < 30; i++) await run.one(-1 - i);
const ROUNDS = 10;
for (let round = 0; round < ROUNDS; round++) {
  for (const run of runs) {
    for (let k = 0; k < N / ROUNDS; k++) {
      const i = round * (N / ROUNDS) + k;
      const t = process.hrtime.bigint();
      await run.one(i);
      run.times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
}
for (const cleanup of cleanups) await cleanup();
const results = runs;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const stats = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { mean: times.reduce((a, b) => a + b, 0) / times.length, p50: pct(sorted, 0.5), p95: pct(sorted, 0.95) };
};
const direct = stats(results[0]!.times);
console.log(`\n${N} sequential messages per channel, ${QUESTIONS.length} questions, Node ${process.version}\n`);
console.log(`${"channel".padEnd(30)} ${"mean ms".padStart(8)} ${"p50".padStart(7)} ${"p95".padStart(7)} ${"+mean".padStart(8)} ${"+p50".padStart(8)}`);
for (const { name, times } of results) {
  const s = stats(times);
  const first = name === results[0]!.name;
  const plus = (v: number) => (first ? "—" : `${v >= 0 ? "+" : ""}${v.toFixed(2)}`).padStart(8);
  console.log(`${name.padEnd(30)} ${s.mean.toFixed(2).padStart(8)} ${s.p50.toFixed(2).padStart(7)} ${s.p95.toFixed(2).padStart(7)} ${plus(s.mean - direct.mean)} ${plus(s.p50 - direct.p50)}`);
}
console.log("\n+mean / +p50: the channel's per-message overhead over bot.handle() (HTTP, parsing, signatures, crypto; client side included).");
process.exit(0);
