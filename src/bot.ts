import type { Logger } from "pino";
import { decide, defaultDialogSettings, initialState, type DialogSettings } from "./dialog/decide.js";
import type { ConversationLocks } from "./coordination/coordination.js";
import { createProcessLocks } from "./coordination/process.js";
import type { KnowledgeBase } from "./knowledge/knowledge-base.js";
import type { ConversationStateStore, HandoffReason, InboundMessage, Outcome, Reply, TranscriptEntry } from "./types.js";

export interface BotOptions {
  /** The knowledge base in force; a getter so a reload swaps it without a restart. */
  knowledge: () => KnowledgeBase;
  store: ConversationStateStore;
  log: Logger;
  settings?: DialogSettings;
  /** A conversation idle longer than this starts fresh (ms). */
  idleMs?: number;
  /** Log message text at info level (otherwise only at debug). */
  logText?: boolean;
  /** The handoff desk: opens tickets and takes the messages of conversations a human has. */
  handoff?: HandoffHooks;
  /**
   * The per-conversation lock; shared (Redis) when several instances serve the same conversations.
   * By default one in this process.
   */
  locks?: ConversationLocks;
}

/** What the bot tells the handoff desk; called inside the conversation's lock, before state is written. */
export interface HandoffHooks {
  /**
   * A conversation asks for a human: open a ticket; returns the replies that tell the user about the
   * queue, and whether they are in it (not when the queue is full: the conversation stays with the bot).
   */
  opened(msg: InboundMessage, reason: HandoffReason, replies: Reply[]): Promise<{ replies: Reply[]; queued: boolean }>;
  /** A message of a conversation a human has (the bot stays silent). */
  message(msg: InboundMessage): Promise<void>;
  /** The user left the queue ("取消人工"). */
  cancelled(msg: InboundMessage): Promise<void>;
}

export interface Bot {
  /** Handles one message: lock → read state → match → decide → write → Outcome. */
  handle(msg: InboundMessage): Promise<Outcome>;
  /**
   * Gives a conversation back to the bot (mode "bot", misses 0) inside its lock, so it cannot race a
   * message; `inLock` runs first (e.g. closing the ticket) and may throw to leave the state alone.
   * Returns whether the conversation was with a human.
   */
  release(conversationId: string, inLock?: () => Promise<void>, at?: number): Promise<boolean>;
}

/**
 * Creates the bot. Messages of one conversation are handled one at a time, in arrival order;
 * different conversations run concurrently.
 * @example
 * const bot = createBot({ knowledge: () => kb, store: createMemoryStore(), log });
 * const outcome = await bot.handle({ channel: "api", conversationId: "api:u1", userId: "u1", text: "你好", messageId: "m1", at: Date.now() });
 */
export function createBot(options: BotOptions): Bot {
  const { store, settings = defaultDialogSettings, idleMs = 30 * 60_000 } = options;
  const log = options.log.child({ module: "bot" });
  const locks = options.locks ?? createProcessLocks();
  // the lock's fencing token goes with the transaction: a store shared by a fleet refuses a stale holder
  const locked = <T>(key: string, run: () => Promise<T>): Promise<T> => locks.run(key, (fence) => store.transaction(run, { fence: { key, token: fence } }));

  const process = async (msg: InboundMessage): Promise<Outcome> => {
    // a client's retry of a message already handled gets the same reply, and nothing is stored twice
    const done = await store.messageOutcome(msg.conversationId, msg.messageId);
    if (done) {
      log.info({ conversationId: msg.conversationId, channel: msg.channel, kind: done.kind }, "message already handled: same reply");
      return done;
    }
    const kb = options.knowledge();
    const stored = await store.read(msg.conversationId);
    const fresh = !stored || (stored.mode === "bot" && msg.at - stored.updatedAt > idleMs);
    const state = fresh ? initialState(msg.at) : stored;
    const decision = decide(state, { text: msg.text, at: msg.at }, kb, settings);
    const { outcome } = decision;
    if (options.handoff) {
      if (state.mode === "human" && outcome.kind === "human") await options.handoff.message(msg);
      else if (state.mode === "human" && decision.state.mode === "bot") await options.handoff.cancelled(msg);
      if (decision.handoff) {
        const opened = await options.handoff.opened(msg, decision.handoff.reason, outcome.replies);
        outcome.replies = opened.replies;
        if (!opened.queued) {
          // the queue is full: the user was told so, and the bot keeps answering
          decision.state.mode = "bot";
          outcome.kind = "answer";
          delete decision.handoff;
        }
      }
    }
    const base = { conversationId: msg.conversationId, channel: msg.channel, userId: msg.userId };
    const entries: TranscriptEntry[] = [
      { ...base, direction: "in", from: "user", text: msg.text, at: msg.at, intent: outcome.intent, confidence: outcome.confidence, kind: outcome.kind },
      ...outcome.replies.map((r) => ({
        ...base,
        direction: "out" as const,
        from: "bot" as const,
        text: r.quickReplies?.length ? `${r.text}\n[${r.quickReplies.join(" | ")}]` : r.text,
        at: msg.at,
        intent: outcome.intent,
        confidence: outcome.confidence,
        kind: outcome.kind,
      })),
    ];
    await store.appendTranscript(entries);
    if (decision.handoff) await store.recordHandoff(msg.conversationId, decision.handoff.reason, msg.at);
    if (decision.feedback) await store.recordFeedback(msg.conversationId, decision.feedback.intent, decision.feedback.helpful, msg.at);
    await store.write(msg.conversationId, decision.state);
    await store.recordMessageOutcome(msg.conversationId, msg.messageId, outcome, msg.at);
    log.info(
      { conversationId: msg.conversationId, channel: msg.channel, kind: outcome.kind, intent: outcome.intent, confidence: outcome.confidence },
      "message handled",
    );
    if (options.logText) log.info({ conversationId: msg.conversationId, text: msg.text }, "message text");
    else log.debug({ conversationId: msg.conversationId, text: msg.text }, "message text");
    return outcome;
  };

  const release = async (conversationId: string, inLock?: () => Promise<void>, at = Date.now()): Promise<boolean> => {
    const state = await store.read(conversationId);
    await inLock?.();
    if (!state || state.mode !== "human") return false;
    await store.write(conversationId, { ...state, mode: "bot", misses: 0, pending: null, updatedAt: at });
    log.info({ conversationId }, "conversation given back to the bot");
    return true;
  };

  return {
    // one transaction per message: state, transcript, ticket, handoff and feedback are stored together or not at all
    handle: (msg) => locked(msg.conversationId, () => process(msg)),
    release: (conversationId, inLock, at) => locked(conversationId, () => release(conversationId, inLock, at)),
  };
}

