import { mkdirSync, watch, type FSWatcher } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express, { type Express, type Router } from "express";
import type { Logger } from "pino";
import type { PuppetModuleName } from "wechaty";
import { createBot, type Bot } from "../bot.js";
import { createApiChannel } from "../channels/http.js";
import { createLiveHub, type LiveHub } from "../channels/live.js";
import { createChannelRegistry, type ChannelRegistry } from "../channels/registry.js";
import { createWechatMpChannel } from "../channels/wechat-mp.js";
import type { WechatyChannel } from "../channels/wechaty.js";
import { createWebChannel } from "../channels/web.js";
import { ConfigError, type Config } from "../config.js";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { leasedChannel } from "../channels/leased.js";
import type { Coordination } from "../coordination/coordination.js";
import { createProcessCoordination } from "../coordination/process.js";
import { createInboundLimits } from "../coordination/rate-limit.js";
import { createRedisCoordination } from "../coordination/redis.js";
import { fileAgents, type AgentDirectory } from "../console/agents.js";
import { agentConsole } from "../console/router.js";
import { AGENTS_FEED, createHandoffDesk, type HandoffDesk } from "../handoff/desk.js";
import { respond } from "../dialog/responses.js";
import { loadKnowledge } from "../knowledge/load.js";
import { createKnowledgeHolder, type KnowledgeHolder } from "../knowledge/reloader.js";
import { openStore } from "../store/open.js";
import type { PostgresStore } from "../store/postgres.js";
import { createRetention } from "../store/retention.js";
import type { ConversationStore } from "../types.js";
import { createApp } from "./app.js";
import { healthRouter } from "./health.js";
import { createMetrics, instrumentBot, instrumentStore, metricsRouter, type Metrics } from "./metrics.js";

/** The wired server, not yet listening: what main.ts runs and what tests start on an ephemeral port. */
export interface RunningServer {
  app: Express;
  http: Server;
  store: ConversationStore;
  knowledge: KnowledgeHolder;
  bot: Bot;
  desk: HandoffDesk;
  channels: ChannelRegistry;
  /** Prometheus metrics; a rate limit counts what it refuses with `metrics.rateLimited.inc({ channel, scope })`. */
  metrics: Metrics;
  /** What this instance shares with the others of a fleet (in process when REDIS_URL is not set). */
  coordination: Coordination;
  /** Listens on HOST:PORT (PORT 0 picks a free port) and starts the channels that run on their own. */
  listen(): Promise<AddressInfo>;
  /**
   * Stops: no new connections, live streams ended with a "shutdown" event, idle keep-alive sockets
   * closed, messages in progress finished (up to SHUTDOWN_TIMEOUT_MS), store closed. Resolves whether
   * it had to force (cut connections when the time ran out).
   */
  stop(): Promise<{ forced: boolean }>;
}

/**
 * Builds knowledge → store → bot → channels → express app from the configuration. A start-up problem
 * an operator can fix (invalid knowledge, unusable DATA_DIR or database file) throws a ConfigError
 * whose message says what to do.
 * @example
 * const running = await createServer(loadConfigOrExit(), log);
 * await running.listen();
 */
export async function createServer(config: Config, log: Logger): Promise<RunningServer> {
  const paths = { intentsDir: config.intentsDir, knowledgeDir: config.knowledgeDir };
  const first = loadKnowledge(paths);
  if (!first.ok) throw new ConfigError(`the knowledge base is invalid, not starting:\n${first.errors.join("\n")}`);
  const knowledge = createKnowledgeHolder(first.kb, paths, log);
  {
    const kb = knowledge.current();
    log.info({ intents: kb.intents.size, facts: kb.facts.size, tables: kb.tables.size }, "knowledge base loaded");
  }

  const metrics = createMetrics(() => store.ticketCounts());
  const opened = openStore(config, log);
  const store = instrumentStore(opened, metrics);
  // what several instances share: in process by default, on Redis with REDIS_URL
  const instanceId = config.INSTANCE_ID ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const coordination = config.REDIS_URL
    ? createRedisCoordination({ url: config.REDIS_URL, log, prefix: config.REDIS_PREFIX, instanceId, lockTtlMs: config.LOCK_TTL_SECONDS * 1000 })
    : createProcessCoordination({ instanceId, log });
  const shared = coordination.kind === "redis";
  // what one instance runs at a time (the Wechaty account, the timeout sweep) passes on this long after its holder died
  const leaseMs = 2 * config.LOCK_TTL_SECONDS * 1000;
  if (shared || config.DATABASE_URL) {
    log.info({ instance: instanceId, store: config.DATABASE_URL ? "postgres" : config.STORE, coordination: coordination.kind }, "running as one instance of a fleet");
  }
  const retention = createRetention({ store, days: config.TRANSCRIPT_RETENTION_DAYS, log });
  const limits = createInboundLimits({
    userPerMinute: config.RATE_LIMIT_USER_PER_MIN,
    addressPerMinute: config.RATE_LIMIT_ADDRESS_PER_MIN,
    limiter: (perMinute) => coordination.limiter(`inbound:${perMinute}`, perMinute),
    onRefused: (sender, scope) => metrics.rateLimited.inc({ channel: sender.channel, scope }),
  });
  // --- human handoff: the desk opens tickets; agents' replies go out through the conversation's channel ---
  // with Redis, live events reach the instance holding the user's (or the agent's) connection
  const onBusError = (err: unknown) => log.warn({ err: (err as Error).message }, "a live event could not be shared with the other instances");
  const live = createLiveHub({ firstId: Date.now(), ...(shared ? { bus: { bus: coordination.bus, channel: "live", instanceId, onError: onBusError } } : {}) });
  const deskEvents = createLiveHub({ keep: 500, firstId: Date.now(), ...(shared ? { bus: { bus: coordination.bus, channel: "desk", instanceId, onError: onBusError } } : {}) });
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
    responses: () => knowledge.current().responses,
    events: deskEvents,
  });
  // --- end of human handoff ------------------------------------------------------------------------
  const handler = createBot({
    handoff: desk,
    knowledge: knowledge.current,
    store,
    log,
    settings: { threshold: config.MATCH_THRESHOLD, clarifyMargin: config.CLARIFY_MARGIN, feedbackEvery: config.FEEDBACK_EVERY },
    idleMs: config.CONVERSATION_IDLE_MINUTES * 60_000,
    logText: config.LOG_MESSAGE_TEXT,
    locks: coordination.locks,
  });
  // counted for /metrics, and for the shutdown, which waits for the messages in progress
  const inFlight = createInFlight();
  const bot = inFlight.track(instrumentBot(handler, metrics));
  // --- channels and consoles: each adds its routes here -------------------------------------------
  const routers: Router[] = [];
  const api = createApiChannel({ bot, live, store, maxTextLength: config.MAX_TEXT_LENGTH, limits });
  channels.register(api);
  // a fleet's agents are in the shared database; one instance reads the agents file
  const agents: AgentDirectory = "putAgent" in opened ? postgresAgents(opened) : fileAgents(config.agentsFile);
  routers.push(
    agentConsole({
      desk,
      store,
      knowledge: knowledge.current,
      log,
      agentsFile: config.agentsFile,
      agents,
      signInLimiter: coordination.signInLimiter(10, 15 * 60_000),
      agentToken: config.AGENT_TOKEN,
      sessionMs: config.AGENT_SESSION_HOURS * 3_600_000,
      cookieSecure: config.COOKIE_SECURE,
      timeZone: config.SERVICE_TZ,
    }),
  );
  void agents.list().then(
    (list) => {
      if (list.length === 0 && !config.AGENT_TOKEN) {
        log.warn(`no agent can sign in to the console at /agent yet: create one with \`npm run agent:add -- <name>\` (writes ${agents.where}) or set AGENT_TOKEN`);
      }
    },
    (err: unknown) => log.error((err as Error).message),
  );
  const welcome = () => respond(knowledge.current().responses, "greeting.welcome");
  const responses = () => knowledge.current().responses;
  const web = createWebChannel({
    bot,
    store,
    hub: live,
    maxTextLength: config.MAX_TEXT_LENGTH,
    welcome,
    name: () => respond(responses(), "bot.name"),
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
      responses,
      maxTextLength: config.MAX_TEXT_LENGTH,
      replayGuard: coordination.replays,
    });
    channels.register(mp);
    routers.push(mp.router);
    if (!config.WECHAT_APP_ID || !config.WECHAT_APP_SECRET) {
      log.warn("WECHAT_APP_ID / WECHAT_APP_SECRET are not set: replies slower than the 5-second limit and agent replies cannot reach Official Account users");
    }
    log.info("Official Account webhook at /wechat");
  }
  let wechaty: WechatyChannel | undefined;
  let wechatyRelay: ReturnType<typeof leasedChannel> | undefined;
  let holdsWechaty = false;
  const leaseStops: Array<() => Promise<void>> = [];
  if (config.WECHATY_PUPPET) {
    // loaded only when used: Wechaty and its puppet are heavy
    const { WechatyBuilder } = await import("wechaty");
    const { createWechatyChannel } = await import("../channels/wechaty.js");
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
      responses,
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
    if (shared) {
      // one instance runs the WeChat account (whoever holds the lease); the others hand it what to send
      wechatyRelay = leasedChannel({ channel: wechaty, bus: coordination.bus, holding: () => holdsWechaty, log });
      channels.register(wechatyRelay);
      // the QR page is served by the instance running the account; the others say which one that is
      const elsewhere = express.Router();
      elsewhere.get("/wechaty/qr", async (req, res, next) => {
        if (holdsWechaty) {
          next();
          return;
        }
        const holder = await coordination.leases.holder("wechaty").catch(() => null);
        const body = { status: "elsewhere", instance: holder, hint: "the WeChat account runs on one instance of the fleet: open /wechaty/qr on that instance" };
        if (req.accepts(["json", "html"]) === "json") res.json(body);
        else res.type("html").send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>微信登录</title></head><body><p>机器人微信在另一个实例上运行：${holder ? escapeHtml(holder) : "（正在接管）"}。请打开该实例的 /wechaty/qr。</p></body></html>`);
      });
      routers.push(elsewhere);
    } else {
      channels.register(wechaty);
    }
    routers.push(wechaty.router);
  }
  // --- end of channels -------------------------------------------------------------------------------

  // --- health, readiness, metrics, shutdown -----------------------------------------------------------
  let stopping: Promise<{ forced: boolean }> | undefined;
  const ops = express.Router();
  ops.use((req, res, next) => {
    // while stopping, each answer ends its keep-alive connection, so clients reconnect elsewhere
    if (stopping) res.set("Connection", "close");
    res.on("finish", () => {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : "other";
      metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });
  ops.use(
    healthRouter({
      knowledge: knowledge.current,
      lastReload: knowledge.lastReload,
      checks: {
        server: () => (stopping ? "shutting down" : null),
        messages: () => inFlight.failing(),
        store: async () => {
          const waiting = "status" in opened ? opened.status() : null;
          if (waiting) return waiting;
          await store.check(Date.now());
          return null;
        },
        ...(shared ? { redis: () => coordination.check() } : {}),
        // in a fleet only the instance running the account reports on it: the others serve the rest
        ...(wechaty ? { "channel wechaty": () => (shared && !holdsWechaty ? null : wechatyReadiness(wechaty)) } : {}),
      },
    }),
  );
  ops.use(metricsRouter(metrics, config.METRICS_TOKEN));

  const app = createApp({
    bot,
    knowledge: knowledge.current,
    log,
    maxTextLength: config.MAX_TEXT_LENGTH,
    routers,
    api,
    ops,
    trustProxy: config.TRUST_PROXY,
  });
  const http = createHttpServer(
    {
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      // how often the timeouts above are enforced (Node's default is every 30 s)
      connectionsCheckingInterval: Math.min(1000, config.HTTP_HEADERS_TIMEOUT_MS),
    },
    app,
  );
  http.maxConnections = config.HTTP_MAX_CONNECTIONS;

  const watchers: FSWatcher[] = [];
  const listen = () =>
    new Promise<AddressInfo>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        reject(err.code === "EADDRINUSE" ? new ConfigError(`PORT=${config.PORT} is in use on ${config.HOST}: set PORT to a free port (e.g. PORT=3001 npm start)`) : err);
      };
      http.once("error", onError);
      http.listen(config.PORT, config.HOST, () => {
        http.off("error", onError);
        if (shared) {
          // the timeout sweep and retention run on one instance at a time
          leaseStops.push(
            coordination.leases.hold("desk-sweep", {
              ttlMs: leaseMs,
              onAcquired: () => {
                desk.start();
                retention.start();
              },
              onLost: () => {
                desk.stop();
                void retention.stop();
              },
            }),
          );
        } else {
          desk.start();
          retention.start();
        }
        if (config.KB_WATCH) {
          let timer: NodeJS.Timeout | undefined;
          for (const dir of [config.intentsDir, config.knowledgeDir]) {
            watchers.push(
              watch(dir, () => {
                clearTimeout(timer);
                timer = setTimeout(() => void knowledge.reload("file change"), 300);
              }),
            );
          }
          log.info("watching intents/ and knowledge/ for changes");
        }
        const addr = http.address() as AddressInfo;
        log.info(
          `FAQ bot listening on http://${config.HOST}:${addr.port} (web chat at /, API at POST /api/messages, agent console at /agent); pid ${process.pid}: \`kill -HUP ${process.pid}\` reloads the knowledge base`,
        );
        if (wechaty && shared) {
          const w = wechaty;
          leaseStops.push(
            coordination.leases.hold("wechaty", {
              ttlMs: leaseMs,
              onAcquired: () => {
                holdsWechaty = true;
                log.info(`this instance runs the WeChat account (${config.WECHATY_PUPPET}); its login QR code is at http://${config.HOST}:${addr.port}/wechaty/qr`);
                void w.start();
              },
              onLost: () => {
                holdsWechaty = false;
                log.warn("this instance no longer holds the WeChat account's lease: stopping it here");
                void w.stop();
              },
            }),
          );
        } else if (wechaty) {
          log.info(`starting Wechaty with ${config.WECHATY_PUPPET}; the login QR code is also at http://${config.HOST}:${addr.port}/wechaty/qr`);
          void wechaty.start();
        }
        resolve(addr);
      });
    });

  const stop = () => {
    stopping ??= (async () => {
      log.info("stopping: no new connections; finishing the messages in progress");
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      for (const hub of [live, desk.events] as LiveHub[]) hub.close();
      desk.stop();
      await Promise.allSettled(leaseStops.map((release) => release()));
      wechatyRelay?.close();
      for (const w of watchers) w.close();
      let forced = false;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          forced = true;
          resolve();
        }, config.SHUTDOWN_TIMEOUT_MS);
      });
      const drained = (async () => {
        await Promise.allSettled(channels.list().map((c) => c.stop?.()));
        await retention.stop();
        await inFlight.idle();
        await closed;
      })();
      await Promise.race([drained, deadline]);
      clearTimeout(timer);
      if (forced) {
        log.warn({ inFlight: inFlight.count() }, `still busy after SHUTDOWN_TIMEOUT_MS=${config.SHUTDOWN_TIMEOUT_MS}: cutting the remaining connections`);
        http.closeAllConnections();
      }
      await store.close();
      await coordination.close();
      log.info({ forced }, "stopped");
      return { forced };
    })();
    return stopping;
  };

  return { app, http, store, knowledge, bot, desk, channels, metrics, coordination, listen, stop };
}

/** The agents of a fleet, in its PostgreSQL database (`npm run agent:add` writes there when DATABASE_URL is set). */
function postgresAgents(store: PostgresStore): AgentDirectory {
  return {
    where: "the database (DATABASE_URL)",
    list: () => store.listAgents(),
    put: async (agent) => {
      const known = (await store.listAgents()).some((a) => a.name === agent.name);
      await store.putAgent(agent);
      return known ? "updated" : "added";
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Why the Wechaty channel cannot serve, or null when its account is logged in. */
function wechatyReadiness(wechaty: WechatyChannel): string | null {
  const { status } = wechaty.state();
  if (status === "logged-in") return null;
  return status === "scan" ? "waiting for the bot's WeChat account to scan the QR code at /wechaty/qr" : `the WeChat account is not logged in (${status})`;
}

/** Failures in a row after which readiness reports the messages failing (for a minute after the last one). */
const FAILING_STREAK = 3;
const FAILING_WINDOW_MS = 60_000;

/**
 * Counts the messages being handled, so shutdown can wait for them, and the failures in a row, so
 * /readyz tells when messages fail for a reason its own probe does not see.
 */
function createInFlight() {
  let count = 0;
  let waiters: Array<() => void> = [];
  let streak = 0;
  let lastFailure = { at: 0, message: "" };
  return {
    count: () => count,
    idle: () => (count === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    failing: (): string | null =>
      streak >= FAILING_STREAK && Date.now() - lastFailure.at < FAILING_WINDOW_MS ? `the last ${streak} messages failed (${lastFailure.message})` : null,
    track(bot: Bot): Bot {
      return {
        ...bot,
        async handle(msg) {
          count += 1;
          try {
            const outcome = await bot.handle(msg);
            streak = 0;
            return outcome;
          } catch (err) {
            streak += 1;
            lastFailure = { at: Date.now(), message: (err as Error).message };
            throw err;
          } finally {
            count -= 1;
            if (count === 0) {
              for (const w of waiters) w();
              waiters = [];
            }
          }
        },
      };
    },
  };
}
