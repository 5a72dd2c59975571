import pg from "pg";
import pino from "pino";
import { createPostgresStore, type PostgresStore } from "../../src/store/postgres.js";
import { createDatabase } from "./services.js";
import { testServices } from "./test-services.js";

/** Every table of the PostgreSQL store but schema_migrations: emptied between two tests of a file. */
export const POSTGRES_TABLES = [
  "conversations",
  "transcript",
  "feedback",
  "handoff_requests",
  "tickets",
  "ticket_messages",
  "message_outcomes",
  "agent_sessions",
  "health_check",
  "agents",
  "conversation_fences",
];

/** The PostgreSQL store for the store contract tests of one test file, on a database of its own. */
export interface PostgresBackend {
  /** "postgres", or "postgres (skipped: why)" when this run has no test PostgreSQL server. */
  name: string;
  skip: boolean;
  /** The URL of the file's database (created on first use). */
  url(): Promise<string>;
  /** A store on the file's database, emptied first: every test starts with no rows, like a new SQLite file. */
  open(): Promise<PostgresStore>;
}

export function postgresBackend(database: string): PostgresBackend {
  const services = testServices();
  if ("skip" in services) {
    const fail = () => Promise.reject(new Error(`no test PostgreSQL server: ${services.skip}`));
    return { name: `postgres (skipped: ${services.skip})`, skip: true, url: fail, open: fail };
  }
  let created: Promise<string> | null = null;
  const url = () => (created ??= createDatabase(services.postgres, database));
  return {
    name: "postgres",
    skip: false,
    url,
    async open() {
      const store = createPostgresStore({ url: await url(), log: pino({ level: "silent" }) });
      await store.ready();
      await emptyDatabase(await url());
      return store;
    },
  };
}

/** Deletes every row of the store's tables (the schema stays). */
export async function emptyDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`TRUNCATE ${POSTGRES_TABLES.join(", ")} RESTART IDENTITY`);
  } finally {
    await client.end();
  }
}
