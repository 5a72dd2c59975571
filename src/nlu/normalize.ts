import { readFileSync } from "node:fs";
import * as OpenCC from "opencc-js/t2cn";
import { parse } from "yaml";

const toSimplified = OpenCC.Converter({ from: "tw", to: "cn" });

// Markup and template syntax carry no question; they are removed before reading (and never echoed).
const MARKUP = [
  /<!\[CDATA\[[\s\S]*?\]\]>/gi,
  /<\/?[a-z][^<>]{0,200}>/gi,
  /\{\{[\s\S]{0,200}?\}\}/g,
  /\$\{[\s\S]{0,200}?\}/g,
  /<%[\s\S]{0,200}?%>/g,
];
// Variant characters the converter keeps but chat means the same by (妳 is 你).
const VARIANT_OF: Record<string, string> = { 妳: "你", 祢: "你", 姊: "姐", 殭: "僵" };
const VARIANTS = /[妳祢姊殭]/g;
// Taiwan, Hong Kong and Cantonese words read as the mainland word (regional-words.yaml), longest first.
const REGIONAL: Map<string, string> = new Map(
  Object.values(parse(readFileSync(new URL("./regional-words.yaml", import.meta.url), "utf8")) as Record<string, Record<string, string>>).flatMap((table) =>
    Object.entries(table).map(([from, to]) => [from, String(to)] as [string, string]),
  ),
);
const REGIONAL_WORD = new RegExp([...REGIONAL.keys()].sort((a, b) => b.length - a.length).join("|"), "g");
const POSSESSIVE = /([a-z])['’‘`]s\b/g;
const NOT_CONTRACTED = /([a-z])n['’‘`]t\b/g;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202f\u2060\ufeff]/g;
// Sentence ends and clause breaks: where a long message is split into questions.
// (not 、: it lists things within one clause, "公众号、小程序")
// (a full stop before a space or the end ends an English sentence; 3.5 stays a figure)
const CLAUSE_BREAK = /((?:[。！？!?；;\n\r…，,：:]|\.(?=\s|$))+)/;
// Everything that is neither a letter, a digit, CJK, nor one of the few symbols that carry figures.
const NOISE_CHAR = /[^\p{L}\p{N}%\-.+\s]/gu;

export interface NormalizedText {
  /** Clean text: simplified, lower case, single spaces, no punctuation or emoji. */
  text: string;
  /** The same text split into clauses at punctuation, each clean. */
  clauses: string[];
  /** Share of the raw message that was markup, template syntax or control characters (0..1). */
  markupShare: number;
  /** The clauses written with a question mark after them ("只隐藏入口和注销账号？", "… vs deleting it?"). */
  marked: Set<string>;
}

/** Full/half width, 繁→简, case, markup, emoji and punctuation: raw chat text → clean text and clauses. */
export function normalizeText(raw: string): NormalizedText {
  let s = raw.normalize("NFKC");
  const before = s.replace(/\s/g, "").length;
  let removed = 0;
  const drop = (m: string): string => {
    removed += m.replace(/\s/g, "").length;
    return " ";
  };
  for (const re of MARKUP) s = s.replace(re, drop);
  // invisible characters inside a word must not split it: "视\u200b频号" is 视频号
  s = s.replace(CONTROL, (m) => {
    removed += m.length;
    return "";
  });
  const markupShare = before === 0 ? 0 : Math.min(1, removed / before);
  s = toSimplified(s)
    .replace(VARIANTS, (c: string) => VARIANT_OF[c] ?? c)
    .replace(REGIONAL_WORD, (w: string) => REGIONAL.get(w) ?? w)
    .toLowerCase()
    // English possessives and n't: "husband's" is husband (a lone s would read as a one-letter term), "don't" dont
    .replace(POSSESSIVE, "$1")
    .replace(NOT_CONTRACTED, "$1nt");
  const clauses: string[] = [];
  const marked = new Set<string>();
  // (split keeping the breaks: the break after a clause says whether it was asked)
  const parts = s.split(CLAUSE_BREAK);
  for (let i = 0; i < parts.length; i += 2) {
    const clause = cleanClause(parts[i]!);
    if (!clause) continue;
    clauses.push(clause);
    if (/[?？]/.test(parts[i + 1] ?? "")) marked.add(clause);
  }
  return { text: clauses.join(" "), clauses, markupShare, marked };
}

function cleanClause(s: string): string {
  return s
    .replace(NOISE_CHAR, " ")
    .replace(/(?<![\p{N}])[.\-+]|[.\-+](?![\p{N}])/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}
