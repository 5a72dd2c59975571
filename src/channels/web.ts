import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import express, { type Request, type Response, type Router } from "express";
import type { Bot } from "../bot.js";
import type { Channel, ConversationStateStore, HandoffStatus, Reply, Sender } from "../types.js";
import { historyMessage, type HistoryMessage } from "./history.js";
import { replyEvent, type LiveHub } from "./live.js";
import type { InboundLimits } from "../coordination/rate-limit.js";
import { admitted, readJsonObject, readText } from "./http.js";

/** Options of the web chat channel. */
export interface WebChannelOptions {
  bot: Bot;
  store: Pick<ConversationStateStore, "transcript">;
  hub: LiveHub;
  maxTextLength: number;
  /** The first bubble of a new conversation. */
  welcome: () => string;
  /** The bot's name, shown in the page's title bar (the page's own generic title when absent). */
  name?: () => string;
  /** Per-user and per-address limits; none when absent. */
  limits?: InboundLimits | undefined;
  /** The handoff desk as the page sees it (the banner, leaving the queue); without it the page shows no banner. */
  handoff?: WebHandoff;
}

/** What the web chat needs of the handoff desk. */
export interface WebHandoff {
  status(conversationId: string): Promise<HandoffStatus | null>;
  /** Calls `listener` whenever any ticket changes (queue places may have moved); returns how to stop. */
  onChange(listener: () => void): () => void;
  /** Closes the conversation's ticket as cancelled by the user and gives it back to the bot. */
  cancel(conversationId: string): Promise<boolean>;
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
export function createWebChannel({ bot, store, hub, maxTextLength, welcome, name, handoff, limits }: WebChannelOptions): WebChannel {
  const router = express.Router();
  // pages listening now (conversation → open streams), and the banner status each was sent last
  const listening = new Map<string, number>();
  const shown = new Map<string, string>();
  /** Pushes the conversation's handoff status when it differs from what its page was sent last. */
  const pushStatus = async (conversationId: string) => {
    if (!handoff) return;
    const status = await handoff.status(conversationId);
    const json = JSON.stringify(status);
    if (shown.get(conversationId) === json) return;
    shown.set(conversationId, json);
    // not kept for replay: a page that reconnects is sent the status as it is then
    hub.publish(conversationId, "handoff", { handoff: status }, { keep: false });
  };
  let pending: NodeJS.Timeout | undefined;
  // one ticket change can move every waiting user's place: refresh the pages listening, at most every 100 ms
  handoff?.onChange(() => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      for (const conversationId of listening.keys()) void pushStatus(conversationId).catch(() => undefined);
    }, 100);
    pending.unref();
  });

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
    const body = readJsonObject(req, res, '{"id": "k3j5h6g7f8d9", "text": "你好"}');
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
      const message: HistoryMessage & { quickReplies?: string[] } = historyMessage(e);
      // the transcript keeps the bot's quick replies as a trailing "[a | b]" line; give them back as buttons
      const m = message.from === "bot" ? QUICK_REPLIES.exec(e.text) : null;
      if (m) message.text = e.text.slice(0, m.index);
      if (m?.[1]) message.quickReplies = m[1].split(" | ");
      return message;
    });
    const status = handoff ? await handoff.status(conversationId) : null;
    const events = hub.since(conversationId, 0);
    res.json({ conversationId, welcome: welcome(), ...(name ? { name: name() } : {}), messages, handoff: status, lastEventId: events.at(-1)?.id ?? 0 });
  });

  // agent replies, typing and the queue banner, live: Server-Sent Events; a reconnect sends Last-Event-ID and gets what it missed
  router.get("/web/events", (req: Request, res: Response) => {
    const id = readId(req.query.id, res);
    if (!id) return;
    const conversationId = `web:${id}`;
    hub.stream(req, res, conversationId);
    listening.set(conversationId, (listening.get(conversationId) ?? 0) + 1);
    // the queue may have moved while the page was away
    void pushStatus(conversationId).catch(() => undefined);
    req.on("close", () => {
      const left = (listening.get(conversationId) ?? 1) - 1;
      if (left > 0) listening.set(conversationId, left);
      else {
        listening.delete(conversationId);
        shown.delete(conversationId);
      }
    });
  });

  // 新对话 while waiting for a human: the page leaves the queue before it starts afresh
  router.post("/web/cancel", async (req: Request, res: Response) => {
    const body = readJsonObject(req, res, '{"id": "k3j5h6g7f8d9"}');
    if (!body) return;
    const id = readId(body.id, res);
    if (!id) return;
    const cancelled = handoff ? await handoff.cancel(`web:${id}`) : false;
    res.json({ conversationId: `web:${id}`, cancelled });
  });

  return {
    name: "web",
    router,
    async send(conversationId: string, replies: Reply[], sender?: Sender) {
      if (!conversationId.startsWith("web:")) throw new Error(`not a web chat conversation: ${conversationId}`);
      hub.publish(conversationId, "reply", replyEvent(replies, sender?.from ?? "agent", sender?.author ?? null));
    },
    async typing(conversationId: string, sender: Sender) {
      if (!conversationId.startsWith("web:")) throw new Error(`not a web chat conversation: ${conversationId}`);
      // passing: an agent typing for minutes must not push replies out of what a reconnect replays
      hub.publish(conversationId, "typing", { from: sender.from, author: sender.author ?? null }, { keep: false });
    },
  };
}
