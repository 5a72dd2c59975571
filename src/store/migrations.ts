// Versioned schema changes, the same scheme for every engine: a `schema_migrations` table records each
// step applied (version, name, when), and the ordered list of an engine's steps is walked once, each
// missing step applied inside its own transaction and recorded in it. A database that has them all is
// left as it is; one made before the table existed is brought up to date by the same steps, which are
// written so that a schema part already there is kept (IF NOT EXISTS, a column looked up first).

/** One step of an engine's schema; `Db` is what the engine's steps run on. */
export interface Migration<Db> {
  /** Applied in increasing order; never reused or renumbered once released. */
  version: number;
  /** What the step does, as recorded in schema_migrations. */
  name: string;
  up(db: Db): void | Promise<void>;
}

/** The record of applied steps (BIGINT is an INTEGER for SQLite, a 64-bit integer for PostgreSQL). */
export const SCHEMA_MIGRATIONS_TABLE =
  "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

export const RECORD_MIGRATION_SQLITE = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";
export const RECORD_MIGRATION_POSTGRES = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";

/**
 * The steps of `steps` not in `applied`, in order. Throws when the list itself is wrong (versions not
 * strictly increasing), which is a programming error caught by any test that opens a store.
 */
export function pendingMigrations<Db>(steps: ReadonlyArray<Migration<Db>>, applied: ReadonlySet<number>): Array<Migration<Db>> {
  let last = 0;
  for (const step of steps) {
    if (!Number.isInteger(step.version) || step.version <= last) {
      throw new Error(`schema migration ${step.version} (${step.name}) is out of order: versions must be increasing integers from 1`);
    }
    last = step.version;
  }
  return steps.filter((step) => !applied.has(step.version));
}

/** The newest version of a list of steps (what a database is at once every step is applied). */
export function latestVersion(steps: ReadonlyArray<Migration<unknown>>): number {
  return steps.at(-1)?.version ?? 0;
}
