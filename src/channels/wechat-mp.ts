import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { Logger } from "pino";
import type { Bot } from "../bot.js";
import type { InboundLimits } from "../coordination/rate-limit.js";
import { createReplayGuard, type ReplayGuard } from "../coordination/replay-guard.js";
import type { Channel, Reply } from "../types.js";
import { requireUtf8 } from "./http.js";
import { defaultResponses, respond, type ResponseKey, type Responses } from "../dialog/responses.js";
import { createNumberedChoices, renderPlainText } from "./plain-text.js";

// The WeChat Official Account (公众号) webhook: WeChat POSTs each user message as XML to /wechat and
// shows the XML we answer with (a "passive reply").
// Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
//
// The 5-second rule: "微信服务器在五秒内收不到响应会断掉连接，并且重新发起请求，总共重试三次……有msgid的消息推荐
// 使用msgid排重。事件类型消息推荐使用FromUserName + CreateTime 排重" and "假如服务器无法保证在五秒内处理并回复，
// 必须做出下述回复，这样微信服务器才不会对此作任何处理，并且不会发起重试（这种情况下，可以使用客服消息接口进行异步
// 回复）……直接回复success" — https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html
// So a reply that is not ready within the budget answers `success` and goes out later as a
// customer-service message, and a retried MsgId never produces a second answer.

/** Options of the Official Account channel. */
export interface WechatMpOptions {
  bot: Bot;
  log: Logger;
  /** The Token set in the MP admin (基本配置 → 服务器配置). */
  token: string;
  appId?: string;
  appSecret?: string;
  /** The 43-character EncodingAESKey; needed for security mode (安全模式) and compatible mode. */
  encodingAesKey?: string;
  /** https://api.weixin.qq.com, or a fake in tests. */
  apiBase: string;
  /** How long a passive reply may take before the channel answers `success` and sends it later (ms). */
  replyBudgetMs: number;
  /** Text sent to a new follower (the `subscribe` event). */
  welcome: () => string;
  maxTextLength: number;
  /** Largest accepted request body. */
  bodyLimit?: string;
  /**
   * WeChat's message encryption mode (消息加解密方式): `plain` (明文) takes plaintext only, `compat`
   * (兼容) takes both, `safe` (安全) refuses plaintext. Default: `safe` with an EncodingAESKey, else `plain`.
   */
  security?: WechatSecurity;
  /** A signed request is accepted while its timestamp is within this many seconds of the clock (default 300). */
  timestampWindowSec?: number;
  /** Remembers signed requests against replays; in process by default. */
  replayGuard?: ReplayGuard;
  /** The clock, in ms. */
  now?: () => number;
  /** Per-user limits (every message comes from WeChat's servers, so no address limit applies). */
  limits?: InboundLimits | undefined;
  /** The notices users are told (the knowledge base's responses); the engine's defaults when absent. */
  responses?: () => Responses;
}

/** WeChat's three message encryption modes (MP admin → 基本配置 → 消息加解密方式). */
export type WechatSecurity = "plain" | "compat" | "safe";

/** The Official Account channel: its `send` delivers agent replies as customer-service messages. */
export interface WechatMpChannel extends Channel {
  router: Router;
}

/** Retries come within about 15 s (three tries, 5 s apart); keep answers a while longer. */
const DEDUPE_MS = 60_000;

/** SHA1 of the sorted parts, as WeChat signs requests (signature and msg_signature). */
export function wechatSignature(...parts: string[]): string {
  return createHash("sha1").update([...parts].sort().join("")).digest("hex");
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Encrypts and decrypts WeChat security-mode messages (AES-256-CBC, PKCS#7 to 32 bytes, appid check). */
export function wechatCrypto(encodingAesKey: string, appId: string) {
  const key = Buffer.from(`${encodingAesKey}=`, "base64");
  if (key.length !== 32) throw new Error("the EncodingAESKey must be the 43 characters shown in the MP admin");
  const iv = key.subarray(0, 16);
  return {
    encrypt(message: string): string {
      const body = Buffer.from(message, "utf8");
      const length = Buffer.alloc(4);
      length.writeUInt32BE(body.length);
      const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(appId, "utf8")]);
      const pad = 32 - (plain.length % 32);
      const cipher = createCipheriv("aes-256-cbc", key, iv).setAutoPadding(false);
      return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString("base64");
    },
    /** The message inside; throws when it is not for this appid or the padding is wrong. */
    decrypt(encrypted: string): string {
      const decipher = createDecipheriv("aes-256-cbc", key, iv).setAutoPadding(false);
      const plain = Buffer.concat([decipher.update(Buffer.from(encrypted, "base64")), decipher.final()]);
      const pad = plain[plain.length - 1] ?? 0;
      if (pad < 1 || pad > 32 || plain.length < 20 + pad) throw new Error("bad padding");
      const content = plain.subarray(16, plain.length - pad);
      const length = content.readUInt32BE(0);
      if (4 + length > content.length) throw new Error("bad length");
      const from = content.subarray(4 + length).toString("utf8");
      if (from !== appId) throw new Error(`the message is for appid ${from}, not ${appId}`);
      return content.subarray(4, 4 + length).toString("utf8");
    },
  };
}

/** A CDATA section holding any text, `]]>` included. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replace(/]]>/g, "]]]]><![CDATA[>")}]]>`;
}

const parser = new XMLParser({ processEntities: false, parseTagValue: false, ignoreDeclaration: true, ignoreAttributes: true });

type Fields = Record<string, string>;

/** Parses a WeChat XML body into its top-level fields; null when it is not such a document. */
function parseXml(body: string): Fields | null {
  // entity definitions are how "billion laughs" payloads expand: WeChat never sends them (outside
  // CDATA, where a user's own text may well say "<!DOCTYPE")
  if (/<!DOCTYPE|<!ENTITY/i.test(body.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ""))) return null;
  // a DOCTYPE can only precede the root: a body that starts with <xml> has none
  if (!/^\s*(<\?xml[^>]*\?>\s*)?<xml[\s>]/.test(body)) return null;
  let doc: { xml?: unknown };
  try {
    if (XMLValidator.validate(body) !== true) return null;
    doc = parser.parse(body) as { xml?: unknown };
  } catch {
    // the parser throws on what it will not build: nesting past its limit, tags named __proto__ or constructor
    return null;
  }
  if (typeof doc.xml !== "object" || doc.xml === null) return null;
  const fields: Fields = Object.create(null) as Fields;
  for (const [k, v] of Object.entries(doc.xml)) if (typeof v === "string") fields[k] = v;
  return fields;
}

/** A digest of a message's fields, the same however its XML was laid out or encrypted. */
function fingerprint(fields: Fields): string {
  const sorted = Object.keys(fields)
    .sort()
    .map((k) => [k, fields[k]]);
  return createHash("sha256").update(JSON.stringify(sorted)).digest("base64url");
}

interface Pending {
  /** The reply text, resolved when the bot has answered ("" when it stays silent). */
  result: Promise<string>;
  /** Set when the reply went (or goes) out as a customer-service message: retries answer `success`. */
  deferred: boolean;
}

/**
 * Creates the Official Account channel: GET /wechat (server verification) and POST /wechat (messages).
 * @example
 * const mp = createWechatMpChannel({ bot, log, token: "abc", apiBase: "https://api.weixin.qq.com", replyBudgetMs: 4500, welcome: () => "欢迎", maxTextLength: 2000 });
 * app.use(mp.router); registry.register(mp);
 */
export function createWechatMpChannel(options: WechatMpOptions): WechatMpChannel {
  const { bot, token, appId, appSecret, apiBase, replyBudgetMs, maxTextLength } = options;
  const say = (key: ResponseKey): string => respond(options.responses?.() ?? defaultResponses(), key);
  const log = options.log.child({ module: "channels/wechat-mp" });
  const crypto = options.encodingAesKey && appId ? wechatCrypto(options.encodingAesKey, appId) : null;
  const security: WechatSecurity = options.security ?? (crypto ? "safe" : "plain");
  if (security !== "plain" && !crypto) throw new Error(`security mode ${security} needs WECHAT_ENCODING_AES_KEY and WECHAT_APP_ID`);
  const windowMs = (options.timestampWindowSec ?? 300) * 1000;
  const replays = options.replayGuard ?? createReplayGuard();
  const now = options.now ?? Date.now;
  const inFlight = new Map<string, Pending>();
  const choices = createNumberedChoices();
  let accessToken: { value: string; until: number } | null = null;

  const fetchToken = async (force: boolean): Promise<string> => {
    if (!force && accessToken && accessToken.until > Date.now()) return accessToken.value;
    if (!appId || !appSecret) {
      throw new Error("WECHAT_APP_ID and WECHAT_APP_SECRET are not set: set them (MP admin → 基本配置) to send customer-service messages");
    }
    const url = `${apiBase}/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(appId)}&secret=${encodeURIComponent(appSecret)}`;
    const body = (await (await fetch(url)).json()) as { access_token?: string; expires_in?: number; errcode?: number; errmsg?: string };
    if (!body.access_token) throw new Error(`cgi-bin/token failed: ${body.errcode} ${body.errmsg} (check WECHAT_APP_ID, WECHAT_APP_SECRET and the IP whitelist in the MP admin)`);
    // refresh five minutes early: the token lives 7200 s and another request may be using it
    accessToken = { value: body.access_token, until: Date.now() + Math.max(60, (body.expires_in ?? 7200) - 300) * 1000 };
    return accessToken.value;
  };

  /** Sends one text as a customer-service message (allowed within 48 h of the user's last message). */
  const sendCustom = async (openId: string, content: string): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const t = await fetchToken(attempt > 0);
      const res = await fetch(`${apiBase}/cgi-bin/message/custom/send?access_token=${encodeURIComponent(t)}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ touser: openId, msgtype: "text", text: { content } }),
      });
      const body = (await res.json()) as { errcode?: number; errmsg?: string };
      if (!body.errcode) return;
      // 40001 / 42001 / 40014: the cached token was revoked or expired early; fetch a new one once
      if (attempt === 0 && [40001, 40014, 42001].includes(body.errcode)) continue;
      const hint =
        body.errcode === 45015
          ? " (the user last wrote too long ago or unfollowed: they must write to the account again)"
          : body.errcode === 45047
            ? " (too many customer-service messages since the user's last message: wait for them to write again)"
            : "";
      throw new Error(`message/custom/send failed: ${body.errcode} ${body.errmsg}${hint}`);
    }
  };

  // one message for all replies: WeChat allows only a few customer-service messages per user message
  const sendReplies = (openId: string, replies: Reply[]): Promise<void> => sendCustom(openId, replies.map(renderPlainText).join("\n\n"));

  /** What the bot answers to one message, as the text of one passive reply. */
  const answer = async (fields: Fields, openId: string, messageId: string): Promise<string> => {
    const type = fields.MsgType;
    if (type === "event") {
      if (fields.Event === "subscribe") return options.welcome();
      return ""; // unsubscribe, menu clicks, location reports: nothing to say
    }
    let text = type === "text" ? fields.Content : type === "voice" ? fields.Recognition : undefined;
    if (!text || !text.trim()) return say("channel.not-text");
    if ([...text].length > maxTextLength) return say("channel.too-long");
    const conversationId = `wechat-mp:${openId}`;
    text = choices.resolve(conversationId, text);
    const outcome = await bot.handle({ channel: "wechat-mp", conversationId, userId: openId, text, messageId, at: Date.now() });
    choices.remember(conversationId, outcome.replies);
    return outcome.replies.map(renderPlainText).join("\n\n");
  };

  /** Why the query's timestamp is refused, or null when it is within the window. */
  const staleTimestamp = (req: Request): string | null => {
    const { timestamp } = req.query;
    if (typeof timestamp !== "string" || !/^\d{1,12}$/.test(timestamp)) return "timestamp must be the Unix time in seconds";
    if (Math.abs(now() - Number(timestamp) * 1000) > windowMs) {
      return `timestamp is more than ${windowMs / 1000} s from this server's clock: a replayed request, or a clock to synchronise (NTP)`;
    }
    return null;
  };

  const verified = (req: Request, encrypted?: string): boolean => {
    const q = req.query as Record<string, unknown>;
    const { signature, timestamp, nonce } = q;
    if (typeof signature !== "string" || typeof timestamp !== "string" || typeof nonce !== "string") return false;
    if (!sameHex(wechatSignature(token, timestamp, nonce), signature)) return false;
    if (encrypted === undefined) return true;
    return typeof q.msg_signature === "string" && sameHex(wechatSignature(token, timestamp, nonce, encrypted), q.msg_signature);
  };

  const router = express.Router();
  router.get("/wechat", (req, res) => {
    const { echostr } = req.query;
    if (!verified(req) || typeof echostr !== "string") {
      log.warn({ ip: req.ip }, "verification with a bad signature: check WECHAT_TOKEN matches the Token in the MP admin");
      res.status(401).json({ error: "bad signature: the Token configured in the MP admin must equal WECHAT_TOKEN" });
      return;
    }
    const stale = staleTimestamp(req);
    if (stale) {
      res.status(401).json({ error: stale });
      return;
    }
    res.type("text/plain").send(echostr);
  });

  router.post("/wechat", express.text({ type: () => true, limit: options.bodyLimit ?? "64kb", verify: requireUtf8 }), async (req: Request, res: Response) => {
    const q = req.query as Record<string, unknown>;
    const aes = q.encrypt_type === "aes";
    if (!verified(req)) {
      res.status(401).json({ error: "bad signature: the Token configured in the MP admin must equal WECHAT_TOKEN" });
      return;
    }
    const stale = staleTimestamp(req);
    if (stale) {
      log.warn({ ip: req.ip, timestamp: q.timestamp }, "refused a signed request outside the timestamp window");
      res.status(401).json({ error: stale });
      return;
    }
    if (!aes && security === "safe") {
      // the body of a plaintext message is not signed: accepting one would downgrade security mode
      res.status(400).json({ error: "plaintext messages are refused in security mode (WECHAT_SECURITY=safe): WeChat sends encrypt_type=aes" });
      return;
    }
    if (typeof req.body !== "string") {
      res.status(415).json({ error: "the body must be WeChat's XML (Content-Type text/xml)" });
      return;
    }
    let fields = parseXml(req.body);
    if (!fields) {
      res.status(400).json({ error: "the body is not a WeChat XML message (malformed, or with a DOCTYPE/ENTITY)" });
      return;
    }
    if (aes) {
      const encrypted = fields.Encrypt;
      if (!crypto) {
        res.status(400).json({ error: "an encrypted message arrived: set WECHAT_ENCODING_AES_KEY and WECHAT_APP_ID (MP admin → 基本配置)" });
        return;
      }
      if (!encrypted || !verified(req, encrypted)) {
        res.status(401).json({ error: "bad msg_signature" });
        return;
      }
      let inner: string;
      try {
        inner = crypto.decrypt(encrypted);
      } catch (err) {
        log.warn({ err }, "could not decrypt a message: check WECHAT_ENCODING_AES_KEY and WECHAT_APP_ID");
        res.status(400).json({ error: "the message could not be decrypted with WECHAT_ENCODING_AES_KEY and WECHAT_APP_ID" });
        return;
      }
      fields = parseXml(inner);
      if (!fields) {
        res.status(400).json({ error: "the decrypted message is not WeChat XML" });
        return;
      }
    }
    const openId = fields.FromUserName;
    const account = fields.ToUserName;
    if (!openId || !account || !fields.MsgType) {
      res.status(400).json({ error: "the XML lacks ToUserName, FromUserName or MsgType" });
      return;
    }
    // events carry no MsgId; WeChat's advice is to dedupe them by FromUserName + CreateTime
    const messageId = fields.MsgId ?? `${openId}:${fields.CreateTime ?? ""}:${fields.Event ?? ""}`;
    const key = `${openId}:${messageId}`;

    // a signed query is good for one message: WeChat's retry repeats it, a replay swaps the message
    // (msg_signature is left out of the key: a plaintext request has none, and anyone may add one)
    const requestKey = `${String(q.timestamp)}:${String(q.nonce)}:${String(q.signature)}`;
    const verdict = await replays.check(requestKey, fingerprint(fields), 2 * windowMs, now());
    if (verdict === "different") {
      log.warn({ ip: req.ip, conversationId: `wechat-mp:${openId}` }, "refused a replayed signature carrying another message");
      res.status(403).json({ error: "this signed request was already used for another message: each signature is good for one message" });
      return;
    }

    let pending = inFlight.get(key);
    const retry = pending !== undefined;
    // the message id is claimed where every instance sees it (Redis in a fleet): WeChat's retry reaching
    // another instance is not answered a second time (the first instance replies, or sends it late)
    const claim = pending ? "same" : await replays.check(`msgid:${key}`, "", DEDUPE_MS, now());
    if (!pending && (verdict === "same" || claim !== "new")) {
      // the same request again after its answer was forgotten, or being answered elsewhere
      res.type("text/plain").send("success");
      return;
    }
    if (!pending) {
      const message = fields;
      const limited = async (): Promise<string> => {
        const decision = options.limits ? await options.limits.admit({ channel: "wechat-mp", userId: openId }) : { ok: true as const };
        if (decision.ok) return answer(message, openId, messageId);
        // a polite word once, then silence ("success") until the user is under the limit again
        if (!decision.first) return "";
        log.info({ conversationId: `wechat-mp:${openId}`, retryAfter: decision.retryAfter }, "a user is over the message limit");
        return say("channel.slow-down");
      };
      const created: Pending = { result: limited(), deferred: false };
      pending = created;
      inFlight.set(key, created);
      setTimeout(() => inFlight.delete(key), DEDUPE_MS).unref();
      created.result.catch((err: unknown) => log.error({ err, conversationId: `wechat-mp:${openId}` }, "handling a message failed"));
    } else {
      log.info({ conversationId: `wechat-mp:${openId}`, messageId }, "WeChat retried a message: answering it once");
    }
    if (pending.deferred) {
      res.type("text/plain").send("success");
      return;
    }
    const current = pending;
    let timer: NodeJS.Timeout | undefined;
    const late = Symbol("late");
    const text = await Promise.race([
      current.result.catch(() => say("channel.error")),
      new Promise<typeof late>((r) => (timer = setTimeout(() => r(late), replyBudgetMs))),
    ]);
    clearTimeout(timer);
    if (text === late) {
      // too slow for a passive reply: answer `success` now, the first request to time out sends it later
      if (!current.deferred) {
        current.deferred = true;
        void current.result
          .then((t) => (t ? sendCustom(openId, t) : undefined))
          .catch((err: unknown) => log.error({ err, conversationId: `wechat-mp:${openId}` }, "sending a late reply as a customer-service message failed"));
      }
      res.type("text/plain").send("success");
      return;
    }
    if (current.deferred || !text) {
      res.type("text/plain").send("success");
      return;
    }
    if (retry) log.debug({ messageId }, "answering a retry with the same reply");
    const reply = `<xml><ToUserName>${cdata(openId)}</ToUserName><FromUserName>${cdata(account)}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata("text")}</MsgType><Content>${cdata(text)}</Content></xml>`;
    if (aes && crypto) {
      const encrypted = crypto.encrypt(reply);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = randomBytes(8).toString("hex");
      const signature = wechatSignature(token, timestamp, nonce, encrypted);
      res.type("application/xml").send(
        `<xml><Encrypt>${cdata(encrypted)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature><TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`,
      );
      return;
    }
    res.type("application/xml").send(reply);
  });

  return {
    name: "wechat-mp",
    router,
    async send(conversationId, replies) {
      const openId = conversationId.replace(/^wechat-mp:/, "");
      if (!openId || openId === conversationId) throw new Error(`not an Official Account conversation: ${conversationId}`);
      await sendReplies(openId, replies);
      choices.remember(conversationId, replies);
    },
  };
}
