import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LIBRARY_KB, LIBRARY_KB_ENV } from "../helpers/kb.js";

const root = resolve(import.meta.dirname, "../..");
const tmp = mkdtempSync(join(tmpdir(), "chat-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `src/cli/chat.ts` (node with tsx's loader) on the library fixture with the given lines on stdin; resolves with its output and exit code. */
function chat(lines: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/chat.ts"], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: "", ...LIBRARY_KB_ENV, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
    child.stdin.end(lines.map((l) => `${l}\n`).join(""));
  });
}

/** The part of the output printed after the n-th reply footer "(kind · intent · confidence)". */
const turns = (stdout: string): string[] => stdout.split(/^\((?:answer|clarify|fallback|handoff|human) · .*\)$/m);

describe("npm run chat", () => {
  it("talks to the bot over piped stdin: numbered quick replies, steps, /reset and /quit", async () => {
    const { code, stdout } = await chat(["怎么续借", "1", "上一步", "/reset", "下一步", "/quit", "逾期了怎么办"], { STORE: "memory" });
    expect(code).toBe(0);
    const t = turns(stdout);
    expect(t[0]).toContain("第 1 步 / 共 2 步");
    expect(t[0]).toMatch(/^ {2}\[1\] 下一步$/m);
    expect(t[0]).toMatch(/^ {2}\[2\] 全部步骤$/m);
    expect(stdout).toMatch(/^\(answer · renew · 1\.00\)$/m);
    // "1" sends the first quick reply's text
    expect(t[1]).toContain("→ 下一步");
    expect(t[1]).toContain("第 2 步 / 共 2 步");
    expect(t[2]).toContain("第 1 步 / 共 2 步");
    // after /reset the walk-through is gone
    expect(t[3]).toContain("已重新开始");
    expect(t[3]).toContain("没有正在进行");
    // nothing after /quit is read
    expect(stdout).not.toContain("0.1 元");
    // no terminal colours when stdout is not a terminal
    expect(stdout).not.toContain("\x1b[");
  }, 30_000);

  it("says plainly that no human is available in the terminal, and goes on answering", async () => {
    const { code, stdout } = await chat(["转人工", "书可以借多久", "asdfqwer", "zxcvbnm啊啊", "好的"], { STORE: "memory" });
    expect(code).toBe(0);
    const t = turns(stdout);
    expect(t[0]).toContain("没有人工客服");
    expect(stdout).toMatch(/^\(fallback · librarian · \d\.\d\d\)$/m);
    // no queue is promised and the bot does not fall silent
    expect(stdout).not.toMatch(/排队|馆员马上就来|handoff ·|human · —/);
    expect(t[1]).toContain("30 天");
    expect(stdout).toMatch(/^\(answer · loan-period · \d\.\d\d\)$/m);
    // two misses in a row do not offer a human either
    expect(t[3]).toMatch(/^ {2}\[1\] /m);
    expect(t[3]).not.toMatch(/转人工|找馆员/);
  }, 30_000);

  it("exits 0 at the end of input and keeps the conversation in the SQLite store between runs", async () => {
    const env = { STORE: "sqlite", DATA_DIR: join(tmp, "data") };
    const first = await chat(["怎么续借"], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("第 1 步 / 共 2 步");
    const second = await chat(["下一步"], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("第 2 步 / 共 2 步");
  }, 30_000);

  // util-linux `script` gives the CLI a terminal, so the dimmed footer can be seen
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.skipIf(!hasScript)("dims kind, intent and confidence when stdout is a terminal", async () => {
    const child = spawn("script", ["-qec", "npx tsx src/cli/chat.ts", "/dev/null"], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: "", ...LIBRARY_KB_ENV, STORE: "memory" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stdin.end("你好\n/quit\n");
    const code = await new Promise((r) => child.on("close", r));
    expect(code).toBe(0);
    expect(out).toMatch(/\x1b\[2m\(answer · hello · 1\.00\)\x1b\[22m/);
  }, 30_000);

  it("prints file:line errors and exits 1 when the knowledge base is invalid", async () => {
    const knowledge = join(tmp, "knowledge");
    cpSync(LIBRARY_KB.knowledgeDir, knowledge, { recursive: true });
    writeFileSync(join(knowledge, "99-broken.yaml"), "section: broken\nfacts:\n  Bad Id: text\n");
    const { code, stderr, stdout } = await chat(["你好"], { STORE: "memory", KNOWLEDGE_DIR: knowledge });
    expect(code).toBe(1);
    expect(stderr).toMatch(/99-broken\.yaml:\d+: /);
    expect(stdout).not.toContain("机器人>");
  }, 30_000);
});
