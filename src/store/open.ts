import { join } from "node:path";
import type { Config } from "../config.js";
import type { ConversationStore } from "../types.js";
import { createMemoryStore } from "./memory.js";
import { createSqliteStore } from "./sqlite.js";

/** Where the SQLite store lives inside DATA_DIR. */
export const SQLITE_FILE = "faq-bot.sqlite";

/** The store the configuration names: SQLite in DATA_DIR (the default) or in-memory. */
export function openStore(config: Pick<Config, "STORE" | "dataDir">): ConversationStore {
  return config.STORE === "memory" ? createMemoryStore() : createSqliteStore(join(config.dataDir, SQLITE_FILE));
}
