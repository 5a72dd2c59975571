import type { Intent, KnowledgeBase } from "../knowledge/knowledge-base.js";
import { matchIntent, QUESTION } from "../nlu/match.js";
import { normalizeText } from "../nlu/normalize.js";
import type { ConversationState, MatchResult, Pending } from "../types.js";
import type { Decision, DialogSettings } from "./decide.js";
import { readPending } from "./pending.js";
import { ELLIPTICAL, POINTS_BACK } from "./phrases.js";
import { contentTokens } from "./reading.js";
import { rememberSlots } from "./slots.js";

/** The state a turn makes: a conversation's state whose pending question is read in the tagged shape. */
export type DialogState = Omit<ConversationState, "pending"> & { pending: Pending | null };

/** What one message's turn gives every handler. */
export interface Turn {
  /** The state as it was before this message (never changed). */
  readonly prev: ConversationState;
  /**
   * The state this turn makes, a copy of `prev`; the pending question and the feedback prompt are consumed
   * by their handlers, and the slots a message states are remembered when it is read (see `read`).
   */
  state: DialogState;
  readonly input: { text: string; at: number };
  /** The message normalised, without spaces, for reading commands ("下一步", "2"). */
  readonly clean: string;
  /** The message normalised, as its clauses (split at punctuation). */
  readonly clauses: readonly string[];
  /** The question the bot asked on the previous turn, if any. */
  readonly pending: Pending | null;
  readonly kb: KnowledgeBase;
  readonly settings: DialogSettings;
  /** Runs the whole pipeline on another text in place of this message (a number standing for a quick reply). */
  readonly again: (text: string) => Decision;
  /** Filled by `read` and `understood`, so that a message is matched once however many handlers ask. */
  reading?: Reading;
  best?: MatchResult;
}

/** How a turn's message reads against the knowledge base. */
export interface Reading {
  match: MatchResult;
  /** "那粉丝呢", "还有企业号": short and leaning on what came before. */
  elliptical: boolean;
  /** What the message is about (see `contentTokens`). */
  words: string[];
  /** A short question that points back to what was just said ("这个期限", "整个流程走下来要多久"). */
  pointsBack: boolean;
}

// A question this short that points back is read in the context of the answer before it.
const MAX_POINTING_CHARS = 14;

/** A handler of the dialog: decides the turn, or passes (undefined) to the next one. */
export type Handler = (turn: Turn) => Decision | undefined;

/** Starts a turn on a stored state; `again` reruns the pipeline on another text. */
export function createTurn(
  prev: ConversationState,
  input: { text: string; at: number },
  kb: KnowledgeBase,
  settings: DialogSettings,
  again: (text: string) => Decision,
): Turn {
  const pending = readPending(prev.pending);
  // what an answer left for 「更多」 is offered on the next message only (see handlers/more.ts)
  const { more: _left, ...kept } = prev;
  const state: DialogState = { ...kept, slots: { ...prev.slots }, pending, updatedAt: input.at };
  // a channel without agents never waits for one (a state written before it said so included)
  if (state.mode === "human" && settings.humans === false) state.mode = "bot";
  const norm = normalizeText(input.text);
  const clean = norm.text.replace(/\s+/g, "");
  return { prev, state, input, clean, clauses: norm.clauses, pending, kb, settings, again };
}

/** The intent being talked about, if any. */
export function topicOf(turn: Turn): Intent | undefined {
  return turn.state.topic ? turn.kb.intents.get(turn.state.topic) : undefined;
}

/** Matches the message once, and remembers the slot values it states ("我是企业号"). */
export function read(turn: Turn): Reading {
  if (turn.reading) return turn.reading;
  const match = matchIntent(turn.input.text, turn.kb.index);
  turn.state.slots = rememberSlots(turn.state.slots, match, turn.kb).slots;
  const words = contentTokens(match, turn.kb);
  // a short message that names only what is asked ("成功率高吗", "要多久"), not what about, leans on the topic
  // (a word no phrasing of the knowledge base uses names nothing it could be about: 这一套弄完要几分钟)
  const { frames } = turn.kb.lexicon;
  const framesOnly = words.some((w) => frames.has(w)) && words.every((w) => frames.has(w) || [...w].length === 1 || !turn.kb.index.idf.has(w));
  const elliptical = turn.clean.length <= 12 && (ELLIPTICAL.test(turn.clean) || framesOnly);
  const pointsBack = turn.clean.length <= MAX_POINTING_CHARS && POINTS_BACK.test(turn.clean);
  turn.reading = { match, elliptical, words, pointsBack };
  return turn.reading;
}

// How much better than a follow-up's own reading its reading with the last question must be to win.
const IN_CONTEXT_MARGIN = 0.05;

/**
 * The best reading of the message: on its own, or with the last question when it is elliptical or made
 * of known words that alone are not understood ("那企业号呢" after "视频号怎么注销").
 */
export function understood(turn: Turn): MatchResult {
  if (turn.best) return turn.best;
  const { match, elliptical, words, pointsBack } = read(turn);
  const { kb, settings, state } = turn;
  // unknown words ("qwerty") are not a follow-up to anything
  const readable = words.length > 0 && words.every((w) => kb.index.idf.has(w));
  let best = match;
  // (a short question that points back, "过了这个期限还能恢复吗", is read with the last question too)
  // (and so is a short question naming something of the knowledge base beside words it does not know:
  // 哪类 company 最惨 after the revenue question)
  const shortAsk = turn.clean.length <= MAX_POINTING_CHARS && QUESTION.test(turn.clean) && words.some((w) => kb.index.idf.has(w) && !kb.lexicon.frames.has(w));
  if (state.lastQuestion && (elliptical || ((readable || pointsBack || shortAsk) && match.confidence < settings.threshold))) {
    const inContext = matchIntent(`${state.lastQuestion} ${turn.input.text}`, kb.index);
    // (read with the follow-up: a clause of the last question alone is not this message's reading)
    const own = words.filter((w) => !kb.lexicon.frames.has(w) || words.length === 1);
    const withFollowUp = own.length === 0 || own.some((w) => inContext.tokens.includes(w)) || words.some((w) => inContext.tokens.includes(w));
    // a follow-up understood on its own ("那粉丝呢" → 粉丝) keeps its own reading unless the context reads it clearly better
    // (one naming only the subject, "那X呢" with X the subject, asks the last question of it: its own reading is no question)
    // (its words are only the subject's names, which are no content words: 那视频号呢, 那微信视频号的呢)
    const onlySubject = elliptical && words.length === 0 && match.tokens.some((t) => kb.subject.has(t));
    const better = onlySubject ? 0 : match.confidence >= settings.threshold ? match.confidence + IN_CONTEXT_MARGIN : match.confidence;
    // (a follow-up that names something of its own, "那粉丝呢" after the deregistration steps, does not ask
    // for the topic just answered again: its own reading, when it has one)
    const again = inContext.candidates[0]?.intentId === state.topic && own.length > 0 && match.confidence >= settings.threshold;
    if (inContext.confidence >= settings.threshold && inContext.confidence > better && !inContext.noise && withFollowUp && !again) best = inContext;
  }
  turn.best = best;
  return best;
}
