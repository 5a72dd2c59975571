import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Real PostgreSQL and Redis servers for the tests, each in a temporary folder on a free port, stopped
// (and the folder removed) afterwards. Debian's `postgresql` and `redis-server` packages provide them;
// when one is missing the tests that need it are skipped with a message saying so, unless
// SERVICES_REQUIRED=1 (as in CI), where a missing server is an error.

export interface TestService {
  url: string;
  /** Stops the server: SIGTERM, then SIGKILL after a few seconds. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The folder of PostgreSQL's server programs (initdb, postgres), or null when it is not installed. */
export function postgresBin(): string | null {
  if (process.env.POSTGRES_BIN) return existsSync(join(process.env.POSTGRES_BIN, "postgres")) ? process.env.POSTGRES_BIN : null;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "postgres")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

export function redisBin(): string | null {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : null;
}

/** Why the fleet tests cannot run here, or null when both servers are installed. */
export function missingServices(): string | null {
  const missing = [postgresBin() ? null : "postgresql", redisBin() ? null : "redis-server"].filter(Boolean);
  return missing.length ? `${missing.join(" and ")} not installed (apt-get install -y ${missing.join(" ")})` : null;
}

/** PostgreSQL refuses to run as root: as root the server runs as the `postgres` user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
  const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
  if (!uid) throw new Error("running as root, and there is no `postgres` user to run PostgreSQL as");
  return { uid, gid };
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

async function waitFor(what: string, child: ChildProcess, log: () => string, ready: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${log()}`);
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within ${ms} ms:\n${log()}`);
}

/** A new PostgreSQL cluster (trust authentication, no durability settings: a test server). */
/**
 * `durable` keeps PostgreSQL's defaults (fsync, synchronous commit) as a production server has them;
 * without it, a test server skips them. `countStatements` loads pg_stat_statements.
 */
export async function startPostgres(options: { countStatements?: boolean; durable?: boolean } = {}): Promise<TestService> {
  const bin = postgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed (apt-get install -y postgresql)");
  const dir = mkdtempSync(join(tmpdir(), "faq-pg-"));
  const user = postgresUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, "data");
  const init = spawnSync(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"], {
    encoding: "utf8",
    ...(user ?? {}),
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  let output = "";
  const child = spawn(
    join(bin, "postgres"),
    ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", ...(options.durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]), "-c", "max_connections=200", ...(options.countStatements ? ["-c", "shared_preload_libraries=pg_stat_statements"] : [])],
    { stdio: ["ignore", "pipe", "pipe"], ...(user ?? {}) },
  );
  child.stdout?.on("data", (d) => (output += String(d)));
  child.stderr?.on("data", (d) => (output += String(d)));
  const isready = join(bin, "pg_isready");
  await waitFor("postgres", child, () => output, async () => spawnSync(isready, ["-h", "127.0.0.1", "-p", String(port)]).status === 0);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop: stopper(child, dir) };
}

/** A Redis server without persistence. `port` restarts one on the port it had. */
export async function startRedis(port?: number): Promise<TestService & { port: number }> {
  const bin = redisBin();
  if (!bin) throw new Error("Redis is not installed (apt-get install -y redis-server)");
  const dir = mkdtempSync(join(tmpdir(), "faq-redis-"));
  const p = port ?? (await freePort());
  let output = "";
  const child = spawn(bin, ["--port", String(p), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (d) => (output += String(d)));
  child.stderr?.on("data", (d) => (output += String(d)));
  await waitFor("redis-server", child, () => output, async () => output.includes("Ready to accept connections"));
  return { url: `redis://127.0.0.1:${p}`, port: p, stop: stopper(child, dir) };
}

/** A fresh database on a test PostgreSQL server, so each test file starts empty. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name}`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
