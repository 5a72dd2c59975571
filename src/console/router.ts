import { readFileSync } from "node:fs";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import type { Logger } from "pino";
import { AGENTS_FEED, DeskError, type HandoffDesk, type QueueView } from "../handoff/desk.js";
import { computeInsights } from "../insights/insights.js";
import { addressKey } from "../coordination/rate-limit.js";
import type { SignInLimiter } from "../coordination/coordination.js";
import { createSignInLimiter } from "../coordination/sign-in-limiter.js";
import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import type { AgentSessionStore, InsightsQueries, TicketCursor } from "../types.js";
import { AGENT_NAME, fileAgents, sameSecret, verifyPassword, type AgentDirectory } from "./agents.js";
import { consolePage, insightsPage, signInPage } from "./pages.js";
import { createSessions, parseCookies } from "./sessions.js";

export interface AgentConsoleOptions {
  desk: HandoffDesk;
  /** Agents' sessions, and what the insights page reads (tickets go through the desk). */
  store: AgentSessionStore & InsightsQueries;
  knowledge: () => KnowledgeBase;
  log: Logger;
  /** JSON file of agents (name + scrypt hash), written by `npm run agent:add`. Re-read at each sign-in. */
  agentsFile: string;
  /** Where the agents are instead of the file (the shared database of a fleet). */
  agents?: AgentDirectory;
  /** The sign-in limiter (shared by a fleet); by default one in this process built from `signIn`. */
  signInLimiter?: SignInLimiter;
  /** A shared secret that signs in under any name not in the agents file. */
  agentToken?: string | undefined;
  sessionMs: number;
  /** Mark the cookie Secure (behind https); it is also Secure when the request itself came over https. */
  cookieSecure: boolean;
  /** For the insights page's days. */
  timeZone: string;
  /** Sign-in attempts allowed per address and per account within the window before a lock. */
  signIn?: { maxFailures: number; windowMs: number };
}

const COOKIE = "agent_session";
const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;
const MAX_REPLY = 4000;
const ASSETS: Record<string, { type: string; public: boolean }> = {
  "login.js": { type: "text/javascript; charset=utf-8", public: true },
  "console.css": { type: "text/css; charset=utf-8", public: true },
  "console.js": { type: "text/javascript; charset=utf-8", public: false },
  "insights.js": { type: "text/javascript; charset=utf-8", public: false },
  "favicon.svg": { type: "image/svg+xml", public: true },
};
const PUBLIC_DIR = new URL("./public/", import.meta.url);
// a hash to compare against when the name is unknown, so a wrong name takes as long as a wrong password
const DUMMY_HASH = "scrypt:16384:8:1:AAAAAAAAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/**
 * The agent console: /agent (queue, tickets, replies), /agent/insights, and its JSON API under
 * /api/agent/ (401 without a session; state-changing requests need the header X-Requested-With).
 */
export function agentConsole(options: AgentConsoleOptions): Router {
  const { desk, store, agentToken, sessionMs, cookieSecure } = options;
  const directory = options.agents ?? fileAgents(options.agentsFile);
  const log = options.log.child({ module: "console" });
  const sessions = createSessions(store, sessionMs);
  const limiter = options.signInLimiter ?? createSignInLimiter(options.signIn?.maxFailures ?? 10, options.signIn?.windowMs ?? 15 * 60_000);
  const router = express.Router();
  const assets = new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(new URL(name, PUBLIC_DIR), "utf8")]));

  const agentOf = (req: Request) => sessions.agent(parseCookies(req.get("cookie")).get(COOKIE));
  const agentsConfigured = async (): Promise<boolean> => {
    try {
      return (await directory.list()).length > 0 || Boolean(agentToken);
    } catch (err) {
      log.error({ err }, "the agents file cannot be read");
      return false;
    }
  };
  const secureHeaders = (_req: Request, res: Response, next: NextFunction) => {
    res.set({
      "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "Referrer-Policy": "no-referrer",
      "Cache-Control": "no-store",
    });
    next();
  };
  router.use(["/agent", "/api/agent"], secureHeaders);

  // --- pages ---
  const page = (render: (agent: string) => string) => async (req: Request, res: Response) => {
    const agent = await agentOf(req);
    res.type("html").send(agent ? render(agent) : signInPage(await agentsConfigured()));
  };
  router.get("/agent", page(consolePage));
  router.get("/agent/insights", page(insightsPage));
  router.get("/agent/assets/:file", async (req, res) => {
    const name = String(req.params.file);
    const asset = ASSETS[name];
    if (!asset || !assets.has(name)) {
      res.status(404).json({ error: "not found" });
      return;
    }
    if (!asset.public && !(await agentOf(req))) {
      res.status(401).json({ error: "sign in at /agent first" });
      return;
    }
    res.type(asset.type).send(assets.get(name));
  });

  // --- CSRF: a cross-site form cannot set a custom header, and the cookie is SameSite=Strict ---
  router.use("/api/agent", (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD" && !req.get("x-requested-with")) {
      res.status(403).json({ error: "state-changing requests need the header X-Requested-With (e.g. X-Requested-With: fetch)" });
      return;
    }
    next();
  });

  router.post("/api/agent/login", async (req, res) => {
    const ip = req.ip ?? req.socket.remoteAddress ?? "unknown";
    const { name, password } = (req.body ?? {}) as Record<string, unknown>;
    if (typeof name !== "string" || !AGENT_NAME.test(name) || typeof password !== "string" || password.length === 0 || password.length > 1024) {
      res.status(400).json({ error: "send {\"name\": \"…\", \"password\": \"…\"} as JSON (name: 1 to 32 letters, digits or _ . -)" });
      return;
    }
    // counted before the hash runs: concurrent guesses cannot all pass before the first one fails
    const attempt = await limiter.reserve(name, addressKey(ip));
    if (!attempt.ok) {
      res.status(429).set("Retry-After", String(attempt.retryAfter)).json({ error: `too many failed sign-ins: try again in ${attempt.retryAfter} seconds` });
      return;
    }
    let agents;
    try {
      agents = await directory.list();
    } catch (err) {
      await attempt.release();
      log.error({ err }, `the agents cannot be read from ${directory.where}`);
      res.status(503).json({ error: (err as Error).message });
      return;
    }
    if (agents.length === 0 && !agentToken) {
      await attempt.release();
      res.status(503).json({ error: "no agent is configured: create one with `npm run agent:add -- <name>` (or set AGENT_TOKEN)" });
      return;
    }
    const record = agents.find((a) => a.name === name);
    const passwordOk = await verifyPassword(password, record?.hash ?? DUMMY_HASH);
    const tokenOk = !record && agentToken !== undefined && sameSecret(password, agentToken);
    if (!(record && passwordOk) && !tokenOk) {
      log.warn({ ip, name }, "failed agent sign-in");
      res.status(401).json({ error: "wrong name or password" });
      return;
    }
    await attempt.release();
    const session = await sessions.create(name);
    const secure = cookieSecure || req.secure ? "; Secure" : "";
    res.set(
      "Set-Cookie",
      `${COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(sessionMs / 1000)}${secure}`,
    );
    log.info({ agent: name }, "agent signed in");
    res.json({ agent: name, expires: new Date(session.expires).toISOString() });
  });

  // --- everything below needs a session ---
  router.use("/api/agent", async (req, res, next) => {
    const agent = await agentOf(req);
    if (!agent) {
      res.status(401).json({ error: "not signed in: sign in at /agent" });
      return;
    }
    res.locals.agent = agent;
    next();
  });
  const me = (res: Response) => res.locals.agent as string;
  const feedId = () => desk.events.since(AGENTS_FEED, 0).at(-1)?.id ?? 0;
  const failed = (res: Response, err: unknown) => {
    if (err instanceof DeskError) res.status(err.status).json({ error: err.message });
    else throw err;
  };

  router.post("/api/agent/logout", async (req, res) => {
    await sessions.destroy(parseCookies(req.get("cookie")).get(COOKIE));
    res.set("Set-Cookie", `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    res.json({ ok: true });
  });
  router.get("/api/agent/me", (_req, res) => {
    res.json({ agent: me(res) });
  });
  // `feed` is the last event id before the data was read: the page applies only later events
  router.get("/api/agent/tickets", async (req, res) => {
    const view = req.query.view ?? "waiting";
    if (view !== "waiting" && view !== "mine" && view !== "closed") {
      res.status(400).json({ error: "view must be waiting, mine or closed" });
      return;
    }
    const limit = req.query.limit === undefined ? PAGE_SIZE : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      res.status(400).json({ error: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` });
      return;
    }
    const after = req.query.cursor === undefined || req.query.cursor === "" ? null : decodeCursor(req.query.cursor);
    if (after === undefined) {
      res.status(400).json({ error: "cursor is not one this server gave: pass the `next` of the previous page, or leave it out for the first page" });
      return;
    }
    const feed = feedId();
    const [page, counts] = await Promise.all([desk.queue(view as QueueView, me(res), { after, limit }), desk.counts(me(res))]);
    res.json({ view, tickets: page.tickets, next: page.next ? encodeCursor(page.next) : null, counts, feed, now: Date.now() });
  });
  router.get("/api/agent/counts", async (_req, res) => {
    const feed = feedId();
    res.json({ counts: await desk.counts(me(res)), feed, now: Date.now() });
  });
  router.get("/api/agent/canned-replies", (_req, res) => {
    res.json({ replies: options.knowledge().cannedReplies });
  });
  router.get("/api/agent/tickets/:id", async (req, res) => {
    try {
      const feed = feedId();
      res.json({ ...(await desk.view(String(req.params.id))), feed });
    } catch (err) {
      failed(res, err);
    }
  });
  router.post("/api/agent/tickets/:id/claim", async (req, res) => {
    try {
      res.json({ ticket: await desk.claim(String(req.params.id), me(res)) });
    } catch (err) {
      failed(res, err);
    }
  });
  router.post("/api/agent/tickets/:id/reply", async (req, res) => {
    const text = (req.body as { text?: unknown } | undefined)?.text;
    if (typeof text !== "string" || text.trim().length === 0 || text.length > MAX_REPLY) {
      res.status(400).json({ error: `send {"text": "…"}: a non-empty reply of at most ${MAX_REPLY} characters` });
      return;
    }
    try {
      res.json({ ticket: await desk.reply(String(req.params.id), me(res), text.trim()) });
    } catch (err) {
      failed(res, err);
    }
  });
  // the user's page shows "typing…" while the agent writes; the console calls this every few seconds of typing
  router.post("/api/agent/tickets/:id/typing", async (req, res) => {
    try {
      await desk.typing(String(req.params.id), me(res));
      res.json({ ok: true });
    } catch (err) {
      failed(res, err);
    }
  });
  for (const [path, how] of [
    ["release", "released"],
    ["close", "closed"],
  ] as const) {
    router.post(`/api/agent/tickets/:id/${path}`, async (req, res) => {
      try {
        res.json({ ticket: await desk.finish(String(req.params.id), me(res), how) });
      } catch (err) {
        failed(res, err);
      }
    });
  }
  router.get("/api/agent/events", (req, res) => {
    desk.events.stream(req, res, AGENTS_FEED);
    // a stream outlives its request: end it when the session is signed out or expires
    const check = setInterval(() => {
      void agentOf(req).then(
        (agent) => agent || res.end(),
        () => undefined,
      );
    }, 30_000);
    check.unref();
    req.on("close", () => clearInterval(check));
  });
  router.get("/api/agent/insights", async (req, res) => {
    const days = Number(req.query.days ?? 14);
    if (!Number.isInteger(days) || days < 1 || days > 365) {
      res.status(400).json({ error: "days must be an integer from 1 to 365" });
      return;
    }
    const kb = options.knowledge();
    res.json(await computeInsights(store, { days, timeZone: options.timeZone, title: (id) => kb.intents.get(id)?.title }));
  });
  return router;
}

/** A page's place as an opaque string for the `cursor` query parameter. */
export function encodeCursor(cursor: TicketCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString("base64url");
}

/** The place a `cursor` parameter names, or undefined when it is not one `encodeCursor` made. */
export function decodeCursor(raw: unknown): TicketCursor | undefined {
  if (typeof raw !== "string" || raw.length > 200 || !/^[\w-]+$/.test(raw)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [at, id] = value as [unknown, unknown];
    if (typeof at !== "number" || !Number.isFinite(at) || typeof id !== "string" || id.length === 0 || id.length > 100) return undefined;
    return { at, id };
  } catch {
    return undefined;
  }
}
