import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { createLiveHub } from "../../src/channels/live.js";
import { createWebChannel } from "../../src/channels/web.js";
import { createInboundLimits, type InboundLimits } from "../../src/coordination/rate-limit.js";
import { createApp } from "../../src/server/app.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { libraryKnowledge, silentLog } from "../helpers/kb.js";

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** The API and web chat on an ephemeral port with the given limits. */
async function start(limits: InboundLimits, trustProxy?: boolean | number | string) {
  const kb = libraryKnowledge();
  const store = createMemoryStore();
  const bot = createBot({ knowledge: () => kb, store, log: silentLog });
  const web = createWebChannel({ bot, store, hub: createLiveHub({ firstId: 1 }), maxTextLength: 2000, welcome: () => "你好", limits });
  const server = createApp({ bot, knowledge: () => kb, log: silentLog, maxTextLength: 2000, routers: [web.router], limits, trustProxy }).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  servers.push(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    store,
    api: (userId: string, text = "怎么续借", headers: Record<string, string> = {}) =>
      fetch(`${base}/api/messages`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ userId, text }) }),
    web: (id: string, text = "怎么续借") =>
      fetch(`${base}/web/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id, text }) }),
  };
}

describe("message limits on the HTTP channels", () => {
  it("answers 429 with {error, retryAfter} and Retry-After once a user is over the limit, and stores nothing for it", async () => {
    // a burst of a third of a minute's messages: 3
    const s = await start(createInboundLimits({ userPerMinute: 9, addressPerMinute: 0 }));
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await s.api("u-flood")).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const res = await s.api("u-flood");
    expect(res.status).toBe(429);
    const body = await res.json();
    expect(body.error).toMatch(/too many messages from this user/);
    expect(body.retryAfter).toBeGreaterThanOrEqual(1);
    expect(res.headers.get("retry-after")).toBe(String(body.retryAfter));
    expect((await s.store.transcript("api:u-flood")).filter((e) => e.direction === "in")).toHaveLength(3);
    // another user is not affected
    expect((await s.api("u-calm")).status).toBe(200);
  });

  it("limits the web chat the same way", async () => {
    const s = await start(createInboundLimits({ userPerMinute: 9, addressPerMinute: 0 }));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await s.web("web-flood-1234")).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it("limits an address that rotates user ids", async () => {
    const s = await start(createInboundLimits({ userPerMinute: 30, addressPerMinute: 6 }));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await s.api(`u-rot-${i}`, "转人工")).status);
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThan(0);
    const res = await s.api("u-rot-x", "转人工");
    expect((await res.json()).error).toMatch(/this address/);
  });

  it("counts each client behind a trusted proxy by its X-Forwarded-For address", async () => {
    const s = await start(createInboundLimits({ userPerMinute: 0, addressPerMinute: 6 }), "loopback");
    const from = (ip: string) => ({ "x-forwarded-for": ip });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await s.api(`q-${i}`, "你好", from("203.0.113.2"))).status);
    expect(statuses).toEqual([200, 200, 429]);
    // another client behind the same proxy still gets through; without trust, all would share 127.0.0.1
    expect((await s.api("r", "你好", from("203.0.113.3"))).status).toBe(200);
    const untrusted = await start(createInboundLimits({ userPerMinute: 0, addressPerMinute: 6 }));
    for (let i = 0; i < 2; i++) await untrusted.api(`q-${i}`, "你好", from("203.0.113.2"));
    expect((await untrusted.api("r", "你好", from("203.0.113.3"))).status).toBe(429);
  });

  it("keeps one user's flood from slowing another user: the flood is refused, the other user is answered as fast as before", async () => {
    const s = await start(createInboundLimits({ userPerMinute: 60, addressPerMinute: 0 }));
    const timed = async (userId: string, text: string) => {
      const t = performance.now();
      const res = await s.api(userId, text);
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - t };
    };
    const questions = ["怎么续借", "书可以借多久", "转人工", "逾期了怎么办"];
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // warm up, then the calm user's latency alone
    for (let i = 0; i < 5; i++) await timed("u-warm", questions[i % 4]!);
    const alone = [];
    for (let i = 0; i < 12; i++) alone.push(await timed("u-calm-1", questions[i % 4]!));

    let flooding = true;
    const floodStatuses: number[] = [];
    // 50 connections, as many as they can: 20 get through (a burst of a third of a minute), the rest wait
    const flood = Array.from({ length: 50 }, async () => {
      while (flooding) floodStatuses.push((await timed("u-flooder", "怎么续借")).status);
    });
    await new Promise((r) => setTimeout(r, 100));
    const during = [];
    for (let i = 0; i < 12; i++) during.push(await timed("u-calm-2", questions[i % 4]!));
    flooding = false;
    await Promise.all(flood);

    expect(alone.every((r) => r.status === 200)).toBe(true);
    expect(during.every((r) => r.status === 200)).toBe(true);
    const answered = floodStatuses.filter((x) => x === 200).length;
    expect(answered).toBeLessThanOrEqual(22);
    expect(floodStatuses.filter((x) => x === 429).length).toBeGreaterThan(answered);
    // the flooder's own client shares this process's CPU, so the bound is generous (unlimited, the
    // flood is answered in full and the calm user's median grows many times over)
    const [p50Alone, p50During] = [median(alone.map((r) => r.ms)), median(during.map((r) => r.ms))];
    expect(p50During, `p50 alone ${p50Alone.toFixed(1)} ms, during the flood ${p50During.toFixed(1)} ms`).toBeLessThan(Math.max(5 * p50Alone, 30));
  });
});
