import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { LIBRARY_KB_ENV } from "../helpers/kb.js";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "faq-stop-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts the entry point the way a process manager would (node with the TypeScript loader, no wrapper
 * process between the signal and the server); resolves its base URL once it listens, and its exit code later.
 */
async function start(env: Record<string, string>) {
  const loader = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
  const child = spawn(process.execPath, ["--import", loader, join(root, "src/main.ts")], {
    cwd: dir,
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...LIBRARY_KB_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  let out = "";
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening:\n${out}`)));
  });
  return { child, base, exited };
}

describe("stopping on SIGTERM", () => {
  it("ends live streams with a final event, stores every acknowledged message, and exits 0", async () => {
    const data = join(dir, "graceful");
    const { child, base, exited } = await start({ STORE: "sqlite", DATA_DIR: data, SHUTDOWN_TIMEOUT_MS: "20000" });

    const sse = fetch(`${base}/api/messages/events?userId=watcher`).then((res) => res.text());
    const poll = fetch(`${base}/api/messages/poll?userId=poller&after=0&waitMs=25000`).then((res) => res.json());

    const acknowledged: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const messageId = `w${w}-${i}`;
        try {
          const res = await fetch(`${base}/api/messages`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ userId: `load-${w}`, text: i % 2 ? "怎么续借" : "书可以借多久", messageId }),
          });
          if (res.status !== 200) break;
          await res.json();
          acknowledged.push(messageId);
        } catch {
          break;
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGTERM");
    const code = await exited;
    stop = true;
    await Promise.all(workers);

    expect(code).toBe(0);
    expect(await sse).toMatch(/event: shutdown\ndata: \{"reconnect":true\}\n\n$/);
    expect((await poll).events).toEqual([expect.objectContaining({ type: "shutdown" })]);
    const db = new Database(join(data, "faq-bot.sqlite"), { readonly: true });
    const stored = new Set(db.prepare("SELECT message_id FROM message_outcomes").pluck().all() as string[]);
    db.close();
    expect(acknowledged.length).toBeGreaterThanOrEqual(20);
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  });

  it("exits non-zero when it has to cut a request that does not finish in time", async () => {
    const { child, base, exited } = await start({ STORE: "memory", DATA_DIR: join(dir, "forced"), SHUTDOWN_TIMEOUT_MS: "500" });
    const port = Number(new URL(base).port);
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    await new Promise((r) => socket.once("connect", r));
    // a body that never finishes keeps its connection busy; "100 Continue" says the server has the headers
    const continued = new Promise((r) => socket.once("data", r));
    socket.write("POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n");
    expect(String(await continued)).toMatch(/^HTTP\/1\.1 100 Continue/);
    socket.write("{");
    child.kill("SIGTERM");
    expect(await exited).toBe(1);
    socket.destroy();
  });
});
