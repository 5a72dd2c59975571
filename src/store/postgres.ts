import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import type { ClientBase, PoolClient, QueryConfig, QueryResult, QueryResultRow } from "pg";
import type { Logger } from "pino";
import type { AgentRecord } from "../console/agents.js";
import type {
  ConversationState,
  ConversationStore,
  FeedbackRecord,
  Outcome,
  TicketCursor,
  TicketMessage,
  TicketStatus,
  TransactionOptions,
  TranscriptEntry,
} from "../types.js";
import { pendingMigrations, RECORD_MIGRATION_POSTGRES, SCHEMA_MIGRATIONS_TABLE, type Migration } from "./migrations.js";
import { toEntry, toTicket } from "./rows.js";

/** The store cannot reach PostgreSQL (not yet, or no more): the caller refuses the work (HTTP 503). */
export class StoreUnavailableError extends Error {
  readonly status = 503;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

/**
 * A transaction fenced with a conversation lock's token found a later token already written: the lock
 * was granted again after this holder's lease ran out, so this holder's writes are refused (rolled back).
 */
export class StaleLockError extends Error {
  constructor(
    readonly key: string,
    readonly token: number,
  ) {
    super(`the lock of ${key} was granted again after token ${token}: this holder's writes are refused`);
    this.name = "StaleLockError";
  }
}

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (the password is never logged). */
  url: string;
  log: Logger;
  /** Connections of this instance (default 10). */
  poolSize?: number;
  /** How long a call waits for the database before StoreUnavailableError, and a connection attempt's limit (default 5000 ms). */
  connectTimeoutMs?: number;
}

/** The store on PostgreSQL: shared by every instance, with the console's agents kept next to it. */
export type PostgresStore = ConversationStore & {
  /** Null when the store serves; else why not, in one line (for logs and /readyz). */
  status(): string | null;
  /** Resolves once the schema is up to date; throws StoreUnavailableError after `connectTimeoutMs`. */
  ready(): Promise<void>;
  /** The console's agents, by name. */
  listAgents(): Promise<AgentRecord[]>;
  /** Adds the agent, or replaces the password hash of an agent of that name. */
  putAgent(agent: AgentRecord): Promise<void>;
  /** Removes the agent; false when there was none of that name. */
  removeAgent(name: string): Promise<boolean>;
};

/** The key of the advisory lock held while migrating, so instances starting together migrate one after another. */
export const MIGRATION_LOCK = 7_305_146_113_927;

/** The PostgreSQL schema, step by step (see migrations.ts). */
export const POSTGRES_MIGRATIONS: ReadonlyArray<Migration<ClientBase>> = [
  {
    version: 1,
    name: "conversations, transcript, feedback, handoff requests, tickets, remembered outcomes, agents' sessions",
    up: async (db) => {
      await db.query(`
        CREATE TABLE IF NOT EXISTS conversations (
          id TEXT PRIMARY KEY,
          state TEXT NOT NULL,
          mode TEXT,
          updated_at BIGINT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS conversations_by_time ON conversations (updated_at);
        CREATE TABLE IF NOT EXISTS transcript (
          seq BIGSERIAL PRIMARY KEY,
          conversation_id TEXT NOT NULL,
          direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
          text TEXT NOT NULL,
          at BIGINT NOT NULL,
          intent TEXT,
          confidence DOUBLE PRECISION,
          kind TEXT,
          channel TEXT NOT NULL,
          user_id TEXT NOT NULL,
          sender TEXT,
          author TEXT
        );
        CREATE INDEX IF NOT EXISTS transcript_by_conversation ON transcript (conversation_id, seq);
        CREATE INDEX IF NOT EXISTS transcript_by_time ON transcript (at);
        CREATE TABLE IF NOT EXISTS feedback (
          seq BIGSERIAL PRIMARY KEY,
          conversation_id TEXT NOT NULL,
          intent TEXT NOT NULL,
          helpful BOOLEAN NOT NULL,
          at BIGINT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback (at);
        CREATE TABLE IF NOT EXISTS handoff_requests (
          seq BIGSERIAL PRIMARY KEY,
          conversation_id TEXT NOT NULL,
          reason TEXT NOT NULL,
          at BIGINT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS handoff_requests_by_time ON handoff_requests (at);
        CREATE TABLE IF NOT EXISTS tickets (
          id TEXT COLLATE "C" PRIMARY KEY,
          conversation_id TEXT NOT NULL,
          channel TEXT NOT NULL,
          user_id TEXT NOT NULL,
          user_name TEXT,
          reason TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('waiting', 'assigned', 'closed')),
          agent TEXT,
          opened_at BIGINT NOT NULL,
          assigned_at BIGINT,
          closed_at BIGINT,
          close_reason TEXT,
          timeout_notified_at BIGINT,
          last_messages TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS tickets_in_queue ON tickets (status, opened_at, id);
        CREATE INDEX IF NOT EXISTS tickets_by_closing ON tickets (status, closed_at, id);
        CREATE INDEX IF NOT EXISTS tickets_by_conversation ON tickets (conversation_id, status);
        CREATE INDEX IF NOT EXISTS tickets_by_user ON tickets (user_id, status);
        CREATE TABLE IF NOT EXISTS ticket_messages (
          seq BIGSERIAL PRIMARY KEY,
          ticket_id TEXT NOT NULL,
          sender TEXT NOT NULL CHECK (sender IN ('user', 'agent', 'system')),
          author TEXT,
          text TEXT NOT NULL,
          at BIGINT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ticket_messages_by_ticket ON ticket_messages (ticket_id, seq);
        CREATE TABLE IF NOT EXISTS message_outcomes (
          conversation_id TEXT NOT NULL,
          message_id TEXT NOT NULL,
          outcome TEXT NOT NULL,
          at BIGINT NOT NULL,
          PRIMARY KEY (conversation_id, message_id)
        );
        CREATE INDEX IF NOT EXISTS message_outcomes_by_time ON message_outcomes (at);
        CREATE TABLE IF NOT EXISTS agent_sessions (id_hash TEXT PRIMARY KEY, agent TEXT NOT NULL, expires BIGINT NOT NULL);
        CREATE INDEX IF NOT EXISTS agent_sessions_by_expiry ON agent_sessions (expires);
        CREATE TABLE IF NOT EXISTS health_check (id INTEGER PRIMARY KEY CHECK (id = 1), at BIGINT NOT NULL);
      `);
    },
  },
  {
    version: 2,
    name: "agents of the console, conversation lock fences",
    up: async (db) => {
      await db.query(`
        CREATE TABLE IF NOT EXISTS agents (name TEXT PRIMARY KEY, hash TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS conversation_fences (id TEXT PRIMARY KEY, fence BIGINT NOT NULL);
      `);
    },
  },
  {
    version: 3,
    name: "when each conversation lock fence was last written, so that retention prunes idle ones",
    up: async (db) => {
      // rows written before this step count from now: they go one retention period later
      await db.query(`
        ALTER TABLE conversation_fences ADD COLUMN IF NOT EXISTS at BIGINT NOT NULL DEFAULT ${Date.now()};
        ALTER TABLE conversation_fences ALTER COLUMN at DROP DEFAULT;
        CREATE INDEX IF NOT EXISTS conversation_fences_by_time ON conversation_fences (at);
      `);
    },
  },
];

/**
 * Brings a database's schema up to date, holding the advisory lock MIGRATION_LOCK so that instances
 * starting together apply each step once. Each step runs in its own transaction. Returns the versions applied.
 */
export async function migratePostgres(client: ClientBase, steps: ReadonlyArray<Migration<ClientBase>> = POSTGRES_MIGRATIONS): Promise<number[]> {
  await client.query({ text: "SELECT pg_advisory_lock($1)", values: [MIGRATION_LOCK] });
  try {
    await client.query(SCHEMA_MIGRATIONS_TABLE);
    const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations");
    const done: number[] = [];
    for (const step of pendingMigrations(steps, new Set(rows.map((r) => r.version)))) {
      await client.query("BEGIN");
      try {
        await step.up(client);
        await client.query({ text: RECORD_MIGRATION_POSTGRES, values: [step.version, step.name, Date.now()] });
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      }
      done.push(step.version);
    }
    return done;
  } finally {
    // a connection that broke released the lock with itself
    await client.query({ text: "SELECT pg_advisory_unlock($1)", values: [MIGRATION_LOCK] }).catch(() => {});
  }
}

/** host:port/database of a connection URL, to name the database in messages (never its user or password). */
export function postgresTarget(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get("host") || "localhost";
    const database = decodeURIComponent(u.pathname.replace(/^\//, "")) || decodeURIComponent(u.username) || "postgres";
    return `${host}:${u.port || "5432"}/${database}`;
  } catch {
    return "an unreadable PostgreSQL URL";
  }
}

/** The short code of a connection or query error (ECONNREFUSED, 28P01, 3D000...), for logs and status lines. */
export function connectionErrorCode(err: unknown): string {
  const e = err as { code?: unknown; errors?: Array<{ code?: unknown }>; message?: unknown; name?: unknown } | null;
  if (typeof e?.code === "string" && e.code) return e.code;
  const inner = e?.errors?.find((x) => typeof x?.code === "string")?.code;
  if (typeof inner === "string") return inner;
  if (typeof e?.message === "string" && /timeout|timed out/i.test(e.message)) return "ETIMEDOUT";
  if (typeof e?.message === "string" && /terminated/i.test(e.message)) return "ECONNRESET";
  return typeof e?.name === "string" ? e.name : "error";
}

const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "53300", "57P01", "57P02", "57P03"]);

/**
 * Whether an error means the database could not be reached or dropped the connection (answer 503 and
 * let the client retry), rather than a fault of the query itself.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  const code = connectionErrorCode(err);
  return UNAVAILABLE_CODES.has(code) || code.startsWith("08");
}

// PostgreSQL text cannot hold U+0000, which SQLite and JSON strings can: it is stored as U+FFFD.
function pgValue(v: unknown): unknown {
  if (typeof v === "string") return v.includes("\u0000") ? v.replaceAll("\u0000", "\uFFFD") : v;
  if (Array.isArray(v)) return v.map(pgValue);
  return v;
}

/** The store's values for PostgreSQL: text without U+0000 (stored as U+FFFD), the rest as it is. */
export function pgValues(values: unknown[]): unknown[] {
  return values.map(pgValue);
}

// BIGINT (epoch ms, counts, sequences) read as JS numbers instead of strings
const INT8 = 20;
const typeParsers = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8 && format !== "binary" ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Options of a pg Pool or Client that read BIGINT as numbers (shared by the store and the migration command). */
export function poolOptions(url: string, connectTimeoutMs: number): pg.PoolConfig {
  return { connectionString: url, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true, types: typeParsers, application_name: "faq-bot" };
}

/** The error messages of pg can quote the URL: the password is taken out before anything is logged. */
function redactor(url: string): (text: string) => string {
  let password = "";
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // not a URL: nothing to take out
  }
  return (text) => (password ? text.split(password).join("***") : text);
}

interface Tx {
  client: PoolClient;
  /** False once the transaction ended: late calls started inside it go to the pool. */
  active: boolean;
}

type Row = Record<string, unknown>;

/**
 * The store on PostgreSQL, for several instances sharing one database. Returned at once: the schema is
 * brought up to date in the background, retried (1 s doubling to 30 s) while the database cannot be
 * reached; calls made meanwhile wait up to `connectTimeoutMs`, then throw StoreUnavailableError.
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const { url, poolSize = 10, connectTimeoutMs = 5000 } = options;
  const log = options.log.child({ module: "store/postgres" });
  const target = postgresTarget(url);
  const redact = redactor(url);
  const pool = new pg.Pool({ ...poolOptions(url, connectTimeoutMs), max: poolSize });
  // an idle connection that breaks (a restart of the server, a network cut) is dropped by the pool
  pool.on("error", (err) => {
    log.warn({ target, code: connectionErrorCode(err), error: redact(err.message) }, "an idle PostgreSQL connection failed; the pool opens a new one when needed");
  });

  let ready = false;
  let closed = false;
  let closing: Promise<void> | null = null;
  let reason = `connecting to PostgreSQL at ${target}`;
  const waiters = new Set<{ resolve(): void; reject(err: Error): void }>();
  let retry: { timer: NodeJS.Timeout; wake(): void } | null = null;
  const closedError = () => new StoreUnavailableError("the PostgreSQL store is closed");
  const notReady = () => new StoreUnavailableError(`the store cannot serve: ${reason}`);

  const whenReady = (): Promise<void> => {
    if (closed) return Promise.reject(closedError());
    if (ready) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(notReady());
      }, connectTimeoutMs);
      waiters.add(waiter);
    });
  };

  // the schema, in the background, until it is up to date or the store is closed
  void (async () => {
    let delay = 1000;
    for (let attempt = 1; !closed; attempt++) {
      try {
        const client = await pool.connect();
        const onError = (err: Error) => log.warn({ target, code: connectionErrorCode(err) }, "the PostgreSQL connection failed while migrating");
        client.on("error", onError);
        let broken: Error | undefined;
        try {
          const applied = await migratePostgres(client);
          ready = true;
          log.info({ target, applied }, applied.length ? "PostgreSQL schema migrated; store ready" : "PostgreSQL store ready");
        } catch (err) {
          broken = err as Error;
          throw err;
        } finally {
          client.off("error", onError);
          client.release(broken);
        }
        for (const w of waiters) w.resolve();
        waiters.clear();
        return;
      } catch (err) {
        if (closed) return;
        const code = connectionErrorCode(err);
        reason = `connecting to PostgreSQL at ${target} (attempt ${attempt}: ${code})`;
        log.warn(
          { target, attempt, code, error: redact(String((err as Error)?.message ?? err)), retryInMs: delay },
          "PostgreSQL cannot be used yet; trying again",
        );
        await new Promise<void>((wake) => {
          const timer = setTimeout(wake, delay);
          timer.unref();
          retry = { timer, wake };
        });
        retry = null;
        delay = Math.min(delay * 2, 30_000);
      }
    }
  })();

  const context = new AsyncLocalStorage<Tx>();

  /** Runs a query in the caller's transaction when there is one, else on any connection of the pool. */
  async function run<R extends QueryResultRow = Row>(q: QueryConfig): Promise<QueryResult<R>> {
    const tx = context.getStore();
    if (tx?.active) return tx.client.query<R>(q);
    if (!ready || closed) await whenReady();
    return pool.query<R>(q);
  }

  /** A named (prepared once per connection) statement. */
  const named =
    (name: string, text: string) =>
    (...values: unknown[]): QueryConfig => ({ name: `faq_${name}`, text, values: pgValues(values) });
  // statements built from a few optional filters: one name per shape
  const shapes = new Map<string, string>();
  const shaped = (text: string, values: unknown[]): QueryConfig => {
    let name = shapes.get(text);
    if (!name) shapes.set(text, (name = `faq_shape_${shapes.size + 1}`));
    return { name, text, values: pgValues(values) };
  };
  const plain = (text: string, ...values: unknown[]): QueryConfig => ({ text, values: pgValues(values) });

  const SQL = {
    fence: named(
      "fence",
      "INSERT INTO conversation_fences (id, fence, at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET fence = excluded.fence, at = excluded.at WHERE conversation_fences.fence <= excluded.fence",
    ),
    readState: named("read_state", "SELECT state FROM conversations WHERE id = $1"),
    writeState: named(
      "write_state",
      "INSERT INTO conversations (id, state, mode, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET state = excluded.state, mode = excluded.mode, updated_at = excluded.updated_at",
    ),
    deleteState: named("delete_state", "DELETE FROM conversations WHERE id = $1"),
    deleteTranscript: named("delete_transcript", "DELETE FROM transcript WHERE conversation_id = $1"),
    appendTranscript: named(
      "append_transcript",
      `INSERT INTO transcript (conversation_id, direction, text, at, intent, confidence, kind, channel, user_id, sender, author)
       SELECT c, d, t, a, i, f, k, ch, u, s, au
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::float8[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
         WITH ORDINALITY AS x(c, d, t, a, i, f, k, ch, u, s, au, n)
       ORDER BY n`,
    ),
    transcript: named(
      "transcript",
      `SELECT ${ENTRY} FROM (SELECT ${ENTRY} FROM transcript WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2) last ORDER BY seq ASC`,
    ),
    insertFeedback: named("insert_feedback", "INSERT INTO feedback (conversation_id, intent, helpful, at) VALUES ($1, $2, $3, $4)"),
    insertHandoff: named("insert_handoff", "INSERT INTO handoff_requests (conversation_id, reason, at) VALUES ($1, $2, $3)"),
    selectOutcome: named("select_outcome", "SELECT outcome FROM message_outcomes WHERE conversation_id = $1 AND message_id = $2"),
    insertOutcome: named(
      "insert_outcome",
      "INSERT INTO message_outcomes (conversation_id, message_id, outcome, at) VALUES ($1, $2, $3, $4) ON CONFLICT (conversation_id, message_id) DO UPDATE SET outcome = excluded.outcome, at = excluded.at",
    ),
    insertTicket: named(
      "insert_ticket",
      `INSERT INTO tickets (id, conversation_id, channel, user_id, user_name, reason, status, agent, opened_at, assigned_at, closed_at, close_reason, timeout_notified_at, last_messages)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    ),
    selectTicket: named("select_ticket", `SELECT ${TICKET} FROM tickets WHERE id = $1`),
    selectOpenTicket: named("select_open_ticket", `SELECT ${TICKET} FROM tickets WHERE conversation_id = $1 AND status <> 'closed' ORDER BY opened_at DESC LIMIT 1`),
    insertTicketMessage: named("insert_ticket_message", "INSERT INTO ticket_messages (ticket_id, sender, author, text, at) VALUES ($1, $2, $3, $4, $5)"),
    selectTicketMessages: named("select_ticket_messages", "SELECT ticket_id, sender, author, text, at FROM ticket_messages WHERE ticket_id = $1 ORDER BY seq ASC"),
    selectSession: named("select_session", "SELECT agent, expires FROM agent_sessions WHERE id_hash = $1"),
  };

  const ticketColumns: Record<string, string> = {
    status: "status",
    agent: "agent",
    assignedAt: "assigned_at",
    closedAt: "closed_at",
    closeReason: "close_reason",
    timeoutNotifiedAt: "timeout_notified_at",
  };
  // queue order: open tickets oldest first, closed ones most recently closed first; the id breaks ties
  const orderOf = (status: TicketStatus) =>
    status === "closed"
      ? { later: (a: string, b: string) => `(closed_at, id) < (${a}, ${b})`, earlier: (a: string, b: string) => `(closed_at, id) > (${a}, ${b})`, order: "closed_at DESC, id DESC" }
      : { later: (a: string, b: string) => `(opened_at, id) > (${a}, ${b})`, earlier: (a: string, b: string) => `(opened_at, id) < (${a}, ${b})`, order: "opened_at ASC, id ASC" };
  /** Adds a value to a list of parameters and returns its placeholder. */
  const param = (values: unknown[], value: unknown) => `$${values.push(value)}`;

  async function transaction<T>(fn: () => Promise<T>, opts?: TransactionOptions): Promise<T> {
    if (context.getStore()?.active) return fn();
    if (!ready || closed) await whenReady();
    const client = await pool.connect();
    const onError = (err: Error) => log.warn({ target, code: connectionErrorCode(err) }, "the PostgreSQL connection of a transaction failed");
    client.on("error", onError);
    const tx: Tx = { client, active: true };
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      if (opts?.fence) {
        const { key, token } = opts.fence;
        // also takes the row lock that keeps two transactions of one conversation apart until the first ends
        const fenced = await client.query(SQL.fence(key, token, Date.now()));
        if (fenced.rowCount === 0) throw new StaleLockError(key, token);
      }
      const result = await context.run(tx, fn);
      tx.active = false;
      await client.query("COMMIT");
      return result;
    } catch (err) {
      tx.active = false;
      await client.query("ROLLBACK").catch((e: unknown) => {
        broken = e instanceof Error ? e : new Error(String(e));
      });
      throw err;
    } finally {
      tx.active = false;
      client.off("error", onError);
      client.release(broken);
    }
  }

  const store: PostgresStore = {
    status() {
      if (closed) return "the PostgreSQL store is closed";
      return ready ? null : reason;
    },
    ready: whenReady,
    transaction,

    async read(id) {
      const { rows } = await run<{ state: string }>(SQL.readState(id));
      return rows[0] ? (JSON.parse(rows[0].state) as ConversationState) : null;
    },
    async write(id, state) {
      await run(SQL.writeState(id, JSON.stringify(state), state.mode ?? null, state.updatedAt));
    },
    async delete(id) {
      await transaction(async () => {
        await run(SQL.deleteState(id));
        await run(SQL.deleteTranscript(id));
      });
    },
    async appendTranscript(entries) {
      if (entries.length === 0) return;
      const column = <K extends keyof TranscriptEntry>(k: K) => entries.map((e) => e[k] ?? null);
      await run(
        SQL.appendTranscript(
          column("conversationId"),
          column("direction"),
          column("text"),
          column("at"),
          column("intent"),
          column("confidence"),
          column("kind"),
          column("channel"),
          column("userId"),
          column("from"),
          column("author"),
        ),
      );
    },
    async transcript(id, limit = 200) {
      return (await run(SQL.transcript(id, limit))).rows.map(toEntry);
    },
    async recordFeedback(conversationId, intent, helpful, at) {
      await run(SQL.insertFeedback(conversationId, intent, helpful, at));
    },
    async recordHandoff(conversationId, reason, at) {
      await run(SQL.insertHandoff(conversationId, reason, at));
    },
    async close() {
      if (!closing) {
        closed = true;
        if (retry) {
          clearTimeout(retry.timer);
          retry.wake();
        }
        for (const w of waiters) w.reject(closedError());
        waiters.clear();
        closing = pool.end().catch((err: unknown) => log.warn({ target, code: connectionErrorCode(err) }, "closing the PostgreSQL pool failed"));
      }
      await closing;
    },

    async messageOutcome(conversationId, messageId) {
      const { rows } = await run<{ outcome: string }>(SQL.selectOutcome(conversationId, messageId));
      return rows[0] ? (JSON.parse(rows[0].outcome) as Outcome) : null;
    },
    async recordMessageOutcome(conversationId, messageId, outcome, at) {
      await run(SQL.insertOutcome(conversationId, messageId, JSON.stringify(outcome), at));
    },
    async check(at) {
      // a readiness probe answers at once: not ready means not ready, without waiting for it
      if (closed) throw closedError();
      if (!ready) throw notReady();
      // writes where messages write (a transcript row, a conversation row), takes them back, reads the health row back
      await transaction(async () => {
        await run(plain("INSERT INTO health_check (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = excluded.at", at));
        const probe = await run<{ seq: number }>(
          plain(
            "INSERT INTO transcript (conversation_id, direction, text, at, channel, user_id) VALUES ($1, 'in', '', $2, 'health', 'health') RETURNING seq",
            PROBE_ID,
            at,
          ),
        );
        await run(plain("DELETE FROM transcript WHERE seq = $1", probe.rows[0]?.seq));
        await run(SQL.writeState(PROBE_ID, "{}", null, at));
        await run(SQL.deleteState(PROBE_ID));
        const back = await run<{ at: number }>(plain("SELECT at FROM health_check WHERE id = 1"));
        if (back.rows[0]?.at !== at) throw new Error("the store did not read back what it wrote");
      });
    },
    async ticketCounts() {
      const counts: Record<TicketStatus, number> = { waiting: 0, assigned: 0, closed: 0 };
      const { rows } = await run<{ status: TicketStatus; n: number }>(plain("SELECT status, COUNT(*) AS n FROM tickets GROUP BY status"));
      for (const { status, n } of rows) counts[status] = n;
      return counts;
    },
    async prune(before, batch) {
      return transaction(async () => {
        let n = 0;
        for (const text of PRUNE) n += (await run(shaped(text, [before, batch]))).rowCount ?? 0;
        return n;
      });
    },

    async createTicket(t) {
      await run(
        SQL.insertTicket(
          t.id,
          t.conversationId,
          t.channel,
          t.userId,
          t.userName ?? null,
          t.reason,
          t.status,
          t.agent,
          t.openedAt,
          t.assignedAt,
          t.closedAt,
          t.closeReason,
          t.timeoutNotifiedAt,
          JSON.stringify(t.lastMessages),
        ),
      );
    },
    async updateTicket(id, patch, ifStatus) {
      const sets = Object.keys(patch).filter((k) => k in ticketColumns);
      const statuses = ifStatus ?? [];
      const values: unknown[] = [id];
      const assignments = sets.map((k) => `${ticketColumns[k]} = ${param(values, patch[k as keyof typeof patch] ?? null)}`);
      const where = statuses.length > 0 ? ` AND status = ANY(${param(values, statuses)}::text[])` : "";
      const text =
        sets.length > 0 ? `UPDATE tickets SET ${assignments.join(", ")} WHERE id = $1${where} RETURNING ${TICKET}` : `SELECT ${TICKET} FROM tickets WHERE id = $1${where}`;
      const { rows } = await run(shaped(text, values));
      return rows[0] ? toTicket(rows[0]) : null;
    },
    async ticket(id) {
      const { rows } = await run(SQL.selectTicket(id));
      return rows[0] ? toTicket(rows[0]) : null;
    },
    async openTicket(conversationId) {
      const { rows } = await run(SQL.selectOpenTicket(conversationId));
      return rows[0] ? toTicket(rows[0]) : null;
    },
    async tickets(statuses, limit = 200) {
      const openStatuses = statuses.filter((s) => s !== "closed");
      const open = openStatuses.length
        ? (await run(shaped(`SELECT ${TICKET} FROM tickets WHERE status = ANY($1::text[]) ORDER BY opened_at ASC, id ASC`, [openStatuses]))).rows
        : [];
      const closed = statuses.includes("closed")
        ? (await run(shaped(`SELECT ${TICKET} FROM tickets WHERE status = 'closed' ORDER BY closed_at DESC, id DESC LIMIT $1`, [limit]))).rows
        : [];
      return [...open, ...closed].map(toTicket);
    },
    async countTickets(q) {
      const values: unknown[] = [];
      const where = [`status = ${param(values, q.status)}`];
      for (const [field, column] of [["channel", "channel"], ["userId", "user_id"], ["agent", "agent"]] as const) {
        if (q[field] !== undefined) where.push(`${column} = ${param(values, q[field])}`);
      }
      if (q.before) where.push(orderOf(q.status).earlier(param(values, q.before.at), param(values, q.before.id)));
      const { rows } = await run<{ n: number }>(shaped(`SELECT COUNT(*) AS n FROM tickets WHERE ${where.join(" AND ")}`, values));
      return rows[0]?.n ?? 0;
    },
    async ticketPage(q) {
      const order = orderOf(q.status);
      const values: unknown[] = [];
      const where = [`status = ${param(values, q.status)}`];
      if (q.agent !== undefined) where.push(`agent = ${param(values, q.agent)}`);
      if (q.after) where.push(order.later(param(values, q.after.at), param(values, q.after.id)));
      const text = `SELECT ${TICKET} FROM tickets WHERE ${where.join(" AND ")} ORDER BY ${order.order} LIMIT ${param(values, q.limit + 1)}`;
      const { rows } = await run(shaped(text, values));
      const page = rows.slice(0, q.limit).map(toTicket);
      const last = page.at(-1);
      const next: TicketCursor | null = rows.length > q.limit && last ? { at: (q.status === "closed" ? last.closedAt : last.openedAt) ?? 0, id: last.id } : null;
      return { tickets: page, next };
    },
    async appendTicketMessage(m) {
      await run(SQL.insertTicketMessage(m.ticketId, m.from, m.author, m.text, m.at));
    },
    async ticketMessages(ticketId) {
      const { rows } = await run(SQL.selectTicketMessages(ticketId));
      return rows.map((r) => ({
        ticketId: r.ticket_id as string,
        from: r.sender as TicketMessage["from"],
        author: (r.author as string | null) ?? null,
        text: r.text as string,
        at: r.at as number,
      }));
    },
    async inboundSince(at) {
      const { rows } = await run(shaped(`SELECT ${ENTRY} FROM transcript WHERE direction = 'in' AND at >= $1 ORDER BY at ASC, seq ASC`, [at]));
      return rows.map(toEntry);
    },
    async feedbackSince(at) {
      const { rows } = await run(shaped("SELECT conversation_id, intent, helpful, at FROM feedback WHERE at >= $1 ORDER BY at ASC, seq ASC", [at]));
      return rows.map(
        (r): FeedbackRecord => ({ conversationId: r.conversation_id as string, intent: r.intent as string, helpful: r.helpful === true, at: r.at as number }),
      );
    },

    async createSession(idHash, agent, expires) {
      await run(shaped("DELETE FROM agent_sessions WHERE expires <= $1", [Date.now()]));
      await run(
        shaped("INSERT INTO agent_sessions (id_hash, agent, expires) VALUES ($1, $2, $3) ON CONFLICT (id_hash) DO UPDATE SET agent = excluded.agent, expires = excluded.expires", [
          idHash,
          agent,
          expires,
        ]),
      );
    },
    async sessionAgent(idHash, now) {
      const { rows } = await run<{ agent: string; expires: number }>(SQL.selectSession(idHash));
      const row = rows[0];
      if (!row) return null;
      if (row.expires <= now) {
        await run(shaped("DELETE FROM agent_sessions WHERE id_hash = $1 AND expires <= $2", [idHash, now]));
        return null;
      }
      return row.agent;
    },
    async deleteSession(idHash) {
      await run(shaped("DELETE FROM agent_sessions WHERE id_hash = $1", [idHash]));
    },

    async listAgents() {
      const { rows } = await run<{ name: string; hash: string }>(shaped("SELECT name, hash FROM agents ORDER BY name", []));
      return rows.map((r) => ({ name: r.name, hash: r.hash }));
    },
    async putAgent(agent) {
      await run(shaped("INSERT INTO agents (name, hash) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET hash = excluded.hash", [agent.name, agent.hash]));
    },
    async removeAgent(name) {
      return ((await run(shaped("DELETE FROM agents WHERE name = $1", [name]))).rowCount ?? 0) > 0;
    },
  };
  return store;
}

// the columns read, named (never *): a column a later version adds does not change what a statement
// prepared before it returns, which PostgreSQL would refuse ("cached plan must not change result type")
const ENTRY = "seq, conversation_id, direction, text, at, intent, confidence, kind, channel, user_id, sender, author";
const TICKET =
  "id, conversation_id, channel, user_id, user_name, reason, status, agent, opened_at, assigned_at, closed_at, close_reason, timeout_notified_at, last_messages";

/** The conversation id of the readiness probe's rows: channels prefix theirs with their own name. */
const PROBE_ID = "store:health-check";

// up to `batch` rows of each kind older than `before` ($1), oldest kinds first; the count of ticket
// messages is not added (they go with their ticket, as in the SQLite store)
const PRUNE = [
  "DELETE FROM transcript WHERE seq IN (SELECT seq FROM transcript WHERE at < $1 LIMIT $2)",
  "DELETE FROM feedback WHERE seq IN (SELECT seq FROM feedback WHERE at < $1 LIMIT $2)",
  "DELETE FROM handoff_requests WHERE seq IN (SELECT seq FROM handoff_requests WHERE at < $1 LIMIT $2)",
  "DELETE FROM message_outcomes WHERE (conversation_id, message_id) IN (SELECT conversation_id, message_id FROM message_outcomes WHERE at < $1 LIMIT $2)",
  // a conversation in a human's hands keeps its state however long it waits
  "DELETE FROM conversations WHERE id IN (SELECT id FROM conversations WHERE updated_at < $1 AND mode = 'bot' LIMIT $2)",
  // a fence unwritten for a whole retention period guards no lock: every lease is far shorter
  "DELETE FROM conversation_fences WHERE id IN (SELECT id FROM conversation_fences WHERE at < $1 LIMIT $2)",
  `WITH old AS (SELECT id FROM tickets WHERE status = 'closed' AND closed_at < $1 LIMIT $2),
     messages AS (DELETE FROM ticket_messages WHERE ticket_id IN (SELECT id FROM old))
   DELETE FROM tickets WHERE id IN (SELECT id FROM old)`,
];


