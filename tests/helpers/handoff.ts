import { randomUUID } from "node:crypto";
import { createBot, type Bot } from "../../src/bot.js";
import { createApiChannel, type ApiChannel } from "../../src/channels/http.js";
import { createLiveHub, type LiveHub } from "../../src/channels/live.js";
import { createChannelRegistry, type ChannelRegistry } from "../../src/channels/registry.js";
import { createHandoffDesk, type HandoffDesk } from "../../src/handoff/desk.js";
import type { ServiceHours } from "../../src/handoff/service-hours.js";
import type { KnowledgeBase } from "../../src/knowledge/knowledge-base.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { ConversationStore, InboundMessage } from "../../src/types.js";
import { libraryKnowledge, silentLog } from "./kb.js";

export interface Desk {
  /** The knowledge base the bot and the desk answer from. */
  knowledge: KnowledgeBase;
  bot: Bot;
  desk: HandoffDesk;
  store: ConversationStore;
  live: LiveHub;
  channels: ChannelRegistry;
  /** The API channel, registered with `channels`: its router serves /api/messages and its events. */
  api: ApiChannel;
  /** Sends a message of an API user to the bot (in its own conversation unless another is named). */
  say(userId: string, text: string, at?: number, conversationId?: string): ReturnType<Bot["handle"]>;
}

/** The bot, the handoff desk and the API channel wired the way main.ts wires them, on the library fixture's knowledge base unless another is given. */
export function createDesk(
  options: {
    store?: ConversationStore;
    hours?: ServiceHours | null;
    timeoutMs?: number;
    now?: () => number;
    feedbackEvery?: number;
    maxWaiting?: number;
    maxWaitingPerUser?: number;
    knowledge?: KnowledgeBase;
  } = {},
): Desk {
  const kb = options.knowledge ?? libraryKnowledge();
  const store = options.store ?? createMemoryStore();
  const live = createLiveHub();
  const channels = createChannelRegistry();
  const desk = createHandoffDesk({
    store,
    channels,
    log: silentLog,
    hours: options.hours ?? null,
    timeoutMs: options.timeoutMs ?? 10 * 60_000,
    release: (id, inLock, at) => bot.release(id, inLock, at),
    responses: () => kb.responses,
    ...(options.now ? { now: options.now } : {}),
    ...(options.maxWaiting !== undefined ? { maxWaiting: options.maxWaiting } : {}),
    ...(options.maxWaitingPerUser !== undefined ? { maxWaitingPerUser: options.maxWaitingPerUser } : {}),
  });
  const bot = createBot({ knowledge: () => kb, store, log: silentLog, handoff: desk, settings: { threshold: 0.5, clarifyMargin: 0.02, feedbackEvery: options.feedbackEvery ?? 0 } });
  const api = createApiChannel({ bot, live, store, maxTextLength: 2000 });
  channels.register(api);
  const say = (userId: string, text: string, at = Date.now(), conversationId = `api:${userId}`) => {
    const msg: InboundMessage = { channel: "api", conversationId, userId, text, messageId: randomUUID(), at };
    return bot.handle(msg);
  };
  return { knowledge: kb, bot, desk, store, live, channels, api, say };
}
