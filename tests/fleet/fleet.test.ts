import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { history, say, startInstance, type Instance } from "../helpers/fleet.js";
import { createDatabase, freePort, startRedis, type TestService } from "../helpers/services.js";
import { testServices } from "../helpers/test-services.js";

// Three bot processes sharing one PostgreSQL database and one Redis, as a fleet runs behind a load
// balancer: any message may reach any instance.

const services = testServices();
const AGENT_TOKEN = "fleet-test-token-0123456789";

describe.skipIf("skip" in services)(`a fleet of three instances on PostgreSQL and Redis${"skip" in services ? ` (skipped: ${services.skip})` : ""}`, () => {
  let redis: TestService & { port: number };
  let env: Record<string, string>;
  const fleet: Instance[] = [];
  const alive = () => fleet.filter((i) => i.child.exitCode === null && i.child.signalCode === null);

  beforeAll(async () => {
    if ("skip" in services) return;
    redis = await startRedis();
    const database = await createDatabase(services.postgres, "fleet_test");
    env = { DATABASE_URL: database, REDIS_URL: redis.url, AGENT_TOKEN, LOCK_TTL_SECONDS: "3" };
    // the first one alone applies the migrations; the two others start together
    fleet.push(await startInstance("a", env));
    fleet.push(...(await Promise.all([startInstance("b", env), startInstance("c", env)])));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(fleet.map((i) => i.kill("SIGKILL")));
    await redis?.stop();
  });

  it("continues a conversation on another instance with its state", async () => {
    const [a, b, c] = fleet as [Instance, Instance, Instance];
    const first = await say(a, "carry", "怎么续借");
    expect(first.status).toBe(200);
    expect(first.body.intent).toBe("renew");
    const next = await say(b, "carry", "下一步");
    expect(next.status).toBe(200);
    // the same two messages on one instance give the same answers: the state travelled with the conversation
    await say(c, "carry-control", "怎么续借");
    const control = await say(c, "carry-control", "下一步");
    expect(next.body.replies).toEqual(control.body.replies);
    // "next step" means something only in the conversation's context: step 2 of the steps begun on a
    expect(next.body.kind).toBe("answer");
    expect(next.body.intent).toBe(first.body.intent);
    const third = await say(c, "carry", "下一步");
    expect(third.body.replies).not.toEqual(next.body.replies);
    const lines = await history(a, "carry");
    expect(lines.filter((l) => l.from === "user").map((l) => l.text)).toEqual(["怎么续借", "下一步", "下一步"]);
  });

  it("answers 50 messages of one conversation sent to all instances at once exactly once each, in one order the transcript shows", async () => {
    const texts = Array.from({ length: 50 }, (_, i) => `第${i + 1}条：${["怎么续借", "书可以借多久", "下一步", "逾期了怎么办", "期刊能借回家吗"][i % 5]}`);
    const results = await Promise.all(texts.map((text, i) => say(fleet[i % fleet.length]!, "burst", text, `m-${i}`)));
    expect(results.map((r) => r.status)).toEqual(texts.map(() => 200));
    const lines = await history(fleet[0]!, "burst");
    const asked = lines.filter((l) => l.from === "user").map((l) => l.text);
    // each message once
    expect([...asked].sort()).toEqual([...texts].sort());
    // each message is followed by its own replies before the next message: handled one at a time
    const replyOf = new Map(texts.map((t, i) => [t, (results[i]!.body.replies as Array<{ text: string }>).map((r) => r.text)]));
    let i = 0;
    while (i < lines.length) {
      const line = lines[i]!;
      expect(line.from).toBe("user");
      const replies: string[] = [];
      i += 1;
      while (i < lines.length && lines[i]!.from !== "user") replies.push(lines[i++]!.text.replace(/\n\[[^\n]*\]$/, ""));
      expect(replies).toEqual(replyOf.get(line.text));
    }
    // a client's retry of a message already answered gets the same answer and stores nothing twice
    const again = await say(fleet[2]!, "burst", texts[7]!, "m-7");
    expect(again.body.replies).toEqual(results[7]!.body.replies);
    expect((await history(fleet[1]!, "burst")).length).toBe(lines.length);
  }, 60_000);

  it("lets an agent signed in on one instance answer a handoff opened on another, and the reply reaches the user's stream on a third", async () => {
    const [a, b, c] = fleet as [Instance, Instance, Instance];
    // the user's stream is open on c
    const controller = new AbortController();
    const stream = await fetch(`${c.url}/api/messages/events?userId=handoff-user`, { signal: controller.signal });
    const events: string[] = [];
    const reader = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) events.push(decoder.decode(chunk));
    })().catch(() => undefined);
    const asked = await say(a, "handoff-user", "转人工");
    expect(asked.body.kind).toBe("handoff");
    // the agent signs in on b and finds the ticket opened on a
    const headers = { "content-type": "application/json", "x-requested-with": "fetch" };
    const login = await fetch(`${b.url}/api/agent/login`, { method: "POST", headers, body: JSON.stringify({ name: "xiaowang", password: AGENT_TOKEN }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const queue = (await (await fetch(`${b.url}/api/agent/tickets?view=waiting`, { headers: { cookie } })).json()) as { tickets: Array<{ id: string; conversationId: string }> };
    const ticket = queue.tickets.find((t) => t.conversationId === "api:handoff-user");
    expect(ticket).toBeDefined();
    // the session is shared: the same cookie works on c
    expect((await fetch(`${c.url}/api/agent/me`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${b.url}/api/agent/tickets/${ticket!.id}/claim`, { method: "POST", headers: { ...headers, cookie } })).status).toBe(200);
    const reply = await fetch(`${b.url}/api/agent/tickets/${ticket!.id}/reply`, { method: "POST", headers: { ...headers, cookie }, body: JSON.stringify({ text: "您好，我是客服小王" }) });
    expect(reply.status).toBe(200);
    const until = Date.now() + 10_000;
    while (!events.join("").includes("您好，我是客服小王") && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await reader;
    expect(events.join("")).toContain("您好，我是客服小王");
    // the user's next message, sent to a, goes to the agent, not the bot
    const later = await say(a, "handoff-user", "好的谢谢");
    expect(later.body.kind).toBe("human");
  }, 30_000);

  it("survives a Redis restart: refuses with 503 while it is down, never crashes, and answers in order once it is back", async () => {
    await redis.stop();
    const down = await Promise.all(alive().map((i) => say(i, "redis-down", "书可以借多久")));
    for (const r of down) expect([503]).toContain(r.status);
    expect(alive()).toHaveLength(3);
    redis = await startRedis(redis.port);
    // ioredis reconnects by itself within its retry delay
    const until = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < until && status !== 200) {
      status = (await say(fleet[0]!, "redis-back", "书可以借多久")).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 300));
    }
    expect(status).toBe(200);
    const after = await Promise.all(alive().map(async (i) => {
      const deadline = Date.now() + 20_000;
      let r = await say(i, `redis-back-${i.name}`, "书可以借多久");
      while (r.status !== 200 && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 300));
        r = await say(i, `redis-back-${i.name}`, "书可以借多久");
      }
      return r.status;
    }));
    expect(after).toEqual([200, 200, 200]);
    // the messages refused while Redis was down were not handled
    expect(await history(fleet[0]!, "redis-down")).toEqual([]);
  }, 60_000);

  it("loses no acknowledged message when an instance is killed with SIGKILL mid-load, and its conversations continue on the others", async () => {
    const victim = fleet[1]!;
    const users = Array.from({ length: 6 }, (_, i) => `kill-${i}`);
    const acknowledged = new Map<string, string[]>(users.map((u) => [u, []]));
    let n = 0;
    let stop = false;
    // at most 40 messages a user, so the whole conversation fits in one history page
    const load = users.map(async (user, u) => {
      for (let sent = 0; !stop && sent < 40; sent++) {
        await new Promise((r) => setTimeout(r, 40));
        const target = fleet[(n++ + u) % fleet.length]!;
        const text = `怎么续借 ${n}`;
        try {
          const r = await say(target, user, text);
          if (r.status === 200) acknowledged.get(user)!.push(text);
        } catch {
          // the killed instance drops its connections: those messages were never acknowledged
        }
      }
    });
    await new Promise((r) => setTimeout(r, 700));
    await victim.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 1200));
    stop = true;
    await Promise.all(load);
    const [a, , c] = fleet as [Instance, Instance, Instance];
    for (const user of users) {
      const stored = (await history(a, user)).filter((l) => l.from === "user").map((l) => l.text);
      for (const text of acknowledged.get(user)!) expect(stored).toContain(text);
      // the conversation goes on elsewhere (a lock the dead instance held expires after LOCK_TTL_SECONDS)
      const next = await say(c, user, "下一步");
      expect(next.status).toBe(200);
    }
    expect([...acknowledged.values()].flat().length).toBeGreaterThan(20);
  }, 60_000);
});

describe.skipIf("skip" in services)("an instance whose PostgreSQL or Redis is down at start", () => {
  it("stays up, names what it waits for in /readyz and the logs, refuses messages with 503, and serves once Redis comes", async () => {
    if ("skip" in services) return;
    const [pgPort, redisPort] = await Promise.all([freePort(), freePort()]);
    const database = await createDatabase(services.postgres, "fleet_late");
    const waiting = await startInstance("late", { DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/nowhere`, REDIS_URL: `redis://127.0.0.1:${redisPort}` }, { until: "live" });
    try {
      const ready = await fetch(`${waiting.url}/readyz`);
      expect(ready.status).toBe(503);
      const checks = ((await ready.json()) as { checks: Record<string, string> }).checks;
      expect(checks.store).toMatch(new RegExp(`127\\.0\\.0\\.1:${pgPort}`));
      expect(checks.redis).toMatch(new RegExp(`127\\.0\\.0\\.1:${redisPort}`));
      const refused = await say(waiting, "early", "怎么续借");
      expect(refused.status).toBe(503);
      expect(refused.body.error).toMatch(/try again/);
      expect(waiting.output()).toMatch(new RegExp(`127\\.0\\.0\\.1:${pgPort}`));
    } finally {
      await waiting.kill();
    }
    // Redis down at start, the database up: ready once Redis listens, without a restart
    const redisLater = await startInstance("redis-later", { DATABASE_URL: database, REDIS_URL: `redis://127.0.0.1:${redisPort}` }, { until: "live" });
    const redis = await startRedis(redisPort);
    try {
      const until = Date.now() + 20_000;
      let status = 0;
      while (status !== 200 && Date.now() < until) {
        status = (await fetch(`${redisLater.url}/readyz`)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe(200);
      expect((await say(redisLater, "late-user", "怎么续借")).status).toBe(200);
      expect(redisLater.child.exitCode).toBeNull();
    } finally {
      await redisLater.kill();
      await redis.stop();
    }
  }, 60_000);
});
