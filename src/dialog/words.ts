import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { tokenize } from "../nlu/match.js";

// The knowledge base's own texts (row and column names, aliases, cells, facts) are read the same way on
// every turn: read once per knowledge base, which is replaced whole on a reload.
const caches = new WeakMap<KnowledgeBase, Map<string, ReadonlySet<string>>>();

/** Canonical content tokens of some of the knowledge base's texts, as the matcher reads them (cached). */
export function knowledgeWords(texts: string[], kb: KnowledgeBase): ReadonlySet<string> {
  let cache = caches.get(kb);
  if (!cache) caches.set(kb, (cache = new Map()));
  const key = texts.join("\u0000");
  let words = cache.get(key);
  if (!words) {
    const out = new Set<string>();
    for (const t of texts) for (const tok of tokenize(t, kb.lexicon)) if (!kb.lexicon.stopwords.has(tok.text)) out.add(tok.text);
    cache.set(key, (words = out));
  }
  return words;
}
