import type { Candidate, MatchResult } from "../types.js";
import type { Lexicon } from "./lexicon.js";
import { normalizeText, type NormalizedText } from "./normalize.js";
import { buildBridge } from "./bridge.js";
import { preloadDictionary } from "./dictionary.js";
import { figureAsked, givesPath, pathAsked } from "./figures.js";
import { addInitials, addVocabularySounds, segment, type Token, type TokenKind } from "./segment.js";

/** An intent as the index sees it: its id, kind and example phrasings. */
export interface IndexableIntent {
  id: string;
  type: string;
  title: string;
  examples: string[];
  keywords: string[];
  /** What the intent answers with (facts, rows, cells): a weaker field than the phrasings. */
  answerTexts?: string[];
}

/** One example phrasing in the index. */
export interface IndexedExample {
  intent: number;
  /** The phrasing as written. */
  text: string;
  /** Canonical token → weight. */
  weights: Map<string, number>;
  total: number;
  /** Canonical tokens joined. */
  canonical: string;
  /** Character bigrams of `canonical` as ids of `MatchIndex.gramIds`, for the fuzzy character score. */
  grams: Int32Array;
}

/** Inverted index over every example phrasing of every intent. */
export interface MatchIndex {
  intentIds: string[];
  intentTypes: string[];
  examples: IndexedExample[];
  /** Each example's length factor in the similarity (total^-EXAMPLE_SHARE): overlap × this ranks examples as the similarity does. */
  exampleNorms: Float64Array;
  /** Token → indices of the examples that contain it. */
  postings: Map<string, number[]>;
  /** Tokens each intent's examples and keywords use. */
  vocab: Set<string>[];
  /** Content tokens of each intent's answer (facts, rows, cells). */
  answerVocab: Set<string>[];
  /** What each intent answers with, as one clean text: read for the figure a question asks for. */
  answerFigures: string[];
  /** Whether each intent's answer gives a path through menus, by intent. */
  answerPaths: boolean[];
  /** Rarity of tokens that only answers use (the phrasings never do). */
  answerIdf: Map<string, number>;
  /** Content token → the intents whose answers use it. */
  answerPostings: Map<string, number[]>;
  /** Character bigram → id: examples keep their bigrams as small integer arrays. */
  gramIds: Map<string, number>;
  idf: Map<string, number>;
  unknownIdf: number;
  lexicon: Lexicon;
  /** Tokens only small talk uses (你好, 谢谢): dropped when the message also asks something else. */
  chatOnly: Set<string>;
  /** Words of the intents that hand over to a person (not stopwords): a request for one asks without a question word. */
  requestWords: Set<string>;
  /** Those intents' ids. */
  requestIntents: Set<string>;
  /** The ids of the small-talk intents (greeting, thanks). */
  smallTalkIntents: Set<string>;
  /** Whether the knowledge base is about one city's services (its texts say 市, 全市, 本市, X市). */
  local: boolean;
}

// How much a token of each kind says about the question, before rarity (idf) is applied.
const KIND_WEIGHT: Record<TokenKind, number> = {
  term: 1,
  latin: 1,
  word: 0.75,
  char: 0.3,
  number: 0.3,
  stop: 0.1,
};
// A token that says a text is about one city: 市 itself, 全市, 本市, or a city's name with 市.
const CITY = /^(?:市|全市|本市|\p{Script=Han}{2,3}市)$/u;
// Words after a place that make it people of the place (香港人, 上海户籍).
const PEOPLE = new Set(["人", "居民", "籍", "户籍", "户口", "同胞", "市民", "people", "resident", "residents"]);
// Candidates read from postings, then scored exactly; tokens in more examples than this only score.
const MAX_CANDIDATES = 40;
// How much of a phrasing's similarity is the share of the phrasing the message says (the rest is the share of the message it says).
const EXAMPLE_SHARE = 0.45;
const MAX_POSTINGS_SCAN = 4000;
/** Characters of a message the matcher reads (the clauses that ask first); the rest is ignored, and the reply says so. */
export const MAX_READ_CHARS = 300;
// Clauses and clause pairs of a long message scored on their own, at most.
const MAX_PIECES = 24;
// A piece of a long message that asks nothing competes at this share of its score.
const STORY_WEIGHT = 0.65;
// The reading of a message taken as its question, when another reading of it (the whole, a part, a
// window of a long stretch) takes it for the same intent, is surer by this share of that reading's
// confidence (of what it lacks): two readings say the same thing.
const AGREE = 0.3;
// The rest of a message with a greeting in it must read at least this clearly to be taken as the question.
const CLEARER_QUESTION = 0.6;
// Adverbs that bind to the word after them (还能不能, 也可不可以, 都要是): no clause starts between them.
const BOUND_BEFORE = new Set(["还", "也", "都", "就", "又", "再", "才"]);
// Discourse words that open the question itself (问一下, 我想知道, 告诉我).
const ASKING_OPENER = /问|知道|告诉/;
// Conjunctions: a discourse word right after one is a second member of a pair, not a new thought.
const JOINING = new Set(["和", "与", "跟", "及", "或", "、"]);
// How many words a message must say besides a one-word clause for that clause alone to be a fragment.
const FRAGMENT_CONTEXT = 4;
// Words that make a clause a question (its own question mark is gone by the time clauses are read).
// (Cantonese asks with 咩, 乜, 点样, 点解, 边, 有冇, 系咪 and A唔A: 可唔可以, 得唔得)
export const QUESTION = /吗|嘛|么|呢|怎么|怎样|咋|多久|多长|多少|几|哪|什么|啥|如何|为什么|为啥|可不可以|有没有|(\p{Script=Han})不\1|咩|乜|点样|点解|边个|边度|边间|有冇|系咪|(\p{Script=Han})唔\2/u;
const CHAR_PATTERN_MAX = 32;
const FOREIGN_PENALTY = 0.3;
// A word the knowledge base never uses says the question may be another one, but not which: it
// counts, at a discount, so unfamiliar wording lowers confidence without sinking it.
const UNKNOWN_FACTOR = 0.6;
// An English word neither the knowledge base nor the general glossary knows is more often a word of
// the sentence's wording (pick, likely, stick around) than its topic: it counts less than an unknown Chinese word.
const UNKNOWN_LATIN_FACTOR = 0.45;
// A word of the speaker's life the knowledge base never uses (孙子, 退休, 前两天) tells the story around
// the question, not another question: it counts for little.
const STORY_WORD_FACTOR = 0.1;
// The only words an intent shares with the message frame the question, and the rest are unknown.
const FRAME_ONLY_PENALTY = 0.6;
// A word of the message that the intent's answer uses, but none of its phrasings, explains this much of it.
const ANSWER_SHARE = 0.6;
// How far the share of the message an answer says stands for a phrasing of the intent, and how many
// intents are short-listed by their answers alone.
const ANSWER_SIM = 0.9;
const ANSWER_CANDIDATES = 8;
// A term used by more than this share of intents is the knowledge base's subject (视频号), not a topic.
const SUBJECT_SHARE = 0.15;
// A knowledge base of fewer intents than this has no subject a part of a message could name alone.
const MIN_SUBJECT_INTENTS = 20;
const UNEXPLAINED_ENTITY_PENALTY = 0.45;
// A question about another platform is only ours when all of it is: "抖音怎么注销" is not "去抖音好吗".
const OTHER_PLATFORM_PENALTY = 0.5;

// A clause longer than this, typed without punctuation (voice input), is split at discourse words.
const RUN_ON_CHARS = 16;
// A space between two Chinese characters: where a long clause typed as spoken pauses.
const SPACED_HAN = /\p{Script=Han} +\p{Script=Han}/u;
const SPACE_BETWEEN_HAN = /(?<=\p{Script=Han}) +(?=\p{Script=Han})/u;
// Stretches between pauses shorter than this are joined to the one before them.
const MIN_SPOKEN_CHARS = 7;
// Pieces of a run-on clause shorter than this are joined to the piece before them.
const MIN_PIECE_CHARS = 4;
// A clause saying this many words or more is also read in windows of WINDOW tokens, WINDOW_STRIDE apart.
const WINDOW_MIN_SAYS = 10;
const WINDOW = 8;
const WINDOW_STRIDE = 4;

/** Splits long unpunctuated clauses before the words a new thought starts with (但是, 我想问, 如果...). */
export function splitRunOns(clauses: string[], lexicon: Lexicon): string[] {
  if (lexicon.discourse.length === 0 && lexicon.sentenceEnd.size === 0) return clauses;
  // in Chinese chat a space between two characters is a pause: a long clause is read as its sentences
  const spoken = clauses.flatMap((clause) => {
    if ([...clause].length <= RUN_ON_CHARS || !SPACED_HAN.test(clause)) return [clause];
    const out: string[] = [];
    for (const part of clause.split(SPACE_BETWEEN_HAN)) {
      // a short stretch between pauses ("点错", "怎么弄啊") belongs to the sentence before it
      if (out.length > 0 && [...part].length < MIN_SPOKEN_CHARS) out[out.length - 1] += part;
      else out.push(part);
    }
    return out;
  });
  return spoken.flatMap((clause) => {
    if ([...clause].length <= RUN_ON_CHARS) return [clause];
    const cuts: number[] = [];
    for (let i = 1; i < clause.length; i++) {
      // (not after an adverb the marker binds to: 那边还 | 能不能打通 cuts 还能不能 in two)
      // (nor after a conjunction: "因为隐私和因为内容" joins two reasons of one question)
      // (an adverb binds no word that opens a question: 就 | 问一下关入口要多久)
      const marker = lexicon.discourse.find((w) => clause.startsWith(w, i));
      if (marker !== undefined && (!BOUND_BEFORE.has(clause[i - 1]!) || ASKING_OPENER.test(marker)) && !JOINING.has(clause[i - 1]!)) {
        if (i - (cuts.at(-1) ?? 0) >= MIN_PIECE_CHARS) cuts.push(i);
        // a marker inside a marker (想问一下 in 我想问一下) cuts once
        i += lexicon.discourse.find((w) => clause.startsWith(w, i))!.length - 1;
      } else if (
        // a spoken sentence ends at its particle ("…多长时间啊 | 我等下…") when another one follows;
        // a run of particles ("啊啊", "了吧呢") ends once, after its last
        lexicon.sentenceEnd.has(clause[i - 1]!) &&
        !lexicon.sentenceEnd.has(clause[i]!) &&
        i - (cuts.at(-1) ?? 0) >= MIN_PIECE_CHARS &&
        clause.length - i >= MIN_PIECE_CHARS
      ) {
        cuts.push(i);
      }
    }
    if (cuts.length === 0) return [clause];
    const pieces = [0, ...cuts].map((start, k) => clause.slice(start, cuts[k] ?? clause.length).trim());
    const out: string[] = [];
    for (const p of pieces) {
      if (out.length > 0 && [...p].length < MIN_PIECE_CHARS) out[out.length - 1] += p;
      else out.push(p);
    }
    return out.filter(Boolean);
  });
}

// "非X不可": must X.
const MUST = /非(\p{Script=Han}{1,2}?)不可/gu;
// "让X消失", "让它别再出现", "make X disappear": doing away with X (turning it off, hiding it), not X
// lasting or vanishing of itself ("X会消失吗"); not when it is not wanted ("不想让视频一起消失").
const MADE_TO_GO = /(?<!不想|不要|别|不愿|不愿意|不希望|不能|不会)让([^，。？！,?!]{0,14}?)(?:从此|以后|永远|就)?(彻底)?(?:在\p{Script=Han}{1,3})?(消失|没了|没掉|不存在|不见了?|(?:别|不要)再?(?:出现|显示|出来)(?:出来)?)/gu;
const MADE_TO_GO_EN = /\b(?:make|get|have|want|like|need)\s+(.{1,40}?)\s+(?:to\s+)?(?:disappear|vanish|go away)\b/g;

/** A clause with the descriptions the lexicon declares read as their terms ("微信里那个发短片的号" → 视频号). */
function described(clause: string, lexicon: Lexicon): string {
  // 非解不可 (must unbind) says 必须 and the verb, not 是非 (right and wrong)
  let out = clause
    .replace(MUST, "必须$1")
    // (kept from being shown is hidden; made to vanish is done away with)
    .replace(MADE_TO_GO, (_m: string, what: string, thoroughly: string | undefined, how: string) => `把${what}${thoroughly ?? ""}${/出现|显示|出来/.test(how) ? "隐藏" : "关掉"}`)
    .replace(MADE_TO_GO_EN, (_m: string, what: string) => `turn off ${what}`);
  for (const { pattern, term, owners, shadows } of lexicon.descriptions) {
    out = out.replace(pattern, (m: string, ...rest: unknown[]) => {
      const at = rest[rest.length - 2] as number;
      // (a description that names the term itself says more than the term: 微信发现里那个视频号)
      if (m.includes(term)) return m;
      // (nor is an owner inside a longer word one: 企业微信跟那个短片主页 is no 微信's)
      const owner = owners.find((o) => m.startsWith(o));
      if (owner && shadows.some((w) => out.slice(0, at + owner.length).endsWith(w))) return m;
      return term;
    });
  }
  return out;
}

// What an English description refers to ("WeChat's short-video thing / feature / section").
const ENGLISH_HEADS = new Set(["thing", "things", "feature", "features", "function", "section", "part", "page", "account", "platform", "app", "service", "stuff", "tool"]);
// Words between what a thing is and what it belongs to ("… thing in / inside / on WeChat").
const BELONGS = new Set(["in", "inside", "on", "of", "within", "from", "at"]);

/**
 * A description read word by word, as English says it: what it belongs to, then what it does and
 * what it is ("WeChat's short-video feature"), or the other way round ("the short video thing inside
 * WeChat"), read as the term. What it is must be said: "WeChat video call" is no description.
 */
function describedTokens(tokens: Token[], lexicon: Lexicon): Token[] {
  if (lexicon.descriptions.length === 0 || tokens.length < 3) return tokens;
  // (an English word the dictionary read as one of the knowledge base's counts as what it was: section)
  const heads = (t: Token | undefined): boolean =>
    t !== undefined && (ENGLISH_HEADS.has(t.text) || ENGLISH_HEADS.has(t.from ?? "") || lexicon.descriptionHeads.has(t.text));
  for (const d of lexicon.descriptions) {
    if (d.ownerTokens.size === 0) continue;
    for (let i = 0; i < tokens.length; i++) {
      if (!d.kindTokens.has(tokens[i]!.text) || !heads(tokens[i + 1])) continue;
      // the owner before, with at most three function or unknown English words between ("wechat 's
      // built in short video thing")
      let start = -1;
      for (let k = i - 1; k >= Math.max(0, i - 4); k--) {
        if (d.ownerTokens.has(tokens[k]!.text)) { start = k; break; }
        if (tokens[k]!.kind !== "stop" && tokens[k]!.kind !== "latin") break;
      }
      // or after, past a word of belonging ("short video thing inside wechat")
      let end = i + 1;
      if (start < 0) {
        const at = tokens[i + 2] && BELONGS.has(tokens[i + 2]!.text) ? i + 3 : -1;
        if (at < 0 || !d.ownerTokens.has(tokens[at]?.text ?? "")) continue;
        start = i;
        end = at;
      }
      const term: Token = { text: d.term, kind: "term" };
      return describedTokens([...tokens.slice(0, start), term, ...tokens.slice(end + 1)], lexicon);
    }
  }
  return tokens;
}

/**
 * The connective a new thought starts with ("然后要怎么关", "所以粉丝呢") only links it to what came before:
 * dropped when the clause says more, so a knowledge base that gives it a meaning of its own (然后 →
 * next step) reads it only when it stands alone. Premise words (如果) stay: they change the reading.
 */
function dropLeadingDiscourse(clause: string, lexicon: Lexicon): string {
  // only connectives (然后, 但是, 所以: function words of the general data), not words that say something (现在想, 听说)
  const word = lexicon.discourse.find((w) => lexicon.connectives.has(w) && clause.startsWith(w));
  if (!word || /[a-z]$/.test(word)) return clause;
  const rest = clause.slice(word.length).trim();
  return [...rest].length >= 2 ? rest : clause;
}

// Words that refuse what follows them ("不想删号", "别跟我说隐藏", "not just hide"): what they refuse is not asked.
const REFUSING = new Set(["不想", "不要", "别", "不用", "不打算", "不是要", "不是", "并不想", "not", "dont", "without"]);

/** A clause without the words its refusals refuse: the word right after one, when it says something ("不要删"). */
function withoutRefused(tokens: Token[]): Token[] {
  if (!tokens.some((t) => REFUSING.has(t.text))) return tokens;
  // (不用 in a question asks whether it is needed: "不用验证什么吧", "不用解绑吗")
  const asks = tokens.some((t) => ASKING_PARTICLES.has(t.text));
  // (a refusal of what is asked refuses what follows the asking: 不是问隐藏入口 refuses 隐藏, not 问)
  const refused = (i: number): boolean => i > 0 && (REFUSING.has(tokens[i - 1]!.text) || (ASKING_VERBS.has(tokens[i - 1]!.text) && refused(i - 1)));
  return tokens.filter((t, i) => !refused(i) || t.kind === "stop" || (asks && tokens[i - 1]!.text === "不用"));
}
// A clause saying what is not asked: 不是问…, 我不是想问…, 不问…, not asking about …
const NOT_ASKED = /^(?:我|俺)?(?:并|倒)?(?:不是|不)(?:要|想)?(?:问|说|想知道)|^(?:i m |im )?not asking\b/;
// What a refusal of a question refuses through: 不是问 …, 不是想知道 …, not asking about …
const ASKING_VERBS = new Set(["问", "是问", "想问", "要问", "说", "是说", "想知道", "ask", "asking", "about"]);
// Particles that end a question asking yes or no.
const ASKING_PARTICLES = new Set(["吗", "吧", "嘛", "么"]);

/** A clause that says something was done and asks nothing ("关了账号", "注销之后"): the case of the question after it. */
function saysDone(clause: string): boolean {
  return DONE.test(clause) && !QUESTION.test(clause);
}
const DONE = /了|之后|以后|后$|的话$/;

function opensPremise(clause: string, lexicon: Lexicon): boolean {
  // (an English premise word asking, "when did it launch", opens a question, not a premise)
  if (ASKED_WHEN.test(clause)) return false;
  // (after the one it is about: 俺要是不玩了, 我如果注销了)
  const opened = clause.replace(PREMISE_SUBJECT, "");
  return lexicon.premise.some((w) => opened.startsWith(w) && (!/[a-z]$/.test(w) || !/[a-z]/.test(opened[w.length] ?? "")));
}

// Who a premise is about, said before its word (俺要是…, 我们如果…).
const PREMISE_SUBJECT = /^(?:我们|俺们|咱们|你们|他们|她们|我|俺|咱|你|您|他|她|它)(?=\p{Script=Han})/u;

// "when did / will / is …": a question of when, not a premise
const ASKED_WHEN = /^when\s+(?:did|does|do|is|are|was|were|will|would|can|could|should|has|have|had)\b/;

/** Reads a text into canonical tokens with the lexicon (all clauses). */
export function tokenize(text: string, lexicon: Lexicon, opts: { typos?: boolean } = {}): Token[] {
  const { clauses } = normalizeText(text);
  return clauses.flatMap((c) => segment(c, lexicon, opts));
}

// The knowledge base's own texts are read as written: a word of its phrasings or answers is never a
// typo of one of its terms (and the index is built without the sounds of every phrasing)
const AS_WRITTEN = { typos: false };

/** Builds the index from intents' example phrasings. */
export function buildIndex(intents: IndexableIntent[], lexicon: Lexicon): MatchIndex {
  // the knowledge base's own phrasings are read as written, without a bridge of an earlier build
  lexicon.bridge = null;
  // messages look words up in the dictionary: it is read with the index, not by the first message
  preloadDictionary();
  // a title is one more way to ask: quick replies send titles back as messages
  const phrasings = intents.map((i) =>
    i.type === "out-of-scope" || i.examples.includes(i.title) ? i.examples : [...i.examples, i.title],
  );
  const tokenized = intents.map((intent, n) => ({
    examples: phrasings[n]!.map((e) => tokenize(e, lexicon, AS_WRITTEN)),
    keywords: intent.keywords.flatMap((k) => tokenize(k, lexicon, AS_WRITTEN)),
  }));
  // the knowledge base's own words that the lexicon does not list: their sound-alike typos read as them
  const words = new Set<string>();
  for (const { examples, keywords } of tokenized) for (const t of [...examples.flat(), ...keywords]) if (t.kind === "word") words.add(t.text);
  addVocabularySounds(lexicon, words);
  const df = new Map<string, number>();
  const vocab = tokenized.map(({ examples, keywords }) => {
    const v = new Set<string>();
    for (const toks of examples) for (const t of toks) v.add(t.text);
    for (const t of keywords) v.add(t.text);
    for (const t of v) df.set(t, (df.get(t) ?? 0) + 1);
    return v;
  });
  const n = Math.max(1, intents.length);
  const idf = new Map<string, number>();
  for (const [t, d] of df) idf.set(t, Math.log(1 + n / d));
  const answerDf = new Map<string, number>();
  const answerTexts: Token[][] = [];
  const answerVocab = intents.map((intent) => {
    const v = new Set<string>();
    for (const text of intent.answerTexts ?? []) {
      const toks = tokenize(text, lexicon, AS_WRITTEN);
      answerTexts.push(toks);
      for (const t of toks) if (t.kind !== "stop" && t.kind !== "char") v.add(t.text);
    }
    for (const t of v) answerDf.set(t, (answerDf.get(t) ?? 0) + 1);
    return v;
  });
  const answerIdf = new Map<string, number>();
  for (const [t, d] of answerDf) if (!idf.has(t)) answerIdf.set(t, Math.log(1 + n / d));
  const answerPostings = new Map<string, number[]>();
  answerVocab.forEach((v, intent) => {
    for (const t of v) {
      let list = answerPostings.get(t);
      if (!list) answerPostings.set(t, (list = []));
      list.push(intent);
    }
  });
  const unknownIdf = Math.log(1 + n);
  const index: MatchIndex = {
    intentIds: intents.map((i) => i.id),
    intentTypes: intents.map((i) => i.type),
    examples: [],
    exampleNorms: new Float64Array(0),
    postings: new Map(),
    vocab,
    answerVocab,
    answerFigures: intents.map((i) => normalizeText((i.answerTexts ?? []).join(" ")).text.replace(/\s+/g, "")),
    answerPaths: intents.map((i) => (i.answerTexts ?? []).some(givesPath)),
    answerIdf,
    answerPostings,
    gramIds: new Map(),
    idf,
    unknownIdf,
    chatOnly: new Set([...df.keys()].filter((t) => vocab.every((v, i) => !v.has(t) || intents[i]!.type === "smalltalk"))),
    requestIntents: new Set(intents.filter((i) => i.type === "handoff").map((i) => i.id)),
    smallTalkIntents: new Set(intents.filter((i) => i.type === "smalltalk").map((i) => i.id)),
    requestWords: new Set(vocab.flatMap((v, i) => (intents[i]!.type === "handoff" ? [...v] : [])).filter((t) => !lexicon.stopwords.has(t))),
    lexicon,
    local: [...df.keys(), ...answerIdf.keys()].some((t) => CITY.test(t)),
  };
  lexicon.bridge = bridgeFor([...tokenized.flatMap(({ examples, keywords }) => [...examples, keywords]), ...answerTexts], lexicon);
  // its frequent words by their pinyin initials (tp, sph), unless the initials are English the bridge reads
  const saidIn = new Map(df);
  for (const [t, d] of answerDf) saidIn.set(t, Math.max(saidIn.get(t) ?? 0, d));
  const bridge = lexicon.bridge;
  addInitials(lexicon, saidIn, (key) => bridge.english.has(key));
  tokenized.forEach(({ examples }, intent) => {
    const texts = phrasings[intent]!;
    for (const [k, toks] of examples.entries()) {
      if (toks.length === 0) continue;
      const weights = weigh(toks, index);
      const id = index.examples.length;
      const canonical = toks.map((t) => t.text).join(" ");
      index.examples.push({ intent, text: texts[k]!, weights, total: sum(weights), canonical, grams: gramIdsOf(bigrams(canonical), index.gramIds) });
      for (const t of weights.keys()) {
        let list = index.postings.get(t);
        if (!list) index.postings.set(t, (list = []));
        list.push(id);
      }
    }
  });
  index.exampleNorms = Float64Array.from(index.examples, (ex) => Math.pow(ex.total, -EXAMPLE_SHARE));
  return index;
}

/**
 * The dictionary bridge of a knowledge base, from the texts it is read from (as tokens), with the
 * lexicon's surface forms of the terms they use and its entities.
 */
function bridgeFor(texts: Token[][], lexicon: Lexicon): ReturnType<typeof buildBridge> {
  const vocab = new Set<string>();
  for (const toks of texts) for (const t of toks) vocab.add(t.text);
  for (const entity of lexicon.entityOf.keys()) vocab.add(entity);
  const han = (s: string): boolean => /^\p{Script=Han}+$/u.test(s);
  const forms = new Map<string, Token[]>();
  for (const entity of lexicon.entityOf.keys()) if (han(entity)) forms.set(entity, [{ text: entity, kind: "term" }]);
  for (const [surface, canonical] of lexicon.surfaces) {
    if (!forms.has(surface) && han(surface) && vocab.has(canonical) && !lexicon.stopwords.has(canonical)) forms.set(surface, [{ text: canonical, kind: "term" }]);
  }
  const unused = new Set([...lexicon.surfaces.values()].filter((w) => han(w) && !vocab.has(w) && !lexicon.stopwords.has(w)));
  return buildBridge({ texts, forms, vocab, stopwords: lexicon.stopwords, unused });
}

function weigh(tokens: Token[], index: MatchIndex): Map<string, number> {
  const w = new Map<string, number>();
  for (const t of tokens) {
    const known = index.idf.get(t.text) ?? index.answerIdf.get(t.text);
    const unknown = t.kind === "latin" ? UNKNOWN_LATIN_FACTOR : index.lexicon.story.has(t.text) ? STORY_WORD_FACTOR : UNKNOWN_FACTOR;
    const value = KIND_WEIGHT[t.kind] * (t.weight ?? 1) * (known ?? index.unknownIdf * unknown);
    w.set(t.text, Math.max(w.get(t.text) ?? 0, value));
  }
  return w;
}

/** The ids of a set of bigrams, new ones added to the index's table. */
function gramIdsOf(grams: Set<string>, table: Map<string, number>): Int32Array {
  const ids = new Int32Array(grams.size);
  let i = 0;
  for (const g of grams) {
    let id = table.get(g);
    if (id === undefined) table.set(g, (id = table.size));
    ids[i++] = id;
  }
  return ids;
}

/** Character bigrams of each token of a canonical reading (single characters stand for themselves). */
function bigrams(canonical: string): Set<string> {
  const out = new Set<string>();
  for (const word of canonical.split(" ")) {
    const chars = [...word];
    if (chars.length === 1) out.add(chars[0]!);
    for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  }
  return out;
}

function sum(m: Map<string, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}

interface Scored {
  candidates: Candidate[];
  confidence: number;
  tokens: Token[];
}

/** Options of a match: leave one indexed example out (for leave-one-out evaluation). */
export interface MatchOptions {
  excludeExample?: number;
}

/** Scores clean clauses against the index. */
function scoreText(all: Token[], index: MatchIndex, opts: MatchOptions): Scored {
  const whole = scoreTokens(all, index, opts);
  // "你好，视频号怎么关": the greeting is not the question when the rest reads as a clearer one
  if (!all.some((t) => index.chatOnly.has(t.text))) return whole;
  const rest = all.filter((t) => !index.chatOnly.has(t.text));
  if (!rest.some((t) => t.kind !== "stop" && index.idf.has(t.text) && !index.lexicon.frames.has(t.text))) return whole;
  const withoutChat = scoreTokens(rest, index, opts);
  return withoutChat.confidence > whole.confidence && withoutChat.confidence >= CLEARER_QUESTION ? withoutChat : whole;
}

function scoreTokens(tokens: Token[], index: MatchIndex, opts: MatchOptions): Scored {
  if (tokens.length === 0) return { candidates: [], confidence: 0, tokens };
  const q = weigh(tokens, index);
  const qTotal = sum(q);
  // the message's words and weights as two arrays: read many times below without an entry per read
  const qTerms: string[] = [];
  const qWeights: number[] = [];
  q.forEach((w, t) => {
    qTerms.push(t);
    qWeights.push(w);
  });

  // candidates: examples sharing the most weight with the message, rarest tokens first; the
  // accumulator is a typed array kept on the index, so a query allocates almost nothing
  const { acc, touched } = scratch(index);
  let nTouched = 0;
  const byRarity = [...q.entries()].filter(([t]) => index.postings.has(t)).sort((a, b) => b[1] - a[1]);
  // (the accumulated weight of an example is its exact overlap with the message, unless a token was skipped)
  let skipped = false;
  for (const [t, w] of byRarity) {
    const list = index.postings.get(t)!;
    if (list.length > MAX_POSTINGS_SCAN && nTouched > 0) {
      skipped = true;
      continue;
    }
    for (let j = 0; j < list.length; j++) {
      const e = list[j]!;
      if (e === opts.excludeExample) continue;
      if (acc[e] === 0) touched[nTouched++] = e;
      acc[e] = acc[e]! + w;
    }
  }
  // short-listed by the similarity itself (the overlap over the example's length factor), so the
  // examples most like the message are the ones scored whatever their length
  const norms = index.exampleNorms;
  for (let j = 0; j < nTouched; j++) acc[touched[j]!] = acc[touched[j]!]! * norms[touched[j]!]!;
  const top = topK(touched, nTouched, acc, MAX_CANDIDATES);
  const overlaps = top.map((e) => acc[e]! / norms[e]!);
  for (let j = 0; j < nTouched; j++) acc[touched[j]!] = 0;

  const best = new Map<number, { sim: number; example: number }>();
  // the similarity (overlap / qTotal)^(1 - s) × (overlap / total)^s, as overlap × total^-s × qTotal^(s - 1)
  const qNorm = Math.pow(qTotal, EXAMPLE_SHARE - 1);
  for (let k = 0; k < top.length; k++) {
    const e = top[k]!;
    const ex = index.examples[e]!;
    let overlap = overlaps[k]!;
    if (skipped) {
      overlap = 0;
      for (let j = 0; j < qTerms.length; j++) if (ex.weights.has(qTerms[j]!)) overlap += qWeights[j]!;
    }
    const sim = overlap * norms[e]! * qNorm;
    const prev = best.get(ex.intent);
    if (!prev || sim > prev.sim) best.set(ex.intent, { sim, example: e });
  }

  // intents whose answers say the message's words though none of their phrasings does: the answer is
  // a field of its own, so a question nobody phrased yet still finds the paragraph that answers it
  const answerAcc = new Map<number, number>();
  for (let j = 0; j < qTerms.length; j++) {
    const t = qTerms[j]!;
    const w = qWeights[j]!;
    // (a slot's value says which variant of an answer, not which answer: 我是个人号)
    if (index.lexicon.frames.has(t) || index.lexicon.roleOf.get(t) === "slot") continue;
    const list = index.answerPostings.get(t);
    // (a word nearly every answer says short-lists nothing, and would cost a pass over all of them)
    if (!list || list.length > MAX_POSTINGS_SCAN) continue;
    for (const intent of list) answerAcc.set(intent, (answerAcc.get(intent) ?? 0) + w);
  }
  for (const intent of topEntries(answerAcc, ANSWER_CANDIDATES)) {
    if (!best.has(intent)) best.set(intent, { sim: 0, example: -1 });
  }

  const ranked = [...best.entries()]
    .map(([intent, { sim }]) => {
      let covered = 0;
      const vocab = index.vocab[intent]!;
      const answerVocab = index.answerVocab[intent]!;
      for (let j = 0; j < qTerms.length; j++) {
        if (vocab.has(qTerms[j]!)) covered += qWeights[j]!;
        else if (answerVocab.has(qTerms[j]!)) covered += ANSWER_SHARE * qWeights[j]!;
      }
      const answered = (answerAcc.get(intent) ?? 0) / qTotal;
      return { intent, raw: 0.65 * Math.max(sim, ANSWER_SIM * answered) + 0.35 * (covered / qTotal) };
    })
    .sort((a, b) => b.raw - a.raw)
    .slice(0, 6);

  // character bigrams of the message's canonical reading against the short-listed phrasings': a
  // fuzzy character score that costs a set lookup per bigram (fuse.js's bitap cost 60% of a match)
  const qGrams = bigrams(tokens.map((t) => t.text).join(" ").slice(0, CHAR_PATTERN_MAX));
  const qIds = new Set<number>();
  for (const g of qGrams) {
    const id = index.gramIds.get(g);
    if (id !== undefined) qIds.add(id);
  }
  const charBest = new Map<number, number>();
  if (qGrams.size > 0) {
    for (let k = 0; k < top.length; k++) {
      const ex = index.examples[top[k]!]!;
      if (!ranked.some((r) => r.intent === ex.intent)) continue;
      let shared = 0;
      for (let j = 0; j < ex.grams.length; j++) if (qIds.has(ex.grams[j]!)) shared++;
      // squared: a partial overlap of characters says less than a whole one
      const dice = (2 * shared) / (qGrams.size + ex.grams.length);
      const s = dice * dice;
      if (s > (charBest.get(ex.intent) ?? 0)) charBest.set(ex.intent, s);
    }
  }

  const entities = tokens.map((t) => t.text).filter((t) => index.lexicon.entityOf.has(t));
  // a place a knowledge base about one city never names is another city's question ("上海的路边停车月卡")
  // (people of a place are not the place: 香港人可以办吗)
  const elsewhere =
    index.local &&
    tokens.some((t, i) => index.lexicon.places.has(t.text) && !index.idf.has(t.text) && !index.answerIdf.has(t.text) && !PEOPLE.has(tokens[i + 1]?.text ?? ""));
  // and so is an app or service it never names ("爱奇艺黄金会员多少钱", "delete my Snapchat")
  const otherProduct = tokens.some((t) => index.lexicon.products.has(t.text) && !index.idf.has(t.text) && !index.answerIdf.has(t.text));
  const content = tokens.filter((t) => t.kind !== "stop");
  const hasUnknown = content.some((t) => !index.idf.has(t.text) && !index.answerIdf.has(t.text) && !index.lexicon.story.has(t.text));
  // only question frames and particles ("啥", "怎么办"): nothing says what the question is about
  const framesOnly = content.length === 0;
  const candidates = ranked
    .map(({ intent, raw }) => {
      let score = 0.85 * raw + 0.15 * (charBest.get(intent) ?? 0);
      if (framesOnly) score *= FRAME_ONLY_PENALTY;
      const vocab = index.vocab[intent]!;
      // only the question's frame matched ("怎么做", "去哪") while other words are unknown: 红烧肉怎么做
      const explains = (t: Token): boolean => (vocab.has(t.text) || index.answerVocab[intent]!.has(t.text)) && !index.lexicon.frames.has(t.text);
      if (hasUnknown && !content.some(explains)) score *= FRAME_ONLY_PENALTY;
      // (another subject named with a word this intent does not explain is that subject's question:
      // once, however many other subjects the message names — "抖音、小红书、B站哪个成本最低" compares them)
      let otherSubject = false;
      for (const ent of entities) {
        const role = index.lexicon.roleOf.get(ent);
        if (role === "veto") score *= FOREIGN_PENALTY;
        else if (role !== "slot" && !vocab.has(ent)) score *= UNEXPLAINED_ENTITY_PENALTY;
        else if (role === "other-subject" && tokens.some((t) => t.kind === "term" && !vocab.has(t.text) && !index.answerVocab[intent]!.has(t.text) && !isSubject(t.text, index))) {
          otherSubject = true;
        }
      }
      if (otherSubject) score *= OTHER_PLATFORM_PENALTY;
      if (elsewhere) score *= FOREIGN_PENALTY;
      if (otherProduct) score *= FOREIGN_PENALTY;
      return { intentId: index.intentIds[intent]!, score: round(Math.min(1, score)) };
    })
    .sort((a, b) => b.score - a.score);
  return { candidates, confidence: candidates[0]?.score ?? 0, tokens };
}

// An English clause that asks (people type the question mark last, if at all).
// (after a word or two that only open it: "so how can I…", "ok but is there…")
const ASKS_IN_ENGLISH = /^(?:(?:so|and|but|ok|okay|well|then|hey|hi|also|just|please|pls|sorry)\s+){0,2}(?:what|how|why|when|where|which|who|whom|whose|can|could|is|are|does|do|did|will|would|should|shall|may)\b/;

/**
 * The part of an over-long message that is read, at most MAX_READ_CHARS: the clauses that ask first
 * (a long story usually ends with its question), then the last clause, then the clauses in order from
 * the first. A clause longer than the whole budget is read by its start and its end.
 */
function readablePart(norm: NormalizedText): string {
  const clauses: Array<{ text: string; asks: boolean }> = [];
  for (const c of norm.clauses) {
    const asks = norm.marked.has(c) || QUESTION.test(c) || ASKS_IN_ENGLISH.test(c);
    const chars = [...c];
    if (chars.length <= MAX_READ_CHARS) clauses.push({ text: c, asks });
    else {
      // (each part with the break after it within the budget)
      const head = Math.floor(MAX_READ_CHARS / 3) - 1;
      const start = chars.slice(0, head).join("").trim();
      const end = chars.slice(chars.length - (MAX_READ_CHARS - head - 2)).join("").trim();
      clauses.push({ text: start, asks: QUESTION.test(start) }, { text: end, asks });
    }
  }
  const last = clauses.length - 1;
  const order = [
    ...clauses.map((c, i) => (c.asks ? i : -1)).filter((i) => i >= 0).reverse(),
    last,
    ...clauses.map((_, i) => i),
  ];
  const kept = new Set<number>();
  let used = 0;
  for (const i of order) {
    if (kept.has(i)) continue;
    const length = [...clauses[i]!.text].length + 1;
    if (used + length > MAX_READ_CHARS) continue;
    kept.add(i);
    used += length;
  }
  // (re-read as clauses: a clause that asked keeps its question mark)
  return clauses
    .filter((_, i) => kept.has(i))
    .map((c) => c.text + (norm.marked.has(c.text) ? "？" : "，"))
    .join("");
}

/**
 * Drops the dictionary's translations no other word of the message backs: a translated word is
 * kept when some intent uses it together with another word of the message (not a question frame,
 * not read from the same English words). An English word alone
 * ("kinda slow") is more often the message's wording than a question of the knowledge base.
 */
function corroborated(clauses: Token[][], index: MatchIndex): Token[][] {
  const all = clauses.flat();
  if (!all.some((t) => t.from !== undefined)) return clauses;
  const lex = index.lexicon;
  const content = all.filter((t) => t.kind !== "stop" && t.kind !== "number" && !lex.frames.has(t.text));
  const backed = (t: Token): boolean =>
    index.vocab.some((v, i) => {
      const uses = (x: string): boolean => v.has(x) || index.answerVocab[i]!.has(x);
      return uses(t.text) && content.some((o) => o.from !== t.from && o.text !== t.text && uses(o.text));
    });
  // two of the knowledge base's own terms read from different English words ("foreigners … transit
  // card" → 外籍人士, 交通卡) back each other, though no one intent says both
  const known = (t: Token): boolean => t.kind === "term" && index.idf.has(t.text) || index.answerIdf.has(t.text) && t.kind === "term";
  const terms = content.filter((t) => t.from !== undefined && known(t));
  const paired = (t: Token): boolean => known(t) && terms.some((o) => o.from !== t.from && o.text !== t.text);
  const keep = new Map<Token, boolean>();
  for (const t of all) if (t.from !== undefined) keep.set(t, backed(t) || paired(t));
  return clauses.map((toks) => toks.filter((t) => keep.get(t) !== false));
}

// Per index: the weight each example shares with the message, and which examples have any.
const scratches = new WeakMap<MatchIndex, { acc: Float64Array; touched: Int32Array }>();
function scratch(index: MatchIndex): { acc: Float64Array; touched: Int32Array } {
  let s = scratches.get(index);
  if (!s || s.acc.length < index.examples.length) {
    s = { acc: new Float64Array(index.examples.length), touched: new Int32Array(index.examples.length) };
    scratches.set(index, s);
  }
  return s;
}

/** The keys of the k highest values, best first (ties in insertion order), without sorting them all. */
function topEntries(values: Map<number, number>, k: number): number[] {
  const out: Array<[number, number]> = [];
  values.forEach((value, key) => {
    if (out.length === k && value <= out[k - 1]![1]) return;
    let i = out.length === k ? k - 1 : out.length;
    while (i > 0 && out[i - 1]![1] < value) i--;
    out.splice(i, 0, [key, value]);
    if (out.length > k) out.pop();
  });
  return out.map(([key]) => key);
}

/** The k examples with the highest accumulated weight, in no particular order (a partial selection, not a sort). */
function topK(touched: Int32Array, n: number, acc: Float64Array, k: number): number[] {
  if (n <= k) return Array.from(touched.subarray(0, n));
  // the k-th largest value by a bounded min-heap over the touched examples
  const heap: number[] = [];
  const less = (a: number, b: number): boolean => acc[a]! < acc[b]!;
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      const swap = heap[i]!;
      heap[i] = heap[m]!;
      heap[m] = swap;
      i = m;
    }
  };
  for (let j = 0; j < n; j++) {
    const e = touched[j]!;
    if (heap.length < k) {
      heap.push(e);
      for (let i = heap.length - 1; i > 0; ) {
        const p = (i - 1) >> 1;
        if (!less(heap[i]!, heap[p]!)) break;
        const swap = heap[i]!;
        heap[i] = heap[p]!;
        heap[p] = swap;
        i = p;
      }
    } else if (acc[e]! > acc[heap[0]!]!) {
      heap[0] = e;
      down(0);
    }
  }
  return heap;
}

// A name quoted in a message: “…”, 「…」, 『…』, "…", ‘…’ (not the ASCII apostrophe of English).
const QUOTED = /[“「『"‘]([^”」』"’“「『"‘]{1,16})[”」』"’]/g;
// What a message that quotes a name the knowledge base never says keeps of its scores.
const QUOTED_UNKNOWN_PENALTY = 0.5;
// The knowledge base's own texts, clean and without spaces, read when a message quotes something.
const saidTexts = new WeakMap<MatchIndex, string>();

/**
 * Whether a message quotes a name the knowledge base never says: a Chinese name written nowhere in
 * its phrasings, answers or lexicon; an English one none of whose words it reads as its own.
 */
function quotesUnknown(rawText: string, index: MatchIndex): boolean {
  const raw = rawText.normalize("NFKC");
  if (!/[“「『"‘]/.test(raw)) return false;
  for (const [, span] of raw.matchAll(QUOTED)) {
    const clean = normalizeText(span!).text.replace(/\s+/g, "");
    if (!clean) continue;
    if (/\p{Script=Han}/u.test(clean)) {
      let said = saidTexts.get(index);
      if (said === undefined) {
        said = [...index.examples.map((e) => e.text), ...index.answerFigures, ...index.lexicon.surfaces.keys()].map((t) => normalizeText(t).text.replace(/\s+/g, "")).join("|");
        saidTexts.set(index, said);
      }
      if (!said.includes(clean)) return true;
    } else if (!tokenize(span!, index.lexicon).some((t) => t.kind !== "stop" && (index.idf.has(t.text) || index.answerIdf.has(t.text)))) {
      return true;
    }
  }
  return false;
}

// "How long does X take": the time doing X takes (耗时), not how long something lasts (多久).
const TIME_TAKEN = /\bhow long\b.*\b(?:take|takes|took|taking)\b/;

/** An English clause asking how long doing something takes reads as that, not as how long a thing lasts. */
function timeTaken(tokens: Token[], clause: string, lexicon: Lexicon): Token[] {
  if (!TIME_TAKEN.test(clause)) return tokens;
  const lasts = lexicon.surfaces.get("how long");
  const takes = lexicon.surfaces.get("take");
  if (!lasts || !takes || lasts === takes || !tokens.some((t) => t.text === takes)) return tokens;
  return tokens.filter((t) => t.text !== lasts);
}

// How far below the best a candidate may score and still be preferred for giving the figure asked for.
const FIGURE_MARGIN = 0.1;

/**
 * The candidates with the first one whose answer gives the figure the question asks for (多久 → a
 * duration, 几张 → a count of 张) put first, when the best does not give one and it scores close:
 * an answer that cannot say what was asked is not the answer, however alike its words.
 */
function givingFigure(candidates: Candidate[], text: string, index: MatchIndex): Candidate[] {
  const top = candidates[0];
  if (!top || candidates.length < 2) return candidates;
  const figure = figureAsked(text);
  // (a question of where or how to get somewhere is answered by a path through menus)
  const path = !figure && pathAsked(text);
  if (!figure && !path) return candidates;
  const gives = (c: Candidate): boolean => {
    const at = index.intentIds.indexOf(c.intentId);
    return figure ? figure(index.answerFigures[at] ?? "") : index.answerPaths[at] === true;
  };
  if (gives(top)) return candidates;
  const k = candidates.findIndex((c, i) => i > 0 && c.score >= top.score - FIGURE_MARGIN && gives(c));
  if (k < 0) return candidates;
  // (it takes the best's place and score: the order of scores is the order of the candidates)
  const out = candidates.map((c) => ({ ...c }));
  const chosen = out.splice(k, 1)[0]!;
  [chosen.score, out[0]!.score] = [top.score, chosen.score];
  return [chosen, ...out].sort((a, b) => b.score - a.score);
}

/**
 * A part of a message that says more, read as small talk ("你好俺跟你说俺这几年…" opening a long
 * question): the greeting is how the message begins, not what it asks.
 */
function smallTalkPart(part: Scored, messageSays: number, index: MatchIndex): boolean {
  const top = part.candidates[0];
  return top !== undefined && messageSays >= FRAGMENT_CONTEXT && index.smallTalkIntents.has(top.intentId);
}

function isSubject(term: string, index: MatchIndex): boolean {
  const idf = index.idf.get(term);
  return idf !== undefined && idf <= Math.log(1 + 1 / SUBJECT_SHARE);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Ranks the intents for a message. Long messages are read clause by clause and the clause that
 * reads most clearly as a question of the knowledge base wins; markup and noise score nothing.
 */
export function matchIntent(rawText: string, index: MatchIndex, opts: MatchOptions = {}): MatchResult {
  const norm = normalizeText(rawText);
  let text = norm.text;
  const truncated = [...text].length > MAX_READ_CHARS;
  if (truncated) text = readablePart(norm);
  const entitiesOf = (tokens: Token[]): string[] =>
    [...new Set(tokens.map((t) => t.text).filter((t) => index.lexicon.entityOf.has(t)))];
  if (!text) return { candidates: [], text, tokens: [], confidence: 0, noise: "empty", truncated, entities: [] };
  if (norm.markupShare > 0.5) {
    return { candidates: [], text, tokens: [], confidence: 0, noise: "markup", truncated, entities: [] };
  }

  // (a message cut to what is read is normalised again, once)
  const read = truncated ? normalizeText(text) : norm;
  const clauses = splitRunOns(read.clauses.map((c) => described(c, index.lexicon)), index.lexicon)
    .map((c) => dropLeadingDiscourse(c, index.lexicon))
    // a clause that is only a connective ("不问这个了", "然后") says nothing of the question beside the others,
    // and one that says what is not asked ("不是问隐藏入口，是问…") is no question beside the one that is
    .filter((c, _i, all) => all.length === 1 || (!index.lexicon.connectives.has(c) && !NOT_ASKED.test(c)));
  const clauseTokens = corroborated(
    clauses.map((c) => describedTokens(segment(c, index.lexicon), index.lexicon)),
    index,
  )
    .map(withoutRefused)
    .map((toks, i) => timeTaken(toks, clauses[i]!, index.lexicon));
  let best = scoreText(clauseTokens.flat(), index, opts);
  // every reading scored, for what the others say of the one chosen (below)
  const readings: Scored[] = [best];
  const allTokens = best.tokens;
  let bestText = text;
  const says = (toks: Token[]): number => toks.filter((t) => t.kind !== "stop" && !index.lexicon.frames.has(t.text)).length;
  // what a part says besides the knowledge base's subject: 申请公租房 out of a story to a rental-housing
  // guide says only what every question of it says (the frame of its question counts: 关闭视频号之后…会保留
  // 多久 says what it asks); in a knowledge base of a few intents every word is its subject, so none is
  const saysBesidesSubject =
    index.intentIds.length >= MIN_SUBJECT_INTENTS ? (toks: Token[]): number => toks.filter((t) => t.kind !== "stop" && !isSubject(t.text, index)).length : says;
  const messageSays = says(allTokens);
  let bestRank = best.confidence * (QUESTION.test(text) ? 1 : STORY_WEIGHT);
  if (clauses.length > 1 && [...text].length > 24) {
    // each clause and each pair of neighbours, once; a message of many tiny clauses is read up to a bound
    const seen = new Set<string>();
    // a piece naming no term of the lexicon ("前面都挺顺利") cannot be the question: not scored,
    const pieces = [...clauses.map((_, i) => [i]), ...clauses.slice(1).map((_, i) => [i, i + 1])].filter((p) => {
      const key = p.map((i) => clauses[i]).join(" ");
      if (seen.has(key)) return false;
      seen.add(key);
      // a premise ("如果注销了") is read with the clause after it, not alone
      if (p.length === 1 && p[0]! < clauses.length - 1 && opensPremise(clauses[p[0]!]!, index.lexicon)) return false;
      // and so is a clause that says what was done ("关了账号") before a clause that asks what then
      if (p.length === 1 && p[0]! < clauses.length - 1 && saysDone(clauses[p[0]!]!) && QUESTION.test(clauses[p[0]! + 1]!)) return false;
      // two or three English words in a message that says more ("new role: …") label it, they do not ask
      const toks = p.flatMap((i) => clauseTokens[i]!);
      if (toks.length > 0 && toks.every((t) => t.from !== undefined) && new Set(toks.map((t) => t.from)).size < 3) return false;
      // nor one naming only the question's frame ("有没有什么办法", "要多久"): it asks, the rest says what;
      // nor a greeting ("喂你好") opening a message that goes on to say what it wants
      return p.some((i) => clauseTokens[i]!.some((t) => t.kind === "term" && !index.lexicon.frames.has(t.text) && !index.chatOnly.has(t.text)));
    });
    // the story around a question reads like other questions: a piece that asks something wins ties
    const asks = (piece: number[]): boolean => piece.some((i) => QUESTION.test(clauses[i]!));
    bestRank = best.confidence * (asks(clauses.map((_, i) => i)) ? 1 : STORY_WEIGHT);
    for (const piece of pieces.slice(0, MAX_PIECES)) {
      const pieceTokens = piece.flatMap((i) => clauseTokens[i]!);
      let weight = asks(piece) ? 1 : STORY_WEIGHT;
      // (a request for a person asks with no question word: 我要找你们那边的人工)
      const mayRequest = weight < 1 && pieceTokens.some((t) => index.requestWords.has(t.text) && t.from === undefined);
      // (a confidence is at most 1: a piece that could not outrank the best even so is not scored)
      const surelyFragment = saysBesidesSubject(pieceTokens) <= 1 && messageSays >= FRAGMENT_CONTEXT;
      if ((mayRequest ? 1 : weight) * (surelyFragment ? STORY_WEIGHT : 1) <= bestRank) continue;
      const s = scoreText(pieceTokens, index, opts);
      if (smallTalkPart(s, messageSays, index)) continue;
      readings.push(s);
      if (mayRequest && s.candidates[0] && index.requestIntents.has(s.candidates[0].intentId)) weight = 1;
      // one word read alone out of a message that says much more ("打通") is a fragment, not the question
      const fragment = saysBesidesSubject(s.tokens) <= 1 && messageSays >= FRAGMENT_CONTEXT ? STORY_WEIGHT : 1;
      const rank = s.confidence * weight * fragment;
      if (rank > bestRank) {
        best = s;
        bestRank = rank;
        bestText = piece.map((i) => clauses[i]).join(" ");
      }
    }
  }
  // a long stretch typed without a pause (voice input no rule could split) is also read a few words
  // at a time: its question is one of them ("…再也不用了那个步骤是怎么走的你一步一步跟我说清楚…")
  for (const toks of clauseTokens) {
    if (says(toks) < WINDOW_MIN_SAYS) continue;
    for (let at = 0; at + WINDOW < toks.length + WINDOW_STRIDE; at += WINDOW_STRIDE) {
      const window = toks.slice(at, at + WINDOW);
      const windowText = window.map((t) => t.text).join("");
      const weight = QUESTION.test(windowText) ? 1 : STORY_WEIGHT;
      if (weight <= bestRank) continue;
      const sc = scoreText(window, index, opts);
      if (smallTalkPart(sc, messageSays, index)) continue;
      readings.push(sc);
      const fragment = saysBesidesSubject(sc.tokens) <= 1 ? STORY_WEIGHT : 1;
      const rank = sc.confidence * weight * fragment;
      if (rank > bestRank) {
        best = sc;
        bestRank = rank;
        bestText = windowText;
      }
    }
  }
  // another reading of the message (the whole, a part, a window) agreeing on what is asked corroborates it
  const topId = best.candidates[0]?.intentId;
  let agreeing = 0;
  // (no candidate agrees with no candidate: a reading that found nothing corroborates nothing)
  for (const r of readings) {
    const top = r.candidates[0];
    if (r !== best && top !== undefined && top.intentId === topId) agreeing = Math.max(agreeing, top.score);
  }
  if (best.candidates[0] && agreeing > 0) {
    const c = best.candidates[0].score;
    const lifted = round(c + (1 - c) * agreeing * AGREE);
    best = { ...best, confidence: lifted, candidates: [{ ...best.candidates[0], score: lifted }, ...best.candidates.slice(1)] };
  }
  let candidates = givingFigure(best.candidates, bestText, index);
  let elsewhere = 1;
  // a thing the knowledge base turns away (another app, another feature) said in any clause is what the message
  // is about, though the clause read as its question does not name it ("deactivate instagram? | need a break")
  // (a clause that asks about it: a story's mention of another app is no question about it)
  const vetoed = (toks: Array<{ text: string }>): boolean => toks.some((t) => index.lexicon.roleOf.get(t.text) === "veto");
  const asksVetoed =
    clauses.length > 1 && clauses.some((c, i) => (QUESTION.test(c) || read.marked.has(c) || ASKS_IN_ENGLISH.test(c)) && vetoed(clauseTokens[i]!));
  if (asksVetoed && !vetoed(best.tokens)) elsewhere *= FOREIGN_PENALTY;
  // a name in quotation marks that the knowledge base never says ("看一看", “越狱成功”) is what the message is about
  if (quotesUnknown(rawText, index)) elsewhere *= QUOTED_UNKNOWN_PENALTY;
  // words to the assistant about its instructions ("ignore previous instructions", 忽略之前的设定) ask nothing of the knowledge base
  if (index.lexicon.commands.some((c) => norm.text.includes(c))) elsewhere *= FOREIGN_PENALTY;
  if (elsewhere < 1) candidates = candidates.map((c) => ({ ...c, score: round(c.score * elsewhere) }));
  return {
    candidates,
    text: bestText,
    tokens: best.tokens.map((t) => t.text),
    confidence: candidates[0]?.score ?? 0,
    truncated,
    entities: entitiesOf(allTokens),
  };
}
