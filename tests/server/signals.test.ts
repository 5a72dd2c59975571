import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { LIBRARY_KB } from "../helpers/kb.js";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "faq-signals-"));
const started: ChildProcess[] = [];
let serverPid = 0;
afterAll(() => {
  for (const p of started) if (p.exitCode === null) p.kill("SIGKILL");
  if (serverPid) try { process.kill(serverPid, "SIGKILL"); } catch { /* already gone */ }
  rmSync(dir, { recursive: true, force: true });
});

/** Reads log lines up to the first JSON one whose message matches (next(), not for-await, which would close the stream). */
async function waitForLog(lines: AsyncIterator<string>, pattern: RegExp): Promise<{ pid: number; msg: string }> {
  for (;;) {
    const next = await lines.next();
    if (next.done) throw new Error(`the server's log ended without ${pattern}`);
    if (!next.value.startsWith("{")) continue;
    const entry = JSON.parse(next.value) as { pid: number; msg: string };
    if (pattern.test(entry.msg)) return entry;
  }
}

const parentOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("npm start and signals", () => {
  it("the pid in the start-up log is the server itself: HUP reloads the knowledge base, TERM to npm stops the server", async () => {
    const intents = join(dir, "intents");
    cpSync(LIBRARY_KB.intentsDir, intents, { recursive: true });
    const npm = spawn("npm", ["start", "--silent"], {
      cwd: root,
      env: { ...process.env, STORE: "memory", PORT: "0", LOG_LEVEL: "info", DATA_DIR: join(dir, "data"), INTENTS_DIR: intents, KNOWLEDGE_DIR: LIBRARY_KB.knowledgeDir, KB_WATCH: "0" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    started.push(npm);
    const lines = createInterface({ input: npm.stdout! })[Symbol.asyncIterator]();

    const listening = await waitForLog(lines, /listening on/);
    serverPid = listening.pid;
    expect(listening.msg).toContain(`kill -HUP ${serverPid}`);
    // no wrapper between npm and the server: a signal sent to the logged pid reaches the server
    expect(parentOf(serverPid)).toBe(npm.pid);
    expect(readFileSync(`/proc/${serverPid}/cmdline`, "utf8")).toContain("src/main.ts");

    writeFileSync(join(intents, "95-new.yaml"), "- id: office-hours\n  title: 客服上班时间\n  reply: 工作日 9:00-18:00\n  examples: [客服几点上班]\n");
    process.kill(serverPid, "SIGHUP");
    const reloaded = await waitForLog(lines, /knowledge base reloaded/);
    expect(reloaded.pid).toBe(serverPid);
    expect(alive(serverPid)).toBe(true);
    expect(npm.exitCode).toBeNull();

    const exited = new Promise<number | null>((done) => npm.on("exit", (code) => done(code)));
    npm.kill("SIGTERM");
    await exited;
    // npm forwards TERM to its child, which is the server: nothing is left running
    await new Promise<void>((done) => {
      const check = (): void => (alive(serverPid) ? void setTimeout(check, 50) : done());
      check();
    });
    expect(alive(serverPid)).toBe(false);
  }, 60_000);
});
