import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LIBRARY_KB_ENV } from "./kb.js";
import { freePort } from "./services.js";

// Bot instances as separate processes (`node --import tsx src/main.ts`), as an operator runs them,
// on the library fixture's knowledge base unless `env` names another.

const root = resolve(import.meta.dirname, "../..");

export interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  /** What the process wrote (JSON log lines), for a failure's message. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts an instance and waits until /readyz answers 200 (or, with `until: "live"`, until /healthz does). */
export async function startInstance(name: string, env: Record<string, string>, options: { until?: "ready" | "live" } = {}): Promise<Instance> {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), `faq-fleet-${name}-`));
  let out = "";
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: data,
      LOG_LEVEL: "warn",
      INSTANCE_ID: name,
      RATE_LIMIT_USER_PER_MIN: "0",
      RATE_LIMIT_ADDRESS_PER_MIN: "0",
      KB_WATCH: "0",
      ...LIBRARY_KB_ENV,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (out += String(d)));
  child.stderr!.on("data", (d) => (out += String(d)));
  const url = `http://127.0.0.1:${port}`;
  const instance: Instance = {
    name,
    url,
    child,
    output: () => out,
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once("exit", () => r()));
        child.kill(signal);
        await exited;
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
  const until = Date.now() + 40_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`instance ${name} exited (${child.exitCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/${options.until === "live" ? "healthz" : "readyz"}`);
      if (res.status === 200) return instance;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  await instance.kill("SIGKILL");
  throw new Error(`instance ${name} was not ready within 40 s:\n${out}`);
}

/** POST /api/messages; resolves with the status and the body. */
export async function say(instance: Instance, userId: string, text: string, messageId?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${instance.url}/api/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId, text, ...(messageId ? { messageId } : {}) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function history(instance: Instance, userId: string, limit = 200): Promise<Array<{ from: string; text: string; direction?: string }>> {
  const res = await fetch(`${instance.url}/api/messages/history?userId=${encodeURIComponent(userId)}&limit=${limit}`);
  const body = (await res.json()) as { messages: Array<{ from: string; text: string }> };
  return body.messages;
}
