import { dictionaryGlosses } from "./dictionary.js";
import type { Lexicon } from "./lexicon.js";
import type { Token } from "./segment.js";

// The dictionary bridge: English words and phrases read as the knowledge base's own Chinese words,
// through the English glosses CC-CEDICT gives those words. It is built when the knowledge base is
// indexed, from the words the knowledge base uses (phrasings, titles, answers, lexicon), so
// "renew" reads as 续借 where the knowledge base says 续借 and as nothing where it does not. The
// lexicon and the general glossary come first: the bridge reads only what they leave unknown, or
// read as a word this knowledge base never uses.

/** A word of the knowledge base an English word or phrase translates to, as the tokens the knowledge base reads it as. */
export interface BridgeTarget {
  /** The word (借书证). */
  word: string;
  /** Its tokens (借书 证). */
  tokens: Token[];
  /** How specifically a gloss says it: 1 when a gloss is the phrase itself ("deposit", "to renew"). */
  score: number;
  /** Whether the glosses that say it best say it only as a verb ("to book"). */
  verb: boolean;
  /** Whether a gloss says the phrase as written, not only a word it is made from ("physics" is not said by "physic"). */
  literal: boolean;
  /** Whether the word's first sense (the dictionary's usual meaning) says it. */
  first: boolean;
}

/** A word of the knowledge base whose glosses say an English phrase, and how specifically. */
interface Candidate {
  tokens: Token[];
  score: number;
  /** Whether the glosses that say it best say it only as a verb ("to book"). */
  verb: boolean;
  /** How many meanings the dictionary gives the word. */
  meanings: number;
  /** Whether a gloss says the phrase as written, not only a word it is made from. */
  literal: boolean;
  /** Whether the word's first sense says it. */
  first: boolean;
}

export interface DictionaryBridge {
  /** Words the lexicon reads but the knowledge base never uses (罚款 where it says 滞纳金) → the words of it they translate to. */
  chinese: Map<string, Token[]>;
  /** Normalised English word or phrase (1 to 3 words) → the knowledge base's words whose glosses say it, by word. */
  english: Map<string, Map<string, Candidate>>;
  /** The same, ranked best first, as they are asked for. */
  ranked: Map<string, BridgeTarget[]>;
  /** Every token the knowledge base's phrasings, answers and entities use. */
  vocab: Set<string>;
  /** Two single characters read one after the other in its texts (滞 纳): they are read so in messages too. */
  pairs: Set<string>;
}

// English inflections people type (deleted, followers, closing): the lexicon lists base forms.
export const INFLECTIONS: Array<[RegExp, string]> = [
  [/ies$/, "y"],
  [/ied$/, "y"],
  [/([^aeiou])\1(ed|ing)$/, "$1"],
  // (-es after a hiss or an o: boxes, washes, goes; rides is ride, not rid)
  [/(s|x|z|ch|sh|o)es$/, "$1"],
  [/s$/, ""],
  // (not "feed", "need", "speed": their -ed is no past tense, and "fee" is another word)
  [/([^e])ed$/, "$1"],
  [/([^e]e)d$/, "$1"],
  [/ing$/, ""],
  [/ing$/, "e"],
];
// An adverb read as the word it is made from, when that has four letters or more: successfully,
// monthly; not apply (a word, not a phrase's first word: "likely to" is no "like to")
export const ADVERB: [RegExp, string] = [/([a-z]{4,})ly$/, "$1"];
// Words made from another (renewal, payment, registration): a gloss saying "library renewal" is about renewing.
// The most specific ending first: verification is verify, registration register, cancellation cancel.
const DERIVATIONS: Array<[RegExp, string]> = [
  [/ication$/, "y"],
  [/istration$/, "ister"],
  [/llation$/, "l"],
  [/ation$/, "ate"],
  [/ation$/, "e"],
  [/ation$/, ""],
  [/([cp])tion$/, "$1t"],
  [/etion$/, "ete"],
  [/ssion$/, "t"],
  [/nsion$/, "nd"],
  [/urance$/, "ure"],
  [/ptance$/, "pt"],
  [/stance$/, "st"],
  [/ival$/, "ive"],
  [/oval$/, "ove"],
  [/sal$/, "se"],
  [/al$/, ""],
  [/ment$/, ""],
  [/ilure$/, "il"],
  [/ery$/, "er"],
];

// Words that end like an inflection but are none: news is not new, means not mean.
const NOT_INFLECTED = new Set(["news", "means", "station", "vacation", "nation", "series", "species", "always", "perhaps", "during", "nothing", "anything", "something", "everything", "morning", "evening", "ceiling", "building", "wedding", "bed", "need", "speed", "feed", "seed"]);

// Irregular forms of common English words: lost is lose, paid is pay, children is child.
const IRREGULAR: Record<string, string> = {
  lost: "lose", paid: "pay", took: "take", taken: "take", got: "get", gotten: "get", gave: "give", given: "give",
  left: "leave", made: "make", bought: "buy", brought: "bring", sent: "send", spent: "spend", kept: "keep",
  found: "find", forgot: "forget", forgotten: "forget", broke: "break", broken: "break", stole: "steal",
  stolen: "steal", wrote: "write", written: "write", ran: "run", came: "come", went: "go", gone: "go",
  done: "do", told: "tell", thought: "think", knew: "know", known: "know", saw: "see", seen: "see",
  chose: "choose", chosen: "choose", began: "begin", begun: "begin", held: "hold", met: "meet", lent: "lend",
  hid: "hide", hidden: "hide", froze: "freeze", frozen: "freeze", sold: "sell", won: "win", fell: "fall",
  fallen: "fall", drove: "drive", driven: "drive", rode: "ride", flew: "fly", understood: "understand",
  children: "child", people: "person", men: "man", women: "woman", feet: "foot", teeth: "tooth",
};

// British spellings read as the American ones the dictionary's glosses use: licence, centre, colour,
// organise, analyse, catalogue, programme.
const AMERICAN: Array<[RegExp, string]> = [
  [/^([a-z]{2,})tre$/, "$1ter"],
  [/^([a-z]{3,})our$/, "$1or"],
  [/^([a-z]*[cf])ence$/, "$1ense"],
  [/^([a-z]{3,})is(e|ed|es|ing|ation)$/, "$1iz$2"],
  [/^([a-z]{2,})ys(e|ed|es|ing)$/, "$1yz$2"],
  [/^([a-z]{3,})ogue$/, "$1og"],
  [/^([a-z]{3,})mme$/, "$1m"],
  [/^tyre$/, "tire"],
  [/^cheque$/, "check"],
];

/** The American spelling of a British one (licence → license), or null. */
function american(word: string): string | null {
  for (const [re, to] of AMERICAN) if (re.test(word)) return word.replace(re, to);
  return null;
}

/**
 * The base forms a word may come from, most likely first: irregular and regular inflections
 * (lost → lose, renewed → renew) and, marked `derived`, words made from another (renewal → renew).
 */
export function englishBases(word: string): Array<{ base: string; derived: boolean }> {
  if (!/^[a-z]+$/.test(word)) return [];
  const out: Array<{ base: string; derived: boolean }> = [];
  // (a British spelling and the bases of its American one: licences → licence, license)
  const us = american(word);
  if (us) out.push({ base: us, derived: false });
  const irregular = IRREGULAR[word];
  if (irregular) out.push({ base: irregular, derived: false });
  if (word.length < 4 || NOT_INFLECTED.has(word)) return out;
  for (const [rules, derived] of [[INFLECTIONS, false], [[ADVERB, ...DERIVATIONS], true]] as const) {
    for (const [re, to] of rules) {
      if (!re.test(word)) continue;
      const base = word.replace(re, to);
      if (base.length >= 3 && base !== word && !out.some((b) => b.base === base)) out.push({ base, derived });
      const usBase = american(base);
      if (usBase && base.length >= 3 && !out.some((b) => b.base === usBase)) out.push({ base: usBase, derived });
    }
  }
  return out;
}

// Verbs that carry their object's meaning in a gloss ("to make an appointment", "to pay a fee").
const LIGHT_VERBS = new Set(["make", "have", "take", "do", "give", "get", "pay", "go", "be", "become", "hold", "keep", "put", "set"]);

// A phrase found only inside a longer gloss says less: its share of the gloss's words, at this discount.
const PARTIAL = 0.8;
// A compound said by a gloss of each of its parts ("campus card" for 校园卡) says it less surely than a gloss of it.
const COMPOUND_SCORE = 0.8;
// Words of three to five characters the dictionary may have no entry for, made of two it has.
const COMPOUND_WORD = /^\p{Script=Han}{3,5}$/u;
// Words in a gloss's brackets ("extended borrowing (e.g. library renewal)") say what it is about, not what it is.
const BRACKETED = 0.5;
// A phrase matched through a word its last word is made from (renewal for renew); an inflection (books for book) costs nothing.
const DERIVED = 0.9;
// A reading the general glossary gave is replaced only by a translation this sure.
export const EXACT_BRIDGE_SCORE = 0.85;
// Below this a gloss says too little about a word to read an English word as it.
export const MIN_BRIDGE_SCORE = 0.15;
// How much of a translated word's weight depends on how specifically its gloss says it.
const SURENESS = 0.5;
// Phrases of up to this many words are looked up.
const MAX_WORDS = 3;
// Several words of the knowledge base a gloss gives equally well are all read, up to this many.
const MAX_TARGETS = 3;
// Words of a gloss that only stand for its arguments ("to return sth to sb").
const FILLER = new Set(["sb", "sth", "sb's", "sth's", "one's", "oneself", "someone", "something", "somebody", "etc", "a", "an", "the", "e.g", "eg", "i.e", "ie", "esp", "usu", "lit", "fig", "also"]);
const ARTICLES = new Set(["a", "an", "the"]);
// Words after which an English word is a noun ("a book", "my card").
const DETERMINERS = new Set(["a", "an", "the", "my", "your", "his", "her", "its", "our", "their", "this", "that", "these", "those", "each", "every"]);

/** The words of one gloss part, lower case, with its fillers left out. */
function glossWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/\b(?:sb|sth|one|someone|something)'s\b/g, " ")
    // a hyphenated word is one word (e-book, wi-fi), never the word after its hyphen
    .replace(/([a-z0-9])-(?=[a-z0-9])/g, "$1")
    .replace(/[^a-z0-9]+/g, " ")
    .split(" ")
    .filter((w) => w.length > 1 && !FILLER.has(w));
}

/** What a gloss says, as word lists: its main text (without "to" / "to be") and its bracketed parts. */
function glossParts(gloss: string): Array<{ words: string[]; bracketed: boolean; verb: boolean }> {
  const out: Array<{ words: string[]; bracketed: boolean; verb: boolean }> = [];
  for (const part of gloss.split(";")) {
    const brackets = [...part.matchAll(/\(([^()]*)\)/g)].map((m) => m[1]!);
    const main = glossWords(part.replace(/\([^()]*\)/g, " "));
    // "to book (a room)" is a verb: "a book" is not it
    const verb = main[0] === "to";
    if (verb) main.shift();
    if (main[0] === "be" && main.length > 1) main.shift();
    if (main.length > 0) out.push({ words: main, bracketed: false, verb });
    for (const b of brackets) {
      const words = glossWords(b);
      if (words.length > 0) out.push({ words, bracketed: true, verb: false });
    }
  }
  return out;
}

/** What a bridge is built from. */
export interface BridgeSource {
  /** The knowledge base's texts (phrasings, titles, keywords, answers) as the tokens they read as. */
  texts: Token[][];
  /** More Chinese words it uses (the lexicon's surface forms of its terms, its entities) → the tokens each reads as. */
  forms: Map<string, Token[]>;
  /** Every token the knowledge base uses. */
  vocab: Set<string>;
  /** Function words: they do not count as content in a gloss. */
  stopwords: Set<string>;
  /** Chinese words the lexicon reads (the general glossary's plain words among them) that the knowledge base never uses. */
  unused: Iterable<string>;
}

// A run of the knowledge base's tokens the dictionary may have as one word (借书 证 → 借书证), at most.
const RUN_TOKENS = 4;
const RUN_CHARS = 4;
const HAN_ONLY = /^\p{Script=Han}+$/u;

/**
 * The Chinese words a knowledge base uses, with the tokens each reads as: each token of two
 * characters or more (a lone character is no word to translate into), and each run of tokens the
 * dictionary has as one word (借书 证: 借书证), the longest at its place (滞 纳 金 is 滞纳金, not 滞纳).
 */
function wordsOf(texts: Token[][], known: (word: string) => boolean): Map<string, Token[]> {
  const out = new Map<string, Token[]>();
  const usable = (t: Token): boolean => t.kind !== "stop" && t.kind !== "number" && t.kind !== "latin" && HAN_ONLY.test(t.text);
  for (const toks of texts) {
    let coveredTo = 0;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (!usable(t)) continue;
      if (t.kind !== "char" && !out.has(t.text) && known(t.text)) out.set(t.text, [t]);
      if (i < coveredTo) continue;
      let form = t.text;
      let longest: { form: string; end: number } | null = null;
      for (let j = i + 1; j < Math.min(toks.length, i + RUN_TOKENS); j++) {
        if (!usable(toks[j]!)) break;
        form += toks[j]!.text;
        if ([...form].length > RUN_CHARS) break;
        if (known(form)) longest = { form, end: j + 1 };
      }
      if (!longest) continue;
      if (!out.has(longest.form)) out.set(longest.form, toks.slice(i, longest.end));
      coveredTo = longest.end;
    }
  }
  return out;
}

/** Every run of tokens that wordsOf may take for a word, to look up at once. */
function candidateWords(texts: Token[][]): Set<string> {
  const out = new Set<string>();
  for (const toks of texts) {
    for (let i = 0; i < toks.length; i++) {
      let form = "";
      for (let j = i; j < Math.min(toks.length, i + RUN_TOKENS); j++) {
        const t = toks[j]!;
        if (t.kind === "stop" || t.kind === "number" || t.kind === "latin" || !HAN_ONLY.test(t.text)) break;
        form += t.text;
        if ([...form].length > RUN_CHARS && j > i) break;
        if (j > i || t.kind !== "char") out.add(form);
      }
    }
  }
  return out;
}

/**
 * Builds the bridge from the Chinese words a knowledge base uses: every phrase of their English
 * glosses is a way to say them, as specifically as it is the whole gloss.
 */
export function buildBridge({ texts, forms: extra, vocab, stopwords, unused }: BridgeSource): DictionaryBridge {
  const unusedWords = [...unused];
  // one read of the dictionary for all: the knowledge base's words, its runs of tokens, the lexicon's
  // unused words, and the parts of its words that may be compounds the dictionary lacks (below)
  const looked = new Set([...candidateWords(texts), ...extra.keys(), ...unusedWords]);
  const maybeCompounds = new Map<string, Token[]>();
  for (const [form, tokens] of extra) if (COMPOUND_WORD.test(form)) maybeCompounds.set(form, tokens);
  for (const toks of texts) for (const t of toks) if (t.kind === "term" && COMPOUND_WORD.test(t.text) && !maybeCompounds.has(t.text)) maybeCompounds.set(t.text, [t]);
  const parts = new Set<string>();
  for (const w of maybeCompounds.keys()) {
    const c = [...w];
    for (let k = 2; k < c.length; k++) parts.add(c.slice(0, k).join("")).add(c.slice(k).join(""));
  }
  const all = dictionaryGlosses([...looked, ...parts]);
  const glossed = new Map([...all].filter(([w]) => looked.has(w)));
  const forms = wordsOf(texts, (w) => glossed.has(w));
  for (const [form, tokens] of extra) if (!forms.has(form)) forms.set(form, tokens);
  const best = new Map<string, Map<string, Candidate>>();
  const add = (key: string, word: string, tokens: Token[], score: number, meanings: number, verb: boolean, literal: boolean, first: boolean): void => {
    let byWord = best.get(key);
    if (!byWord) best.set(key, (byWord = new Map()));
    const prev = byWord.get(word);
    if (!prev || score > prev.score) byWord.set(word, { tokens, score, meanings, verb, literal, first: first || (prev?.first ?? false) });
    else {
      if (score === prev.score && !verb) prev.verb = false;
      if (literal) prev.literal = true;
      if (first && score === prev.score) prev.first = true;
    }
  };
  const content = (w: string): boolean => !stopwords.has(w);
  const basesOf = new Map<string, Array<{ base: string; derived: boolean }>>();
  for (const [form, tokens] of forms) {
    const glosses = glossed.get(form);
    if (!glosses) continue;
    // a word the dictionary gives many meanings says each of them less surely
    const meanings = glosses.reduce((n, g) => n + g.split(";").length, 0);
    for (const [sense, gloss] of glosses.entries()) {
      const first = sense === 0;
      for (const { words, bracketed, verb } of glossParts(gloss)) {
        const size = words.length;
        for (let n = 1; n <= Math.min(MAX_WORDS, words.length); n++) {
          const share = n / size;
          const score = (share >= 1 ? 1 : PARTIAL * share) * (bracketed ? BRACKETED : 1);
          // a phrase too small a part of a long gloss says too little (most of a long gloss's phrases)
          if (score < MIN_BRIDGE_SCORE) continue;
          for (let at = 0; at + n <= words.length; at++) {
            // a phrase starts and ends with a word that says something: not "of", not "in doing"
            if (!content(words[at]!) || !content(words[at + n - 1]!)) continue;
            // the object of a verb gloss is not what the verb means ("to revoke registration" is no
            // registration, "to lose weight" no weight), unless the verb only carries it ("to make an appointment")
            if (verb && at > 0) {
              const before = words.slice(0, at).filter(content).at(-1);
              if (before !== undefined && !LIGHT_VERBS.has(before)) continue;
            }
            // nor is the word modifying a noun ("new" of "Chinese New Year", "credit" of "credit card")
            if (!verb && at + n < words.length && content(words[at + n]!)) continue;
            // a word of a phrase whose other words only bind it ("bring about", "good at", "no good") is not what the phrase means
            if (share < 1 && words.every((w, k) => (k >= at && k < at + n) || !content(w))) continue;
            const phrase = words.slice(at, at + n);
            add(phrase.join(" "), form, tokens, score, meanings, verb, true, first);
            // "booking", "booked" say the verb "book"
            const lastWord = phrase[n - 1]!;
            let bases = basesOf.get(lastWord);
            if (!bases) basesOf.set(lastWord, (bases = englishBases(lastWord)));
            for (const { base, derived } of bases) add([...phrase.slice(0, -1), base].join(" "), form, tokens, score * (derived ? DERIVED : 1), meanings, verb || /(?:ing|ed)$/.test(lastWord), false, first);
          }
        }
      }
    }
  }
  // a word of the knowledge base the dictionary has no entry for, made of two that it has (校园卡: 校园
  // "campus" + 卡 "card"), is said by a gloss of each, modifier first ("campus card")
  const compounds = [...maybeCompounds].filter(([w]) => !all.has(w));
  const nouns = (glosses: string[] | undefined, max: number): Set<string> =>
    new Set((glosses ?? []).flatMap((g) => glossParts(g)).filter((p) => !p.verb && !p.bracketed && p.words.length <= max && p.words.every(content)).map((p) => p.words.join(" ")));
  for (const [w, tokens] of compounds) {
    const c = [...w];
    for (let k = 2; k < c.length; k++) {
      const heads = nouns(all.get(c.slice(k).join("")), 1);
      if (heads.size === 0) continue;
      for (const modifier of nouns(all.get(c.slice(0, k).join("")), 2)) {
        for (const head of heads) {
          add(`${modifier} ${head}`, w, tokens, COMPOUND_SCORE, 1, false, true, false);
          for (const { base } of englishBases(head)) add(`${modifier} ${base}`, w, tokens, COMPOUND_SCORE, 1, false, false, false);
        }
      }
    }
  }
  const pairs = new Set<string>();
  for (const toks of texts) for (let i = 0; i + 1 < toks.length; i++) if (toks[i]!.kind === "char" && toks[i + 1]!.kind === "char") pairs.add(toks[i]!.text + toks[i + 1]!.text);
  const bridge: DictionaryBridge = { english: best, ranked: new Map(), vocab, chinese: new Map(), pairs };
  bridge.chinese = sharedGlosses(unusedWords.filter((w) => !forms.has(w)), glossed, bridge);
  return bridge;
}

/** The knowledge base's words an English phrase (normalised) translates to, best first. */
export function translations(bridge: DictionaryBridge, key: string): BridgeTarget[] {
  let ranked = bridge.ranked.get(key);
  if (ranked) return ranked;
  const seen = new Set<string>();
  ranked = [...(bridge.english.get(key) ?? new Map<string, Candidate>()).entries()]
    .filter(([, t]) => t.score >= MIN_BRIDGE_SCORE)
    // equally specific: the word with fewer meanings says it more surely
    .sort((a, b) => b[1].score - a[1].score || a[1].meanings - b[1].meanings)
    .map(([word, t]) => ({ word, tokens: t.tokens, score: t.score, verb: t.verb, literal: t.literal, first: t.first }))
    // two spellings of one term (丢失, 弄丢) are one translation
    .filter((t) => {
      const reading = t.tokens.map((tok) => tok.text).join(" ");
      return !seen.has(reading) && seen.add(reading);
    });
  bridge.ranked.set(key, ranked);
  return ranked;

}

/**
 * The knowledge base's words an English phrase (its words) translates to, best first; the last word
 * may be inflected. After a determiner ("a book", "my card") the phrase is a noun: words the
 * dictionary gives it only as a verb ("to book") are left out, unless nothing else is left.
 */
export function translate(words: string[], bridge: DictionaryBridge, noun = false): BridgeTarget[] {
  const keys = [
    { key: words.join(" "), derived: false },
    ...englishBases(words[words.length - 1]!).map(({ base, derived }) => ({ key: [...words.slice(0, -1), base].join(" "), derived })),
  ];
  for (const { key, derived } of keys) {
    // a word made from another (physical) meets only a gloss that says that other word (not physics, made from it too)
    const found = translations(bridge, key).filter((t) => !derived || t.literal);
    if (found.length === 0) continue;
    const nouns = noun ? found.filter((t) => !t.verb) : found;
    return pick(nouns.length > 0 ? nouns : found);
  }
  return [];
}

function pick(targets: BridgeTarget[]): BridgeTarget[] {
  const top = targets[0]!.score;
  return targets.filter((t) => t.score >= top - 1e-9).slice(0, MAX_TARGETS);
}

const LETTER = /[a-z]/;

/**
 * Reads the English words at `i` through the bridge: the longest phrase of up to three words (a,
 * an, the between them skipped) that translates to words of the knowledge base at `minScore` or
 * better, or null. The first word must not be a stopword.
 */
export function bridgeAt(chars: string[], i: number, lex: Lexicon, bridge: DictionaryBridge, minScore = MIN_BRIDGE_SCORE): { tokens: Token[]; length: number } | null {
  const first = phraseAt(chars, i, lex, bridge, minScore);
  if (!first) return null;
  // two translations that, written together, are a term of the lexicon ("family" 家庭 + "library
  // card" 借书证 = 家庭借书证, the knowledge base's 家庭证) read as that term
  if (chars[first.end] === " ") {
    const second = phraseAt(chars, first.end + 1, lex, bridge, minScore);
    for (const a of second ? first.targets : []) {
      for (const b of second!.targets) {
        const term = lex.surfaces.get(a.word + b.word);
        if (term === undefined || lex.stopwords.has(term)) continue;
        const [tok] = readAs([{ ...a, tokens: [{ text: term, kind: "term" }], score: Math.min(a.score, b.score) }], `${first.phrase} ${second!.phrase}`);
        return { tokens: [tok!], length: second!.end - i };
      }
    }
  }
  // a translation counts as surely as its gloss says it, shared between the words it may be
  return { tokens: readAs(first.targets, first.phrase), length: first.end - i };
}

/** The longest English phrase at `i` that translates to words of the knowledge base, its translations and where it ends. */
function phraseAt(chars: string[], i: number, lex: Lexicon, bridge: DictionaryBridge, minScore: number): { targets: BridgeTarget[]; phrase: string; end: number } | null {
  const words: Array<{ word: string; end: number }> = [];
  let at = i;
  while (words.filter((w) => !ARTICLES.has(w.word)).length < MAX_WORDS && at < chars.length && LETTER.test(chars[at]!)) {
    let end = at;
    while (end < chars.length && LETTER.test(chars[end]!)) end++;
    // a word is whole: not the start of "24-hour" or "wi-fi"
    if (end < chars.length && /[0-9\-+.%]/.test(chars[end]!)) break;
    words.push({ word: chars.slice(at, end).join(""), end });
    if (chars[end] !== " " || !LETTER.test(chars[end + 1] ?? "")) break;
    at = end + 1;
  }
  if (words.length === 0 || lex.stopwords.has(words[0]!.word)) return null;
  const before = /([a-z]+) $/.exec(chars.slice(Math.max(0, i - 8), i).join(""))?.[1];
  const noun = before !== undefined && DETERMINERS.has(before);
  for (let n = words.length; n >= 1; n--) {
    const last = words[n - 1]!;
    if (n > 1 && ARTICLES.has(last.word)) continue;
    const phrase = words.slice(0, n).map((w) => w.word).filter((w) => !ARTICLES.has(w));
    const targets = translate(phrase, bridge, noun).filter((t) => t.score >= minScore);
    if (targets.length > 0) return { targets, phrase: phrase.join(" "), end: last.end };
  }
  return null;
}

/**
 * The knowledge base's words a Chinese word it never uses means, through a gloss they share (租客
 * "tenant" → 承租人 "leaser; tenant"), or null. Only a whole, unbracketed gloss of the word that is
 * a whole sense of the other's counts; the best are kept.
 */
export function sharedMeaning(glosses: string[], word: string, bridge: DictionaryBridge): Token[] | null {
  let best: BridgeTarget[] = [];
  // (the first sense of both only: the dictionary gives a word's usual meaning first, and rarer ones
  // would read 悄悄 "quietly … anxious" as 担心, 明天 "tomorrow" as 未来 "future; tomorrow")
  for (const gloss of glosses.slice(0, 1)) {
    for (const { words, bracketed, verb } of glossParts(gloss)) {
      if (bracketed) continue;
      // (a word the knowledge base itself writes: not another surface form the lexicon maps to one of its
      // terms; and said as the same part of speech: 打算 "to plan" is not 方案 "plan")
      const targets = translations(bridge, words.join(" ")).filter((t) => t.score >= SAME_MEANING_SCORE && t.first && t.verb === verb && t.word !== word && bridge.vocab.has(t.word));
      if (targets.length > 0 && (best.length === 0 || targets[0]!.score > best[0]!.score)) best = pick(targets);
    }
  }
  return best.length > 0 ? readAs(best, word) : null;
}

// How much of the other word's gloss a message's word's gloss must be: all of one of its senses.
const SAME_MEANING_SCORE = 1;

// A word of the lexicon the knowledge base never uses reads as one it does use when a gloss of the
// first is, whole, a phrase of the second's glosses this specifically (罚款 "fine" → 滞纳金 "late fine").
const MIN_SHARED_SCORE = 0.4;

/** The words of the knowledge base each unused word translates to through a gloss they share. */
function sharedGlosses(unused: string[], glossed: Map<string, string[]>, bridge: DictionaryBridge): Map<string, Token[]> {
  const out = new Map<string, Token[]>();
  for (const word of unused) {
    const glosses = glossed.get(word);
    if (!glosses) continue;
    let best: BridgeTarget[] = [];
    for (const gloss of glosses) {
      for (const { words, bracketed, verb } of glossParts(gloss)) {
        if (bracketed) continue;
        // (said as the same part of speech: 分享 "to share" is not 股票 "share")
        const targets = translations(bridge, words.join(" ")).filter((t) => t.score >= MIN_SHARED_SCORE && t.word !== word && t.verb === verb);
        if (targets.length > 0 && (best.length === 0 || targets[0]!.score > best[0]!.score)) best = pick(targets);
      }
    }
    if (best.length > 0) out.set(word, readAs(best, word));
  }
  return out;
}

/** The tokens of the chosen translations, each weighed by how surely its gloss says it and shared between them. */
function readAs(targets: BridgeTarget[], from: string): Token[] {
  return targets.flatMap((t) => t.tokens.map((tok) => ({ ...tok, weight: (1 - SURENESS + SURENESS * t.score) / targets.length, from })));
}
