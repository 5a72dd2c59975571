import { createHash, timingSafeEqual } from "node:crypto";
import express, { type Router } from "express";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Bot } from "../bot.js";
import type { ConversationStore, TicketStatus } from "../types.js";

/** The server's Prometheus metrics, one registry per server. */
export interface Metrics {
  registry: Registry;
  /** Messages handled, by channel, outcome kind and status ("ok" | "error"). */
  messages: Counter<"channel" | "kind" | "status">;
  confidence: Histogram<"channel">;
  latency: Histogram<"channel">;
  /** HTTP requests by method, route and status code. */
  requests: Counter<"method" | "route" | "status">;
  /** Requests or messages refused by a rate limit: limits increment it (`scope`: "user", "address", …). */
  rateLimited: Counter<"channel" | "scope">;
  storeErrors: Counter<"operation">;
}

/**
 * Creates the metrics. `ticketCounts` feeds the queue length and tickets-by-state gauges when scraped;
 * the process metrics include the event-loop lag (nodejs_eventloop_lag_seconds).
 */
export function createMetrics(ticketCounts?: () => Promise<Record<TicketStatus, number>>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const storeErrors = new Counter({ name: "faqbot_store_errors_total", help: "Store operations that failed", labelNames: ["operation"], registers });
  const counts = async () => {
    try {
      return await ticketCounts?.();
    } catch {
      storeErrors.inc({ operation: "ticketCounts" });
      return undefined;
    }
  };
  new Gauge({
    name: "faqbot_handoff_queue_length",
    help: "Tickets waiting for an agent",
    registers,
    async collect() {
      const c = await counts();
      if (c) this.set(c.waiting);
    },
  });
  new Gauge({
    name: "faqbot_tickets",
    help: "Handoff tickets by state",
    labelNames: ["state"],
    registers,
    async collect() {
      const c = await counts();
      if (c) for (const [state, n] of Object.entries(c)) this.set({ state }, n);
    },
  });
  return {
    registry,
    messages: new Counter({ name: "faqbot_messages_total", help: "Messages handled by the bot", labelNames: ["channel", "kind", "status"], registers }),
    confidence: new Histogram({
      name: "faqbot_match_confidence",
      help: "Confidence of the match of each handled message",
      labelNames: ["channel"],
      buckets: [0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
      registers,
    }),
    latency: new Histogram({
      name: "faqbot_message_duration_seconds",
      help: "Time to handle one message (lock, store, match, decide)",
      labelNames: ["channel"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    requests: new Counter({ name: "faqbot_http_requests_total", help: "HTTP requests answered", labelNames: ["method", "route", "status"], registers }),
    rateLimited: new Counter({ name: "faqbot_rate_limited_total", help: "Requests or messages refused by a rate limit", labelNames: ["channel", "scope"], registers }),
    storeErrors,
  };
}

/** The bot, counting each message, its confidence and how long it took. */
export function instrumentBot(bot: Bot, metrics: Metrics): Bot {
  return {
    ...bot,
    async handle(msg) {
      const end = metrics.latency.startTimer({ channel: msg.channel });
      try {
        const outcome = await bot.handle(msg);
        metrics.messages.inc({ channel: msg.channel, kind: outcome.kind, status: "ok" });
        metrics.confidence.observe({ channel: msg.channel }, outcome.confidence);
        return outcome;
      } catch (err) {
        metrics.messages.inc({ channel: msg.channel, kind: "none", status: "error" });
        throw err;
      } finally {
        end();
      }
    },
  };
}

/** The store, counting the operations that throw. */
export function instrumentStore<S extends ConversationStore>(store: S, metrics: Metrics): S {
  const counted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(store)) {
    if (typeof value !== "function" || key === "transaction") {
      counted[key] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => Promise<unknown>;
    counted[key] = async (...args: unknown[]) => {
      try {
        return await method.apply(store, args);
      } catch (err) {
        metrics.storeErrors.inc({ operation: key });
        throw err;
      }
    };
  }
  counted.transaction = store.transaction.bind(store);
  return counted as S;
}

/** GET /metrics in the Prometheus text format; with a token, only for `Authorization: Bearer <token>`. */
export function metricsRouter(metrics: Metrics, token?: string): Router {
  const router = express.Router();
  const digest = (s: string) => createHash("sha256").update(s).digest();
  const expected = token ? digest(token) : null;
  router.get("/metrics", async (req, res) => {
    if (expected) {
      const given = /^Bearer (.+)$/i.exec(req.get("authorization") ?? "")?.[1] ?? "";
      if (!timingSafeEqual(digest(given), expected)) {
        res.status(401).set("WWW-Authenticate", 'Bearer realm="metrics"').json({ error: "metrics need the header Authorization: Bearer <METRICS_TOKEN>" });
        return;
      }
    }
    res.set("Content-Type", metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
