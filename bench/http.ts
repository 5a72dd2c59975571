// npm run bench:http — POST /api/messages of the running bot (SQLite store, rate limits off) under
// autocannon, 100 connections, beside a bare express route answering fixed JSON, and beside a fleet of
// two instances sharing PostgreSQL + Redis (50 connections to each), in one run; prints throughput,
// latency and the ratios. Servers run as child processes on 127.0.0.1, one setup at a time. The fleet
// row needs Debian's postgresql and redis-server (started in a temporary folder); without them it is left out.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import autocannon from "autocannon";
import { createDatabase, missingServices, startPostgres, startRedis } from "../tests/helpers/services.js";

const root = resolve(import.meta.dirname, "..");
const quick = process.argv.includes("--quick");
const DURATION = quick ? 5 : 15;
const CONNECTIONS = 100;
const QUESTIONS = ["视频号怎么关", "注销后视频还在吗", "公众号要先解绑吗", "那粉丝呢", "关闭视频号有什么影响", "今天天气怎么样", "谢谢", "注销要多久"];

/** Starts a server script and resolves with its port, read from its "listening on" line. */
function start(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (?:http:\/\/[^:]+:)?(\d+)/.exec(out);
      if (m) ok({ child, port: Number(m[1]) });
    });
    child.on("exit", (code) => fail(new Error(`${args.join(" ")} exited (${code}) before listening:\n${out}`)));
  });
}

async function load(port: number, connections = CONNECTIONS, users = 2000, offset = 0) {
  let n = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: DURATION,
    requests: [
      {
        method: "POST",
        path: "/api/messages",
        headers: { "content-type": "application/json" },
        // many users, each asking in turn: conversations continue, as in real traffic
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ userId: `u${offset + (n % users)}`, text: QUESTIONS[n++ % QUESTIONS.length] }) }),
      },
    ],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts, answered: (result as unknown as { "2xx": number })["2xx"] };
}

/** CPU time (user + system) a process has used, in ms, from /proc (Linux); 0 elsewhere. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function measure(name: string, args: string[], env: Record<string, string>) {
  const { child, port } = await start(args, env);
  process.stderr.write(`loading ${name} on port ${port} for ${DURATION} s…\n`);
  try {
    const before = cpuMs(child.pid);
    const result = await load(port);
    return { name, ...result, cpuPerMessage: (cpuMs(child.pid) - before) / Math.max(1, result.answered) };
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

/** Two bot instances on one PostgreSQL database and one Redis; half the connections to each (what a load balancer does). */
async function measureFleet(name: string, env: Record<string, string>) {
  const instances = await Promise.all([0, 1].map(() => start(["src/main.ts"], env)));
  process.stderr.write(`loading ${name} on ports ${instances.map((i) => i.port).join(", ")} for ${DURATION} s…\n`);
  try {
    // the same users reach both instances, as without sticky sessions
    const before = instances.map((i) => cpuMs(i.child.pid));
    const parts = await Promise.all(instances.map((i) => load(i.port, CONNECTIONS / 2, 2000, 0)));
    const used = instances.reduce((sum, i, k) => sum + cpuMs(i.child.pid) - before[k]!, 0);
    return {
      cpuPerMessage: used / Math.max(1, parts.reduce((sum, p) => sum + p.answered, 0)),
      name,
      rps: parts.reduce((sum, p) => sum + p.rps, 0),
      p50: Math.max(...parts.map((p) => p.p50)),
      p99: Math.max(...parts.map((p) => p.p99)),
      non2xx: parts.reduce((sum, p) => sum + p.non2xx, 0),
      errors: parts.reduce((sum, p) => sum + p.errors, 0),
      answered: parts.reduce((sum, p) => sum + p.answered, 0),
    };
  } finally {
    for (const { child } of instances) child.kill("SIGTERM");
    await Promise.all(instances.map(({ child }) => new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r(null)))));
  }
}

/** Statements PostgreSQL ran and commands Redis ran, per message answered (start-up included, a rounding error over thousands). */
async function countRoundTrips(databaseUrl: string, redisUrl: string, answered: number) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  const statements = await client.query<{ query: string; calls: string }>(
    "SELECT query, calls FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY calls DESC",
  );
  await client.end();
  const { Redis } = await import("ioredis");
  const redis = new Redis(redisUrl);
  const info = await redis.info("commandstats");
  redis.disconnect();
  const commands = [...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])] as const).filter(([name]) => name !== "info");
  const per = (n: number) => n / Math.max(1, answered);
  return {
    answered,
    postgres: per(statements.rows.reduce((sum, r) => sum + Number(r.calls), 0)),
    postgresTop: statements.rows.slice(0, 8).map((r) => `${per(Number(r.calls)).toFixed(2)} × ${r.query.replace(/\s+/g, " ").slice(0, 70)}`),
    redis: per(commands.reduce((sum, [, n]) => sum + n, 0)),
    redisTop: commands.sort((a, b) => b[1] - a[1]).slice(0, 6).map(([name, n]) => `${per(n).toFixed(2)} × ${name}`),
  };
}

const data = mkdtempSync(join(tmpdir(), "faq-bench-http-"));
const rows = [];
let roundTrips: Awaited<ReturnType<typeof countRoundTrips>> | undefined;
rows.push(await measure("bare express route (fixed JSON)", ["bench/bare-server.ts"], { PORT: "0" }));
rows.push(
  await measure("the bot, POST /api/messages, SQLite", ["src/main.ts"], {
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: data,
    LOG_LEVEL: "info",
    RATE_LIMIT_USER_PER_MIN: "0",
    RATE_LIMIT_ADDRESS_PER_MIN: "0",
    TRANSCRIPT_RETENTION_DAYS: "0",
  }),
);
rmSync(data, { recursive: true, force: true });
const missing = missingServices();
if (missing) {
  process.stderr.write(`no fleet row: ${missing}\n`);
} else {
  // a PostgreSQL with its durable defaults (fsync, synchronous commit), counting the statements it runs
  const [pg, redis] = await Promise.all([startPostgres({ countStatements: true, durable: true }), startRedis()]);
  const fleetData = mkdtempSync(join(tmpdir(), "faq-bench-fleet-"));
  const database = await createDatabase(pg.url, "bench");
  try {
    const row = await measureFleet("2 instances, PostgreSQL + Redis", {
        PORT: "0",
        HOST: "127.0.0.1",
        DATA_DIR: fleetData,
        LOG_LEVEL: "info",
        DATABASE_URL: database,
        REDIS_URL: redis.url,
        RATE_LIMIT_USER_PER_MIN: "0",
        RATE_LIMIT_ADDRESS_PER_MIN: "0",
        TRANSCRIPT_RETENTION_DAYS: "0",
    });
    rows.push(row);
    roundTrips = await countRoundTrips(database, redis.url, row.answered);
  } finally {
    await Promise.all([pg.stop(), redis.stop()]);
    rmSync(fleetData, { recursive: true, force: true });
  }
}

console.log(`node ${process.version}; autocannon, ${CONNECTIONS} connections, ${DURATION} s each\n`);
console.log("| target | req/s | p50 ms | p99 ms | non-2xx | errors | bot CPU ms/message |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} | ${r.cpuPerMessage ? r.cpuPerMessage.toFixed(2) : "–"} |`);
console.log(`\nthe bot serves ${(rows[1]!.rps / rows[0]!.rps).toFixed(2)}× what the bare route serves`);
if (roundTrips) {
  console.log(`\nper message answered by the fleet (${roundTrips.answered} messages): ${roundTrips.postgres.toFixed(1)} PostgreSQL statements, ${roundTrips.redis.toFixed(1)} Redis commands`);
  for (const line of roundTrips.postgresTop) console.log(`  postgres ${line}`);
  for (const line of roundTrips.redisTop) console.log(`  redis    ${line}`);
}
if (rows[2]) console.log(`the fleet of two serves ${(rows[2].rps / rows[1]!.rps).toFixed(2)}× what one SQLite instance serves (on one machine: the cost of the shared engines)`);
