import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import express, { type Request, type Response, type Router } from "express";
import type { Bot } from "../bot.js";
import type { Channel, ConversationStore, Reply } from "../types.js";
import { replyEvent, type LiveHub } from "./live.js";
import type { InboundLimits } from "../coordination/rate-limit.js";
import { admitted, readJsonObject, readText } from "./http.js";

/** Options of the web chat channel. */
export interface WebChannelOptions {
  bot: Bot;
  store: ConversationStore;
  hub: LiveHub;
  maxTextLength: number;
  /** The first bubble of a new conversation. */
  welcome: () => string;
  /** Per-user and per-address limits; none when absent. */
  limits?: InboundLimits | undefined;
}

/** The web chat: the page at `/`, its JSON routes under /web, and `send`, which pushes to the page live. */
export interface WebChannel extends Channel {
  router: Router;
}

const ID = /^[\w-]{8,64}$/;
const ASSETS = resolve(import.meta.dirname, "web");
/** The page's files, by URL; nothing else under the folder is served. */
const FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/web/chat.css": { file: "chat.css", type: "text/css; charset=utf-8" },
  "/web/chat.js": { file: "chat.js", type: "text/javascript; charset=utf-8" },
};
const QUICK_REPLIES = /\n\[([^\n\]]*)\]$/;

/**
 * Creates the web chat channel. The page keeps an id in localStorage; the conversation is `web:<id>`.
 * @example
 * const web = createWebChannel({ bot, store, hub, maxTextLength: 2000, welcome: () => "你好" });
 * routers.push(web.router); registry.register(web);
 */
export function createWebChannel({ bot, store, hub, maxTextLength, welcome, limits }: WebChannelOptions): WebChannel {
  const router = express.Router();

  for (const [path, { file, type }] of Object.entries(FILES)) {
    router.get(path, (_req, res) => {
      res.set({
        "Content-Type": type,
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        // everything the page loads comes from this server; text is shown with textContent only
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors *",
      });
      res.sendFile(file, { root: ASSETS });
    });
  }

  /** The id of the query or body, or an answer saying what is wrong with it. */
  const readId = (value: unknown, res: Response): string | null => {
    if (typeof value !== "string" || !ID.test(value)) {
      res.status(400).json({ error: "id must be a string of 8 to 64 letters, digits, _ or - (the page keeps one in localStorage)" });
      return null;
    }
    return value;
  };

  router.post("/web/messages", async (req: Request, res: Response) => {
    const body = readJsonObject(req, res, '{"id": "k3j5h6g7f8d9", "text": "视频号怎么关"}');
    if (!body) return;
    const id = readId(body.id, res);
    if (!id) return;
    const text = readText(body.text, res, maxTextLength);
    if (text === null) return;
    if (!(await admitted(limits, { channel: "web", userId: id, address: req.ip }, res))) return;
    const conversationId = `web:${id}`;
    const outcome = await bot.handle({ channel: "web", conversationId, userId: id, text, messageId: randomUUID(), at: Date.now() });
    res.json({ conversationId, ...outcome });
  });

  router.get("/web/history", async (req: Request, res: Response) => {
    const id = readId(req.query.id, res);
    if (!id) return;
    const conversationId = `web:${id}`;
    const entries = await store.transcript(conversationId, 100);
    const messages = entries.map((e) => {
      // the transcript keeps quick replies as a trailing "[a | b]" line; give them back as buttons
      const m = e.direction === "out" ? QUICK_REPLIES.exec(e.text) : null;
      const reply: { direction: "in" | "out"; text: string; at: number; quickReplies?: string[] } = {
        direction: e.direction,
        text: m ? e.text.slice(0, m.index) : e.text,
        at: e.at,
      };
      if (m?.[1]) reply.quickReplies = m[1].split(" | ");
      return reply;
    });
    const events = hub.since(conversationId, 0);
    res.json({ conversationId, welcome: welcome(), messages, lastEventId: events.at(-1)?.id ?? 0 });
  });

  // agent replies, live: Server-Sent Events; a reconnect sends Last-Event-ID and gets what it missed
  router.get("/web/events", (req: Request, res: Response) => {
    const id = readId(req.query.id, res);
    if (!id) return;
    hub.stream(req, res, `web:${id}`);
  });

  return {
    name: "web",
    router,
    async send(conversationId: string, replies: Reply[]) {
      if (!conversationId.startsWith("web:")) throw new Error(`not a web chat conversation: ${conversationId}`);
      hub.publish(conversationId, "reply", replyEvent(replies, "agent"));
    },
  };
}
