import type { EventEmitter } from "node:events";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { log as wechatyLog, types, WechatyBuilder } from "wechaty";
import { mock, PuppetMock } from "wechaty-puppet-mock";
import { createBot, type Bot } from "../../src/bot.js";
import { createChannelRegistry } from "../../src/channels/registry.js";
import { createWechatyChannel, type AdminCommand, type WechatyChannel } from "../../src/channels/wechaty.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { InboundMessage } from "../../src/types.js";
import { libraryKnowledge, silentLog } from "../helpers/kb.js";

wechatyLog.level("silent");

const kb = libraryKnowledge();
const handled: InboundMessage[] = [];
const commands: AdminCommand[] = [];
const printed: string[] = [];

function spyBot(): Bot {
  const real = createBot({ knowledge: () => kb, store: createMemoryStore(), log: silentLog });
  return {
    release: real.release,
    handle(msg) {
      handled.push(msg);
      return real.handle(msg);
    },
  };
}

/** What a mock contact or room received from the bot's account, in order. */
function inbox(of: mock.ContactMock | mock.RoomMock, botId: () => string): Array<{ text: string; at: number }> {
  const got: Array<{ text: string; at: number }> = [];
  // the mocks are EventEmitters; their published typings lose `on`
  (of as unknown as EventEmitter).on("message", (m: mock.MessageMock) => {
    if (m.talker().id === botId()) got.push({ text: m.text() ?? "", at: Date.now() });
  });
  return got;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Wechaty channel on the mock puppet", () => {
  let mocker: mock.Mocker;
  let channel: WechatyChannel;
  let me: mock.ContactMock;
  let alice: mock.ContactMock;
  let bob: mock.ContactMock;
  let boss: mock.ContactMock;
  let room: mock.RoomMock;
  let aliceInbox: Array<{ text: string; at: number }>;
  let bossInbox: Array<{ text: string; at: number }>;
  let roomInbox: Array<{ text: string; at: number }>;

  beforeAll(async () => {
    mocker = new mock.Mocker();
    const puppet = new PuppetMock({ mocker });
    channel = createWechatyChannel({
      bot: spyBot(),
      log: silentLog,
      create: () => WechatyBuilder.build({ puppet }),
      admin: "Boss",
      groupMentionOnly: true,
      minIntervalMs: 120,
      maxMessageLength: 80,
      maxTextLength: 2000,
      printQr: (art) => printed.push(art),
      onAdminCommand: async (command) => {
        commands.push(command);
        if (command.ticketId === "T-unknown") throw new Error("没有这个工单");
        return command.kind === "reply" ? "已发送给用户" : "工单已结束";
      },
    });
    await channel.start();
    mocker.scan("https://login.weixin.qq.com/l/mock", types.ScanStatus.Waiting);
    await waitFor(() => channel.state().status === "scan", "the scan state");
    expect(channel.state().qr).toBe("https://login.weixin.qq.com/l/mock");
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/[█▀▄]/);
    me = mocker.createContact({ name: "小助手" });
    alice = mocker.createContact({ name: "Alice" });
    bob = mocker.createContact({ name: "Bob" });
    boss = mocker.createContact({ name: "Boss" });
    room = mocker.createRoom({ topic: "读书交流群", memberIdList: [me.id, alice.id, bob.id] });
    aliceInbox = inbox(alice, () => me.id);
    bossInbox = inbox(boss, () => me.id);
    roomInbox = inbox(room, () => me.id);
    mocker.login(me);
    await waitFor(() => channel.state().status === "logged-in", "login");
  });
  afterAll(async () => {
    await channel.stop();
  });
  beforeEach(() => {
    handled.length = 0;
    commands.length = 0;
  });

  it("answers a contact's question in the one-to-one chat", async () => {
    const before = aliceInbox.length;
    alice.say("书可以借多久").to(me);
    await waitFor(() => aliceInbox.length > before, "the reply");
    expect(handled[0]).toMatchObject({ channel: "wechaty", conversationId: `wechaty:${alice.id}`, userId: alice.id, text: "书可以借多久" });
    expect(aliceInbox.slice(before).map((m) => m.text).join("")).toMatch(/30 天/);
  });

  it("renders quick replies as numbered lines, splits long replies, and reads a number as its option", async () => {
    const before = aliceInbox.length;
    alice.say("怎么续借").to(me);
    await waitFor(() => aliceInbox.slice(before).some((m) => /^1\. /m.test(m.text)), "numbered options");
    await sleep(300);
    const texts = aliceInbox.slice(before).map((m) => m.text);
    expect(texts.every((t) => [...t].length <= 80)).toBe(true);
    const option = /^1\. (.+)$/m.exec(texts.join("\n"))?.[1];
    handled.length = 0;
    alice.say("1").to(me);
    await waitFor(() => handled.length > 0, "the choice");
    expect(handled[0]?.text).toBe(option);
  });

  it("paces replies to one contact and queues a burst instead of dropping it", async () => {
    const before = aliceInbox.length;
    for (const q of ["你好", "谢谢", "你是谁", "你能做什么"]) alice.say(q).to(me);
    await waitFor(() => handled.length === 4, "four messages handled");
    await waitFor(() => aliceInbox.length - before >= 4, "four replies");
    const got = aliceInbox.slice(before);
    for (let i = 1; i < got.length; i++) expect(got[i]!.at - got[i - 1]!.at).toBeGreaterThanOrEqual(100);
    expect(handled.map((m) => m.text)).toEqual(["你好", "谢谢", "你是谁", "你能做什么"]);
  });

  it("ignores group messages without a mention and answers a mention, one conversation per member", async () => {
    const before = roomInbox.length;
    alice.say("怎么续借").to(room);
    await sleep(300);
    expect(handled).toHaveLength(0);
    alice.say("书可以借多久", [me]).to(room);
    bob.say("你好", [me]).to(room);
    const seen = () => roomInbox.slice(before).map((m) => m.text);
    await waitFor(() => seen().some((t) => t.startsWith("@Alice")) && seen().some((t) => t.startsWith("@Bob")), "a reply to each member");
    expect(handled.map((m) => m.conversationId).sort()).toEqual([`wechaty:${room.id}:${alice.id}`, `wechaty:${room.id}:${bob.id}`].sort());
    const texts = roomInbox.slice(before).map((m) => m.text);
    expect(texts.some((t) => t.startsWith("@Alice"))).toBe(true);
    expect(texts.some((t) => t.startsWith("@Bob"))).toBe(true);
  });

  it("answers an image with a short text-only note and never passes it to the bot", async () => {
    const before = aliceInbox.length;
    const msg = mocker.MessageMock.create({ id: `img-${Date.now()}`, talkerId: alice.id, listenerId: me.id, timestamp: Date.now(), type: types.Message.Image });
    mocker.puppet.emit("message", { messageId: msg.id });
    await waitFor(() => aliceInbox.slice(before).some((m) => /文字/.test(m.text)), "the note");
    expect(handled).toHaveLength(0);
  });

  it("reads a voice message through the puppet's transcription when it gives one", async () => {
    const msg = mocker.MessageMock.create({ id: `voice-${Date.now()}`, talkerId: alice.id, listenerId: me.id, timestamp: Date.now(), type: types.Message.Audio, text: "转人工" });
    mocker.puppet.emit("message", { messageId: msg.id });
    await waitFor(() => handled.length > 0, "the voice text handled");
    expect(handled[0]?.text).toBe("转人工");
  });

  it("ignores its own messages, official accounts and messages older than its start", async () => {
    const official = mocker.createContact({ name: "某服务号", type: types.Contact.Official });
    official.say("怎么续借").to(me);
    const old = mocker.MessageMock.create({ id: `old-${Date.now()}`, talkerId: alice.id, listenerId: me.id, timestamp: Date.now() - 3_600_000, type: types.Message.Text, text: "怎么续借" });
    mocker.puppet.emit("message", { messageId: old.id });
    me.say("怎么续借").to(alice);
    await sleep(400);
    expect(handled).toHaveLength(0);
  });

  it("alerts the admin contact on a handoff with the user, reason and last messages", async () => {
    const before = bossInbox.length;
    const registry = createChannelRegistry();
    registry.register(channel);
    await registry.notifyHandoff({
      ticketId: "T-42",
      conversationId: "web:abc",
      channel: "web",
      userId: "abc",
      reason: "asked",
      lastMessages: [
        { direction: "in", text: "怎么续借", at: 1 },
        { direction: "in", text: "转人工", at: 2 },
      ],
    });
    await waitFor(() => bossInbox.slice(before).some((m) => m.text.includes("#done T-42")), "the admin alert");
    const alert = bossInbox.slice(before).map((m) => m.text).join("\n");
    expect(alert).toContain("T-42");
    expect(alert).toContain("abc");
    expect(alert).toContain("用户要求转人工");
    expect(alert).toContain("怎么续借");
    expect(alert).toContain("#reply T-42");
  });

  it("passes the admin's #reply and #done to the desk and says the result back", async () => {
    const before = bossInbox.length;
    boss.say("#reply T-42 您好，我是客服小王").to(me);
    await waitFor(() => bossInbox.length > before, "the confirmation");
    expect(commands[0]).toMatchObject({ kind: "reply", ticketId: "T-42", text: "您好，我是客服小王" });
    expect(bossInbox.at(-1)?.text).toBe("已发送给用户");
    boss.say("#done T-unknown").to(me);
    await waitFor(() => bossInbox.length > before + 1, "the error");
    expect(bossInbox.at(-1)?.text).toContain("没有这个工单");
    expect(handled).toHaveLength(0);
  });

  it("treats #reply from anyone but the admin as an ordinary message", async () => {
    alice.say("#reply T-42 hi").to(me);
    await waitFor(() => handled.length > 0, "the message handled");
    expect(commands).toHaveLength(0);
  });

  it("delivers an agent's reply with send, to a contact and to a member in a group", async () => {
    const a = aliceInbox.length;
    const r = roomInbox.length;
    const registry = createChannelRegistry();
    registry.register(channel);
    await registry.send("wechaty", `wechaty:${alice.id}`, [{ text: "您好，我是客服小王" }]);
    await registry.send("wechaty", `wechaty:${room.id}:${bob.id}`, [{ text: "Bob 您好" }]);
    await waitFor(() => aliceInbox.length > a && roomInbox.length > r, "both deliveries");
    expect(aliceInbox.at(-1)?.text).toBe("您好，我是客服小王");
    expect(roomInbox.at(-1)?.text).toBe("@Bob Bob 您好");
    await expect(channel.send("web:x", [{ text: "x" }])).rejects.toThrow(/Wechaty/);
  });

  it("keeps answering after puppet errors", async () => {
    mocker.puppet.emit("error", { data: "boom" });
    // Alice asked for a human earlier, so the bot stays silent with her: ask as a new contact
    const carol = mocker.createContact({ name: "Carol" });
    const carolInbox = inbox(carol, () => me.id);
    carol.say("你好").to(me);
    await waitFor(() => carolInbox.length > 0, "a reply after the error");
    expect(channel.state().status).toBe("logged-in");
  });

  it("serves the login state at /wechaty/qr as JSON or as a page", async () => {
    const app = express().use(channel.router);
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wechaty/qr`;
      const json = await (await fetch(url)).json();
      expect(json).toEqual({ status: "logged-in", qr: null, user: "小助手" });
      const page = await (await fetch(url, { headers: { accept: "text/html" } })).text();
      expect(page).toContain("已登录：小助手");
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe("Wechaty login page", () => {
  it("serves the QR code waiting to be scanned as JSON and as an SVG page", async () => {
    const mocker = new mock.Mocker();
    const channel = createWechatyChannel({
      bot: spyBot(),
      log: silentLog,
      create: () => WechatyBuilder.build({ puppet: new PuppetMock({ mocker }) }),
      groupMentionOnly: true,
      minIntervalMs: 0,
      maxMessageLength: 1000,
      maxTextLength: 2000,
      printQr: () => undefined,
    });
    const server = express().use(channel.router).listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      await channel.start();
      mocker.scan("https://login.weixin.qq.com/l/abc==", types.ScanStatus.Waiting);
      await waitFor(() => channel.state().status === "scan", "the scan state");
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wechaty/qr`;
      expect(await (await fetch(url)).json()).toEqual({ status: "scan", qr: "https://login.weixin.qq.com/l/abc==", user: null });
      const page = await (await fetch(url, { headers: { accept: "text/html" } })).text();
      expect(page).toContain("等待扫码登录");
      expect(page).toMatch(/<svg[^>]+viewBox="0 0 \d+ \d+"/);
    } finally {
      await channel.stop();
      await new Promise((r) => server.close(r));
    }
  });
});

describe("Wechaty channel with an admin group", () => {
  it("alerts the admin group named by room:<topic>", async () => {
    const mocker = new mock.Mocker();
    const channel = createWechatyChannel({
      bot: spyBot(),
      log: silentLog,
      create: () => WechatyBuilder.build({ puppet: new PuppetMock({ mocker }) }),
      admin: "room:客服群",
      groupMentionOnly: true,
      minIntervalMs: 0,
      maxMessageLength: 1000,
      maxTextLength: 2000,
      printQr: () => undefined,
    });
    try {
      await channel.start();
      const me = mocker.createContact({ name: "bot" });
      const agent = mocker.createContact({ name: "客服小王" });
      const desk = mocker.createRoom({ topic: "客服群", memberIdList: [me.id, agent.id] });
      const deskInbox = inbox(desk, () => me.id);
      mocker.login(me);
      await waitFor(() => channel.state().status === "logged-in", "login");
      await channel.notifyHandoff({ ticketId: "T-7", conversationId: "wechat-mp:o-1", channel: "wechat-mp", userId: "o-1", reason: "repeated-misses", lastMessages: [] });
      await waitFor(() => deskInbox.length > 0, "the alert in the group");
      expect(deskInbox[0]?.text).toContain("T-7");
      expect(deskInbox[0]?.text).toContain("多次没听懂");
      // without onAdminCommand the alert does not offer commands that would not work
      expect(deskInbox[0]?.text).not.toContain("#reply");
    } finally {
      await channel.stop();
    }
  });
});

describe("Wechaty channel restarts", () => {
  it("restarts with backoff when the puppet fails to start or keeps erroring", async () => {
    let builds = 0;
    const mockers: mock.Mocker[] = [];
    const channel = createWechatyChannel({
      bot: spyBot(),
      log: silentLog,
      create: () => {
        builds++;
        if (builds === 1) throw new Error("puppet service unreachable");
        const mocker = new mock.Mocker();
        mockers.push(mocker);
        return WechatyBuilder.build({ puppet: new PuppetMock({ mocker }) });
      },
      groupMentionOnly: true,
      minIntervalMs: 0,
      maxMessageLength: 1000,
      maxTextLength: 2000,
      backoff: { min: 50, max: 400 },
      printQr: () => undefined,
      errorsBeforeRestart: 2,
    });
    try {
      await channel.start();
      expect(channel.state().status).toBe("restarting");
      await waitFor(() => builds === 2 && channel.state().status === "starting", "the second start");
      const first = mockers[0]!;
      first.login(first.createContact({ name: "bot" }));
      await waitFor(() => channel.state().status === "logged-in", "login after restart");
      first.puppet.emit("error", { data: "socket closed" });
      first.puppet.emit("error", { data: "socket closed" });
      await waitFor(() => builds === 3, "a restart after repeated errors");
      expect(channel.state().restarts).toBe(2);
    } finally {
      await channel.stop();
    }
  });
});
