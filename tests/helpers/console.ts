import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword, saveAgent } from "../../src/console/agents.js";
import { agentConsole } from "../../src/console/router.js";
import type { KnowledgeBase } from "../../src/knowledge/knowledge-base.js";
import { createApp } from "../../src/server/app.js";
import { createDesk, type Desk } from "./handoff.js";
import { silentLog } from "./kb.js";

export const PASSWORDS = { wang: "wang-password-1", li: "li-password-22" } as const;

export interface RunningConsole extends Desk {
  base: string;
  agentsFile: string;
  /** Signs in through the API; returns the Cookie header value. */
  signIn(name: keyof typeof PASSWORDS): Promise<string>;
  stop(): Promise<void>;
}

/** The whole server (bot, desk, API channel, console) on an ephemeral 127.0.0.1 port, on the desk's knowledge base (the library fixture's unless another is given). */
export async function startConsole(
  options: { agents?: boolean; agentToken?: string; maxFailures?: number; cookieSecure?: boolean; maxWaiting?: number; knowledge?: KnowledgeBase } = {},
): Promise<RunningConsole> {
  const dir = mkdtempSync(join(tmpdir(), "faq-console-"));
  const agentsFile = join(dir, "agents.json");
  if (options.agents !== false) {
    for (const [name, password] of Object.entries(PASSWORDS)) saveAgent(agentsFile, { name, hash: await hashPassword(password) });
  }
  const d = createDesk({ ...(options.knowledge ? { knowledge: options.knowledge } : {}), ...(options.maxWaiting !== undefined ? { maxWaiting: options.maxWaiting } : {}) });
  const kb = d.knowledge;
  const app = createApp({
    bot: d.bot,
    knowledge: () => kb,
    log: silentLog,
    maxTextLength: 2000,
    api: d.api,
    routers: [
      agentConsole({
        desk: d.desk,
        store: d.store,
        knowledge: () => kb,
        log: silentLog,
        agentsFile,
        agentToken: options.agentToken,
        sessionMs: 3_600_000,
        cookieSecure: options.cookieSecure ?? false,
        timeZone: "Asia/Shanghai",
        signIn: { maxFailures: options.maxFailures ?? 50, windowMs: 60_000 },
      }),
    ],
  });
  const server: Server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...d,
    base,
    agentsFile,
    async signIn(name) {
      const res = await fetch(`${base}/api/agent/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-requested-with": "fetch" },
        body: JSON.stringify({ name, password: PASSWORDS[name] }),
      });
      if (res.status !== 200) throw new Error(`sign-in of ${name} failed: ${res.status}`);
      return res.headers.get("set-cookie")!.split(";")[0]!;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
