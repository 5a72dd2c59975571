import { readFileSync } from "node:fs";

// The English glosses of CC-CEDICT's Chinese words (cedict-glosses.tsv, written by `npm run
// dict:build`): one line per word, `word<TAB>gloss/gloss/…`, sorted by the word's UTF-8 bytes.
// The file is read whole as bytes and searched by halves for the words asked about; nothing of it
// is kept after the call.

const FILE = new URL("./cedict-glosses.tsv", import.meta.url);
const NEWLINE = 0x0a;
const COMMENT = 0x23;

/** The glosses CC-CEDICT gives each of these words (words it does not list are left out). */
export function dictionaryGlosses(words: Iterable<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const buf = readFileSync(FILE);
  let start = 0;
  while (start < buf.length && buf[start] === COMMENT) start = buf.indexOf(NEWLINE, start) + 1 || buf.length;
  for (const word of words) {
    if (out.has(word) || !word) continue;
    const line = findLine(buf, start, Buffer.from(`${word}\t`));
    if (line !== null) out.set(word, line.split("/"));
  }
  return out;
}

/** The glosses of the line starting with `key` (a word and its tab), or null. */
function findLine(buf: Buffer, start: number, key: Buffer): string | null {
  let lo = start;
  let hi = buf.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const lineStart = mid > lo ? Math.max(lo, buf.lastIndexOf(NEWLINE, mid - 1) + 1) : lo;
    let lineEnd = buf.indexOf(NEWLINE, lineStart);
    if (lineEnd < 0) lineEnd = buf.length;
    // the line's start (as long as the key) against the key: -1 when the line comes before it
    const cmp = buf.compare(key, 0, key.length, lineStart, Math.min(lineEnd, lineStart + key.length));
    if (cmp === 0) return buf.toString("utf8", lineStart + key.length, lineEnd);
    if (cmp < 0) lo = lineEnd + 1;
    else hi = lineStart;
  }
  return null;
}

// The whole file, read once when first needed (about 60 ms and 22 MB of heap): each word's glosses,
// and every English word the glosses use.
let whole: { glosses: Map<string, string>; english: Set<string> } | null = null;

function loadWhole(): { glosses: Map<string, string>; english: Set<string> } {
  if (whole) return whole;
  const glosses = new Map<string, string>();
  const english = new Set<string>();
  for (const line of readFileSync(FILE, "utf8").split("\n")) {
    const tab = line.indexOf("\t");
    if (tab <= 0 || line.startsWith("#")) continue;
    const gloss = line.slice(tab + 1);
    glosses.set(line.slice(0, tab), gloss);
    for (const w of gloss.toLowerCase().split(/[^a-z]+/)) if (w.length >= 3) english.add(w);
  }
  return (whole = { glosses, english });
}

/** Reads the whole file now (when a knowledge base is indexed), so no message pays for the first read. */
export function preloadDictionary(): void {
  loadWhole();
}

/**
 * The glosses CC-CEDICT gives one word, from the whole file kept in memory: for words a message
 * says that the knowledge base does not, at any time.
 */
export function glossesOf(word: string): string[] | undefined {
  return loadWhole().glosses.get(word)?.split("/");
}

/** Whether a word occurs in CC-CEDICT's English glosses: a real English word, not a typo of another ("smell" is not "sell"). */
export function isEnglishWord(word: string): boolean {
  return loadWhole().english.has(word);
}
