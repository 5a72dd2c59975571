import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createServer, type RunningServer } from "../../src/server/create-server.js";
import { LIBRARY_KB, silentLog } from "../helpers/kb.js";

const dir = mkdtempSync(join(tmpdir(), "faq-health-"));
const intents = join(dir, "intents");
const TOKEN = "metrics-token-0123456789";
let running: RunningServer;
let base: string;

beforeAll(async () => {
  cpSync(LIBRARY_KB.intentsDir, intents, { recursive: true });
  const config = loadConfig({
    PORT: "0",
    DATA_DIR: join(dir, "data"),
    INTENTS_DIR: intents,
    KNOWLEDGE_DIR: LIBRARY_KB.knowledgeDir,
    METRICS_TOKEN: TOKEN,
  });
  running = await createServer(config, silentLog);
  base = `http://127.0.0.1:${(await running.listen()).port}`;
});
afterAll(async () => {
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
});

const say = (userId: string, text: string) =>
  fetch(`${base}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId, text }) });
const metrics = async () => (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();

describe("/metrics", () => {
  it("refuses a scrape without the bearer token, with a JSON error", async () => {
    for (const headers of [{}, { authorization: "Bearer wrong-token" }] as Array<Record<string, string>>) {
      const res = await fetch(`${base}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect((await res.json()).error).toMatch(/Authorization: Bearer/);
    }
  });

  it("counts messages by channel, kind and status, with confidence, latency, queue, tickets and event-loop lag", async () => {
    expect((await say("m-1", "怎么续借")).status).toBe(200);
    expect((await say("m-2", "转人工")).status).toBe(200);
    const text = await metrics();
    expect(text).toMatch(/^faqbot_messages_total\{channel="api",kind="handoff",status="ok"\} 1$/m);
    expect(text).toMatch(/^faqbot_match_confidence_count\{channel="api"\} 2$/m);
    expect(text).toMatch(/^faqbot_message_duration_seconds_count\{channel="api"\} 2$/m);
    expect(text).toMatch(/^faqbot_handoff_queue_length 1$/m);
    expect(text).toMatch(/^faqbot_tickets\{state="waiting"\} 1$/m);
    expect(text).toMatch(/^faqbot_http_requests_total\{method="POST",route="\/api\/messages",status="200"\} 2$/m);
    expect(text).toMatch(/^# TYPE faqbot_rate_limited_total counter$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it("counts what a rate limit refuses through the exposed counter", async () => {
    running.metrics.rateLimited.inc({ channel: "api", scope: "user" });
    expect(await metrics()).toMatch(/^faqbot_rate_limited_total\{channel="api",scope="user"\} 1$/m);
  });
});

describe("/healthz and a knowledge reload", () => {
  it("shows a refused reload, with its file:line problems, while still serving", async () => {
    expect((await (await fetch(`${base}/healthz`)).json()).lastReload).toBeNull();
    writeFileSync(join(intents, "99-bad.yaml"), "- id: bad-ref\n  title: 坏引用\n  examples: [另一个完全不同的问法]\n  answer: [no-such-fact]\n");
    running.knowledge.reload("test");
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.lastReload.ok).toBe(false);
    expect(body.lastReload.problems.join("\n")).toMatch(/99-bad\.yaml:\d+: .*no-such-fact/);
    rmSync(join(intents, "99-bad.yaml"));
    running.knowledge.reload("test");
    expect((await (await fetch(`${base}/healthz`)).json()).lastReload).toMatchObject({ ok: true, problems: [] });
  });
});

describe("/readyz", () => {
  it("is ready when the store, the knowledge base and the server are", async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", checks: { knowledge: "ok", server: "ok", messages: "ok", store: "ok" } });
  });

  // runs last in this file: the store stays broken
  it("answers 503 naming the store when it cannot write, while /healthz stays live and the error is counted", async () => {
    await running.store.close();
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.error).toMatch(/^not ready: store: /);
    expect(body.checks.knowledge).toBe("ok");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await say("m-3", "怎么续借")).status).toBe(500);
    const text = await metrics();
    expect(text).toMatch(/^faqbot_store_errors_total\{operation="check"\} 1$/m);
    expect(text).toMatch(/^faqbot_messages_total\{channel="api",kind="none",status="error"\} 1$/m);
    expect((await (await fetch(`${base}/readyz`)).json()).checks.messages).toBe("ok");
    for (const user of ["m-4", "m-5"]) expect((await say(user, "怎么续借")).status).toBe(500);
    expect((await (await fetch(`${base}/readyz`)).json()).checks.messages).toMatch(/^the last 3 messages failed \(.*not open.*\)$/);
  });
});
