import { mkdirSync, watch } from "node:fs";
import type { Router } from "express";
import type { PuppetModuleName } from "wechaty";
import { join } from "node:path";
import { createBot } from "./bot.js";
import { apiChannel, apiEvents } from "./channels/http.js";
import { createLiveHub } from "./channels/live.js";
import { createChannelRegistry } from "./channels/registry.js";
import { createWechatMpChannel } from "./channels/wechat-mp.js";
import type { WechatyChannel } from "./channels/wechaty.js";
import { createWebChannel } from "./channels/web.js";
import { loadConfigOrExit } from "./config.js";
import { createInboundLimits } from "./coordination/rate-limit.js";
import { readAgents } from "./console/agents.js";
import { agentConsole } from "./console/router.js";
import { AGENTS_FEED, createHandoffDesk } from "./handoff/desk.js";
import { loadKnowledge } from "./knowledge/load.js";
import { createKnowledgeHolder } from "./knowledge/reloader.js";
import { createLogger } from "./log.js";
import { createApp } from "./server/app.js";
import { openStore } from "./store/open.js";

// Composition root: config → knowledge → store → bot → server. The only file that wires.

const config = loadConfigOrExit();
const log = createLogger(config.LOG_LEVEL);
const paths = { intentsDir: config.intentsDir, knowledgeDir: config.knowledgeDir };

const first = loadKnowledge(paths);
if (!first.ok) {
  console.error(`the knowledge base is invalid, not starting:\n${first.errors.join("\n")}`);
  process.exit(1);
}
const knowledge = createKnowledgeHolder(first.kb, paths, log);
{
  const kb = knowledge.current();
  log.info({ intents: kb.intents.size, facts: kb.facts.size, tables: kb.tables.size }, "knowledge base loaded");
}
const reload = (reason: string): void => void knowledge.reload(reason);

const store = openStore(config);
const limits = createInboundLimits({ userPerMinute: config.RATE_LIMIT_USER_PER_MIN, addressPerMinute: config.RATE_LIMIT_ADDRESS_PER_MIN });
// --- human handoff: the desk opens tickets; agents' replies go out through the conversation's channel ---
const live = createLiveHub({ firstId: Date.now() });
const channels = createChannelRegistry();
const desk = createHandoffDesk({
  store,
  channels,
  log,
  hours: config.serviceHours,
  timeoutMs: config.HANDOFF_TIMEOUT_MINUTES * 60_000,
  maxWaiting: config.MAX_WAITING_TICKETS,
  maxWaitingPerUser: config.MAX_WAITING_TICKETS_PER_USER,
  release: (conversationId, inLock, at) => bot.release(conversationId, inLock, at),
});
// --- end of human handoff ------------------------------------------------------------------------
const bot = createBot({
  handoff: desk,
  knowledge: knowledge.current,
  store,
  log,
  settings: { threshold: config.MATCH_THRESHOLD, clarifyMargin: config.CLARIFY_MARGIN, feedbackEvery: config.FEEDBACK_EVERY },
  idleMs: config.CONVERSATION_IDLE_MINUTES * 60_000,
  logText: config.LOG_MESSAGE_TEXT,
});
// --- channels and consoles: each adds its routes here -------------------------------------------
const routers: Router[] = [];
channels.register(apiChannel(live));
routers.push(apiEvents(live, store));
routers.push(
  agentConsole({
    desk,
    store,
    knowledge: knowledge.current,
    log,
    agentsFile: config.agentsFile,
    agentToken: config.AGENT_TOKEN,
    sessionMs: config.AGENT_SESSION_HOURS * 3_600_000,
    cookieSecure: config.COOKIE_SECURE,
    timeZone: config.SERVICE_TZ,
  }),
);
desk.start();
try {
  if (readAgents(config.agentsFile).length === 0 && !config.AGENT_TOKEN) {
    log.warn(`no agent can sign in to the console at /agent yet: create one with \`npm run agent:add -- <name>\` (writes ${config.agentsFile}) or set AGENT_TOKEN`);
  }
} catch (err) {
  log.error((err as Error).message);
}
const welcome = () => knowledge.current().intents.get("greeting")?.reply ?? "你好！直接发文字问我问题就行。";
const web = createWebChannel({
  bot,
  store,
  hub: live,
  maxTextLength: config.MAX_TEXT_LENGTH,
  welcome,
  limits,
  handoff: {
    status: (conversationId) => desk.status(conversationId),
    onChange: (listener) => desk.events.subscribe(AGENTS_FEED, (e) => e.type === "ticket" && listener()),
    cancel: (conversationId) => desk.cancel(conversationId),
  },
});
channels.register(web);
routers.push(web.router);
if (config.WECHAT_TOKEN) {
  const mp = createWechatMpChannel({
    bot,
    log,
    token: config.WECHAT_TOKEN,
    appId: config.WECHAT_APP_ID,
    appSecret: config.WECHAT_APP_SECRET,
    encodingAesKey: config.WECHAT_ENCODING_AES_KEY,
    apiBase: config.WECHAT_API_BASE,
    replyBudgetMs: config.WECHAT_REPLY_BUDGET_MS,
    security: config.WECHAT_SECURITY,
    timestampWindowSec: config.WECHAT_TIMESTAMP_WINDOW_SECONDS,
    limits,
    welcome,
    maxTextLength: config.MAX_TEXT_LENGTH,
  });
  channels.register(mp);
  routers.push(mp.router);
  if (!config.WECHAT_APP_ID || !config.WECHAT_APP_SECRET) {
    log.warn("WECHAT_APP_ID / WECHAT_APP_SECRET are not set: replies slower than the 5-second limit and agent replies cannot reach Official Account users");
  }
  log.info("Official Account webhook at /wechat");
}
let wechaty: WechatyChannel | undefined;
if (config.WECHATY_PUPPET) {
  // loaded only when used: Wechaty and its puppet are heavy
  const { WechatyBuilder } = await import("wechaty");
  const { createWechatyChannel } = await import("./channels/wechaty.js");
  mkdirSync(config.dataDir, { recursive: true });
  const puppet = config.WECHATY_PUPPET as PuppetModuleName;
  wechaty = createWechatyChannel({
    bot,
    log,
    // the memory card keeps the login across restarts; the puppet reads its own WECHATY_PUPPET_* variables
    create: () => WechatyBuilder.build({ name: join(config.dataDir, "wechaty"), puppet }),
    admin: config.WECHATY_ADMIN,
    groupMentionOnly: config.WECHATY_GROUP_MENTION_ONLY,
    minIntervalMs: config.WECHATY_MIN_INTERVAL_MS,
    maxMessageLength: config.WECHATY_MAX_MESSAGE_LENGTH,
    maxTextLength: config.MAX_TEXT_LENGTH,
    limits,
    // the admin contact answers tickets from WeChat: `#reply <ticket> …` / `#done <ticket>`
    onAdminCommand: async (command) => {
      const agent = `微信管理员 ${command.admin}`;
      if (command.kind === "reply") {
        await desk.reply(command.ticketId, agent, command.text);
        return "已发送给用户";
      }
      await desk.finish(command.ticketId, agent, "closed");
      return "已结束，对话交回智能助手";
    },
  });
  channels.register(wechaty);
  routers.push(wechaty.router);
}
// --- end of channels -------------------------------------------------------------------------------

const app = createApp({ bot, knowledge: knowledge.current, log, maxTextLength: config.MAX_TEXT_LENGTH, routers, limits, trustProxy: config.TRUST_PROXY });

const server = app.listen(config.PORT, config.HOST, () => {
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.PORT;
  log.info(`FAQ bot listening on http://${config.HOST}:${port} (web chat at /, API at POST /api/messages, agent console at /agent); pid ${process.pid}: \`kill -HUP ${process.pid}\` reloads the knowledge base`);
  if (wechaty) {
    log.info(`starting Wechaty with ${config.WECHATY_PUPPET}; the login QR code is also at http://${config.HOST}:${port}/wechaty/qr`);
    void wechaty.start();
  }
});
server.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EADDRINUSE") log.fatal(`port ${config.PORT} is in use: set PORT to a free port (e.g. PORT=3001 npm start)`);
  else log.fatal({ err }, "server error");
  process.exit(1);
});

process.on("SIGHUP", () => reload("SIGHUP"));
if (config.KB_WATCH) {
  let timer: NodeJS.Timeout | undefined;
  for (const dir of [config.intentsDir, config.knowledgeDir]) {
    watch(dir, () => {
      clearTimeout(timer);
      timer = setTimeout(() => reload("file change"), 300);
    });
  }
  log.info("watching intents/ and knowledge/ for changes");
}

let stopping = false;
function shutdown(signal: string): void {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  desk.stop();
  void Promise.allSettled(channels.list().map((c) => c.stop?.()));
  server.close(() => {
    void store.close().finally(() => process.exit(0));
  });
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));
