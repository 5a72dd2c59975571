import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword, saveAgent } from "../../src/console/agents.js";
import { agentConsole } from "../../src/console/router.js";
import { createApp } from "../../src/server/app.js";
import { createDesk } from "../helpers/handoff.js";
import { silentLog } from "../helpers/kb.js";

const dir = mkdtempSync(join(tmpdir(), "faq-sign-in-"));
let server: Server;
let base: string;

beforeAll(async () => {
  const agentsFile = join(dir, "agents.json");
  saveAgent(agentsFile, { name: "wang", hash: await hashPassword("the-real-password") });
  const d = createDesk();
  const kb = d.knowledge;
  const app = createApp({
    bot: d.bot,
    knowledge: () => kb,
    log: silentLog,
    maxTextLength: 2000,
    // the console sits behind a proxy on this machine: X-Forwarded-For names the client
    trustProxy: "loopback",
    routers: [
      agentConsole({
        desk: d.desk,
        store: d.store,
        knowledge: () => kb,
        log: silentLog,
        agentsFile,
        sessionMs: 3_600_000,
        cookieSecure: false,
        timeZone: "Asia/Shanghai",
        signIn: { maxFailures: 10, windowMs: 15 * 60_000 },
      }),
    ],
  });
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const signIn = (password: string, from: string) =>
  fetch(`${base}/api/agent/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-requested-with": "fetch", "x-forwarded-for": from },
    body: JSON.stringify({ name: "wang", password }),
  });

describe("sign-in under attack", () => {
  it("answers most of 1,000 concurrent wrong passwords with 429, and the real agent still signs in from another address", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const res = await signIn(`guess-${i}`, "198.51.100.7");
        await res.arrayBuffer();
        return res.status;
      }),
    );
    const count = (s: number) => statuses.filter((x) => x === s).length;
    expect(count(200)).toBe(0);
    // only the attempts counted before the lock ran the hash at all
    expect(count(401)).toBeLessThanOrEqual(10);
    expect(count(429)).toBeGreaterThanOrEqual(990);
    const limited = await signIn("guess-again", "198.51.100.7");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);

    const real = await signIn("the-real-password", "203.0.113.20");
    expect(real.status).toBe(200);
    expect(real.headers.get("set-cookie")).toMatch(/agent_session=/);
  });

  it("locks the account against a distributed guesser's addresses, but not the real agent's", async () => {
    for (let i = 0; i < 12; i++) await (await signIn(`spread-${i}`, `192.0.2.${i}`)).arrayBuffer();
    // each guessing address is refused a second try at this account
    expect((await signIn("spread-again", "192.0.2.3")).status).toBe(429);
    expect((await signIn("the-real-password", "203.0.113.21")).status).toBe(200);
  });
});
