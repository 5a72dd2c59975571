import { createRequire } from "node:module";
import express, { type Router } from "express";
import type { Logger } from "pino";
import { types, type Contact, type Message, type Room, type Wechaty } from "wechaty";
import type { Bot } from "../bot.js";
import type { Channel, HandoffNotice, Reply } from "../types.js";
import type { InboundLimits } from "../coordination/rate-limit.js";
import { defaultResponses, respond, type ResponseKey, type Responses } from "../dialog/responses.js";
import { createNumberedChoices, renderPlainText, splitText } from "./plain-text.js";

// A personal WeChat account as the bot, through Wechaty (https://wechaty.js.org). One-to-one chats
// are answered; in a group only @-mentions (by default), one conversation per group member.

const require = createRequire(import.meta.url);
const qrcodeTerminal = require("qrcode-terminal") as {
  generate(text: string, options: { small: boolean }, done: (output: string) => void): void;
};
// the QR encoder inside qrcode-terminal, to draw the code as SVG for the login page
const QRCode = require("qrcode-terminal/vendor/QRCode") as new (typeNumber: number, level: number) => {
  addData(text: string): void;
  make(): void;
  getModuleCount(): number;
  isDark(row: number, col: number): boolean;
};
const QR_LEVEL_M = (require("qrcode-terminal/vendor/QRCode/QRErrorCorrectLevel") as { M: number }).M;

/** A QR code as an SVG image, black on white with the quiet zone scanners need. */
function qrSvg(text: string): string {
  const qr = new QRCode(-1, QR_LEVEL_M);
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  let path = "";
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) path += `M${c + 4} ${r + 4}h1v1h-1z`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n + 8} ${n + 8}" width="280" height="280" shape-rendering="crispEdges" role="img" aria-label="登录二维码"><rect width="100%" height="100%" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}

/** An admin's command typed in WeChat (`#reply <ticket> text`, `#done <ticket>`). */
export type AdminCommand = { kind: "reply"; ticketId: string; text: string; admin: string } | { kind: "done"; ticketId: string; admin: string };

/** Options of the Wechaty channel. */
export interface WechatyChannelOptions {
  bot: Bot;
  log: Logger;
  /** Builds the Wechaty instance; called again for each restart (tests pass one on the mock puppet). */
  create: () => Wechaty;
  /** Who is alerted on handoff: a contact id or name, or "room:" + a room id or topic. */
  admin?: string;
  /** In a group, answer only when @-mentioned. */
  groupMentionOnly: boolean;
  /** Smallest gap between two messages to one contact or group (ms). */
  minIntervalMs: number;
  /** Longer texts are split into several messages. */
  maxMessageLength: number;
  maxTextLength: number;
  /**
   * Handles `#reply` / `#done` from the admin; its answer (or error message) is said back to the admin.
   * Without it, admin commands are not recognised.
   */
  onAdminCommand?: (command: AdminCommand) => Promise<string | void>;
  /** Per-user limits (one conversation per contact, or per member in a group). */
  limits?: InboundLimits | undefined;
  /** The notices users are told (the knowledge base's responses); the engine's defaults when absent. */
  responses?: () => Responses;
  /** Restart delays after a puppet failure: doubling from `min` up to `max` (ms). */
  backoff?: { min: number; max: number };
  /** Puppet errors within a minute that make the channel restart the puppet. */
  errorsBeforeRestart?: number;
  /** Shows the login QR code drawn in text; by default on stderr, beside the JSON log lines. */
  printQr?: (art: string) => void;
}

export type WechatyStatus = "stopped" | "starting" | "scan" | "logged-in" | "restarting";

/** The Wechaty channel: start it once; `router` serves the login QR code at /wechaty/qr. */
export interface WechatyChannel extends Channel {
  router: Router;
  start(): Promise<void>;
  stop(): Promise<void>;
  notifyHandoff(notice: HandoffNotice): Promise<void>;
  state(): { status: WechatyStatus; qr: string | null; user: string | null; restarts: number };
}

const REASONS: Record<string, string> = { asked: "用户要求转人工", "repeated-misses": "多次没听懂", "negative-feedback": "用户反馈没帮到" };
const NON_TEXT = new Set([types.Message.Image, types.Message.Audio, types.Message.Video, types.Message.Attachment, types.Message.Emoticon]);

/**
 * Creates the Wechaty channel. Puppet errors and failed starts restart the puppet with backoff;
 * nothing a puppet emits can throw out of the channel.
 * @example
 * const wechaty = createWechatyChannel({ bot, log, create: () => WechatyBuilder.build({ name: "data/wechaty" }), groupMentionOnly: true, minIntervalMs: 1500, maxMessageLength: 1000, maxTextLength: 2000 });
 * registry.register(wechaty); routers.push(wechaty.router); await wechaty.start();
 */
export function createWechatyChannel(options: WechatyChannelOptions): WechatyChannel {
  const { bot, groupMentionOnly, minIntervalMs, maxMessageLength, maxTextLength, onAdminCommand } = options;
  const backoff = options.backoff ?? { min: 1000, max: 60_000 };
  const errorsBeforeRestart = options.errorsBeforeRestart ?? 5;
  const log = options.log.child({ module: "channels/wechaty" });
  const say = (key: ResponseKey): string => respond(options.responses?.() ?? defaultResponses(), key);
  const printQr = options.printQr ?? ((art: string) => process.stderr.write(`${art}\n`));
  const choices = createNumberedChoices();
  let wechaty: Wechaty | null = null;
  let status: WechatyStatus = "stopped";
  let qr: string | null = null;
  let user: string | null = null;
  let startedAt = 0;
  let restarts = 0;
  let delay = backoff.min;
  let restartTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  let errorTimes: number[] = [];
  let admin: { contact?: Contact; room?: Room } | null = null;

  // --- pacing: one queue per contact or group, `minIntervalMs` apart -------------------------------
  const queues = new Map<string, { tail: Promise<void>; lastAt: number }>();
  const paced = (target: string, send: () => Promise<unknown>): Promise<void> => {
    let q = queues.get(target);
    if (!q) queues.set(target, (q = { tail: Promise.resolve(), lastAt: 0 }));
    const queue = q;
    const run = async () => {
      const wait = queue.lastAt + minIntervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      try {
        await send();
      } finally {
        queue.lastAt = Date.now();
      }
    };
    const next = queue.tail.then(run);
    const tail = next.catch(() => undefined);
    queue.tail = tail;
    // forget an idle queue, once its gap has passed, so the map does not grow with every contact
    void tail.then(() =>
      setTimeout(() => {
        if (queues.get(target) === queue && queue.tail === tail) queues.delete(target);
      }, minIntervalMs).unref(),
    );
    return next;
  };

  /** Says replies to a contact, or in a room mentioning `mention`, split and paced. */
  const deliver = async (to: { contact?: Contact; room?: Room; mention?: Contact }, replies: Reply[]): Promise<void> => {
    const texts = replies.flatMap((r) => splitText(renderPlainText(r), maxMessageLength));
    const target = to.room?.id ?? to.contact?.id ?? "";
    let first = true;
    const sends: Promise<void>[] = [];
    for (const text of texts) {
      const mention = first && to.mention ? [to.mention] : [];
      first = false;
      sends.push(paced(target, () => (to.room ? to.room.say(text, ...mention) : to.contact!.say(text))));
    }
    await Promise.all(sends);
  };

  const requireWechaty = (): Wechaty => {
    if (!wechaty || status !== "logged-in") throw new Error("the WeChat account is not logged in: scan the QR code at /wechaty/qr");
    return wechaty;
  };

  const findAdmin = async (): Promise<{ contact?: Contact; room?: Room } | null> => {
    if (admin || !options.admin) return admin;
    const w = requireWechaty();
    const spec = options.admin;
    if (spec.startsWith("room:")) {
      const key = spec.slice(5);
      const room = (await w.Room.find({ id: key })) ?? (await w.Room.find({ topic: key }));
      if (room) admin = { room };
    } else {
      const contact = (await w.Contact.find({ id: spec })) ?? (await w.Contact.find({ name: spec })) ?? (await w.Contact.find({ alias: spec }));
      if (contact) admin = { contact };
    }
    if (!admin) log.error({ admin: spec }, `WECHATY_ADMIN=${spec} matches no contact or room of this account: use a contact's id or name, or room:<group name>`);
    return admin;
  };

  const isFromAdmin = async (msg: Message): Promise<boolean> => {
    if (!options.admin) return false;
    const a = await findAdmin();
    const room = msg.room();
    if (a?.room) return room?.id === a.room.id;
    return !room && a?.contact?.id === msg.talker().id;
  };

  const runAdminCommand = async (msg: Message, text: string): Promise<boolean> => {
    if (!onAdminCommand) return false;
    const m = /^#(reply|done)\s+(\S+)(?:\s+([\s\S]+))?$/i.exec(text.trim());
    if (!m || !(await isFromAdmin(msg))) return false;
    const [, verb = "", ticketId = "", body] = m;
    const adminName = msg.talker().name();
    const to = msg.room() ? { room: msg.room()! } : { contact: msg.talker() };
    let answer: string;
    if (verb.toLowerCase() === "reply" && !body?.trim()) {
      answer = `用法：#reply ${ticketId} 回复内容`;
    } else {
      try {
        const command: AdminCommand =
          verb.toLowerCase() === "reply" ? { kind: "reply", ticketId, text: body!.trim(), admin: adminName } : { kind: "done", ticketId, admin: adminName };
        answer = (await onAdminCommand(command)) || "好的";
      } catch (err) {
        answer = `没有成功：${err instanceof Error ? err.message : String(err)}`;
      }
    }
    await deliver(to, [{ text: answer }]);
    return true;
  };

  const onMessage = async (msg: Message): Promise<void> => {
    if (msg.self()) return;
    // history replayed at login; some puppets give whole seconds, hence the second of slack
    if (msg.date().getTime() < startedAt - 1000) return;
    const talker = msg.talker();
    if (talker.type() === types.Contact.Official) return;
    const room = msg.room();
    const type = msg.type();
    let text = type === types.Message.Text ? msg.text() : "";
    if (type === types.Message.Text && text.startsWith("#") && (await runAdminCommand(msg, text))) return;
    if (room) {
      const mentioned = await msg.mentionSelf();
      if (groupMentionOnly && !mentioned) return;
      if (mentioned && type === types.Message.Text) text = await msg.mentionText();
    }
    const to = room ? { room, mention: talker } : { contact: talker };
    const conversationId = room ? `wechaty:${room.id}:${talker.id}` : `wechaty:${talker.id}`;
    if (options.limits) {
      const decision = await options.limits.admit({ channel: "wechaty", userId: talker.id });
      if (!decision.ok) {
        // a polite word once, then silence until the user is under the limit again
        if (decision.first) {
          log.info({ conversationId, retryAfter: decision.retryAfter }, "a user is over the message limit");
          await deliver(to, [{ text: say("channel.slow-down") }]);
        }
        return;
      }
    }
    if (type === types.Message.Audio) text = msg.text(); // some puppets put the speech-to-text here
    if (type !== types.Message.Text && !(type === types.Message.Audio && text.trim() && !text.trim().startsWith("<"))) {
      if (NON_TEXT.has(type)) await deliver(to, [{ text: say("channel.not-text") }]);
      return; // recalls, red envelopes, system notes...: nothing to say
    }
    if (!text.trim()) return;
    if ([...text].length > maxTextLength) {
      await deliver(to, [{ text: say("channel.too-long") }]);
      return;
    }
    text = choices.resolve(conversationId, text.trim());
    const userName = talker.name().trim();
    const outcome = await bot.handle({ channel: "wechaty", conversationId, userId: talker.id, ...(userName ? { userName } : {}), text, messageId: msg.id, at: Date.now() });
    choices.remember(conversationId, outcome.replies);
    if (outcome.replies.length > 0) await deliver(to, outcome.replies);
  };

  const scheduleRestart = (reason: string): void => {
    if (stopped || restartTimer) return;
    status = "restarting";
    log.warn({ reason, inMs: delay }, "restarting the puppet");
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      restarts++;
      void launch();
    }, delay);
    restartTimer.unref();
    delay = Math.min(delay * 2, backoff.max);
  };

  const launch = async (): Promise<void> => {
    const previous = wechaty;
    wechaty = null;
    admin = null;
    if (previous) await previous.stop().catch((err: unknown) => log.warn({ err }, "stopping the previous puppet failed"));
    if (stopped) return;
    status = "starting";
    errorTimes = [];
    let w: Wechaty;
    try {
      w = options.create();
    } catch (err) {
      log.error({ err }, "creating the Wechaty puppet failed: check WECHATY_PUPPET and that its package is installed");
      scheduleRestart("create failed");
      return;
    }
    wechaty = w;
    w.on("scan", (code, scanStatus) => {
      if (wechaty !== w) return;
      qr = code;
      status = "scan";
      if (scanStatus === types.ScanStatus.Waiting || scanStatus === types.ScanStatus.Timeout) {
        log.info({ qr: code }, "scan the QR code with the bot's WeChat account: it is printed below and served at /wechaty/qr");
        qrcodeTerminal.generate(code, { small: true }, printQr);
      } else {
        log.info({ scanStatus: types.ScanStatus[scanStatus] }, "QR code scan status");
      }
    });
    w.on("login", (self) => {
      if (wechaty !== w) return;
      status = "logged-in";
      qr = null;
      user = self.name();
      delay = backoff.min;
      log.info({ user: user, id: self.id }, "WeChat account logged in");
    });
    w.on("logout", (self, reason) => {
      if (wechaty !== w) return;
      status = "scan";
      user = null;
      admin = null;
      log.warn({ user: self.name(), reason }, "WeChat account logged out: scan the QR code again at /wechaty/qr");
    });
    w.on("error", (err) => {
      if (wechaty !== w) return;
      const now = Date.now();
      errorTimes = [...errorTimes.filter((t) => now - t < 60_000), now];
      log.error({ err }, "puppet error");
      if (errorTimes.length >= errorsBeforeRestart) scheduleRestart(`${errorTimes.length} puppet errors within a minute`);
    });
    w.on("message", (msg) => {
      if (wechaty !== w) return;
      onMessage(msg).catch((err: unknown) => log.error({ err, messageId: msg.id }, "handling a WeChat message failed"));
    });
    try {
      startedAt = Date.now();
      await w.start();
      log.info({ puppet: w.puppet.constructor.name }, "Wechaty started");
    } catch (err) {
      log.error({ err }, "starting Wechaty failed: check WECHATY_PUPPET, WECHATY_PUPPET_SERVICE_TOKEN and the network");
      scheduleRestart("start failed");
    }
  };

  const router = express.Router();
  router.get("/wechaty/qr", (req, res) => {
    const body = { status, qr, user };
    if (!req.accepts(["json", "html"]) || req.accepts(["json", "html"]) === "json") {
      res.json(body);
      return;
    }
    res.type("html").send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="refresh" content="5"><title>微信登录</title>
<style>body{font-family:system-ui,sans-serif;text-align:center;margin:2em}svg{max-width:90vw;height:auto}</style></head>
<body><h1>机器人微信登录</h1><p>${escapeHtml(statusText(status, user))}</p>${qr ? `${qrSvg(qr)}<p>用机器人的微信扫一扫，在手机上确认登录。</p>` : ""}</body></html>`);
  });

  return {
    name: "wechaty",
    router,
    async start() {
      stopped = false;
      await launch();
    },
    state: () => ({ status, qr, user, restarts }),
    async send(conversationId, replies) {
      const w = requireWechaty();
      const ids = conversationId.replace(/^wechaty:/, "");
      if (ids === conversationId || !ids) throw new Error(`not a Wechaty conversation: ${conversationId}`);
      const cut = ids.lastIndexOf(":");
      const contactId = cut < 0 ? ids : ids.slice(cut + 1);
      const contact = await w.Contact.find({ id: contactId });
      if (!contact) throw new Error(`contact ${contactId} is not among this WeChat account's contacts`);
      if (cut < 0) {
        await deliver({ contact }, replies);
      } else {
        const room = await w.Room.find({ id: ids.slice(0, cut) });
        if (!room) throw new Error(`group ${ids.slice(0, cut)} is not among this WeChat account's groups`);
        await deliver({ room, mention: contact }, replies);
      }
      choices.remember(conversationId, replies);
    },
    async notifyHandoff(notice: HandoffNotice) {
      if (!options.admin) return;
      const a = await findAdmin();
      if (!a) return;
      const lines = [
        `【转人工】工单 ${notice.ticketId}`,
        `渠道：${notice.channel}　用户：${notice.userId}`,
        `原因：${REASONS[notice.reason] ?? notice.reason}`,
      ];
      if (notice.lastMessages.length > 0) {
        lines.push("最近消息：");
        for (const m of notice.lastMessages.slice(-6)) lines.push(`${m.direction === "in" ? "用户" : "机器人"}：${[...m.text].slice(0, 120).join("")}`);
      }
      if (onAdminCommand) lines.push(`回复用户：#reply ${notice.ticketId} 内容　结束：#done ${notice.ticketId}`);
      await deliver(a, [{ text: lines.join("\n") }]);
    },
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      restartTimer = undefined;
      const w = wechaty;
      wechaty = null;
      status = "stopped";
      if (w) await w.stop().catch((err: unknown) => log.warn({ err }, "stopping Wechaty failed"));
    },
  };
}

function statusText(status: WechatyStatus, user: string | null): string {
  if (status === "logged-in") return `已登录：${user ?? ""}`;
  if (status === "scan") return "等待扫码登录";
  if (status === "restarting") return "连接中断，正在重连……";
  if (status === "starting") return "正在启动……";
  return "未启动";
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
