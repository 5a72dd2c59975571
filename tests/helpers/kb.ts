import { resolve } from "node:path";
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
