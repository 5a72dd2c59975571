import { randomUUID } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import type { Bot } from "../bot.js";

/** Options of the API channel. */
export interface HttpChannelOptions {
  bot: Bot;
  maxTextLength: number;
}

const USER_ID = /^[\w.:@-]{1,128}$/;

/**
 * The API channel: POST /api/messages { userId, text } → Outcome (the contract in DESIGN.md).
 * @example
 * curl -s localhost:3000/api/messages -H 'content-type: application/json' -d '{"userId":"u-42","text":"视频号怎么关"}'
 */
export function httpChannel({ bot, maxTextLength }: HttpChannelOptions): Router {
  const router = express.Router();
  router.post("/api/messages", async (req: Request, res: Response) => {
    if (!req.is("application/json")) {
      res.status(415).json({ error: "Content-Type must be application/json" });
      return;
    }
    const body: unknown = req.body;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      res.status(400).json({ error: "the body must be a JSON object like {\"userId\": \"u-42\", \"text\": \"视频号怎么关\"}" });
      return;
    }
    const { userId, text, messageId } = body as Record<string, unknown>;
    if (typeof userId !== "string" || !USER_ID.test(userId)) {
      res.status(400).json({ error: "userId must be a string of 1 to 128 letters, digits or . _ : @ -" });
      return;
    }
    if (typeof text !== "string" || text.trim().length === 0 || [...text].length > maxTextLength) {
      res.status(400).json({ error: `text must be a non-empty string of at most ${maxTextLength} characters` });
      return;
    }
    if (messageId !== undefined && (typeof messageId !== "string" || messageId.length > 128)) {
      res.status(400).json({ error: "messageId, when given, must be a string of at most 128 characters" });
      return;
    }
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
  return router;
}
