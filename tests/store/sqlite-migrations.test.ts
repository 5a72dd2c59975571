import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { initialState } from "../../src/dialog/decide.js";
import { createSqliteStore, migrateSqlite, SQLITE_MIGRATIONS } from "../../src/store/sqlite.js";

const dir = mkdtempSync(join(tmpdir(), "sqlite-migrations-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The schema as the store made it before schema_migrations existed: every table of the store, the
// transcript's speakers, agent sessions, and tickets.user_name added afterwards by ALTER TABLE.
const SCHEMA_BEFORE_MIGRATIONS = `
  CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS transcript (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    text TEXT NOT NULL,
    at INTEGER NOT NULL,
    intent TEXT,
    confidence REAL,
    kind TEXT,
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    sender TEXT,
    author TEXT
  );
  CREATE INDEX IF NOT EXISTS transcript_by_conversation ON transcript (conversation_id, seq);
  CREATE INDEX IF NOT EXISTS transcript_by_time ON transcript (at);
  CREATE TABLE IF NOT EXISTS feedback (
    conversation_id TEXT NOT NULL,
    intent TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS handoff_requests (
    conversation_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'assigned', 'closed')),
    agent TEXT,
    opened_at INTEGER NOT NULL,
    assigned_at INTEGER,
    closed_at INTEGER,
    close_reason TEXT,
    timeout_notified_at INTEGER,
    last_messages TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS tickets_by_status ON tickets (status, opened_at);
  CREATE INDEX IF NOT EXISTS tickets_by_conversation ON tickets (conversation_id, status);
  CREATE TABLE IF NOT EXISTS ticket_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id TEXT NOT NULL,
    sender TEXT NOT NULL CHECK (sender IN ('user', 'agent', 'system')),
    author TEXT,
    text TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS ticket_messages_by_ticket ON ticket_messages (ticket_id, seq);
  CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback (at);
  CREATE INDEX IF NOT EXISTS tickets_in_queue ON tickets (status, opened_at, id);
  CREATE INDEX IF NOT EXISTS tickets_by_closing ON tickets (status, closed_at, id);
  CREATE INDEX IF NOT EXISTS tickets_by_user ON tickets (user_id, status);
  CREATE TABLE IF NOT EXISTS message_outcomes (
    conversation_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, message_id)
  );
  CREATE INDEX IF NOT EXISTS message_outcomes_by_time ON message_outcomes (at);
  CREATE INDEX IF NOT EXISTS handoff_requests_by_time ON handoff_requests (at);
  CREATE INDEX IF NOT EXISTS conversations_by_time ON conversations (updated_at);
  CREATE INDEX IF NOT EXISTS tickets_by_closed ON tickets (status, closed_at);
  CREATE TABLE IF NOT EXISTS agent_sessions (id_hash TEXT PRIMARY KEY, agent TEXT NOT NULL, expires INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS health_check (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);
  ALTER TABLE tickets ADD COLUMN user_name TEXT;
`;

const state = { ...initialState(1000), topic: "renew", step: 2 };

/** A file made by the store before versioned migrations, with a row in every table. */
function legacyFile(file: string): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec(SCHEMA_BEFORE_MIGRATIONS);
  db.prepare("INSERT INTO conversations (id, state, updated_at) VALUES (?, ?, ?)").run("api:u1", JSON.stringify(state), 1000);
  const line = db.prepare(
    "INSERT INTO transcript (conversation_id, direction, text, at, intent, confidence, kind, channel, user_id, sender, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  line.run("api:u1", "in", "怎么续借", 1000, null, null, null, "api", "u1", "user", null);
  line.run("api:u1", "out", "第 1 步", 1001, "renew", 0.92, "answer", "api", "u1", "bot", null);
  line.run("api:u1", "out", "您好", 1002, null, null, "human", "api", "u1", "agent", "小王");
  db.prepare("INSERT INTO feedback (conversation_id, intent, helpful, at) VALUES (?, ?, ?, ?)").run("api:u1", "renew", 1, 1003);
  db.prepare("INSERT INTO handoff_requests (conversation_id, reason, at) VALUES (?, ?, ?)").run("api:u1", "asked", 1004);
  db.prepare(
    `INSERT INTO tickets (id, conversation_id, channel, user_id, user_name, reason, status, agent, opened_at, assigned_at, closed_at, close_reason, timeout_notified_at, last_messages)
     VALUES ('t1', 'api:u1', 'api', 'u1', '小明', 'asked', 'assigned', 'wang', 1004, 1005, NULL, NULL, NULL, '[{"direction":"in","text":"转人工","at":1004}]')`,
  ).run();
  db.prepare("INSERT INTO ticket_messages (ticket_id, sender, author, text, at) VALUES (?, ?, ?, ?, ?)").run("t1", "agent", "wang", "您好", 1006);
  db.prepare("INSERT INTO message_outcomes (conversation_id, message_id, outcome, at) VALUES (?, ?, ?, ?)").run(
    "api:u1",
    "m1",
    JSON.stringify({ kind: "answer", intent: "renew", confidence: 0.92, replies: [{ text: "第 1 步" }] }),
    1001,
  );
  db.prepare("INSERT INTO agent_sessions (id_hash, agent, expires) VALUES (?, ?, ?)").run("h1", "wang", Date.now() + 60_000);
  db.close();
}

const migrations = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[], { version: number; name: string; applied_at: number }>("SELECT * FROM schema_migrations ORDER BY version").all();
  } finally {
    db.close();
  }
};

describe("the SQLite store's versioned schema", () => {
  it("records every step once on a new file, and applies nothing when reopened", async () => {
    const file = join(dir, "new.sqlite");
    await createSqliteStore(file).close();
    const first = migrations(file);
    expect(first.map((m) => m.version)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    expect(first.every((m) => m.name.length > 0 && m.applied_at > 0)).toBe(true);
    await createSqliteStore(file).close();
    expect(migrations(file)).toEqual(first);
  });

  it("opens a file made before versioned migrations with all its data, and records the steps", async () => {
    const file = join(dir, "legacy.sqlite");
    legacyFile(file);
    const store = createSqliteStore(file);
    expect(await store.read("api:u1")).toEqual(state);
    expect((await store.transcript("api:u1")).map((e) => [e.text, e.from, e.author ?? null, e.confidence])).toEqual([
      ["怎么续借", "user", null, null],
      ["第 1 步", "bot", null, 0.92],
      ["您好", "agent", "小王", null],
    ]);
    expect(await store.feedbackSince(0)).toEqual([{ conversationId: "api:u1", intent: "renew", helpful: true, at: 1003 }]);
    expect(await store.openTicket("api:u1")).toMatchObject({ id: "t1", userName: "小明", status: "assigned", agent: "wang", lastMessages: [{ text: "转人工" }] });
    expect(await store.ticketMessages("t1")).toEqual([{ ticketId: "t1", from: "agent", author: "wang", text: "您好", at: 1006 }]);
    expect(await store.messageOutcome("api:u1", "m1")).toMatchObject({ kind: "answer", replies: [{ text: "第 1 步" }] });
    expect(await store.sessionAgent("h1", Date.now())).toBe("wang");
    // it keeps working: new rows next to the old ones
    await store.appendTranscript([{ conversationId: "api:u1", direction: "in", text: "谢谢", at: 2000, intent: null, confidence: null, kind: null, channel: "api", userId: "u1", from: "user" }]);
    await store.close();
    expect(migrations(file).map((m) => m.version)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    const again = createSqliteStore(file);
    expect((await again.transcript("api:u1")).map((e) => e.text)).toEqual(["怎么续借", "第 1 步", "您好", "谢谢"]);
    await again.close();
  });

  it("fills in who spoke on a file made before the transcript recorded it", async () => {
    const file = join(dir, "speakers.sqlite");
    const db = new Database(file);
    db.exec(`CREATE TABLE transcript (seq INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL, direction TEXT NOT NULL, text TEXT NOT NULL,
      at INTEGER NOT NULL, intent TEXT, confidence REAL, kind TEXT, channel TEXT NOT NULL, user_id TEXT NOT NULL)`);
    const line = db.prepare("INSERT INTO transcript (conversation_id, direction, text, at, kind, channel, user_id) VALUES (?, ?, ?, ?, ?, 'api', 'u')");
    line.run("api:u", "in", "转人工", 1, null);
    line.run("api:u", "out", "好的", 2, "answer");
    line.run("api:u", "out", "我来帮您", 3, "human");
    db.close();
    const store = createSqliteStore(file);
    expect((await store.transcript("api:u")).map((e) => e.from)).toEqual(["user", "bot", "agent"]);
    await store.close();
  });

  it("applies a step once when two connections migrate the same file", () => {
    const file = join(dir, "twice.sqlite");
    const a = new Database(file);
    const b = new Database(file);
    a.pragma("busy_timeout = 5000");
    b.pragma("busy_timeout = 5000");
    let runs = 0;
    const steps = [...SQLITE_MIGRATIONS, { version: 100, name: "counted", up: () => void (runs += 1) }];
    expect(migrateSqlite(a, steps)).toEqual(steps.map((s) => s.version));
    expect(migrateSqlite(b, steps)).toEqual([]);
    expect(runs).toBe(1);
    a.close();
    b.close();
  });

  it("refuses a list of steps out of order", () => {
    const db = new Database(":memory:");
    expect(() => migrateSqlite(db, [SQLITE_MIGRATIONS[1]!, SQLITE_MIGRATIONS[0]!])).toThrow(/out of order/);
    db.close();
  });
});
