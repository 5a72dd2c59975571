import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, type Config } from "../config.js";
import type { ConversationStore } from "../types.js";
import { createMemoryStore } from "./memory.js";
import type { Logger } from "pino";
import { createPostgresStore, type PostgresStore } from "./postgres.js";
import { createSqliteStore, DamagedDatabaseError } from "./sqlite.js";

/** Where the SQLite store lives inside DATA_DIR. */
export const SQLITE_FILE = "faq-bot.sqlite";

/**
 * The store the configuration names: PostgreSQL when DATABASE_URL is set (several instances), else
 * SQLite in DATA_DIR (the default) or in-memory. A DATA_DIR or database file the bot cannot use throws
 * a ConfigError: one line naming the variable or path and the fix. PostgreSQL never throws here: a
 * database that is down is retried in the background (the store says why in `status()`).
 */
export function openStore(
  config: Pick<Config, "STORE" | "dataDir"> & { MEMORY_STORE_MAX_CONVERSATIONS?: number; DATABASE_URL?: string | undefined; DATABASE_POOL_SIZE?: number },
  log?: Logger,
): ConversationStore | PostgresStore {
  if (config.DATABASE_URL) {
    if (!log) throw new Error("openStore: a PostgreSQL store needs a logger");
    return createPostgresStore({ url: config.DATABASE_URL, log, poolSize: config.DATABASE_POOL_SIZE });
  }
  if (config.STORE === "memory") return createMemoryStore({ maxConversations: config.MEMORY_STORE_MAX_CONVERSATIONS });
  ensureWritableDir(config.dataDir);
  const file = join(config.dataDir, SQLITE_FILE);
  const size = sizeOf(file);
  if (size === 0) {
    throw new ConfigError(
      `${file} is empty (0 bytes), so its conversations are gone (a failed copy or a full disk): restore it from a backup, or delete it to start with no history`,
    );
  }
  try {
    return createSqliteStore(file);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof DamagedDatabaseError || e.code === "SQLITE_CORRUPT") {
      throw new ConfigError(
        `${file} is damaged (${e.message.split("\n")[0]}): restore it from a backup, or salvage it with \`sqlite3 ${file} .recover | sqlite3 recovered.sqlite\` and put that in its place`,
      );
    }
    if (e.code === "SQLITE_NOTADB") {
      throw new ConfigError(`${file} is not a SQLite database: move it out of DATA_DIR (the bot then creates a new one) or put the right file there`);
    }
    if (e.code === "SQLITE_READONLY" || e.code === "SQLITE_CANTOPEN" || e.code === "SQLITE_IOERR" || e.code === "SQLITE_FULL") {
      throw new ConfigError(`${file} cannot be opened for writing (${e.code}: ${e.message}): check its permissions and the free disk space of DATA_DIR`);
    }
    throw err;
  }
}

/** The size of a file in bytes, or null when there is none. */
function sizeOf(file: string): number | null {
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
}

/** Creates DATA_DIR when missing and proves the bot can write there, or says why not and what to do. */
export function ensureWritableDir(dir: string): void {
  const where = `DATA_DIR=${dir}`;
  try {
    if (!statSync(dir).isDirectory()) {
      throw new ConfigError(`${where} is a file, not a folder: point DATA_DIR at a folder the bot may write to (it is created when missing)`);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "error";
      throw new ConfigError(`${where} cannot be created (${code}): create it yourself, or point DATA_DIR at a folder the bot may write to`);
    }
  }
  // a real write, because permission bits do not tell the whole story (read-only mounts, root, ACLs)
  const probe = join(dir, `.write-check-${process.pid}`);
  try {
    writeFileSync(probe, "");
    rmSync(probe, { force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    throw new ConfigError(`${where} is not writable by this user (${code}): give the user running the bot write access (chown / chmod), or point DATA_DIR elsewhere`);
  }
}
