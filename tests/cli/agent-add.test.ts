import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/console/agents.js";
import { signInAddress } from "../../src/console/sign-in-address.js";
import { createPostgresStore } from "../../src/store/postgres.js";
import { silentLog } from "../helpers/kb.js";
import { createDatabase } from "../helpers/services.js";
import { testServices } from "../helpers/test-services.js";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "agent-add-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `npm run agent:add -- NAME` in `cwd` with the password from the environment. */
function addAgent(cwd: string, env: Record<string, string>): string {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !["PORT", "HOST", "DATA_DIR", "AGENTS_FILE"].includes(k)));
  return execFileSync(join(root, "node_modules/.bin/tsx"), [join(root, "src/cli/agent-add.ts"), "xiaowang"], {
    cwd,
    env: { ...clean, AGENT_PASSWORD: "long-enough-password", ...env },
    encoding: "utf8",
    stdio: "pipe",
  });
}

describe("npm run agent:add prints the real sign-in address", () => {
  it("builds it from PORT and HOST, browsing to 127.0.0.1 when the server listens on every interface", () => {
    const out = addAgent(dir, { PORT: "3456", HOST: "0.0.0.0", AGENTS_FILE: join(dir, "a.json") });
    expect(out).toContain("Sign in at http://127.0.0.1:3456/agent");
    expect(out).not.toContain("<host>");
  });

  it("reads .env like the server does, and writes to its DATA_DIR", () => {
    const cwd = mkdtempSync(join(dir, "with-env-"));
    writeFileSync(join(cwd, ".env"), "PORT=4567\nDATA_DIR=team\n");
    const out = addAgent(cwd, {});
    expect(out).toContain("Sign in at http://127.0.0.1:4567/agent");
    expect(out).toContain(join(cwd, "team", "agents.json"));
  });

  it("defaults to port 3000", () => {
    expect(signInAddress({ HOST: "127.0.0.1", PORT: 3000 })).toBe("http://127.0.0.1:3000/agent");
  });

  it("keeps a named host, brackets an IPv6 one, and says where to find a port picked at start", () => {
    expect(signInAddress({ HOST: "bot.example.com", PORT: 8080 })).toBe("http://bot.example.com:8080/agent");
    expect(signInAddress({ HOST: "::1", PORT: 3000 })).toBe("http://[::1]:3000/agent");
    expect(signInAddress({ HOST: "::", PORT: 3000 })).toBe("http://127.0.0.1:3000/agent");
    expect(signInAddress({ HOST: "127.0.0.1", PORT: 0 })).toBe("http://127.0.0.1:<the port in the start-up log>/agent");
  });
});

const services = testServices();
describe.skipIf("skip" in services)(`npm run agent:add with DATABASE_URL${"skip" in services ? ` (skipped: ${services.skip})` : ""}`, () => {
  it("writes the agent to the fleet's database, where every instance signs it in", async () => {
    if ("skip" in services) return;
    const url = await createDatabase(services.postgres, "agent_add");
    const out = addAgent(dir, { DATABASE_URL: url, AGENTS_FILE: join(dir, "unused.json") });
    expect(out).toContain('agent "xiaowang" added in the database');
    expect(out).not.toContain(url);
    const store = createPostgresStore({ url, log: silentLog });
    try {
      const agents = await store.listAgents();
      expect(agents.map((a) => a.name)).toEqual(["xiaowang"]);
      expect(await verifyPassword("long-enough-password", agents[0]!.hash)).toBe(true);
    } finally {
      await store.close();
    }
    expect(addAgent(dir, { DATABASE_URL: url })).toContain('agent "xiaowang" updated in the database');
  });
});
