import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { readAgents, type AgentRecord } from "../console/agents.js";
import { connectionErrorCode, migratePostgres, pgValues, poolOptions, postgresTarget } from "../store/postgres.js";

// npm run store:migrate -- --from sqlite:PATH --to postgres:URL [--agents FILE] [--force]
// Copies every table of the bot's SQLite database into PostgreSQL (whose schema is brought up to date
// first), in batches and in order, as one transaction: on any failure nothing is copied. The SQLite
// file is only read.

const USAGE = `usage: npm run store:migrate -- --from sqlite:PATH --to postgres:URL [--agents FILE] [--force]
  --from sqlite:PATH   the bot's SQLite database (DATA_DIR/faq-bot.sqlite); it is only read
  --to postgres:URL    the PostgreSQL database, e.g. postgres:postgres://bot:PASSWORD@db.internal:5432/faqbot
  --agents FILE        also copy the console's agents file (DATA_DIR/agents.json) into the database
  --force              copy even when the database already holds conversations or tickets
                       (rows with the same key are replaced, the others added)`;

const BATCH = 1000;

type PgType = "text" | "bigint" | "float8" | "boolean";

interface Column {
  name: string;
  type: PgType;
  /** The value from a SQLite row (default: the column of the same name; a column an older file lacks reads as null). */
  from?: (row: Record<string, unknown>) => unknown;
}

interface Table {
  name: string;
  columns: Column[];
  /** The key: a row already there with it is replaced (only with --force can there be one). */
  key?: string[];
}

const text = (name: string): Column => ({ name, type: "text" });
const time = (name: string): Column => ({ name, type: "bigint" });

/** The mode of a stored conversation state, which PostgreSQL keeps in a column of its own for pruning. */
function modeOf(row: Record<string, unknown>): string | null {
  try {
    const mode = (JSON.parse(String(row.state)) as { mode?: unknown }).mode;
    return typeof mode === "string" ? mode : null;
  } catch {
    return null;
  }
}

/** Every table of the store, in the order they are copied. */
const TABLES: Table[] = [
  { name: "conversations", columns: [text("id"), text("state"), { name: "mode", type: "text", from: modeOf }, time("updated_at")], key: ["id"] },
  {
    name: "transcript",
    columns: [
      text("conversation_id"),
      text("direction"),
      text("text"),
      time("at"),
      text("intent"),
      { name: "confidence", type: "float8" },
      text("kind"),
      text("channel"),
      text("user_id"),
      text("sender"),
      text("author"),
    ],
  },
  {
    name: "feedback",
    columns: [text("conversation_id"), text("intent"), { name: "helpful", type: "boolean", from: (r) => Number(r.helpful) === 1 }, time("at")],
  },
  { name: "handoff_requests", columns: [text("conversation_id"), text("reason"), time("at")] },
  {
    name: "tickets",
    columns: [
      text("id"),
      text("conversation_id"),
      text("channel"),
      text("user_id"),
      text("user_name"),
      text("reason"),
      text("status"),
      text("agent"),
      time("opened_at"),
      time("assigned_at"),
      time("closed_at"),
      text("close_reason"),
      time("timeout_notified_at"),
      text("last_messages"),
    ],
    key: ["id"],
  },
  { name: "ticket_messages", columns: [text("ticket_id"), text("sender"), text("author"), text("text"), time("at")] },
  { name: "message_outcomes", columns: [text("conversation_id"), text("message_id"), text("outcome"), time("at")], key: ["conversation_id", "message_id"] },
  { name: "agent_sessions", columns: [text("id_hash"), text("agent"), time("expires")], key: ["id_hash"] },
];

/** One INSERT of a whole batch: a column array per column, rows kept in their order. */
function insertSql(table: string, columns: Array<{ name: string; type: PgType }>, key?: string[]): string {
  const names = columns.map((c) => c.name);
  const arrays = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ");
  const update = names.filter((n) => !key?.includes(n));
  const conflict = key ? ` ON CONFLICT (${key.join(", ")}) DO UPDATE SET ${update.map((n) => `${n} = excluded.${n}`).join(", ")}` : "";
  return `INSERT INTO ${table} (${names.join(", ")}) SELECT ${names.join(", ")} FROM unnest(${arrays}) WITH ORDINALITY AS x(${names.join(", ")}, n) ORDER BY n${conflict}`;
}

class Failure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

interface Arguments {
  from: string;
  to: string;
  agents?: string;
  force: boolean;
}

function parseArguments(argv: string[]): Arguments | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { from: { type: "string" }, to: { type: "string" }, agents: { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new Failure(`${(err as Error).message}\n${USAGE}`, 2);
  }
  if (values.help) return "help";
  const from = values.from?.startsWith("sqlite:") ? values.from.slice("sqlite:".length) : "";
  if (!from) throw new Failure(`--from must be sqlite:PATH\n${USAGE}`, 2);
  const raw = values.to ?? "";
  const to = raw.startsWith("postgres:") && !raw.startsWith("postgres://") ? raw.slice("postgres:".length) : raw;
  if (!/^postgres(ql)?:\/\/./.test(to)) throw new Failure(`--to must be postgres:URL (postgres://user:password@host:port/database)\n${USAGE}`, 2);
  if (values.agents === "") throw new Failure(`--agents needs a file\n${USAGE}`, 2);
  return { from, to, agents: values.agents, force: values.force ?? false };
}

function openSource(path: string): Database.Database {
  if (!existsSync(path)) throw new Failure(`there is no SQLite database at ${path}`);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.prepare("SELECT COUNT(*) FROM sqlite_master").get();
    return db;
  } catch (err) {
    db?.close();
    const code = (err as { code?: string }).code;
    throw new Failure(code === "SQLITE_NOTADB" ? `${path} is not a SQLite database` : `${path} cannot be read (${code ?? (err as Error).message})`);
  }
}

function loadAgents(file: string): AgentRecord[] {
  if (!existsSync(file)) throw new Failure(`there is no agents file at ${file}`);
  try {
    return readAgents(file);
  } catch (err) {
    throw new Failure((err as Error).message);
  }
}

/** Copies one table batch by batch in its rowid order; returns how many rows went. */
async function copyTable(source: Database.Database, client: pg.Client, table: Table): Promise<number> {
  const present = source.prepare<[string], { name: string }>("SELECT name FROM pragma_table_info(?)").all(table.name).map((c) => c.name);
  if (present.length === 0) return 0;
  const has = new Set(present);
  const read = source.prepare<[number, number], Record<string, unknown>>(`SELECT rowid AS rowid_, * FROM ${table.name} WHERE rowid > ? ORDER BY rowid LIMIT ?`);
  const sql = insertSql(table.name, table.columns, table.key);
  let after = 0;
  let copied = 0;
  for (;;) {
    const rows = read.all(after, BATCH);
    if (rows.length === 0) return copied;
    const arrays = table.columns.map((c) => rows.map((r) => (c.from ? c.from(r) : has.has(c.name) ? (r[c.name] ?? null) : null)));
    await client.query({ text: sql, values: pgValues(arrays) });
    copied += rows.length;
    after = rows.at(-1)!.rowid_ as number;
  }
}

async function main(argv: string[]): Promise<void> {
  const args = parseArguments(argv);
  if (args === "help") {
    console.log(USAGE);
    return;
  }
  const target = postgresTarget(args.to);
  const agents = args.agents ? loadAgents(args.agents) : null;
  const source = openSource(args.from);
  const client = new pg.Client(poolOptions(args.to, 10_000));
  // a connection that breaks fails the query in progress; the event itself must not end the process
  client.on("error", () => {});
  try {
    try {
      await client.connect();
    } catch (err) {
      throw new Failure(`cannot reach PostgreSQL at ${target} (${connectionErrorCode(err)}): check --to and that the server is running`);
    }
    await migratePostgres(client);
    const counts: Array<[string, number]> = [];
    await client.query("BEGIN");
    try {
      const { rows } = await client.query<{ conversations: boolean; tickets: boolean }>(
        "SELECT EXISTS (SELECT 1 FROM conversations) AS conversations, EXISTS (SELECT 1 FROM tickets) AS tickets",
      );
      const held = Object.entries(rows[0] ?? {}).filter(([, yes]) => yes).map(([what]) => what);
      if (held.length > 0 && !args.force) {
        throw new Failure(
          `PostgreSQL at ${target} already holds ${held.join(" and ")}: nothing was copied. Copy into an empty database, or add --force to copy anyway (rows with the same key are replaced, the others added)`,
        );
      }
      for (const table of TABLES) {
        try {
          counts.push([table.name, await copyTable(source, client, table)]);
        } catch (err) {
          if (err instanceof Failure) throw err;
          throw new Failure(`copying ${table.name} failed (${connectionErrorCode(err)}: ${(err as Error).message}): nothing was copied`);
        }
      }
      if (agents) {
        if (agents.length > 0) {
          await client.query({
            text: insertSql("agents", [text("name"), text("hash")], ["name"]),
            values: pgValues([agents.map((a) => a.name), agents.map((a) => a.hash)]),
          });
        }
        counts.push(["agents", agents.length]);
      }
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    }
    const width = Math.max(...counts.map(([name]) => name.length));
    console.log(`copied ${args.from} to PostgreSQL at ${target}:`);
    for (const [name, n] of counts) console.log(`  ${name.padEnd(width)}  ${n}`);
  } finally {
    source.close();
    await client.end().catch(() => {});
  }
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof Failure) {
    console.error(err.message);
    process.exit(err.exitCode);
  }
  console.error(`store:migrate failed (${connectionErrorCode(err)}: ${(err as Error).message}): nothing was copied`);
  process.exit(1);
}
