import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import type { Bot } from "../bot.js";
import { tooManyMessages, type InboundLimits, type Sender } from "../coordination/rate-limit.js";
import type { Channel, ConversationStateStore } from "../types.js";
import { historyMessage } from "./history.js";
import { replyEvent, type LiveHub } from "./live.js";

const USER_ID = /^[\w.:@-]{1,128}$/;

/** The JSON object a chat message is sent as, or null after answering 415 / 400 with what is wrong. */
export function readJsonObject(req: Request, res: Response, example: string): Record<string, unknown> | null {
  if (!req.is("application/json")) {
    res.status(415).json({ error: "Content-Type must be application/json" });
    return null;
  }
  const body: unknown = req.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    res.status(400).json({ error: `the body must be a JSON object like ${example}` });
    return null;
  }
  return body as Record<string, unknown>;
}

/** A UTF-16 surrogate without its pair: JSON can carry one (`"\ud800"`), UTF-8 cannot store it. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** True when the string has a lone surrogate, which no UTF-8 store or client can represent. */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

/** The text of a chat message, or null after answering 400: non-empty, at most maxTextLength characters. */
export function readText(value: unknown, res: Response, maxTextLength: number): string | null {
  if (typeof value !== "string" || value.trim().length === 0 || [...value].length > maxTextLength) {
    res.status(400).json({ error: `text must be a non-empty string of at most ${maxTextLength} characters` });
    return null;
  }
  if (hasLoneSurrogate(value)) {
    res.status(400).json({ error: "text contains a lone surrogate (a \\uD800-\\uDFFF escape without its pair): send valid Unicode" });
    return null;
  }
  return value;
}

/** How long a repeated refusal is held before it is sent (at most; never past Retry-After). */
const REFUSAL_HOLD_MS = 1000;

/**
 * True when the limits admit the sender; otherwise answers 429 `{error, retryAfter}` with Retry-After.
 * A client that keeps sending while refused gets its answers a second late: a flood over a few
 * connections then costs the server a few requests a second, not all its time, so other users keep
 * their speed.
 */
export async function admitted(limits: InboundLimits | undefined, sender: Sender, res: Response): Promise<boolean> {
  if (!limits) return true;
  const decision = await limits.admit(sender);
  if (decision.ok) return true;
  if (!decision.first) await new Promise((r) => setTimeout(r, Math.min(REFUSAL_HOLD_MS, decision.retryAfter * 1000)));
  res.status(429).set("Retry-After", String(decision.retryAfter)).json(tooManyMessages(decision));
  return false;
}

/**
 * The largest JSON body a chat message may take: any text within maxTextLength characters, in any
 * valid JSON encoding. The widest is a `\uD83D\uDE00` pair, 12 bytes per character; the rest is
 * room for the other fields (ids of up to 128 characters, escaped too) and whitespace.
 */
export function jsonBodyLimit(maxTextLength: number): number {
  return maxTextLength * 12 + 8192;
}

/** A body-parser `verify` that refuses bytes that are not UTF-8 (rather than decoding them as U+FFFD). */
export function requireUtf8(_req: unknown, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw Object.assign(new Error("the body is not valid UTF-8: send text encoded as UTF-8"), { status: 400, type: "encoding.invalid" });
}

/** Options of the API channel. */
export interface ApiChannelOptions {
  bot: Bot;
  /** Where agent replies and notices wait for the user's SSE stream or long-poll. */
  live: LiveHub;
  /** The transcript GET /api/messages/history reads; without it that route is absent. */
  store?: Pick<ConversationStateStore, "transcript"> | undefined;
  maxTextLength: number;
  /** Per-user and per-address limits; none when absent. */
  limits?: InboundLimits | undefined;
}

/** The API channel: its routes, and the `Channel` an agent's reply to `api:<userId>` goes through. */
export interface ApiChannel extends Channel {
  router: Router;
}

const MAX_WAIT_MS = 30_000;

/**
 * The API channel (the contract in DESIGN.md), one router and one `Channel`:
 * - POST /api/messages { userId, text, messageId? } → Outcome;
 * - what reaches an API user outside a request (agent replies, queue notices), published on the live
 *   hub: GET /api/messages/events?userId=… (Server-Sent Events, resumes with Last-Event-ID) and
 *   GET /api/messages/poll?userId=…&after=ID&waitMs=… (long-poll);
 * - GET /api/messages/history?userId=…&limit=N, the conversation as stored (with `store`).
 * The userId is the conversation's bearer: only `api:<userId>` is ever served to it.
 * @example
 * curl -s localhost:3000/api/messages -H 'content-type: application/json' -d '{"userId":"u-42","text":"你好"}'
 * curl -N 'localhost:3000/api/messages/events?userId=u-42'
 * curl -s 'localhost:3000/api/messages/poll?userId=u-42&after=0&waitMs=25000'
 */
export function createApiChannel({ bot, live, store, maxTextLength, limits }: ApiChannelOptions): ApiChannel {
  const router = express.Router();
  router.post("/api/messages", async (req: Request, res: Response) => {
    const body = readJsonObject(req, res, '{"userId": "u-42", "text": "你好"}');
    if (!body) return;
    const { userId, messageId } = body;
    if (typeof userId !== "string" || !USER_ID.test(userId)) {
      res.status(400).json({ error: "userId must be a string of 1 to 128 letters, digits or . _ : @ -" });
      return;
    }
    const text = readText(body.text, res, maxTextLength);
    if (text === null) return;
    if (messageId !== undefined && (typeof messageId !== "string" || messageId.length > 128 || hasLoneSurrogate(messageId))) {
      res.status(400).json({ error: "messageId, when given, must be a string of at most 128 characters (valid Unicode)" });
      return;
    }
    if (!(await admitted(limits, { channel: "api", userId, address: req.ip }, res))) return;
    const conversationId = `api:${userId}`;
    const outcome = await bot.handle({
      channel: "api",
      conversationId,
      userId,
      text,
      messageId: messageId ?? randomUUID(),
      at: Date.now(),
    });
    res.json({ conversationId, ...outcome });
  });

  const userOf = (req: Request, res: Response): string | null => {
    const userId = req.query.userId;
    if (typeof userId !== "string" || !USER_ID.test(userId)) {
      res.status(400).json({ error: "userId must be given once in the query: 1 to 128 letters, digits or . _ : @ - (e.g. ?userId=u-42)" });
      return null;
    }
    return userId;
  };
  router.get("/api/messages/events", (req, res) => {
    const userId = userOf(req, res);
    if (userId === null) return;
    const after = req.query.after;
    if (after !== undefined && (typeof after !== "string" || !/^\d{1,15}$/.test(after))) {
      res.status(400).json({ error: "after, when given, must be the id of the last event received (a non-negative integer)" });
      return;
    }
    live.stream(req, res, `api:${userId}`);
  });
  router.get("/api/messages/poll", async (req, res) => {
    const userId = userOf(req, res);
    if (userId === null) return;
    const { after = "0", waitMs = "25000" } = req.query;
    if (typeof after !== "string" || !/^\d{1,15}$/.test(after)) {
      res.status(400).json({ error: "after must be the id of the last event received (a non-negative integer; 0 for everything kept)" });
      return;
    }
    if (typeof waitMs !== "string" || !/^\d{1,6}$/.test(waitMs) || Number(waitMs) > MAX_WAIT_MS) {
      res.status(400).json({ error: `waitMs must be an integer from 0 to ${MAX_WAIT_MS}` });
      return;
    }
    const conversationId = `api:${userId}`;
    let gone = false;
    res.on("close", () => {
      gone = true;
    });
    const events = await live.poll(conversationId, Number(after), Number(waitMs));
    if (gone) return;
    const last = events.at(-1)?.id ?? Number(after);
    res.json({ conversationId, events: events.map(({ id, type, at, data }) => ({ id, type, at, data })), last });
  });
  // the conversation as stored: what the user missed while away, agent replies included, after a restart too
  if (store) {
    router.get("/api/messages/history", async (req, res) => {
      const userId = userOf(req, res);
      if (userId === null) return;
      const { limit = "50" } = req.query;
      if (typeof limit !== "string" || !/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > 200) {
        res.status(400).json({ error: "limit must be an integer from 1 to 200" });
        return;
      }
      const conversationId = `api:${userId}`;
      const entries = await store.transcript(conversationId, Number(limit));
      res.json({
        conversationId,
        messages: entries.map(historyMessage),
      });
    });
  }

  return {
    name: "api",
    router,
    async send(conversationId, replies, sender) {
      live.publish(conversationId, "reply", replyEvent(replies, sender?.from, sender?.author));
    },
  };
}
