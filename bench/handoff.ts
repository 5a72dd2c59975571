// npm run bench:handoff: what opening a ticket costs with a short and with a long queue, on the SQLite
// store (the queue position is a count, so the two should be close), and a console page against a read
// of the whole queue. Timings are this machine's.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { createBot } from "../src/bot.js";
import { createChannelRegistry } from "../src/channels/registry.js";
import { createHandoffDesk } from "../src/handoff/desk.js";
import { loadKnowledgeOrThrow } from "../src/knowledge/load.js";
import { createSqliteStore } from "../src/store/sqlite.js";

const root = resolve(import.meta.dirname, "..");
const kb = loadKnowledgeOrThrow({ intentsDir: join(root, "intents"), knowledgeDir: join(root, "knowledge") }, root);
const log = pino({ level: "silent" });
const dir = mkdtempSync(join(tmpdir(), "bench-handoff-"));
const HANDOFFS = 200;

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function run(queued: number) {
  const store = createSqliteStore(join(dir, `q${queued}.sqlite`));
  const channels = createChannelRegistry();
  channels.register({ name: "bench", send: async () => {} });
  const desk = createHandoffDesk({ store, channels, log, hours: null, timeoutMs: 600_000, release: async () => true });
  const bot = createBot({ knowledge: () => kb, store, log, handoff: desk });
  const start = Date.now() - 3_600_000;
  for (let i = 0; i < queued; i++) {
    await store.createTicket({
      id: `seed-${i}`,
      conversationId: `bench:seed-${i}`,
      channel: "bench",
      userId: `seed-${i}`,
      reason: "asked",
      status: "waiting",
      agent: null,
      openedAt: start + i,
      assignedAt: null,
      closedAt: null,
      closeReason: null,
      timeoutNotifiedAt: null,
      lastMessages: [{ direction: "in", text: "转人工", at: start + i }],
    });
  }
  const times: number[] = [];
  for (let i = 0; i < HANDOFFS; i++) {
    const t0 = performance.now();
    const out = await bot.handle({ channel: "bench", conversationId: `bench:new-${i}`, userId: `new-${i}`, text: "转人工", messageId: `m${i}`, at: Date.now() });
    times.push(performance.now() - t0);
    if (out.kind !== "handoff") throw new Error(`expected a handoff, got ${out.kind}`);
  }
  let t0 = performance.now();
  await desk.queue("waiting", "bench", { limit: 50 });
  const page = performance.now() - t0;
  t0 = performance.now();
  const all = await store.tickets(["waiting"]);
  const whole = performance.now() - t0;
  await store.close();
  return { queued, p50: percentile(times, 0.5), p99: percentile(times, 0.99), page, whole, listed: all.length };
}

try {
  const rows = [];
  for (const n of [100, 5000]) rows.push(await run(n));
  console.log("waiting before | handoff p50 ms | handoff p99 ms | console page (50) ms | whole queue read ms");
  for (const r of rows) {
    console.log(`${String(r.queued).padStart(14)} | ${r.p50.toFixed(2).padStart(14)} | ${r.p99.toFixed(2).padStart(14)} | ${r.page.toFixed(2).padStart(20)} | ${r.whole.toFixed(2).padStart(10)} (${r.listed} tickets)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
