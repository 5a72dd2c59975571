import Fuse from "fuse.js";
import { bridgeAt, englishBases, EXACT_BRIDGE_SCORE, sharedMeaning, type DictionaryBridge } from "./bridge.js";
import { glossesOf, isEnglishWord } from "./dictionary.js";
import { fuzzySyllable, syllables, type Lexicon } from "./lexicon.js";

/** How a token was read; the matcher weighs them differently. */
export type TokenKind = "term" | "stop" | "word" | "char" | "latin" | "number";

export interface Token {
  text: string;
  kind: TokenKind;
  /** How surely the token is what was said, when less than sure (a dictionary translation): scales its weight. */
  weight?: number;
  /** The English word or phrase a dictionary translation was read from. */
  from?: string;
}

const wordSegmenter = new Intl.Segmenter("zh", { granularity: "word" });
// "没注销成功", "没有解绑成功", "未成功": an action that did not succeed is its failure (注销失败);
// not a yes-or-no question (能不能注销成功, 有没有成功)
const NOT_SUCCEEDED = /(?:(?<!有)没有|(?<!有)没|未|(?<![能会是可要])不)(\p{Script=Han}{0,4}?)成功/gu;
const HAN = /\p{Script=Han}/u;
const NUMERAL = /[一二两三四五六七八九十百千万几]/u;
const LATIN = /[a-z]/;
const DIGIT = /[0-9]/;

/**
 * Splits one clean clause into canonical tokens: lexicon terms first (longest match, then by
 * sound for homophone typos), Latin words via the lexicon or as typed pinyin, the rest by
 * Intl.Segmenter's dictionary.
 */
export function segment(clause: string, lex: Lexicon, { typos = true }: { typos?: boolean } = {}): Token[] {
  const chars = [...clause.replace(NOT_SUCCEEDED, "$1失败")];
  const out: Token[] = [];
  let pending = "";
  let sounds: string[] | null = null;
  let cuts: Set<number> | null = null;
  const flush = (): void => {
    if (pending) out.push(...segmentUnknown(pending, lex));
    pending = "";
  };
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === " ") {
      flush();
      i++;
      continue;
    }
    let hit = longestSurface(chars, i, lex);
    if (hit && hit.length >= 3) hit = uncrossed(chars, i, hit, lex);
    if (typos && hit && hit.length < 3 && HAN.test(c)) {
      // a typo read as a shorter word (视屏号 → 视屏 | 号主) loses to the longer word it sounds like (视频号)
      sounds ??= soundsOf(chars);
      const typo = soundAlike(chars, sounds, i, lex, () => (cuts ??= dictionaryCuts(clause)), hit.length);
      // (a span spelled exactly as a surface is no typo: the choice between the two readings was made above)
      if (typo && typo.length > hit.length && !typo.word && !lex.surfaces.has(chars.slice(i, i + typo.length).join(""))) {
        hit = { canonical: typo.canonical, length: typo.length };
      }
    }
    if (hit) {
      flush();
      // an English surface of the general glossary read as a word this knowledge base never uses ("lost" →
      // 消失 where it says 丢失) is read through the dictionary when that translates it exactly to a word it uses
      const bridged =
        lex.bridge && LATIN.test(c) && !lex.bridge.vocab.has(hit.canonical) && !lex.stopwords.has(hit.canonical)
          ? bridgeAt(chars, i, lex, lex.bridge, EXACT_BRIDGE_SCORE)
          : null;
      // (a translation of less than the glossary's phrase is not it: "how" of "how much" is no 多少)
      if (bridged && bridged.length >= hit.length) {
        out.push(...bridged.tokens);
        i += bridged.length;
        continue;
      }
      // a word of the lexicon this knowledge base never uses (罚钱 → 罚款 where it says 滞纳金): the word it
      // uses that the dictionary gives the same meaning, if any
      const shared = lex.bridge?.chinese.get(hit.canonical);
      out.push(...(shared ? shared.map((t) => ({ ...t })) : [classify(hit.canonical, lex)]));
      i += hit.length;
      continue;
    }
    // a function word of several characters (大概, 本来, 其实) is read as one before the dictionary
    // segmenter sees the run, which would otherwise cut it across the next word (大 | 概要)
    const stop = HAN.test(c) ? longestStopword(chars, i, lex) : 0;
    if (stop > 0) {
      flush();
      out.push({ text: chars.slice(i, i + stop).join(""), kind: "stop" });
      i += stop;
      continue;
    }
    if (LATIN.test(c) || DIGIT.test(c)) {
      flush();
      // pinyin typed a syllable at a time ("yao duo jiu"): the syllables read together (要 多久)
      const spaced = spacedPinyin(chars, i, lex);
      if (spaced) {
        out.push(...spaced.tokens);
        i = spaced.end;
        continue;
      }
      let j = i;
      while (j < chars.length && /[a-z0-9%.\-+]/.test(chars[j]!)) j++;
      const word = chars.slice(i, j).join("");
      const read = readLatin(word, lex);
      // an English word (or phrase) no glossary reads as a word of the knowledge base: its dictionary translation
      const bridged = lex.bridge && LATIN.test(c) && !readsKnown(read, lex.bridge) ? bridgeAt(chars, i, lex, lex.bridge) : null;
      if (bridged) {
        out.push(...bridged.tokens);
        i += bridged.length;
        continue;
      }
      out.push(...read);
      i = j;
      continue;
    }
    if (typos && HAN.test(c)) {
      sounds ??= soundsOf(chars);
      const typo = soundAlike(chars, sounds, i, lex, () => (cuts ??= dictionaryCuts(clause)));
      if (typo) {
        flush();
        out.push(typo.word ? { text: typo.canonical, kind: "word" } : classify(typo.canonical, lex));
        i += typo.length;
        continue;
      }
    }
    pending += c;
    i++;
  }
  flush();
  return out;
}

/** Whether a reading says something the knowledge base knows: its words are all function words, numbers or words it uses. */
function readsKnown(tokens: Token[], bridge: DictionaryBridge): boolean {
  return tokens.every((t) => t.kind === "stop" || t.kind === "number" || bridge.vocab.has(t.text));
}

function classify(text: string, lex: Lexicon): Token {
  return { text, kind: lex.stopwords.has(text) ? "stop" : "term" };
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[a-z0-9]/.test(c);
}

// Multi-character surfaces only: single characters (关, 删) are read after the dictionary
// segmenter has had its say, so 关注 is not read as 关 + 注.
function longestSurface(chars: string[], i: number, lex: Lexicon): { canonical: string; length: number } | null {
  const exact = surfaceAt(chars, i, lex);
  if (!LATIN.test(chars[i]!) || isWordChar(chars[i - 1])) return exact;
  // an English phrase of the lexicon with its first word inflected ("turning off" is "turn off",
  // "signed up" is "sign up"): the phrase's base form, when it reads more than the word alone
  let end = i;
  while (end < chars.length && LATIN.test(chars[end]!)) end++;
  if (chars[end] !== " ") return exact;
  const word = chars.slice(i, end).join("");
  for (const { base, derived } of englishBases(word)) {
    if (derived) continue;
    const rest = chars.slice(end);
    const found = surfaceAt([...base, ...rest], 0, lex);
    if (!found || found.length <= base.length + 1) continue;
    const length = found.length - base.length + word.length;
    if (!exact || length > exact.length) return { canonical: found.canonical, length };
  }
  return exact;
}

function surfaceAt(chars: string[], i: number, lex: Lexicon): { canonical: string; length: number } | null {
  const st = starts(lex);
  const longest = st.surface.get(chars[i]!);
  if (longest === undefined) return null;
  const max = Math.min(longest, chars.length - i);
  // read on one character at a time while some surface still begins so: the longest whole one read wins
  let found: { canonical: string; length: number } | null = null;
  let s = chars[i]!;
  for (let len = 2; len <= max; len++) {
    s += chars[i + len - 1]!;
    const canonical = lex.surfaces.get(s);
    // (a Latin surface must be a whole word: "dy" is not inside "body")
    if (canonical !== undefined && !(LATIN.test(s[0]!) && isWordChar(chars[i - 1])) && !(LATIN.test(s[s.length - 1]!) && isWordChar(chars[i + len]))) {
      found = { canonical, length: len };
    }
    if (!st.prefix.has(s)) break;
  }
  return found;
}

// What can start a lexicon surface (with its longest length) or a sound-alike term: most characters
// of a message start nothing, and are passed over without building candidate strings.
interface Starts {
  surface: Map<string, number>;
  /** Every beginning of two characters or more of a longer surface: a longer one may still be read past it. */
  prefix: Set<string>;
  sound: Set<string>;
  sound2: Set<string>;
  stop: Map<string, number>;
}
const startsCache = new WeakMap<Lexicon, Starts>();
function starts(lex: Lexicon): Starts {
  let s = startsCache.get(lex);
  if (!s) {
    s = { surface: new Map(), prefix: new Set(), sound: new Set(), sound2: new Set(), stop: new Map() };
    for (const surface of lex.surfaces.keys()) {
      const chars = [...surface];
      s.surface.set(chars[0]!, Math.max(s.surface.get(chars[0]!) ?? 0, chars.length));
      let begin = chars[0]!;
      for (let k = 1; k < chars.length - 1; k++) s.prefix.add((begin += chars[k]!));
    }
    // Chinese stopwords of 2 to 4 characters, by their first character
    for (const w of lex.stopwords) {
      const chars = [...w];
      if (chars.length < 2 || chars.length > 4 || !HAN.test(chars[0]!)) continue;
      s.stop.set(chars[0]!, Math.max(s.stop.get(chars[0]!) ?? 0, chars.length));
    }
    for (const key of [...lex.soundsLike.keys(), ...lex.vocabSounds.keys()]) {
      const syllables = key.split(" ");
      s.sound.add(syllables[0]!);
      // every sound-alike has two syllables at least: its first two rule out most places at once
      s.sound2.add(`${syllables[0]} ${syllables[1]}`);
    }
    startsCache.set(lex, s);
  }
  return s;
}

/** Whether a stopword of two or more characters starts at i ("怎么" in 考研怎么: 研怎 is no typo of 验证). */
/**
 * The longest surface at `i`, unless its end cuts a longer surface that starts inside it and a
 * shorter surface at `i` ends exactly where that one starts: 个人视频号 is 个人 | 视频号, not 个人视频 | 号.
 */
function uncrossed(chars: string[], i: number, hit: { canonical: string; length: number }, lex: Lexicon): { canonical: string; length: number } {
  const end = i + hit.length;
  for (let j = i + 2; j < end; j++) {
    const next = longestSurface(chars, j, lex);
    if (!next || j + next.length <= end) continue;
    const shorter = lex.surfaces.get(chars.slice(i, j).join(""));
    if (shorter !== undefined) return { canonical: shorter, length: j - i };
  }
  // 怎么办理: the last character makes a real word with the next one (办理), and what comes before it is
  // a word of its own (怎么): read that, not 怎么办 | 理
  const last = end - 1;
  if (end < chars.length && HAN.test(chars[end]!) && isDictionaryWord(chars[last]! + chars[end]!) && longestSurface(chars, end, lex) === null) {
    const before = chars.slice(i, last).join("");
    const shorter = lex.surfaces.get(before) ?? (lex.stopwords.has(before) ? before : undefined);
    if (shorter !== undefined) return { canonical: shorter, length: last - i };
  }
  return hit;
}

/** The length of the longest stopword of 2 to 4 Chinese characters starting at `i` whose end does not cut a term, or 0. */
function longestStopword(chars: string[], i: number, lex: Lexicon): number {
  const longest = starts(lex).stop.get(chars[i]!);
  if (longest === undefined) return 0;
  for (let len = Math.min(longest, chars.length - i); len >= 2; len--) {
    if (!lex.stopwords.has(chars.slice(i, i + len).join(""))) continue;
    // 可以 in 可以关闭 ends where a term starts: fine; 一下 in 一下载 would cut 下载: not taken
    if (len >= 2 && longestSurface(chars, i + len - 1, lex) !== null && longestSurface(chars, i + len, lex) === null) continue;
    return len;
  }
  return 0;
}

function startsStopword(chars: string[], i: number, lex: Lexicon): boolean {
  for (let len = 2; len <= 4 && i + len <= chars.length; len++) if (lex.stopwords.has(chars.slice(i, i + len).join(""))) return true;
  return false;
}

function soundsOf(chars: string[]): string[] {
  const han = chars.map((c) => (HAN.test(c) ? c : "?"));
  const pys = syllables(han.join(""));
  // pinyin-pro returns one entry per character for a string of single characters
  return pys.length === chars.length ? pys.map(fuzzySyllable) : chars.map((c) => (HAN.test(c) ? fuzzySyllable(syllables(c)[0] ?? c) : c));
}

function soundAlike(
  chars: string[],
  sounds: string[],
  i: number,
  lex: Lexicon,
  cuts: () => Set<number>,
  /** Only spans longer than this (a word spelled right already starts here). */
  longerThan = 1,
): { canonical: string; length: number; word?: boolean } | null {
  const known = starts(lex);
  if (!known.sound.has(sounds[i]!) || i + 1 >= sounds.length || !known.sound2.has(`${sounds[i]} ${sounds[i + 1]}`)) return null;
  // a particle or frame character typed correctly is not the first or last sound of a typo: 想只 is not 闲置
  if (lex.particles.has(chars[i]!)) return null;
  // nor is the second of a doubled verb (讲讲看 is "try telling", not 讲 | 讲看 → 健康)
  if (i > 0 && chars[i - 1] === chars[i]) return null;
  for (let len = 4; len > Math.max(1, longerThan); len--) {
    if (i + len > chars.length) continue;
    if (!chars.slice(i, i + len).every((c) => HAN.test(c))) continue;
    const key = sounds.slice(i, i + len).join(" ");
    let canonical = lex.soundsLike.get(key);
    let word = false;
    const listed = canonical !== undefined;
    if (canonical === undefined) {
      // a word of the knowledge base's phrasings, typed with the wrong characters of the same sound;
      // the word itself, or another real word that sounds the same, is read by the dictionary
      const vocab = lex.vocabSounds.get(key);
      const span = chars.slice(i, i + len).join("");
      if (vocab === undefined || vocab === span || isDictionaryWord(span)) continue;
      // nor is a span that cuts through a real word around it: 热线号码 has no 线号
      if (!cuts().has(i) || !cuts().has(i + len)) continue;
      canonical = vocab;
      word = true;
    }
    // (a term of the lexicon of three characters or more may end in one: 公众好 is 公众号)
    if (lex.stopwords.has(chars[i + len - 1]!) && !(listed && len >= 3)) continue;
    // a typo mostly keeps a character of the word right (主销, 下栽, 视屏号); one that keeps none never
    // takes a character from a real word next to it: 香港今日 has no 港今 (干净)
    const spelledAs = word ? canonical : (lex.soundsLikeSurface.get(key) ?? canonical);
    const span = chars.slice(i, i + len);
    if (!span.some((c, k) => [...spelledAs][k] === c)) {
      if (i > 0 && HAN.test(chars[i - 1]!) && isDictionaryWord(chars[i - 1]! + chars[i]!)) continue;
      if (i + len < chars.length && HAN.test(chars[i + len]!) && isDictionaryWord(chars[i + len - 1]! + chars[i + len]!)) continue;
    }
    // a word spelled exactly right wins over a sound-alike overlapping it: 别人连麦 is not 人脸
    let exactInside = false;
    for (let j = i + 1; j < i + len && !exactInside; j++) {
      const inside = longestSurface(chars, j, lex);
      // against a shorter word read at i, only a word wholly inside the span counts (视屏号主: 号主 runs past it)
      // a typo of a term of three or more characters keeps its last character from a word that only starts there (视屏号主销: 号主)
      const lastOnly = !word && len >= 3 && j === i + len - 1;
      exactInside = longerThan > 1 || lastOnly ? inside !== null && j + inside.length <= i + len : inside !== null || startsStopword(chars, j, lex);
    }
    if (exactInside) continue;
    // a word the knowledge base uses is not cut by a short typo beside it (点阶梯 is not 点解 | 梯), and a
    // span inside a longer real word is no typo (天然气 has no 然气)
    const before = i > 0 && HAN.test(chars[i - 1]!) ? chars[i - 1]! : "";
    const next = i + len < chars.length && HAN.test(chars[i + len]!) ? chars[i + len]! : "";
    const ownWord = (w: string): boolean => lex.vocabWords.has(w) || lex.surfaces.has(w);
    if (len === 2 && next && ownWord(span[1]! + next) && [...canonical!][1] !== span[1]) continue;
    if (len === 2 && before && isDictionaryWord(before + span[0]!) && !span.some((c, k) => [...canonical!][k] === c && k === 0)) continue;
    if ((next && isDictionaryWord(span.join("") + next)) || (before && isDictionaryWord(before + span.join("")))) continue;
    // a word of the knowledge base's phrasings typed with none of its characters is more often another word (收几 is not 手机)
    if (word && !span.some((c, k) => [...canonical!][k] === c)) continue;
    // a numeral counts what follows it: a typo does not start with one in place of another character
    // (一键 is not 意见, 几类 is not 鸡肋), though it may keep it (二为码 → 二维码)
    if (NUMERAL.test(span[0]!) && [...spelledAs][0] !== span[0]) continue;
    // a real word is not a typo of a term that sounds like it (信号 is not 新号), nor is a span that
    // cuts through real words on both sides (啥时候生效 has no 候生)
    if (listed && (isDictionaryWord(span.join("")) || (cutsWordBefore(chars, i) && cutsWordAfter(chars, i + len)))) continue;
    // nor one whose last character makes a real word with the next while the rest is a word itself
    // (我的手机好像: 手机 | 好像, not 手机号 | 像), nor the same at its start
    // (unless the real word after it is its last character glued to a function word: 通行正要等 is 通行证 | 要 | 等)
    const gluedToParticle = i + len < chars.length && lex.particles.has(chars[i + len]!);
    if (len >= 3 && cutsWordAfter(chars, i + len) && isDictionaryWord(span.slice(0, -1).join("")) && !gluedToParticle) continue;
    if (len >= 3 && cutsWordBefore(chars, i) && isDictionaryWord(span.slice(1).join(""))) continue;
    return { canonical, length: len, word };
  }
  return null;
}

/** Character positions where the dictionary segmenter starts or ends a word of the clause. */
function dictionaryCuts(clause: string): Set<number> {
  const cuts = new Set<number>([0]);
  let at = 0;
  for (const { segment: seg } of wordSegmenter.segment(clause)) {
    at += [...seg].length;
    cuts.add(at);
  }
  return cuts;
}

/** Whether the characters before and at `i` form a real word (a span starting at `i` cuts through it). */
function cutsWordBefore(chars: string[], i: number): boolean {
  return i > 0 && HAN.test(chars[i - 1]!) && HAN.test(chars[i]!) && isDictionaryWord(chars[i - 1]! + chars[i]!);
}

/** Whether the characters before and at `end` form a real word (a span ending at `end` cuts through it). */
function cutsWordAfter(chars: string[], end: number): boolean {
  return end < chars.length && end > 0 && HAN.test(chars[end]!) && HAN.test(chars[end - 1]!) && isDictionaryWord(chars[end - 1]! + chars[end]!);
}

/** Whether the dictionary segmenter reads a string as one word (remembered: the same short strings come back). */
function isDictionaryWord(s: string): boolean {
  let known = dictionaryWords.get(s);
  if (known === undefined) {
    const segs = [...wordSegmenter.segment(s)];
    known = segs.length === 1 && segs[0]!.isWordLike === true;
    if (dictionaryWords.size >= MAX_REMEMBERED_WORDS) dictionaryWords.clear();
    dictionaryWords.set(s, known);
  }
  return known;
}
const dictionaryWords = new Map<string, boolean>();
const MAX_REMEMBERED_WORDS = 100_000;

/**
 * Gives the lexicon sound-alike keys for the knowledge base's own words (2 to 4 characters of
 * Chinese, from its phrasings) that no lexicon entry lists, so their typos read as them too.
 */
export function addVocabularySounds(lex: Lexicon, words: Iterable<string>): void {
  for (const w of words) {
    const chars = [...w];
    if (chars.length < 2 || chars.length > 4 || !chars.every((c) => HAN.test(c))) continue;
    if (lex.surfaces.has(w) || lex.stopwords.has(w)) continue;
    lex.vocabWords.add(w);
    const key = syllables(w).map(fuzzySyllable).join(" ");
    if (!lex.soundsLike.has(key) && !lex.vocabSounds.has(key)) lex.vocabSounds.set(key, w);
  }
  startsCache.delete(lex);
  unknownCache.delete(lex);
}

// An abbreviation by pinyin initials has no vowel (tp, gq, sph, zfb): English words nearly all have one.
const INITIALS = /^[bcdfghjklmnpqrstwxyz]{2,4}$/;
// A word is abbreviated when the knowledge base says it this often (in this many of its intents)
const INITIALS_MIN_DF = 2;

/**
 * Gives the lexicon the pinyin initials of the knowledge base's words (2 to 4 characters of Chinese,
 * said in at least INITIALS_MIN_DF of its intents): "tp" reads as 退票, "sph" as 视频号. Where two
 * words share the initials, the one said in clearly more intents has them; otherwise neither does.
 * Initials that are a surface, a stopword, a known Latin abbreviation (general data) or an English
 * phrase the dictionary bridge reads stay theirs.
 */
export function addInitials(lex: Lexicon, df: ReadonlyMap<string, number>, english: (key: string) => boolean): void {
  const byKey = new Map<string, Array<{ word: string; df: number }>>();
  for (const [w, d] of df) {
    const chars = [...w];
    if (d < INITIALS_MIN_DF || chars.length < 2 || chars.length > 4 || !chars.every((c) => HAN.test(c)) || lex.stopwords.has(w)) continue;
    const key = syllables(w).map((s) => s[0]).join("");
    if (!INITIALS.test(key) || lex.surfaces.has(key) || lex.stopwords.has(key) || lex.abbreviations.has(key) || english(key)) continue;
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push({ word: w, df: d });
  }
  lex.initials.clear();
  for (const [key, list] of byKey) {
    list.sort((a, b) => b.df - a.df);
    const [first, second] = list;
    if (second && second.df * 2 > first!.df) continue;
    lex.initials.set(key, lex.surfaces.get(first!.word) ?? first!.word);
  }
}

// A run the lexicon does not cover is cut by the dictionary segmenter (ICU), the costliest step of reading
// a text; the same runs come back across a knowledge base's phrasings and users' messages, so each
// lexicon remembers how it cut them (up to UNKNOWN_CACHE_SIZE runs, then it starts afresh).
const unknownCache = new WeakMap<Lexicon, Map<string, readonly Token[]>>();
const UNKNOWN_CACHE_SIZE = 50_000;

function segmentUnknown(text: string, lex: Lexicon): Token[] {
  let cache = unknownCache.get(lex);
  if (!cache) unknownCache.set(lex, (cache = new Map()));
  let tokens = cache.get(text);
  if (!tokens) {
    if (cache.size >= UNKNOWN_CACHE_SIZE) cache.clear();
    cache.set(text, (tokens = cutUnknown(text, lex)));
  }
  const bridge = lex.bridge;
  if (!bridge) return tokens.map((t) => ({ ...t }));
  // a word the knowledge base never uses, read as the one of its words the dictionary gives the same
  // meaning; two characters the segmenter left apart are such a word when the dictionary has them (租客)
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    // a word of the dictionary whose last character makes one of the knowledge base's words with a character
    // left after it that the knowledge base never reads alone (开发|票 where it says 发票): the knowledge base's word
    if (t.kind === "word" && next?.kind === "char" && HAN.test(next.text) && !bridge.vocab.has(next.text)) {
      const chars = [...t.text];
      const joined = chars.at(-1)! + next.text;
      if (chars.length === 2 && bridge.vocab.has(joined)) {
        out.push(loneChar(chars[0]!, lex), classify(lex.surfaces.get(joined) ?? joined, lex));
        i++;
        continue;
      }
    }
    // and the other way round: a character left alone before a dictionary word the knowledge base never uses,
    // making one of its words with that word's first character (额|外交 where it says 额外)
    if ((t.kind === "char" || t.kind === "stop") && [...t.text].length === 1 && HAN.test(t.text) && next?.kind === "word" && !bridge.vocab.has(t.text) && !bridge.vocab.has(next.text)) {
      const chars = [...next.text];
      const joined = t.text + chars[0]!;
      if (chars.length === 2 && bridge.vocab.has(joined)) {
        out.push(classify(lex.surfaces.get(joined) ?? joined, lex), loneChar(chars[1]!, lex));
        i++;
        continue;
      }
    }
    if (t.kind === "char" && next?.kind === "char" && !bridge.vocab.has(t.text + next.text) && !bridge.pairs.has(t.text + next.text)) {
      const read = sameMeaning(t.text + next.text, lex, bridge);
      if (read) {
        out.push(...read);
        i++;
        continue;
      }
    }
    out.push(...(t.kind === "word" && !bridge.vocab.has(t.text) ? (sameMeaning(t.text, lex, bridge) ?? [{ ...t }]) : [{ ...t }]));
  }
  return out;
}

// What each lexicon's bridge read a word it never uses as (bounded, dropped with the bridge).
const meanings = new WeakMap<DictionaryBridge, Map<string, Token[] | null>>();
const MAX_REMEMBERED_MEANINGS = 20_000;

function sameMeaning(word: string, lex: Lexicon, bridge: DictionaryBridge): Token[] | null {
  let known = meanings.get(bridge);
  if (!known) meanings.set(bridge, (known = new Map()));
  let read = known.get(word);
  if (read === undefined) {
    const glosses = HAN.test(word) && !lex.stopwords.has(word) ? glossesOf(word) : undefined;
    read = glosses ? sharedMeaning(glosses, word, bridge) : null;
    if (known.size >= MAX_REMEMBERED_MEANINGS) known.clear();
    known.set(word, read);
  }
  return read ? read.map((t) => ({ ...t })) : null;
}

/** A character read on its own: a function word, or a character. */
function loneChar(c: string, lex: Lexicon): Token {
  return { text: c, kind: lex.stopwords.has(c) ? "stop" : "char" };
}

function cutUnknown(text: string, lex: Lexicon): Token[] {
  const out: Token[] = [];
  const read = (seg: string): Token => {
    const canonical = lex.surfaces.get(seg);
    if (canonical !== undefined) return classify(canonical, lex);
    if (lex.stopwords.has(seg)) return { text: seg, kind: "stop" };
    return { text: seg, kind: [...seg].length === 1 ? "char" : "word" };
  };
  for (const { segment: seg, isWordLike } of wordSegmenter.segment(text)) {
    if (!isWordLike) continue;
    const token = read(seg);
    // two characters the segmenter glued that the dictionary has no word for, one of them a function
    // word ("我只", "想把", "办的"): the two, each read alone
    const chars = [...seg];
    if (token.kind === "word" && chars.length === 2 && HAN.test(seg) && chars.some((c) => lex.stopwords.has(c)) && glossesOf(seg) === undefined) {
      out.push(read(chars[0]!), read(chars[1]!));
    } else out.push(token);
  }
  return out;
}

function readLatin(word: string, lex: Lexicon): Token[] {
  if (/^[0-9%.\-+]+$/.test(word)) return [{ text: word, kind: "number" }];
  const canonical = lex.surfaces.get(word);
  if (canonical !== undefined) return [classify(canonical, lex)];
  if (lex.stopwords.has(word)) return [{ text: word, kind: "stop" }];
  const stem = englishStem(word, lex);
  if (stem !== undefined) return [lex.stopwords.has(stem) ? { text: stem, kind: "stop" } : classify(lex.surfaces.get(stem)!, lex)];
  const spelled = readPinyin(word, lex);
  if (spelled) return spelled;
  const abbreviated = lex.initials.get(word);
  if (abbreviated !== undefined) return [classify(abbreviated, lex)];
  const typo = englishTypo(word, lex);
  if (typo !== undefined) return [classify(lex.surfaces.get(typo)!, lex)];
  return [{ text: word, kind: "latin" }];
}


/**
 * The base form of an English word that the lexicon knows, if any: an inflection (deleted, followers),
 * an irregular form (lost), or a word made from it (reactivation, cancellation, renewal).
 */
function englishStem(word: string, lex: Lexicon): string | undefined {
  if (word.length < 4 || !/^[a-z]+$/.test(word)) return undefined;
  for (const { base } of englishBases(word)) if (base.length >= 3 && (lex.surfaces.has(base) || lex.stopwords.has(base))) return base;
  return undefined;
}

// English words of the lexicon, for typos ("folowers", "delte"): fuse.js over the vocabulary's words
// that begin with the same letter (a typo keeps its first letter), consulted only for a Latin word
// nothing else could read; one search over every word cost milliseconds the first time a word was seen
const englishWords = new WeakMap<Lexicon, { byLetter: Map<string, Fuse<string>>; read: Map<string, string | null> }>();
// How many words' readings a lexicon remembers (the same English words come back across messages).
const MAX_REMEMBERED_TYPOS = 20_000;
// Bitap score a typo may reach (0 is exact); words under 5 letters are too short to guess from.
const ENGLISH_TYPO_SCORE = 0.25;
const ENGLISH_TYPO_MIN = 5;

/** The lexicon's English word a mistyped one most likely is, if one is close enough. */
function englishTypo(word: string, lex: Lexicon): string | undefined {
  if (word.length < ENGLISH_TYPO_MIN || !/^[a-z]+$/.test(word)) return undefined;
  let typos = englishWords.get(lex);
  if (!typos) {
    const groups = new Map<string, string[]>();
    for (const w of lex.surfaces.keys()) {
      if (!/^[a-z]+$/.test(w) || w.length < ENGLISH_TYPO_MIN - 1) continue;
      const group = groups.get(w[0]!);
      if (group) group.push(w);
      else groups.set(w[0]!, [w]);
    }
    const byLetter = new Map([...groups].map(([letter, words]) => [letter, new Fuse(words, { includeScore: true, threshold: ENGLISH_TYPO_SCORE, ignoreLocation: true, minMatchCharLength: 3 })]));
    typos = { byLetter, read: new Map() };
    englishWords.set(lex, typos);
  }
  let read = typos.read.get(word);
  if (read === undefined) {
    const fuse = typos.byLetter.get(word[0]!);
    read = swappedLetters(word, lex) ?? (fuse && closestEnglish(word, fuse)) ?? null;
    if (typos.read.size >= MAX_REMEMBERED_TYPOS) typos.read.clear();
    typos.read.set(word, read);
  }
  return read ?? undefined;
}

/** The lexicon's word (or the base of one) a word is with two neighbouring letters swapped back ("vidoes" is videos). */
function swappedLetters(word: string, lex: Lexicon): string | undefined {
  if (isEnglishWord(word)) return undefined;
  for (let i = 1; i + 1 < word.length; i++) {
    if (word[i] === word[i + 1]) continue;
    const swapped = word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    if (lex.surfaces.has(swapped)) return swapped;
    const base = englishBases(swapped).find(({ base }) => lex.surfaces.has(base));
    if (base) return base.base;
  }
  return undefined;
}

function closestEnglish(word: string, fuse: Fuse<string>): string | undefined {
  // a word of the dictionary's English is what it says, not a typo of a word the lexicon lists
  if (isEnglishWord(word) || englishBases(word).some(({ base }) => isEnglishWord(base))) return undefined;
  const best = fuse.search(word, { limit: 1 })[0];
  if (!best || (best.score ?? 1) > ENGLISH_TYPO_SCORE) return undefined;
  // a typo is a letter or two away: "stick" is not "sticker", "migration" not "navigation"
  return editDistance(best.item, word) <= (word.length <= 6 ? 1 : 2) ? best.item : undefined;
}

/** Levenshtein distance, with a swap of two neighbouring letters counted as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

// "shipinhaozenmeguan" → 视频号 怎么 关闭: longest pinyin words first; null unless all of it reads.
function readPinyin(word: string, lex: Lexicon): Token[] | null {
  if (!/^[a-z]+$/.test(word)) return null;
  // one syllable is one character: "yuan" is not 与 + 俺
  const oneSyllable = PINYIN_SYLLABLE.test(word);
  // an English word of more than one syllable is English: "mode" is no 莫得
  if (!oneSyllable && isEnglishWord(word)) return null;
  const out: Token[] = [];
  let i = 0;
  while (i < word.length) {
    let found: string | undefined;
    let len = Math.min(lex.maxSpelled, word.length - i);
    for (; len >= 2; len--) {
      found = lex.spelled.get(word.slice(i, i + len));
      if (found !== undefined) break;
    }
    if (found === undefined) return null;
    out.push(classify(found, lex));
    i += len;
  }
  return oneSyllable && out.length > 1 ? null : out;
}

// How many syllables typed apart are read together, at most.
const MAX_SPACED_SYLLABLES = 6;

/**
 * Pinyin typed with a space after each syllable ("zen me guan", "yao duo jiu"), read as one word of
 * pinyin; null unless two or more syllables, the first no word the lexicon reads, read whole with a
 * word of two characters or more among them.
 */
function spacedPinyin(chars: string[], i: number, lex: Lexicon): { tokens: Token[]; end: number } | null {
  if (isWordChar(chars[i - 1])) return null;
  const words: Array<{ word: string; end: number }> = [];
  let at = i;
  while (words.length < MAX_SPACED_SYLLABLES) {
    let end = at;
    while (end < chars.length && LATIN.test(chars[end]!)) end++;
    if (end === at || isWordChar(chars[end])) break;
    const word = chars.slice(at, end).join("");
    // (a word the lexicon reads opens no run: "you can", "do it", "ban"; after the first, "me" of "zen me" is a syllable)
    if (!PINYIN_SYLLABLE.test(word) || (words.length === 0 && (lex.stopwords.has(word) || lex.surfaces.has(word)))) break;
    words.push({ word, end });
    if (chars[end] !== " ") break;
    at = end + 1;
  }
  for (let n = words.length; n >= 2; n--) {
    const tokens = readPinyin(words.slice(0, n).map((w) => w.word).join(""), lex);
    if (tokens && tokens.some((t) => [...t.text].length >= 2)) return { tokens, end: words[n - 1]!.end };
  }
  return null;
}

// A single syllable of pinyin without tones (an initial, then a final).
const PINYIN_SYLLABLE = /^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|in|un|vn|ia|ie|iu|ua|uo|ue|ve|ui|a|o|e|i|u|v)$/;
