import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { createWebChannel } from "../../src/channels/web.js";
import { createLiveHub } from "../../src/channels/live.js";
import { createApp } from "../../src/server/app.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { libraryKnowledge, silentLog } from "../helpers/kb.js";

const MAX = 2000;
let server: Server;
let base: string;
const store = createMemoryStore();

beforeAll(async () => {
  const kb = libraryKnowledge();
  const bot = createBot({ knowledge: () => kb, store, log: silentLog });
  const web = createWebChannel({ bot, store, hub: createLiveHub({ firstId: 1 }), maxTextLength: MAX, welcome: () => "你好" });
  const app = createApp({ bot, knowledge: () => kb, log: silentLog, maxTextLength: MAX, routers: [web.router] });
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

/** JSON with every character outside ASCII written as \uXXXX escapes, as some clients send it. */
const asciiJson = (value: unknown) => JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

const routes = [
  ["/api/messages", (n: number) => ({ userId: `u-text-${n}`, text: "" })],
  ["/web/messages", (n: number) => ({ id: `web-text-${n}-abcdef`, text: "" })],
] as const;

const post = (path: string, body: string | Buffer) =>
  fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : new Blob([new Uint8Array(body)]) });

describe.each(routes)("text fidelity on %s", (path, bodyFor) => {
  let n = 0;

  it("refuses a lone surrogate with a 400 that says so, and stores nothing", async () => {
    const before = (await store.inboundSince(0)).length;
    const body = { ...bodyFor(++n) };
    const raw = JSON.stringify(body).replace('"text":""', '"text":"怎么\\ud800续借"');
    const res = await post(path, raw);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/surrogate/);
    expect(await store.inboundSince(0)).toHaveLength(before);
  });

  it("accepts a paired surrogate (an emoji) written as escapes", async () => {
    const res = await post(path, asciiJson({ ...bodyFor(++n), text: "怎么续借😀" }));
    expect(res.status).toBe(200);
    const inbound = await store.inboundSince(0);
    expect(inbound.at(-1)?.text).toBe("怎么续借😀");
  });

  it("refuses a body that is not valid UTF-8 with a 400 that says so", async () => {
    const prefix = Buffer.from(JSON.stringify({ ...bodyFor(++n), text: "续借" }).slice(0, -2));
    const res = await post(path, Buffer.concat([prefix, Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('"}')]));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/UTF-8/);
  });

  it("takes the longest allowed text of emoji escaped as \\uXXXX pairs without 413", async () => {
    const text = "😀".repeat(MAX);
    const body = asciiJson({ ...bodyFor(++n), text });
    expect(body.length).toBeGreaterThan(MAX * 12);
    const res = await post(path, body);
    expect(res.status).toBe(200);
  });

  it("still refuses one character over the limit with 400, not 413", async () => {
    const res = await post(path, asciiJson({ ...bodyFor(++n), text: "😀".repeat(MAX + 1) }));
    expect(res.status).toBe(400);
  });
});
