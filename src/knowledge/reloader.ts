import type { Logger } from "pino";
import type { KnowledgeBase } from "./knowledge-base.js";
import { matchIntent } from "../nlu/match.js";
import { loadKnowledge, type KnowledgePaths, type LoadResult } from "./load.js";

/** The knowledge base in force, swapped whole on a successful reload. */
export interface KnowledgeHolder {
  current(): KnowledgeBase;
  /** Re-reads the files: a valid knowledge base replaces the current one; an invalid one is refused. */
  reload(reason: string): LoadResult;
  /** How the last reload went (null before the first): a refused one lists its `file:line` problems. */
  lastReload(): ReloadStatus | null;
}

export interface ReloadStatus {
  ok: boolean;
  /** When it ran (epoch ms). */
  at: number;
  problems: string[];
}

/**
 * Holds the knowledge base for the running bot. A reload that finds errors logs them as
 * `file:line: message` and keeps serving the previous knowledge base.
 * @example
 * const knowledge = createKnowledgeHolder(first.kb, paths, log);
 * process.on("SIGHUP", () => knowledge.reload("SIGHUP"));
 */
export function createKnowledgeHolder(initial: KnowledgeBase, paths: KnowledgePaths, log: Logger): KnowledgeHolder {
  let kb = warmUp(initial);
  let last: ReloadStatus | null = null;
  return {
    current: () => kb,
    lastReload: () => last,
    reload(reason) {
      const next = loadKnowledge(paths);
      last = { ok: next.ok, at: Date.now(), problems: next.ok ? [] : next.errors };
      if (next.ok) {
        kb = warmUp(next.kb);
        log.info({ reason, intents: kb.intents.size, facts: kb.facts.size }, "knowledge base reloaded");
      } else {
        log.error({ reason, errors: next.errors }, `knowledge base NOT reloaded (still serving the previous one):\n${next.errors.join("\n")}`);
      }
      return next;
    },
  };
}

/**
 * Reads one phrasing of every intent before the first user does: the dictionaries, converters and
 * compiled code paths the matcher uses are loaded now, not on someone's first message.
 */
export function warmUp(kb: KnowledgeBase): KnowledgeBase {
  for (const intent of kb.intents.values()) matchIntent(`${intent.title}，${intent.examples[0] ?? ""}`, kb.index);
  return kb;
}
