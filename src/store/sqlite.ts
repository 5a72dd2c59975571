import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { ConversationState, ConversationStore, TranscriptEntry } from "../types.js";

/** The embedded default: one SQLite file (WAL), surviving restarts. */
export function createSqliteStore(file: string): ConversationStore {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
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
  `);
  const readState = db.prepare<[string], { state: string }>("SELECT state FROM conversations WHERE id = ?");
  const writeState = db.prepare(
    "INSERT INTO conversations (id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
  );
  const deleteState = db.prepare("DELETE FROM conversations WHERE id = ?");
  const deleteTranscript = db.prepare("DELETE FROM transcript WHERE conversation_id = ?");
  const insertEntry = db.prepare(
    "INSERT INTO transcript (conversation_id, direction, text, at, intent, confidence, kind, channel, user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const readTranscript = db.prepare<[string, number], Record<string, unknown>>(
    "SELECT * FROM (SELECT * FROM transcript WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC",
  );
  const insertFeedback = db.prepare("INSERT INTO feedback (conversation_id, intent, helpful, at) VALUES (?, ?, ?, ?)");
  const insertHandoff = db.prepare("INSERT INTO handoff_requests (conversation_id, reason, at) VALUES (?, ?, ?)");
  const appendMany = db.transaction((entries: TranscriptEntry[]) => {
    for (const e of entries) {
      insertEntry.run(e.conversationId, e.direction, e.text, e.at, e.intent, e.confidence, e.kind, e.channel, e.userId);
    }
  });
  return {
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
      return readTranscript.all(id, limit).map((r) => ({
        conversationId: r.conversation_id as string,
        direction: r.direction as "in" | "out",
        text: r.text as string,
        at: r.at as number,
        intent: (r.intent as string | null) ?? null,
        confidence: (r.confidence as number | null) ?? null,
        kind: (r.kind as TranscriptEntry["kind"]) ?? null,
        channel: r.channel as string,
        userId: r.user_id as string,
      }));
    },
    async recordFeedback(conversationId, intent, helpful, at) {
      insertFeedback.run(conversationId, intent, helpful ? 1 : 0, at);
    },
    async recordHandoff(conversationId, reason, at) {
      insertHandoff.run(conversationId, reason, at);
    },
    async close() {
      db.close();
    },
  };
}
