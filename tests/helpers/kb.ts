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

const library = resolve(root, "tests/fixtures/library-kb");
/**
 * The small knowledge base of the fixtures on another topic (a library's loans): what the tests of
 * the channels, the server, the desk, the console and the store run on, so that a change to the
 * project's own knowledge base cannot break them.
 */
export const LIBRARY_KB = { dir: library, intentsDir: join(library, "intents"), knowledgeDir: join(library, "knowledge") } as const;
/** The library knowledge base as the server's configuration names it (for loadConfig or a server process). */
export const LIBRARY_KB_ENV = { INTENTS_DIR: LIBRARY_KB.intentsDir, KNOWLEDGE_DIR: LIBRARY_KB.knowledgeDir } as const;
let libraryCached: KnowledgeBase | undefined;

/** The library-loans knowledge base of the fixtures, loaded once per test file. */
export function libraryKnowledge(): KnowledgeBase {
  libraryCached ??= loadKnowledgeOrThrow({ intentsDir: LIBRARY_KB.intentsDir, knowledgeDir: LIBRARY_KB.knowledgeDir }, library);
  return libraryCached;
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
