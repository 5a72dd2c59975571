import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type {
  ConversationState,
  ConversationStore,
  Outcome,
  TicketCursor,
  TicketMessage,
  TicketStatus,
  TranscriptEntry,
} from "../types.js";
import { pendingMigrations, RECORD_MIGRATION_SQLITE, SCHEMA_MIGRATIONS_TABLE, type Migration } from "./migrations.js";
import { toEntry, toTicket } from "./rows.js";
import { withTransactions } from "./transaction.js";

/** The database file failed SQLite's `quick_check`: some of its pages are damaged. */
export class DamagedDatabaseError extends Error {}

/**
 * The embedded default: one SQLite file (WAL), surviving restarts. Checks the file with `quick_check`
 * first, so a damaged database stops the start instead of failing message after message.
 */
export function createSqliteStore(file: string): ConversationStore {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    const problems = db.pragma("quick_check", { simple: false }) as Array<{ quick_check: string }>;
    if (problems[0]?.quick_check !== "ok") throw new DamagedDatabaseError(`quick_check: ${problems.map((p) => p.quick_check).slice(0, 3).join("; ")}`);
  } catch (err) {
    db.close();
    throw err;
  }
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  try {
    migrateSqlite(db);
  } catch (err) {
    db.close();
    throw err;
  }
  const readState = db.prepare<[string], { state: string }>("SELECT state FROM conversations WHERE id = ?");
  const writeState = db.prepare(
    "INSERT INTO conversations (id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
  );
  const deleteState = db.prepare("DELETE FROM conversations WHERE id = ?");
  const deleteTranscript = db.prepare("DELETE FROM transcript WHERE conversation_id = ?");
  const insertEntry = db.prepare(
    "INSERT INTO transcript (conversation_id, direction, text, at, intent, confidence, kind, channel, user_id, sender, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const readTranscript = db.prepare<[string, number], Record<string, unknown>>(
    "SELECT * FROM (SELECT * FROM transcript WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC",
  );
  const insertFeedback = db.prepare("INSERT INTO feedback (conversation_id, intent, helpful, at) VALUES (?, ?, ?, ?)");
  const insertHandoff = db.prepare("INSERT INTO handoff_requests (conversation_id, reason, at) VALUES (?, ?, ?)");
  const insertTicket = db.prepare(
    `INSERT INTO tickets (id, conversation_id, channel, user_id, user_name, reason, status, agent, opened_at, assigned_at, closed_at, close_reason, timeout_notified_at, last_messages)
     VALUES (@id, @conversationId, @channel, @userId, @userName, @reason, @status, @agent, @openedAt, @assignedAt, @closedAt, @closeReason, @timeoutNotifiedAt, @lastMessages)`,
  );
  const selectTicket = db.prepare<[string], Record<string, unknown>>("SELECT * FROM tickets WHERE id = ?");
  const selectOpenTicket = db.prepare<[string], Record<string, unknown>>(
    "SELECT * FROM tickets WHERE conversation_id = ? AND status != 'closed' ORDER BY opened_at DESC LIMIT 1",
  );
  const selectOpenTickets = db.prepare<[], Record<string, unknown>>("SELECT * FROM tickets WHERE status != 'closed' ORDER BY opened_at ASC");
  const selectClosedTickets = db.prepare<[number], Record<string, unknown>>(
    "SELECT * FROM tickets WHERE status = 'closed' ORDER BY closed_at DESC LIMIT ?",
  );
  const insertTicketMessage = db.prepare("INSERT INTO ticket_messages (ticket_id, sender, author, text, at) VALUES (?, ?, ?, ?, ?)");
  const selectTicketMessages = db.prepare<[string], Record<string, unknown>>("SELECT * FROM ticket_messages WHERE ticket_id = ? ORDER BY seq ASC");
  const selectInbound = db.prepare<[number], Record<string, unknown>>("SELECT * FROM transcript WHERE direction = 'in' AND at >= ? ORDER BY at ASC, seq ASC");
  const selectFeedback = db.prepare<[number], Record<string, unknown>>("SELECT * FROM feedback WHERE at >= ? ORDER BY at ASC");
  const ticketColumns: Record<string, string> = {
    status: "status",
    agent: "agent",
    assignedAt: "assigned_at",
    closedAt: "closed_at",
    closeReason: "close_reason",
    timeoutNotifiedAt: "timeout_notified_at",
  };
  // ticket lists and counts are built from a few optional filters; each shape is prepared once
  const prepared = new Map<string, Database.Statement>();
  const statement = (sql: string) => {
    let st = prepared.get(sql);
    if (!st) prepared.set(sql, (st = db.prepare(sql)));
    return st;
  };
  // queue order: open tickets oldest first, closed ones most recently closed first; the id breaks ties
  const orderOf = (status: TicketStatus) =>
    status === "closed"
      ? { later: "(closed_at, id) < (@at, @id)", earlier: "(closed_at, id) > (@at, @id)", order: "closed_at DESC, id DESC" }
      : { later: "(opened_at, id) > (@at, @id)", earlier: "(opened_at, id) < (@at, @id)", order: "opened_at ASC, id ASC" };
  const selectOutcome = db.prepare<[string, string], { outcome: string }>("SELECT outcome FROM message_outcomes WHERE conversation_id = ? AND message_id = ?");
  const insertOutcome = db.prepare("INSERT OR REPLACE INTO message_outcomes (conversation_id, message_id, outcome, at) VALUES (?, ?, ?, ?)");
  const writeHealth = db.prepare("INSERT INTO health_check (id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at");
  const readHealth = db.prepare<[], { at: number }>("SELECT at FROM health_check WHERE id = 1");
  const deleteEntry = db.prepare("DELETE FROM transcript WHERE seq = ?");
  // the probe writes where messages write (a transcript row, a conversation row), then takes them back
  const probe = db.transaction((at: number) => {
    writeHealth.run(at);
    const row = insertEntry.run("\u0000health", "in", "", at, null, null, null, "health", "health", null, null);
    deleteEntry.run(row.lastInsertRowid);
    writeState.run("\u0000health", "{}", at);
    deleteState.run("\u0000health");
    if (readHealth.get()?.at !== at) throw new Error("the store did not read back what it wrote");
  });
  const countTickets = db.prepare<[], { status: TicketStatus; n: number }>("SELECT status, COUNT(*) AS n FROM tickets GROUP BY status");
  const pruneRows = [
    "DELETE FROM transcript WHERE seq IN (SELECT seq FROM transcript WHERE at < @before LIMIT @batch)",
    "DELETE FROM feedback WHERE rowid IN (SELECT rowid FROM feedback WHERE at < @before LIMIT @batch)",
    "DELETE FROM handoff_requests WHERE rowid IN (SELECT rowid FROM handoff_requests WHERE at < @before LIMIT @batch)",
    "DELETE FROM message_outcomes WHERE rowid IN (SELECT rowid FROM message_outcomes WHERE at < @before LIMIT @batch)",
    // a conversation in a human's hands keeps its state however long it waits
    "DELETE FROM conversations WHERE id IN (SELECT id FROM conversations WHERE updated_at < @before AND json_extract(state, '$.mode') = 'bot' LIMIT @batch)",
  ].map((sql) => db.prepare(sql));
  const selectOldClosed = db.prepare<{ before: number; batch: number }, { id: string }>(
    "SELECT id FROM tickets WHERE status = 'closed' AND closed_at < @before LIMIT @batch",
  );
  const deleteTicketMessages = db.prepare("DELETE FROM ticket_messages WHERE ticket_id = ?");
  const deleteTicket = db.prepare("DELETE FROM tickets WHERE id = ?");
  const pruneBatch = db.transaction((before: number, batch: number) => {
    let n = 0;
    for (const stmt of pruneRows) n += stmt.run({ before, batch }).changes;
    for (const { id } of selectOldClosed.all({ before, batch })) {
      deleteTicketMessages.run(id);
      n += deleteTicket.run(id).changes;
    }
    return n;
  });
  const appendMany = db.transaction((entries: TranscriptEntry[]) => {
    for (const e of entries) {
      insertEntry.run(e.conversationId, e.direction, e.text, e.at, e.intent, e.confidence, e.kind, e.channel, e.userId, e.from ?? null, e.author ?? null);
    }
  });
  const insertSession = db.prepare("INSERT OR REPLACE INTO agent_sessions (id_hash, agent, expires) VALUES (?, ?, ?)");
  const selectSession = db.prepare<[string], { agent: string; expires: number }>("SELECT agent, expires FROM agent_sessions WHERE id_hash = ?");
  const deleteSession = db.prepare("DELETE FROM agent_sessions WHERE id_hash = ?");
  const deleteExpiredSessions = db.prepare("DELETE FROM agent_sessions WHERE expires <= ?");
  const store: Omit<ConversationStore, "transaction"> = {
    async read(id) {
      const row = readState.get(id);
      return row ? (JSON.parse(row.state) as ConversationState) : null;
    },
    async write(id, state) {
      writeState.run(id, JSON.stringify(state), state.updatedAt);
    },
    async delete(id) {
      deleteState.run(id);
      deleteTranscript.run(id);
    },
    async appendTranscript(entries) {
      appendMany(entries);
    },
    async transcript(id, limit = 200) {
      return readTranscript.all(id, limit).map(toEntry);
    },
    async recordFeedback(conversationId, intent, helpful, at) {
      insertFeedback.run(conversationId, intent, helpful ? 1 : 0, at);
    },
    async recordHandoff(conversationId, reason, at) {
      insertHandoff.run(conversationId, reason, at);
    },
    async close() {
      if (db.open) db.close();
    },
    async messageOutcome(conversationId, messageId) {
      const row = selectOutcome.get(conversationId, messageId);
      return row ? (JSON.parse(row.outcome) as Outcome) : null;
    },
    async recordMessageOutcome(conversationId, messageId, outcome, at) {
      insertOutcome.run(conversationId, messageId, JSON.stringify(outcome), at);
    },
    async check(at) {
      probe(at);
    },
    async ticketCounts() {
      const counts: Record<TicketStatus, number> = { waiting: 0, assigned: 0, closed: 0 };
      for (const { status, n } of countTickets.all()) counts[status] = n;
      return counts;
    },
    async prune(before, batch) {
      return pruneBatch(before, batch);
    },

    async createTicket(t) {
      insertTicket.run({ ...t, userName: t.userName ?? null, lastMessages: JSON.stringify(t.lastMessages) });
    },
    async updateTicket(id, patch, ifStatus) {
      const sets = Object.keys(patch).filter((k) => k in ticketColumns);
      const statuses = ifStatus ?? [];
      const where = statuses.length > 0 ? ` AND status IN (${statuses.map((_, i) => `@s${i}`).join(", ")})` : "";
      const params = { ...Object.fromEntries(statuses.map((s, i) => [`s${i}`, s])), id };
      if (sets.length > 0) {
        const sql = `UPDATE tickets SET ${sets.map((k) => `${ticketColumns[k]} = @${k}`).join(", ")} WHERE id = @id${where}`;
        const changed = db.prepare(sql).run({ ...Object.fromEntries(sets.map((k) => [k, patch[k as keyof typeof patch] ?? null])), ...params }).changes;
        if (changed === 0) return null;
      } else if (statuses.length > 0 && !db.prepare(`SELECT 1 FROM tickets WHERE id = @id${where}`).get(params)) {
        return null;
      }
      const row = selectTicket.get(id);
      return row ? toTicket(row) : null;
    },
    async ticket(id) {
      const row = selectTicket.get(id);
      return row ? toTicket(row) : null;
    },
    async openTicket(conversationId) {
      const row = selectOpenTicket.get(conversationId);
      return row ? toTicket(row) : null;
    },
    async tickets(statuses, limit = 200) {
      const open = selectOpenTickets.all().map(toTicket).filter((t) => statuses.includes(t.status));
      const closed = statuses.includes("closed") ? selectClosedTickets.all(limit).map(toTicket) : [];
      return [...open, ...closed];
    },
    async countTickets(q) {
      const where = ["status = @status"];
      const params: Record<string, unknown> = { status: q.status };
      for (const [field, column] of [["channel", "channel"], ["userId", "user_id"], ["agent", "agent"]] as const) {
        if (q[field] === undefined) continue;
        where.push(`${column} = @${field}`);
        params[field] = q[field];
      }
      if (q.before) {
        where.push(orderOf(q.status).earlier);
        Object.assign(params, { at: q.before.at, id: q.before.id });
      }
      const row = statement(`SELECT COUNT(*) AS n FROM tickets WHERE ${where.join(" AND ")}`).get(params) as { n: number };
      return row.n;
    },
    async ticketPage(q) {
      const order = orderOf(q.status);
      const where = ["status = @status"];
      const params: Record<string, unknown> = { status: q.status, limit: q.limit + 1 };
      if (q.agent !== undefined) {
        where.push("agent = @agent");
        params.agent = q.agent;
      }
      if (q.after) {
        where.push(order.later);
        Object.assign(params, { at: q.after.at, id: q.after.id });
      }
      const rows = statement(`SELECT * FROM tickets WHERE ${where.join(" AND ")} ORDER BY ${order.order} LIMIT @limit`).all(params) as Array<Record<string, unknown>>;
      const page = rows.slice(0, q.limit).map(toTicket);
      const last = page.at(-1);
      const next: TicketCursor | null = rows.length > q.limit && last ? { at: (q.status === "closed" ? last.closedAt : last.openedAt) ?? 0, id: last.id } : null;
      return { tickets: page, next };
    },
    async appendTicketMessage(m) {
      insertTicketMessage.run(m.ticketId, m.from, m.author, m.text, m.at);
    },
    async ticketMessages(ticketId) {
      return selectTicketMessages.all(ticketId).map((r) => ({
        ticketId: r.ticket_id as string,
        from: r.sender as TicketMessage["from"],
        author: (r.author as string | null) ?? null,
        text: r.text as string,
        at: r.at as number,
      }));
    },
    async inboundSince(at) {
      return selectInbound.all(at).map(toEntry);
    },
    async feedbackSince(at) {
      return selectFeedback.all(at).map((r) => ({
        conversationId: r.conversation_id as string,
        intent: r.intent as string,
        helpful: r.helpful === 1,
        at: r.at as number,
      }));
    },
    async createSession(idHash, agent, expires) {
      deleteExpiredSessions.run(Date.now());
      insertSession.run(idHash, agent, expires);
    },
    async sessionAgent(idHash, now) {
      const row = selectSession.get(idHash);
      if (!row) return null;
      if (row.expires <= now) {
        deleteSession.run(idHash);
        return null;
      }
      return row.agent;
    },
    async deleteSession(idHash) {
      deleteSession.run(idHash);
    },
  };
  // prepared once: every message begins and commits one
  const beginTx = db.prepare("BEGIN IMMEDIATE");
  const commitTx = db.prepare("COMMIT");
  const rollbackTx = db.prepare("ROLLBACK");
  return withTransactions(store, {
    begin: () => void beginTx.run(),
    commit: () => void commitTx.run(),
    rollback: () => {
      if (db.inTransaction) rollbackTx.run();
    },
  });
}

/**
 * The SQLite schema, step by step. Files made before schema_migrations existed have some or all of it:
 * each step keeps what is already there (IF NOT EXISTS, a column looked up before it is added), so such
 * a file opens with its data and gets the steps recorded.
 */
export const SQLITE_MIGRATIONS: ReadonlyArray<Migration<Database.Database>> = [
  {
    version: 1,
    name: "conversations, transcript, feedback, handoff requests, tickets, remembered outcomes",
    up: (db) =>
      db.exec(`
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
          user_id TEXT NOT NULL
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
        CREATE TABLE IF NOT EXISTS health_check (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);
      `),
  },
  { version: 2, name: "transcript: who spoke and the agent's name", up: migrateTranscriptSpeakers },
  {
    version: 3,
    name: "tickets: the user's display name",
    up: (db) => {
      if (!columnsOf(db, "tickets").has("user_name")) db.exec("ALTER TABLE tickets ADD COLUMN user_name TEXT");
    },
  },
  {
    version: 4,
    name: "signed-in agents' sessions",
    up: (db) => db.exec("CREATE TABLE IF NOT EXISTS agent_sessions (id_hash TEXT PRIMARY KEY, agent TEXT NOT NULL, expires INTEGER NOT NULL)"),
  },
];

/**
 * Applies the steps a file lacks, each in its own write transaction (BEGIN IMMEDIATE, so two processes
 * opening one file at once apply a step once: the second finds it recorded). Returns the versions applied.
 */
export function migrateSqlite(db: Database.Database, steps: ReadonlyArray<Migration<Database.Database>> = SQLITE_MIGRATIONS): number[] {
  db.exec(SCHEMA_MIGRATIONS_TABLE);
  const applied = new Set(db.prepare<[], number>("SELECT version FROM schema_migrations").pluck().all());
  const isApplied = db.prepare<[number], number>("SELECT 1 FROM schema_migrations WHERE version = ?").pluck();
  const record = db.prepare(RECORD_MIGRATION_SQLITE);
  const done: number[] = [];
  for (const step of pendingMigrations(steps, applied)) {
    db.transaction(() => {
      if (isApplied.get(step.version)) return;
      void step.up(db);
      record.run(step.version, step.name, Date.now());
      done.push(step.version);
    }).immediate();
  }
  return done;
}

function columnsOf(db: Database.Database, table: string): Set<string> {
  return new Set(db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all().map((c) => c.name));
}

/**
 * Files made before the transcript recorded who spoke get the two columns. Their lines are filled in
 * once: the desk's lines (kind "human") are matched to the ticket's messages to tell an agent (with
 * the name) from a notice, so a reloaded chat shows them as they were shown live.
 */
function migrateTranscriptSpeakers(db: Database.Database): void {
  const columns = columnsOf(db, "transcript");
  if (columns.has("sender") && columns.has("author")) return;
  const match = (what: string, senders: string) => `(SELECT m.${what} FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
    WHERE t.conversation_id = transcript.conversation_id AND m.text = transcript.text AND m.sender IN (${senders})
    ORDER BY abs(m.at - transcript.at) LIMIT 1)`;
  if (!columns.has("sender")) db.exec("ALTER TABLE transcript ADD COLUMN sender TEXT");
  if (!columns.has("author")) db.exec("ALTER TABLE transcript ADD COLUMN author TEXT");
  db.exec(`UPDATE transcript SET
    sender = CASE WHEN direction = 'in' THEN 'user' WHEN kind = 'human' THEN COALESCE(${match("sender", "'agent', 'system'")}, 'agent') ELSE 'bot' END,
    author = CASE WHEN direction = 'out' AND kind = 'human' THEN ${match("author", "'agent'")} END
    WHERE sender IS NULL`);
}


