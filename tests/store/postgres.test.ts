import { createServer, connect, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import pino, { type Logger } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { initialState } from "../../src/dialog/decide.js";
import {
  createPostgresStore,
  isStoreUnavailable,
  POSTGRES_MIGRATIONS,
  StaleLockError,
  StoreUnavailableError,
  type PostgresStore,
} from "../../src/store/postgres.js";
import type { TranscriptEntry } from "../../src/types.js";
import { emptyDatabase } from "../helpers/postgres-store.js";
import { createDatabase, freePort } from "../helpers/services.js";
import { testServices } from "../helpers/test-services.js";
import { waitingTicket } from "../helpers/tickets.js";

const services = testServices();
const skip = "skip" in services ? services.skip : null;
const title = (what: string) => (skip ? `${what} (skipped: ${skip})` : what);
const silent = pino({ level: "silent" });
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);

/** A logger that keeps its lines, to read what was logged. */
function recordingLog(): { log: Logger; lines: Array<Record<string, unknown>>; text: () => string } {
  const raw: string[] = [];
  const log = pino({ level: "debug" }, { write: (line: string) => void raw.push(line) });
  return {
    log,
    get lines() {
      return raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    text: () => raw.join(""),
  };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const line = (conversationId: string, text: string, at: number): TranscriptEntry => ({
  conversationId,
  direction: "in",
  text,
  at,
  intent: null,
  confidence: null,
  kind: null,
  channel: "api",
  userId: "u",
});

let database: Promise<string> | null = null;
/** This file's database, emptied for each test that asks for it. */
async function freshUrl(): Promise<string> {
  if ("skip" in services) throw new Error(services.skip);
  database ??= createDatabase(services.postgres, "store_postgres");
  const url = await database;
  const store = createPostgresStore({ url, log: silent });
  await store.ready();
  await store.close();
  await emptyDatabase(url);
  return url;
}

const opened: PostgresStore[] = [];
const open = (url: string, log: Logger = silent, extra: { connectTimeoutMs?: number; poolSize?: number } = {}) => {
  const store = createPostgresStore({ url, log, ...extra });
  opened.push(store);
  return store;
};
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

describe.skipIf(skip !== null)(title("the PostgreSQL store's fenced transactions"), () => {
  it("refuses a lower token after a higher one (StaleLockError) and writes nothing of it", async () => {
    const store = open(await freshUrl());
    await store.transaction(() => store.write("api:f", { ...initialState(T0), topic: "first" }), { fence: { key: "api:f", token: 5 } });
    let ran = false;
    const stale = store.transaction(
      async () => {
        ran = true;
        await store.write("api:f", { ...initialState(T0), topic: "stale" });
        await store.appendTranscript([line("api:f", "stale", T0)]);
      },
      { fence: { key: "api:f", token: 3 } },
    );
    await expect(stale).rejects.toBeInstanceOf(StaleLockError);
    await expect(stale).rejects.toMatchObject({ key: "api:f", token: 3 });
    expect(ran).toBe(false);
    expect((await store.read("api:f"))?.topic).toBe("first");
    expect(await store.transcript("api:f")).toEqual([]);
    // the same grant again, and a later one, are let in; another conversation has its own fence
    await store.transaction(() => store.write("api:f", { ...initialState(T0), topic: "same" }), { fence: { key: "api:f", token: 5 } });
    await store.transaction(() => store.write("api:f", { ...initialState(T0), topic: "later" }), { fence: { key: "api:f", token: 6 } });
    await expect(store.transaction(async () => {}, { fence: { key: "api:f", token: 5 } })).rejects.toBeInstanceOf(StaleLockError);
    await store.transaction(() => store.write("api:g", initialState(T0)), { fence: { key: "api:g", token: 1 } });
    expect((await store.read("api:f"))?.topic).toBe("later");
  });

  it("runs two transactions of one conversation from two instances one after the other", async () => {
    const url = await freshUrl();
    const [a, b] = [open(url), open(url)];
    await Promise.all([a.ready(), b.ready()]);
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = a.transaction(
      async () => {
        order.push("a starts");
        await a.write("api:c", { ...initialState(T0), answers: 1 });
        await gate;
        order.push("a ends");
      },
      { fence: { key: "api:c", token: 1 } },
    );
    await until("the first transaction", () => order.includes("a starts"));
    let seen: number | undefined;
    const second = b.transaction(
      async () => {
        order.push("b starts");
        seen = (await b.read("api:c"))?.answers;
        await b.write("api:c", { ...initialState(T0), answers: (seen ?? 0) + 1 });
      },
      { fence: { key: "api:c", token: 2 } },
    );
    await sleep(300);
    // the second waits at its fence row for the first to end
    expect(order).toEqual(["a starts"]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["a starts", "a ends", "b starts"]);
    expect(seen).toBe(1);
    expect((await a.read("api:c"))?.answers).toBe(2);
    // the first holder, late, is refused now that the second wrote
    await expect(a.transaction(() => a.write("api:c", initialState(T0)), { fence: { key: "api:c", token: 1 } })).rejects.toBeInstanceOf(StaleLockError);
    expect((await b.read("api:c"))?.answers).toBe(2);
  });

  it("loses no update when many transactions of one conversation run at once on two instances", async () => {
    const url = await freshUrl();
    const [a, b] = [open(url), open(url)];
    const increment = (store: PostgresStore) =>
      store.transaction(
        async () => {
          const state = (await store.read("api:n")) ?? initialState(T0);
          await sleep(5);
          await store.write("api:n", { ...state, answers: state.answers + 1 });
        },
        { fence: { key: "api:n", token: 1 } },
      );
    await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 ? a : b)));
    expect((await a.read("api:n"))?.answers).toBe(20);
  });

  it("runs a transaction inside a transaction as part of it, and rolls back both", async () => {
    const store = open(await freshUrl());
    const failing = store.transaction(async () => {
      await store.write("api:x", initialState(T0));
      await store.transaction(() => store.appendTranscript([line("api:x", "inside", T0)]), { fence: { key: "api:x", token: 1 } });
      throw new Error("failed");
    });
    await expect(failing).rejects.toThrow("failed");
    expect(await store.read("api:x")).toBeNull();
    expect(await store.transcript("api:x")).toEqual([]);
  });
});

describe.skipIf(skip !== null)(title("the PostgreSQL store's sessions, agents and values"), () => {
  it("keeps agents' sessions by id hash, seen by every instance, until they expire", async () => {
    const url = await freshUrl();
    const [a, b] = [open(url), open(url)];
    const now = Date.now();
    await a.createSession("old", "li", now - 1);
    await a.createSession("h1", "wang", now + 60_000);
    expect(await b.sessionAgent("h1", now)).toBe("wang");
    // creating a session cleared the expired one
    expect(await b.sessionAgent("old", 0)).toBeNull();
    expect(await b.sessionAgent("h1", now + 60_000)).toBeNull();
    // the expired session is gone, whatever time is asked later
    expect(await a.sessionAgent("h1", now)).toBeNull();
    await a.createSession("h2", "zhang", now + 60_000);
    await b.deleteSession("h2");
    expect(await a.sessionAgent("h2", now)).toBeNull();
  });

  it("keeps the console's agents: added, changed, listed by name, removed", async () => {
    const url = await freshUrl();
    const [a, b] = [open(url), open(url)];
    await a.putAgent({ name: "wang", hash: "scrypt:1" });
    await a.putAgent({ name: "li", hash: "scrypt:2" });
    await b.putAgent({ name: "wang", hash: "scrypt:3" });
    expect(await a.listAgents()).toEqual([
      { name: "li", hash: "scrypt:2" },
      { name: "wang", hash: "scrypt:3" },
    ]);
    expect(await b.removeAgent("li")).toBe(true);
    expect(await b.removeAgent("li")).toBe(false);
    expect((await a.listAgents()).map((x) => x.name)).toEqual(["wang"]);
  });

  it("reads times as numbers and confidences as floats, and keeps a text with U+0000", async () => {
    const store = open(await freshUrl());
    const at = Date.now();
    await store.appendTranscript([{ ...line("api:v", "a\u0000b", at), direction: "out", intent: "x", confidence: 0.125, kind: "answer", from: "bot" }]);
    const [read] = await store.transcript("api:v");
    expect(read).toEqual({ ...line("api:v", "a\uFFFDb", at), direction: "out", intent: "x", confidence: 0.125, kind: "answer", from: "bot" });
    expect(typeof read!.at).toBe("number");
    await store.write("api:v", initialState(at));
    expect((await store.read("api:v"))?.updatedAt).toBe(at);
    await store.recordFeedback("api:v", "x", false, at);
    expect(await store.feedbackSince(at)).toEqual([{ conversationId: "api:v", intent: "x", helpful: false, at }]);
    expect(await store.ticketCounts()).toEqual({ waiting: 0, assigned: 0, closed: 0 });
  });

  it("leaves no trace of its readiness check, refuses work once closed, and closes twice", async () => {
    const url = await freshUrl();
    const store = open(url);
    await store.ready();
    await store.check(T0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const counts = await client.query("SELECT (SELECT COUNT(*) FROM conversations) AS c, (SELECT COUNT(*) FROM transcript) AS t");
    await client.end();
    expect(counts.rows[0]).toEqual({ c: "0", t: "0" });
    await store.close();
    await store.close();
    expect(store.status()).toMatch(/closed/);
    await expect(store.check(T0)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.read("api:x")).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe.skipIf(skip !== null)(title("the PostgreSQL store's migrations"), () => {
  it("applies every step once when two instances start on a new database at the same time", async () => {
    if ("skip" in services) return;
    const url = await createDatabase(services.postgres, "store_postgres_migrate");
    const logs = [recordingLog(), recordingLog()];
    const stores = logs.map((l) => open(url, l.log));
    await Promise.all(stores.map((s) => s.ready()));
    expect(stores.map((s) => s.status())).toEqual([null, null]);
    const applied = logs.map((l) => l.lines.find((x) => x.msg?.toString().includes("ready"))?.applied);
    expect(applied).toContainEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    expect(applied).toContainEqual([]);
    for (const l of logs) expect(l.lines.filter((x) => (x.level as number) >= 40)).toEqual([]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query("SELECT version, name FROM schema_migrations ORDER BY version");
    await client.end();
    expect(rows).toEqual(POSTGRES_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    // a third instance later finds nothing to do
    const later = recordingLog();
    await open(url, later.log).ready();
    expect(later.lines.find((x) => x.msg?.toString().includes("ready"))?.applied).toEqual([]);
  });
});

describe.skipIf(skip !== null)(title("the PostgreSQL store across versions"), () => {
  it("keeps serving its prepared statements after a newer version adds columns to the tables they read", async () => {
    if ("skip" in services) return;
    const url = await createDatabase(services.postgres, "store_postgres_columns");
    // one connection, so the statements prepared below are the ones used after the change
    const store = open(url, silent, { poolSize: 1 });
    await store.createTicket(waitingTicket({ id: "t1", conversationId: "api:z", openedAt: T0 }));
    await store.appendTicketMessage({ ticketId: "t1", from: "user", author: null, text: "在吗", at: T0 });
    await store.appendTranscript([line("api:z", "你好", T0)]);
    await store.recordFeedback("api:z", "x", true, T0);
    const read = async () => ({
      updated: await store.updateTicket("t1", { timeoutNotifiedAt: T0 }, ["waiting"]),
      ticket: await store.ticket("t1"),
      open: await store.openTicket("api:z"),
      page: await store.ticketPage({ status: "waiting", limit: 5 }),
      messages: await store.ticketMessages("t1"),
      transcript: await store.transcript("api:z"),
      inbound: await store.inboundSince(0),
      feedback: await store.feedbackSince(0),
    });
    const before = await read();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    for (const table of ["tickets", "ticket_messages", "transcript", "feedback"]) await admin.query(`ALTER TABLE ${table} ADD COLUMN later TEXT`);
    await admin.end();
    expect(await read()).toEqual(before);
  });
});

/** A TCP relay to the test server, to take "the database" away and bring it back on one port. */
class Relay {
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly to: { host: string; port: number },
  ) {}
  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.to.port, this.to.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => server.listen(this.port, "127.0.0.1", r));
    this.server = server;
  }
  /** Stops listening and cuts every connection, like a database that went down. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}

describe.skipIf(skip !== null)(title("the PostgreSQL store without its database"), () => {
  it("starts while the database is down, says why, refuses calls with StoreUnavailableError, and serves once it is up", async () => {
    const url = new URL(await freshUrl());
    const port = await freePort();
    const relay = new Relay(port, { host: url.hostname, port: Number(url.port) });
    const target = new URL(url);
    target.port = String(port);
    target.password = "not-to-be-logged";
    const recorded = recordingLog();
    const started = Date.now();
    const store = open(target.toString(), recorded.log, { connectTimeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(100);
    expect(store.status()).toMatch(/^connecting to PostgreSQL at 127\.0\.0\.1:\d+\/store_postgres/);
    await until("the first failed attempt", () => /attempt 1: ECONNREFUSED/.test(store.status() ?? ""));
    expect(store.status()).toBe(`connecting to PostgreSQL at 127.0.0.1:${port}/store_postgres (attempt 1: ECONNREFUSED)`);

    const waited = Date.now();
    const refused = await store.read("api:x").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreUnavailableError);
    expect(refused).toMatchObject({ status: 503, message: expect.stringContaining("ECONNREFUSED") });
    expect(Date.now() - waited).toBeGreaterThanOrEqual(250);
    await expect(store.transaction(async () => {})).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ready()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.check(T0)).rejects.toBeInstanceOf(StoreUnavailableError);

    const warning = recorded.lines.find((l) => l.level === 40);
    expect(warning).toMatchObject({ target: `127.0.0.1:${port}/store_postgres`, code: "ECONNREFUSED", attempt: 1 });
    expect(recorded.text()).not.toContain("not-to-be-logged");

    // the database comes up: the next attempt (after 1 s, then 2 s...) migrates, and calls are served
    await relay.start();
    await until("the store to be ready", () => store.status() === null, 15_000);
    await store.write("api:x", initialState(T0));
    expect((await store.read("api:x"))?.updatedAt).toBe(T0);

    // the connection is lost mid-run: calls fail with the connection's error, and no crash
    await relay.stop();
    const lost = await store.read("api:x").catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(Error);
    expect(isStoreUnavailable(lost)).toBe(true);
    // and it is back: the pool opens new connections
    await relay.start();
    expect((await store.read("api:x"))?.updatedAt).toBe(T0);
    expect(recorded.text()).not.toContain("not-to-be-logged");
    await store.close();
    await relay.stop();
  });

  it("keeps serving after the database ends its idle connections", async () => {
    if ("skip" in services) return;
    // a database of its own: every connection of the bot on it is this store's
    const url = await createDatabase(services.postgres, "store_postgres_idle");
    const recorded = recordingLog();
    const store = open(url, recorded.log);
    await store.write("api:y", initialState(T0));
    await Promise.all([store.read("api:y"), store.read("api:y"), store.transcript("api:y")]);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const ended = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'faq-bot' AND datname = current_database()");
    await admin.end();
    expect(ended.rowCount).toBeGreaterThan(0);
    await until("the pool to notice", () => recorded.lines.filter((l) => l.level === 40).length === ended.rowCount);
    expect((await store.read("api:y"))?.updatedAt).toBe(T0);
  });
});
