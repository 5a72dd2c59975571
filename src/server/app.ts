import express, { type ErrorRequestHandler, type Express, type Router } from "express";
import type { Logger } from "pino";
import { isStoreUnavailable } from "../store/postgres.js";
import type { Bot } from "../bot.js";
import { createApiChannel, jsonBodyLimit, requireUtf8, type ApiChannel } from "../channels/http.js";
import { createLiveHub } from "../channels/live.js";
import type { InboundLimits } from "../coordination/rate-limit.js";
import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { healthRouter } from "./health.js";

export interface AppOptions {
  bot: Bot;
  knowledge: () => KnowledgeBase;
  log: Logger;
  maxTextLength: number;
  /** More routes to mount before the 404 handler (channels, agent console). */
  routers?: Router[];
  /**
   * The API channel (register the same one with the channel registry, so agent replies reach its
   * users); without it, one is made for `bot` with a live hub of its own and no history route.
   */
  api?: ApiChannel;
  /** Per-user and per-address limits of the API channel made here (an `api` given brings its own). */
  limits?: InboundLimits;
  /** Express's `trust proxy`: which proxies' X-Forwarded-For gives the client address (req.ip). */
  trustProxy?: boolean | number | string;
  /** Mounted first, before body parsing: health, readiness, metrics, shutdown (default: a plain /healthz). */
  ops?: Router;
}

/** The express app: channel routes, health, JSON errors everywhere. */
export function createApp({ bot, knowledge, log, maxTextLength, routers = [], api, limits, trustProxy, ops }: AppOptions): Express {
  const app = express();
  const httpLog = log.child({ module: "server" });
  app.disable("x-powered-by");
  if (trustProxy !== undefined) app.set("trust proxy", trustProxy);
  app.use(ops ?? healthRouter({ knowledge }));
  // room for the longest allowed text however it is escaped; bytes that are not UTF-8 are refused
  app.use(express.json({ limit: Math.max(16_384, jsonBodyLimit(maxTextLength)), verify: requireUtf8 }));
  app.use((api ?? createApiChannel({ bot, live: createLiveHub(), maxTextLength, limits })).router);
  for (const router of routers) app.use(router);
  app.use((_req, res) => {
    res.status(404).json({ error: "not found" });
  });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const e = err as { status?: number; type?: string; message?: string };
    if (e.type === "entity.too.large") {
      res.status(413).json({ error: "the request body is too large" });
    } else if (e.type === "encoding.invalid") {
      res.status(400).json({ error: e.message ?? "the body is not valid UTF-8" });
    } else if (e.type === "entity.parse.failed") {
      res.status(400).json({ error: "the body is not valid JSON" });
    } else if (e.type === "encoding.unsupported" || e.type === "charset.unsupported") {
      res.status(415).json({ error: "the body must be UTF-8 JSON" });
    } else if (e.status === 503 || (err as Error)?.name === "StaleLockError" || isStoreUnavailable(err)) {
      // a shared engine (database, Redis) is out of reach: refuse rather than answer out of order
      httpLog.warn({ err: { name: (err as Error).name, message: e.message } }, "refused a request: a shared engine is unavailable");
      res.status(503).set("Retry-After", "2").json({ error: "the service is briefly unavailable: try again in a few seconds" });
    } else if (typeof e.status === "number" && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: e.message ?? "bad request" });
    } else {
      httpLog.error({ err }, "request failed");
      res.status(500).json({ error: "internal error" });
    }
  };
  app.use(onError);
  return app;
}
