import { readFileSync } from "node:fs";
import { pinyin } from "pinyin-pro";
import { parse } from "yaml";
import type { EntityRole, LexiconFile } from "../knowledge/schema.js";
import type { DictionaryBridge } from "./bridge.js";
import { normalizeText } from "./normalize.js";

/** The compiled synonyms, stopwords and entities the matcher reads with. */
export interface Lexicon {
  /** Surface form (clean text) → canonical term. */
  surfaces: Map<string, string>;
  /** Longest surface form, in characters. */
  maxSurface: number;
  stopwords: Set<string>;
  /** Canonical term → entity group, as the lexicon names it. */
  entityOf: Map<string, string>;
  /** Canonical term → the role its group declares (veto, other-subject, component, slot). */
  roleOf: Map<string, EntityRole>;
  /** Canonical terms that only frame a question (步骤, 多久, 原因...): they say what is asked, not about what. */
  frames: Set<string>;
  /** Fuzzy pinyin of multi-character CJK surfaces → canonical term (homophone typos). */
  soundsLike: Map<string, string>;
  /** The same keys → the surface they were made from (干净 for the term 彻底): how the typo should have been spelled. */
  soundsLikeSurface: Map<string, string>;
  /** Toneless pinyin of CJK surfaces and stopwords → token (pinyin typed in Latin letters). */
  spelled: Map<string, string>;
  maxSpelled: number;
  /** Words a new thought starts with (general language data), longest first. */
  discourse: string[];
  /** Words that open a premise (如果, 要是): such a clause is not a question on its own. */
  premise: string[];
  /** Particles that end a spoken sentence (啊, 呢, 吗): a run-on clause may be split after them. */
  sentenceEnd: Set<string>;
  /** Discourse words that are function words of the general data (然后, 但是): they only link a clause to the one before. */
  connectives: Set<string>;
  /** Single characters the general data calls function words (的, 了, 吗): never the first or last sound of a typo. */
  particles: Set<string>;
  /** Cities, provinces and regions of the general data (canonical tokens). */
  places: Set<string>;
  /** Apps, sites and services (爱奇艺, Snapchat): a message about one the knowledge base never names is another's question. */
  products: Set<string>;
  /** Fuzzy pinyin of the knowledge base's other words (from its phrasings) → the word: typos of words no lexicon entry lists. */
  vocabSounds: Map<string, string>;
  /** The knowledge base's own words (of two characters or more) that no lexicon entry lists. */
  vocabWords: Set<string>;
  /** Initials of the pinyin of the knowledge base's frequent words (tp → 退票, sph → 视频号), as people abbreviate them in chat. */
  initials: Map<string, string>;
  /** Latin abbreviations that are never a word's initials (pc, gb, jd). */
  abbreviations: Set<string>;
  /** English words and phrases → the knowledge base's words, through the dictionary (set when the index is built). */
  bridge: DictionaryBridge | null;
  /** Descriptions of terms the lexicon declares ("微信里那个发短片的号" → 视频号), each with its term. */
  descriptions: Description[];
  /** What a description refers to (功能, 账号, 平台 …), as tokens. */
  descriptionHeads: Set<string>;
  /** Words of the speaker's life that tell the story around a question (孙子, 退休, 前两天): general language data. */
  story: Set<string>;
  /** Phrases that speak to the assistant about its instructions ("ignore previous", 系统提示词): general language data. */
  commands: string[];
}

const CJK = /\p{Script=Han}/u;

/** Plain toneless pinyin syllables of a CJK string. */
export function syllables(s: string): string[] {
  return pinyin(s, { toneType: "none", type: "array", v: true }).map((p) => p.toLowerCase());
}

/** Folds the sounds people mix up when typing by pinyin (zh/z, ch/c, sh/s, -ng/-n). */
export function fuzzySyllable(p: string): string {
  return p
    .replace(/^zh/, "z")
    .replace(/^ch/, "c")
    .replace(/^sh/, "s")
    .replace(/ng$/, "n");
}

/** Cleans a lexicon word the way messages are cleaned, so both meet in the same form. */
export function cleanWord(w: string): string {
  return normalizeText(w).text;
}

// Linking characters one term may be written with in place of another (账号与安全 / 账号和安全).
const LINKS = ["与", "和", "及"];
// How many forms one term gains from the other forms of the words it is made of.
const MAX_COMPOUND_FORMS = 12;

/**
 * Gives a term of several words the forms its words have ("中小博主" is also 中小创作者 where 博主 is a
 * form of 创作者; "账号与安全" is also 帐号和安全): a part of two characters or more, with two or
 * more characters beside it, is replaced by each other Chinese form of its word, and a linking
 * character by the others. Forms the lexicon lists win; nothing listed is replaced.
 */
function addCompoundForms(surfaces: Map<string, string>): void {
  const han = (w: string): boolean => /^\p{Script=Han}+$/u.test(w);
  const formsOf = new Map<string, string[]>();
  for (const [surface, canonical] of surfaces) {
    if (!han(surface) || [...surface].length < 2) continue;
    const list = formsOf.get(canonical) ?? [];
    formsOf.set(canonical, [...list, surface]);
  }
  const added = new Map<string, string>();
  for (const [term, canonical] of surfaces) {
    if (!han(term) || [...term].length < 4) continue;
    const variants = new Set<string>();
    for (const [part, word] of surfaces) {
      if (part === term || !han(part) || [...part].length < 2 || !term.includes(part)) continue;
      const rest = [...term.replace(part, "")];
      if (rest.length < 2 || word === canonical) continue;
      for (const other of formsOf.get(word) ?? []) if (other !== part) variants.add(term.replace(part, other));
    }
    for (const link of LINKS) {
      if (!term.includes(link)) continue;
      for (const v of [term, ...variants]) for (const other of LINKS) if (other !== link) variants.add(v.replaceAll(link, other));
    }
    let n = 0;
    for (const v of variants) {
      if (n >= MAX_COMPOUND_FORMS) break;
      if (surfaces.has(v) || added.has(v)) continue;
      added.set(v, canonical);
      n++;
    }
  }
  for (const [v, canonical] of added) surfaces.set(v, canonical);
}

/** A term's description: its pattern, and the longer words its owner may end (企业微信 for 微信: no owner there). */
export interface Description {
  pattern: RegExp;
  term: string;
  owners: string[];
  shadows: string[];
  /** What it belongs to and what it does, as tokens (for a description read word by word: "WeChat's short-video thing"). */
  ownerTokens: Set<string>;
  kindTokens: Set<string>;
}

/** General language data shipped with the engine: English and colloquial forms of plain Chinese words, chat stopwords. */
export interface GeneralLanguage {
  synonyms: Record<string, string[]>;
  stopwords: string[];
  /** Words a new thought starts with, where a long unpunctuated message is split into clauses. */
  discourse?: string[];
  /** Words that open a premise, read together with the clause after it. */
  premise?: string[];
  /** Particles that end a spoken sentence: a long unpunctuated clause is split after them. */
  "sentence-end"?: string[];
  /** Cities, provinces and regions: a knowledge base about one city does not answer about another. */
  places?: string[];
  /** Apps, sites and services people hold accounts with: one a knowledge base never names is another's question. */
  products?: string[];
  /** What a description refers to ("发短片的那个号", "…的功能"): the last word of a described term. */
  "description-heads"?: string[];
  /** Words of the speaker's life (family, friends, age, feelings, when): a message tells its story with them. */
  story?: string[];
  /** Phrases that speak to the assistant about its own instructions (prompt injection). */
  commands?: string[];
  /** Function words, question words and chat verbs a question is framed with: stopwords, but no particles. */
  "frame-words"?: string[];
  /** Words that say what is asked, not about what (多久, 步骤, 原因): every knowledge base's frames. */
  frames?: string[];
  /** Latin abbreviations of chat and of things (pc, gb, jd, sb): never read as the pinyin initials of a word. */
  "latin-abbreviations"?: string[];
}

let generalCache: GeneralLanguage | undefined;
/** The engine's general lexicon (src/nlu/general-lexicon.yaml), read once. */
export function generalLanguage(): GeneralLanguage {
  if (!generalCache) {
    const raw = parse(readFileSync(new URL("./general-lexicon.yaml", import.meta.url), "utf8")) as Partial<GeneralLanguage>;
    generalCache = {
      synonyms: Object.fromEntries(Object.entries(raw.synonyms ?? {}).map(([k, v]) => [k, (v ?? []).map(String)])),
      stopwords: (raw.stopwords ?? []).map(String),
      discourse: (raw.discourse ?? []).map(String),
      premise: (raw.premise ?? []).map(String),
      "sentence-end": (raw["sentence-end"] ?? []).map(String),
      places: (raw.places ?? []).map(String),
      products: (raw.products ?? []).map(String),
      "description-heads": (raw["description-heads"] ?? []).map(String),
      story: (raw.story ?? []).map(String),
      commands: (raw.commands ?? []).map(String),
      "frame-words": (raw["frame-words"] ?? []).map(String),
      frames: (raw.frames ?? []).map(String),
      "latin-abbreviations": (raw["latin-abbreviations"] ?? []).map(String),
    };
  }
  return generalCache;
}

/**
 * Compiles a knowledge base's lexicon file on top of the general language data. Returns duplicate
 * surfaces of the knowledge base's own file as problems (surface → both canonicals).
 */
export function compileLexicon(
  file: LexiconFile,
  general: GeneralLanguage = generalLanguage(),
): { lexicon: Lexicon; duplicates: Array<[string, string, string]> } {
  const surfaces = new Map<string, string>();
  const duplicates: Array<[string, string, string]> = [];
  for (const [canonicalRaw, forms] of Object.entries(file.synonyms)) {
    const canonical = cleanWord(canonicalRaw);
    for (const form of [canonicalRaw, ...forms]) {
      const surface = cleanWord(String(form));
      if (!surface) continue;
      const prev = surfaces.get(surface);
      if (prev !== undefined && prev !== canonical) duplicates.push([surface, prev, canonical]);
      else surfaces.set(surface, canonical);
    }
  }
  const stopwords = new Set(file.stopwords.map((w) => cleanWord(String(w))).filter(Boolean));
  addCompoundForms(surfaces);
  // general forms read as the knowledge base's term for their plain word ("how long" → 多久 → its
  // term for 多久), or as the plain word itself; the knowledge base's own surfaces always win
  const own = new Set(surfaces.keys());
  for (const [plainRaw, forms] of Object.entries(general.synonyms)) {
    const plain = cleanWord(plainRaw);
    if (!plain) continue;
    const target = surfaces.get(plain) ?? plain;
    // the plain word itself is left to the dictionary segmenter unless the knowledge base names it,
    // or it has three characters or more (朋友圈, 企业微信): the segmenter may cut such a name apart
    if ([...plain].length >= 3 && CJK.test(plain) && !surfaces.has(plain) && !stopwords.has(plain)) surfaces.set(plain, target);
    for (const form of forms) {
      const surface = cleanWord(form);
      if (!surface || own.has(surface) || surfaces.has(surface) || stopwords.has(surface)) continue;
      surfaces.set(surface, target);
    }
  }
  for (const w of [...general.stopwords, ...(general["frame-words"] ?? [])]) {
    const clean = cleanWord(w);
    if (clean && !own.has(clean)) stopwords.add(clean);
  }
  // a wording of several words ("at all", "would like") is read whole, before its words are ("all" → 全部, "like" → 点赞)
  for (const w of stopwords) if (w.includes(" ") && !surfaces.has(w)) surfaces.set(w, w);
  // places and products (an English name in any case: Snapchat, snapchat), read whole; a knowledge
  // base's own words for them win
  const named = (words: string[]): Set<string> => {
    const out = new Set<string>();
    for (const w of words) {
      const clean = cleanWord(w);
      if (!clean || own.has(clean) || stopwords.has(clean)) continue;
      if (!surfaces.has(clean)) surfaces.set(clean, clean);
      out.add(surfaces.get(clean)!);
    }
    return out;
  };
  const places = named(general.places ?? []);
  const products = named(general.products ?? []);
  const entityOf = new Map<string, string>();
  const roleOf = new Map<string, EntityRole>();
  for (const [group, words] of Object.entries(file.entities)) {
    for (const w of words) {
      const clean = cleanWord(w);
      const canonical = surfaces.get(clean);
      // an entity word that is a synonym of another term would make that whole term the entity
      if (canonical !== undefined && canonical !== clean) {
        duplicates.push([clean, canonical, `entity group ${group}`]);
        continue;
      }
      entityOf.set(canonical ?? clean, group);
      roleOf.set(canonical ?? clean, file.roles?.[group] ?? "component");
      if (!surfaces.has(clean)) surfaces.set(clean, clean);
    }
  }
  const soundsLike = new Map<string, string>();
  const soundsLikeSurface = new Map<string, string>();
  const spelled = new Map<string, string>();
  const addSpelled = (word: string, token: string): void => {
    if (!CJK.test(word) || /[^\p{Script=Han}]/u.test(word)) return;
    const key = syllables(word).join("");
    if (!spelled.has(key)) spelled.set(key, token);
  };
  // one syllable typed alone is a function word far more often than a term's character ("yao" is 要, not 药)
  for (const w of stopwords) if ([...w].length === 1) addSpelled(w, w);
  for (const [surface, canonical] of surfaces) {
    addSpelled(surface, canonical);
    const chars = [...surface];
    // sound-alike typos are read for the knowledge base's own words only: a word that merely sounds
    // like a foreign subject (部数 / 步数) must not make a question out of scope
    if (roleOf.get(canonical) !== "veto" && chars.length >= 2 && chars.length <= 4 && chars.every((c) => CJK.test(c))) {
      const key = syllables(surface).map(fuzzySyllable).join(" ");
      if (!soundsLike.has(key)) {
        soundsLike.set(key, canonical);
        soundsLikeSurface.set(key, surface);
      }
    }
  }
  for (const w of stopwords) addSpelled(w, w);
  let maxSurface = 1;
  for (const s of surfaces.keys()) maxSurface = Math.max(maxSurface, [...s].length);
  let maxSpelled = 1;
  for (const s of spelled.keys()) maxSpelled = Math.max(maxSpelled, s.length);
  const frames = new Set([...file.frames, ...(general.frames ?? [])].map((w) => surfaces.get(cleanWord(w)) ?? cleanWord(w)));
  const premise = (general.premise ?? []).map(cleanWord).filter(Boolean);
  const discourse = [...new Set((general.discourse ?? []).map(cleanWord).filter(Boolean))].sort((a, b) => b.length - a.length);
  const sentenceEnd = new Set((general["sentence-end"] ?? []).map(cleanWord).filter((w) => [...w].length === 1));
  const generalStops = new Set(general.stopwords.map(cleanWord));
  const connectives = new Set(discourse.filter((w) => generalStops.has(w) && !premise.includes(w)));
  return {
    lexicon: {
      surfaces,
      maxSurface,
      stopwords,
      entityOf,
      roleOf,
      frames,
      soundsLike,
      soundsLikeSurface,
      spelled,
      maxSpelled,
      discourse,
      premise,
      sentenceEnd,
      connectives,
      particles: new Set([...generalStops].filter((w) => [...w].length === 1 && CJK.test(w))),
      places,
      products,
      vocabSounds: new Map(),
      vocabWords: new Set(),
      initials: new Map(),
      abbreviations: new Set((general["latin-abbreviations"] ?? []).map((w) => w.toLowerCase().trim()).filter(Boolean)),
      bridge: null,
      descriptions: describe(file.descriptions ?? {}, general["description-heads"] ?? [], surfaces),
      descriptionHeads: new Set((general["description-heads"] ?? []).map(cleanWord).filter(Boolean).map((w) => surfaces.get(w) ?? w)),
      story: new Set((general.story ?? []).map(cleanWord).filter(Boolean)),
      commands: (general.commands ?? []).map((c) => c.normalize("NFKC").toLowerCase().trim()).filter(Boolean),
    },
    duplicates,
  };
}

// What people do with a thing they describe by its use (发小视频, 刷短片): said after what it belongs to.
const DOING = "发|刷|拍|看|玩|弄|传|上传|做";

const escapeRe = (w: string): string => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The patterns of the terms a lexicon describes: what it belongs to, then up to two words of what is
 * done with it, a word of what it is, a few words more, 的 and what the description refers to
 * ("微信里那个能发短片的号", "微信发现页那个刷短视频的功能", "在微信上发短片的那个身份").
 */
function describe(
  descriptions: Record<string, { kinds: string[]; of?: string[] }>,
  heads: string[],
  surfaces: Map<string, string>,
): Description[] {
  const head = heads.map(cleanWord).filter(Boolean).sort((a, b) => b.length - a.length).map(escapeRe).join("|");
  if (!head) return [];
  const pointed = heads.map(cleanWord).filter((h) => h.startsWith("那")).map(escapeRe).join("|");
  return Object.entries(descriptions).map(([termRaw, { kinds, of = [] }]) => {
    const term = surfaces.get(cleanWord(termRaw)) ?? cleanWord(termRaw);
    const kind = kinds.map(cleanWord).filter(Boolean).map(escapeRe).join("|");
    const owner = of.map(cleanWord).filter(Boolean).map(escapeRe).join("|");
    // (what it belongs to, when declared, must be said: 抖音那个刷短视频的app is another product)
    const before = owner ? `(?:${owner})\\p{Script=Han}{0,3}?(?:里|上|中)?(?:的)?` : "";
    // what it is said after what it does, with 的 between ("发短片的号"), right after ("短片功能", "短视频平台"),
    // or pointed at ("刷短视频那块")
    const what = `(?:[^，。,.?？!！的\\s]{0,6}?的(?:那个|这个)?(?:${head})|(?:${head})${pointed ? `|${pointed}` : ""})`;
    const source = `${before}(?:那个|这个)?(?:能|可以)?\\p{Script=Han}{0,2}?(?:${kind})${what}`;
    // and, where what it belongs to is said, the doing alone: 在微信上发小视频 is using it
    const doing = owner ? `|${before}(?:那个|这个)?(?:${DOING})(?:点|些)?(?:${kind})` : "";
    const owners = of.map(cleanWord).filter(Boolean);
    const shadows = [...surfaces.keys()].filter((w) => owners.some((o) => w !== o && w.endsWith(o)));
    const token = (w: string): string => surfaces.get(w) ?? w;
    const ownerTokens = new Set(owners.map(token));
    const kindTokens = new Set(kinds.map(cleanWord).filter(Boolean).map(token));
    return { pattern: new RegExp(source + doing, "gu"), term, owners, shadows, ownerTokens, kindTokens };
  });
}
