import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import type { KnowledgeBase } from "../../src/knowledge/knowledge-base.js";
import { loadKnowledgeOrThrow } from "../../src/knowledge/load.js";

const root = resolve(import.meta.dirname, "../..");
let cached: KnowledgeBase | undefined;

/** The project's own knowledge base (intents/ and knowledge/), loaded once per test file. */
export function projectKnowledge(): KnowledgeBase {
  cached ??= loadKnowledgeOrThrow({ intentsDir: resolve(root, "intents"), knowledgeDir: resolve(root, "knowledge") }, root);
  return cached;
}

export const silentLog = pino({ level: "silent" });

/** A copy of the project's knowledge base in a temp folder (listed in `dirs`, for removal), to change on purpose. */
export function copyProjectKnowledge(dirs: string[]): { dir: string; intentsDir: string; knowledgeDir: string } {
  const dir = mkdtempSync(join(tmpdir(), "kb-"));
  dirs.push(dir);
  cpSync(join(root, "intents"), join(dir, "intents"), { recursive: true });
  cpSync(join(root, "knowledge"), join(dir, "knowledge"), { recursive: true });
  return { dir, intentsDir: join(dir, "intents"), knowledgeDir: join(dir, "knowledge") };
}
