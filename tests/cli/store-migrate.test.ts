import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { initialState } from "../../src/dialog/decide.js";
import { createPostgresStore } from "../../src/store/postgres.js";
import { createSqliteStore } from "../../src/store/sqlite.js";
import type { ConversationStore, TranscriptEntry } from "../../src/types.js";
import { createDatabase, freePort } from "../helpers/services.js";
import { testServices } from "../helpers/test-services.js";
import { waitingTicket } from "../helpers/tickets.js";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "store-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const services = testServices();
const skip = "skip" in services ? services.skip : null;
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);

/** Runs `npm run store:migrate -- ARGS`; returns its exit code and output. */
function migrate(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(join(root, "node_modules/.bin/tsx"), [join(root, "src/cli/store-migrate.ts"), ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const line = (conversationId: string, n: number, extra: Partial<TranscriptEntry> = {}): TranscriptEntry => ({
  conversationId,
  direction: n % 2 ? "out" : "in",
  text: `line ${n}`,
  at: T0 + n,
  intent: n % 2 ? "renew" : null,
  confidence: n % 2 ? 0.875 : null,
  kind: n % 2 ? "answer" : null,
  channel: "api",
  userId: conversationId.slice(4),
  from: n % 2 ? "bot" : "user",
  ...extra,
});

/** A SQLite database of the bot with rows in every table, written through the store. */
async function sqliteWithData(file: string): Promise<void> {
  const store = createSqliteStore(file);
  await store.write("api:a", { ...initialState(T0), topic: "renew", step: 1 });
  await store.write("api:b", { ...initialState(T0 + 5), mode: "human" });
  // more lines than one batch, in one conversation, so the order across batches shows
  await store.appendTranscript(Array.from({ length: 2300 }, (_, i) => line("api:a", i)));
  await store.appendTranscript([line("api:b", 0), line("api:b", 1, { kind: "human", from: "agent", author: "小王", text: "您好\u0000" })]);
  await store.recordFeedback("api:a", "renew", true, T0 + 10);
  await store.recordFeedback("api:a", "renew", false, T0 + 11);
  await store.recordHandoff("api:b", "asked", T0 + 12);
  await store.createTicket(waitingTicket({ id: "t1", conversationId: "api:b", openedAt: T0 + 12, userName: "小明", lastMessages: [{ direction: "in", text: "转人工", at: T0 + 12 }] }));
  await store.updateTicket("t1", { status: "assigned", agent: "wang", assignedAt: T0 + 13 });
  await store.createTicket(waitingTicket({ id: "t0", conversationId: "api:c", openedAt: T0 }));
  await store.updateTicket("t0", { status: "closed", closedAt: T0 + 2, closeReason: "cancelled" });
  await store.appendTicketMessage({ ticketId: "t1", from: "user", author: null, text: "在吗", at: T0 + 14 });
  await store.appendTicketMessage({ ticketId: "t1", from: "agent", author: "wang", text: "您好", at: T0 + 15 });
  await store.recordMessageOutcome("api:a", "m1", { kind: "answer", intent: "renew", confidence: 0.875, replies: [{ text: "第 1 步", quickReplies: ["下一步"] }] }, T0 + 1);
  await store.createSession("h1", "wang", Date.now() + 3_600_000);
  await store.close();
}

/** What both stores must answer alike. */
async function snapshot(store: ConversationStore) {
  return {
    states: [await store.read("api:a"), await store.read("api:b")],
    transcripts: [await store.transcript("api:a", 5000), await store.transcript("api:b")],
    feedback: await store.feedbackSince(0),
    tickets: await store.tickets(["waiting", "assigned", "closed"]),
    messages: await store.ticketMessages("t1"),
    outcome: await store.messageOutcome("api:a", "m1"),
    session: await store.sessionAgent("h1", Date.now()),
    counts: await store.ticketCounts(),
  };
}

describe.skipIf(skip !== null)(`npm run store:migrate${skip ? ` (skipped: ${skip})` : ""}`, () => {
  it("copies every table of a SQLite database into PostgreSQL, in order, with the agents, and prints the counts", async () => {
    if ("skip" in services) return;
    const file = join(dir, "full.sqlite");
    await sqliteWithData(file);
    const agentsFile = join(dir, "agents.json");
    writeFileSync(agentsFile, JSON.stringify({ agents: [{ name: "wang", hash: "scrypt:a" }, { name: "li", hash: "scrypt:b" }] }));
    const url = await createDatabase(services.postgres, "cli_migrate_full");

    const run = migrate("--from", `sqlite:${file}`, "--to", `postgres:${url}`, "--agents", agentsFile);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const counts = Object.fromEntries([...run.stdout.matchAll(/^ {2}(\w+) +(\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(counts).toEqual({
      conversations: 2,
      transcript: 2302,
      feedback: 2,
      handoff_requests: 1,
      tickets: 2,
      ticket_messages: 2,
      message_outcomes: 1,
      agent_sessions: 1,
      agents: 2,
    });
    expect(run.stdout).toContain(`to PostgreSQL at ${new URL(url).host}/cli_migrate_full`);

    const sqlite = createSqliteStore(file);
    const postgres = createPostgresStore({ url, log: pino({ level: "silent" }) });
    const [before, after] = [await snapshot(sqlite), await snapshot(postgres)];
    // PostgreSQL text cannot hold U+0000: it arrives as U+FFFD
    const line1 = before.transcripts[1]![1]!;
    before.transcripts[1]![1] = { ...line1, text: line1.text.replace("\u0000", "\uFFFD") };
    expect(after).toEqual(before);
    expect(after.transcripts[0]).toHaveLength(2300);
    expect(after.states[1]?.mode).toBe("human");
    expect(await postgres.listAgents()).toEqual([
      { name: "li", hash: "scrypt:b" },
      { name: "wang", hash: "scrypt:a" },
    ]);
    // the copy is a working store: pruning knows which states are in a human's hands
    expect(await postgres.prune(T0 + 100_000, 10_000)).toBeGreaterThan(2300);
    expect(await postgres.read("api:a")).toBeNull();
    expect(await postgres.read("api:b")).not.toBeNull();
    await sqlite.close();
    await postgres.close();
  });

  it("refuses a database that already holds conversations or tickets, unless --force", async () => {
    if ("skip" in services) return;
    const file = join(dir, "twice.sqlite");
    await sqliteWithData(file);
    const url = await createDatabase(services.postgres, "cli_migrate_twice");
    expect(migrate("--from", `sqlite:${file}`, "--to", url).status).toBe(0);

    const again = migrate("--from", `sqlite:${file}`, "--to", `postgres:${url}`);
    expect(again.status).toBe(1);
    expect(again.stderr.trim()).toMatch(/already holds conversations and tickets: nothing was copied.*--force/);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);

    const forced = migrate("--from", `sqlite:${file}`, "--to", `postgres:${url}`, "--force");
    expect(forced.stderr).toBe("");
    expect(forced.status).toBe(0);
    const postgres = createPostgresStore({ url, log: pino({ level: "silent" }) });
    // keyed rows are replaced, not doubled
    expect(await postgres.ticketCounts()).toEqual({ waiting: 0, assigned: 1, closed: 1 });
    await postgres.close();
  });

  it("copies a file made by an older version of the bot (missing columns and tables)", async () => {
    if ("skip" in services) return;
    const file = join(dir, "old.sqlite");
    const db = new Database(file);
    db.exec(`CREATE TABLE transcript (seq INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL, direction TEXT NOT NULL, text TEXT NOT NULL,
      at INTEGER NOT NULL, intent TEXT, confidence REAL, kind TEXT, channel TEXT NOT NULL, user_id TEXT NOT NULL)`);
    db.prepare("INSERT INTO transcript (conversation_id, direction, text, at, channel, user_id) VALUES ('api:o', 'in', '你好', 5, 'api', 'o')").run();
    db.close();
    const url = await createDatabase(services.postgres, "cli_migrate_old");
    const run = migrate("--from", `sqlite:${file}`, "--to", `postgres:${url}`);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/transcript +1$/m);
    expect(run.stdout).toMatch(/tickets +0$/m);
    const postgres = createPostgresStore({ url, log: pino({ level: "silent" }) });
    expect(await postgres.transcript("api:o")).toEqual([
      { conversationId: "api:o", direction: "in", text: "你好", at: 5, intent: null, confidence: null, kind: null, channel: "api", userId: "o" },
    ]);
    await postgres.close();
  });

  it("says in one line that the database cannot be reached, without its password", async () => {
    const file = join(dir, "unreachable.sqlite");
    await createSqliteStore(file).close();
    const port = await freePort();
    const run = migrate("--from", `sqlite:${file}`, "--to", `postgres:postgres://bot:hunter2-secret@127.0.0.1:${port}/faqbot`);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(`cannot reach PostgreSQL at 127.0.0.1:${port}/faqbot (ECONNREFUSED): check --to and that the server is running`);
    expect(run.stdout + run.stderr).not.toContain("hunter2");
  });
});

describe("npm run store:migrate with bad arguments", () => {
  it.each([
    [[]],
    [["--from", "x.sqlite", "--to", "postgres://h/db"]],
    [["--from", "sqlite:x.sqlite"]],
    [["--from", "sqlite:x.sqlite", "--to", "mysql://h/db"]],
    [["--from", "sqlite:x.sqlite", "--to", "postgres://h/db", "--what"]],
  ])("prints the usage and exits 2: %j", (args) => {
    const run = migrate(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("usage: npm run store:migrate -- --from sqlite:PATH --to postgres:URL");
  });

  it("says there is no such SQLite file or agents file", () => {
    const missing = migrate("--from", `sqlite:${join(dir, "none.sqlite")}`, "--to", "postgres://127.0.0.1:1/db");
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(`there is no SQLite database at ${join(dir, "none.sqlite")}`);
    const noAgents = migrate("--from", `sqlite:${join(dir, "none.sqlite")}`, "--to", "postgres://127.0.0.1:1/db", "--agents", join(dir, "none.json"));
    expect(noAgents.status).toBe(1);
    expect(noAgents.stderr.trim()).toBe(`there is no agents file at ${join(dir, "none.json")}`);
  });
});
