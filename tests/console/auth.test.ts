import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hashPassword, readAgents, sameSecret, verifyPassword } from "../../src/console/agents.js";
import { createSessions, parseCookies } from "../../src/console/sessions.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { createSqliteStore } from "../../src/store/sqlite.js";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "faq-auth-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("passwords", () => {
  it("are stored as salted scrypt hashes that verify only the right password", async () => {
    const a = await hashPassword("correct horse");
    const b = await hashPassword("correct horse");
    expect(a).toMatch(/^scrypt:16384:8:1:/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("correct");
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("correct horsE", a)).toBe(false);
    expect(await verifyPassword("x", "not-a-hash")).toBe(false);
  });

  it("compares secrets of any length", () => {
    expect(sameSecret("abc", "abc")).toBe(true);
    expect(sameSecret("abc", "abcd")).toBe(false);
  });
});

describe("sessions", () => {
  it("expire after their lifetime and can be destroyed", async () => {
    const sessions = createSessions(createMemoryStore(), 1000);
    const { id, expires } = await sessions.create("wang", 0);
    expect(expires).toBe(1000);
    expect(id.length).toBeGreaterThanOrEqual(40);
    expect(await sessions.agent(id, 999)).toBe("wang");
    expect(await sessions.agent(id, 1000)).toBeNull();
    const other = (await sessions.create("li", 0)).id;
    await sessions.destroy(other);
    expect(await sessions.agent(other, 1)).toBeNull();
    expect(await sessions.agent(undefined)).toBeNull();
  });

  it("are kept by the hash of their id, so the stored value is not a working cookie, and survive a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sessions-"));
    try {
      const file = join(dir, "s.sqlite");
      const first = createSqliteStore(file);
      const { id } = await createSessions(first, 60_000).create("wang");
      await first.close();
      const again = createSqliteStore(file);
      expect(await createSessions(again, 60_000).agent(id)).toBe("wang");
      expect(await again.sessionAgent(id, Date.now())).toBeNull();
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("cookie parsing", () => {
  it("reads names and values, decoding and keeping the first of a repeated name", () => {
    const cookies = parseCookies('a=1; agent_session=abc-DEF_9; b="q%20r"; a=2; junk; =x');
    expect(cookies.get("a")).toBe("1");
    expect(cookies.get("agent_session")).toBe("abc-DEF_9");
    expect(cookies.get("b")).toBe("q r");
    expect(parseCookies(undefined).size).toBe(0);
  });
});

describe("npm run agent:add", () => {
  const run = (args: string[], env: Record<string, string>, input?: string) =>
    execFileSync(process.execPath, ["--import", "tsx", "src/cli/agent-add.ts", ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      input: input ?? "",
      encoding: "utf8",
      stdio: "pipe",
    });

  it("adds an agent with the password from stdin, then changes it from AGENT_PASSWORD", async () => {
    const file = join(dir, "agents.json");
    expect(run(["xiaowang"], { AGENTS_FILE: file }, "first-password\n")).toMatch(/added/);
    const [first] = readAgents(file);
    expect(await verifyPassword("first-password", first!.hash)).toBe(true);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(run(["xiaowang"], { AGENTS_FILE: file, AGENT_PASSWORD: "second-password" })).toMatch(/updated/);
    const agents = readAgents(file);
    expect(agents).toHaveLength(1);
    expect(await verifyPassword("second-password", agents[0]!.hash)).toBe(true);
    expect(readFileSync(file, "utf8")).not.toContain("second-password");
  });

  it("refuses a short password and a missing name with how to fix it", () => {
    const fail = (args: string[], env: Record<string, string>) => {
      try {
        run(args, env);
      } catch (e) {
        return String((e as { stderr: string }).stderr);
      }
      return "";
    };
    expect(fail(["li"], { AGENTS_FILE: join(dir, "x.json"), AGENT_PASSWORD: "short" })).toMatch(/at least 8/);
    expect(fail([], { AGENTS_FILE: join(dir, "x.json"), AGENT_PASSWORD: "long-enough" })).toMatch(/usage: npm run agent:add -- <name>/);
  });
});
