import { respond } from "../../src/dialog/responses.js";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createBot, type Bot } from "../../src/bot.js";
import { createApiChannel } from "../../src/channels/http.js";
import { createLiveHub, type LiveHub } from "../../src/channels/live.js";
import { createChannelRegistry, type ChannelRegistry } from "../../src/channels/registry.js";
import { createWebChannel } from "../../src/channels/web.js";
import { AGENTS_FEED, createHandoffDesk, type HandoffDesk } from "../../src/handoff/desk.js";
import type { KnowledgeBase } from "../../src/knowledge/knowledge-base.js";
import { createApp } from "../../src/server/app.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { ConversationStore } from "../../src/types.js";
import { libraryKnowledge, silentLog } from "./kb.js";

export interface WebStack {
  base: string;
  bot: Bot;
  desk: HandoffDesk;
  store: ConversationStore;
  live: LiveHub;
  channels: ChannelRegistry;
  welcome: string;
  close(): Promise<void>;
}

/**
 * The web chat with the bot, the handoff desk and the API channel, wired the way main.ts wires them, on an
 * ephemeral port; on the library fixture's knowledge base unless another is given.
 */
export async function startWebStack(options: { store?: ConversationStore; knowledge?: KnowledgeBase } = {}): Promise<WebStack> {
  const kb = options.knowledge ?? libraryKnowledge();
  const store = options.store ?? createMemoryStore();
  const live = createLiveHub({ heartbeatMs: 5000 });
  const channels = createChannelRegistry();
  const desk = createHandoffDesk({
    store,
    channels,
    log: silentLog,
    hours: null,
    timeoutMs: 10 * 60_000,
    release: (id, inLock, at) => bot.release(id, inLock, at),
    responses: () => kb.responses,
  });
  const bot = createBot({ knowledge: () => kb, store, log: silentLog, handoff: desk });
  const welcome = respond(kb.responses, "greeting.welcome");
  const web = createWebChannel({
    bot,
    store,
    hub: live,
    maxTextLength: 2000,
    welcome: () => welcome,
    name: () => respond(kb.responses, "bot.name"),
    handoff: {
      status: (id) => desk.status(id),
      onChange: (listener) => desk.events.subscribe(AGENTS_FEED, (e) => e.type === "ticket" && listener()),
      cancel: (id) => desk.cancel(id),
    },
  });
  channels.register(web);
  const api = createApiChannel({ bot, live, store, maxTextLength: 2000 });
  channels.register(api);
  const app = createApp({ bot, knowledge: () => kb, log: silentLog, maxTextLength: 2000, api, routers: [web.router] });
  const server: Server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    bot,
    desk,
    store,
    live,
    channels,
    welcome,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
