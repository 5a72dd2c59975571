import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { groupQuestions } from "../insights/cluster.js";
import { draftIntents } from "../insights/draft-intents.js";
import { createSqliteStore } from "../store/sqlite.js";
import { SQLITE_FILE } from "../store/open.js";

// npm run kb:suggest [-- --days 30 --min 2]: the questions the bot could not answer (kind fallback),
// grouped by similarity, printed as draft intents for intents/*.yaml.

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} needs a positive whole number (e.g. --${name} ${fallback})`);
    process.exit(1);
  }
  return value;
}

const days = option("days", 30);
const min = option("min", 1);
const dataDir = resolve(process.env.DATA_DIR ?? "data");
const file = join(dataDir, SQLITE_FILE);
if (!existsSync(file)) {
  console.error(`no conversation store at ${file}: run the bot with STORE=sqlite first, or set DATA_DIR to where it writes`);
  process.exit(1);
}
const store = createSqliteStore(file);
const inbound = await store.inboundSince(Date.now() - days * 86_400_000);
await store.close();
const misses = inbound.filter((e) => e.kind === "fallback").map((e) => e.text);
const groups = groupQuestions(misses).filter((g) => g.count >= min);
process.stdout.write(draftIntents(groups, `${misses.length} in the last ${days} days, groups asked at least ${min} time${min === 1 ? "" : "s"}`));
