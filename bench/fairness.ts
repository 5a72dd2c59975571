// One user's flood against another user's latency, with and without the message limits.
// A calm user asks questions one at a time, alone and then while one flooding user sends as fast as
// 50 connections allow (from a worker thread, so its client does not share the server's event loop).
// Run with `npx tsx bench/fairness.ts` (FAIRNESS_N calm messages per phase, default 200).
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { Worker } from "node:worker_threads";
import pino from "pino";
import { createBot } from "../src/bot.js";
import { createInboundLimits, type InboundLimits } from "../src/coordination/rate-limit.js";
import { loadKnowledgeOrThrow } from "../src/knowledge/load.js";
import { createApp } from "../src/server/app.js";
import { createMemoryStore } from "../src/store/memory.js";

const N = Number(process.env.FAIRNESS_N ?? 200);
const CONNECTIONS = 50;
const QUESTIONS = ["视频号怎么关", "视频号注销后粉丝还在吗", "注销视频号要先解绑公众号吗", "关闭视频号入口会影响朋友圈吗", "你好", "抖音直播怎么开美颜"];
const root = resolve(import.meta.dirname, "..");
const kb = loadKnowledgeOrThrow({ intentsDir: resolve(root, "intents"), knowledgeDir: resolve(root, "knowledge") }, root);
const silent = pino({ level: "silent" });

const FLOOD = `
const { parentPort, workerData } = require("node:worker_threads");
let on = true;
const counts = {};
parentPort.on("message", () => { on = false; });
const body = JSON.stringify({ userId: "flooder", text: "视频号怎么关" });
(async () => {
  await Promise.all(Array.from({ length: workerData.connections }, async () => {
    while (on) {
      const res = await fetch(workerData.url, { method: "POST", headers: { "content-type": "application/json" }, body });
      await res.arrayBuffer();
      counts[res.status] = (counts[res.status] || 0) + 1;
    }
  }));
  parentPort.postMessage(counts);
})();
`;

async function start(limits: InboundLimits | undefined): Promise<{ server: Server; url: string }> {
  const bot = createBot({ knowledge: () => kb, store: createMemoryStore(), log: silent });
  const server = createApp({ bot, knowledge: () => kb, log: silent, maxTextLength: 2000, ...(limits ? { limits } : {}) }).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages` };
}

/** The calm users' latencies (ms): a new user every 8 messages, so none of them reaches its limit. */
async function calm(url: string, tag: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: `calm-${tag}-${Math.floor(i / 8)}`, text: QUESTIONS[i % QUESTIONS.length] }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`a calm user got ${res.status}`);
    times.push(performance.now() - t);
  }
  return times;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

const rows: string[] = [];
for (const [name, limits] of [
  ["limits on (30/min per user)", createInboundLimits({ userPerMinute: 30, addressPerMinute: 0 })],
  ["no limits", undefined],
] as const) {
  const { server, url } = await start(limits);
  await calm(url, "warm");
  const alone = await calm(url, `alone`);
  const worker = new Worker(FLOOD, { eval: true, workerData: { url, connections: CONNECTIONS } });
  await new Promise((r) => setTimeout(r, 500));
  const during = await calm(url, `during`);
  worker.postMessage("stop");
  const counts = await new Promise<Record<string, number>>((r) => worker.once("message", r));
  await worker.terminate();
  await new Promise((r) => server.close(r));
  const ratio = pct(during, 0.5) / pct(alone, 0.5);
  rows.push(
    `| ${name} | ${pct(alone, 0.5).toFixed(1)} | ${pct(during, 0.5).toFixed(1)} | ${ratio.toFixed(2)}× | ${pct(during, 0.95).toFixed(1)} | ${Object.entries(counts)
      .map(([s, n]) => `${n} × ${s}`)
      .join(", ")} |`,
  );
}
console.log(`calm user, ${N} messages per phase; flood: one user, ${CONNECTIONS} connections\n`);
console.log("| server | p50 alone ms | p50 during flood ms | ratio | p95 during ms | flood answers |");
console.log("|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
