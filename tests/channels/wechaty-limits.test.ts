import type { EventEmitter } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { log as wechatyLog, WechatyBuilder } from "wechaty";
import { mock, PuppetMock } from "wechaty-puppet-mock";
import type { Bot } from "../../src/bot.js";
import { createWechatyChannel, type WechatyChannel } from "../../src/channels/wechaty.js";
import { createInboundLimits } from "../../src/coordination/rate-limit.js";
import type { InboundMessage } from "../../src/types.js";
import { silentLog } from "../helpers/kb.js";

wechatyLog.level("silent");

async function waitFor(check: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("message limits on the Wechaty channel", () => {
  const handled: InboundMessage[] = [];
  let mocker: mock.Mocker;
  let channel: WechatyChannel;
  let me: mock.ContactMock;
  let flooder: mock.ContactMock;
  let calm: mock.ContactMock;
  const inbox = new Map<string, string[]>();

  beforeAll(async () => {
    mocker = new mock.Mocker();
    const puppet = new PuppetMock({ mocker });
    const bot: Bot = {
      async handle(msg) {
        handled.push(msg);
        return { kind: "answer", intent: "x", confidence: 1, replies: [{ text: `答：${msg.text}` }] };
      },
      async release() {
        return false;
      },
    };
    channel = createWechatyChannel({
      bot,
      log: silentLog,
      create: () => WechatyBuilder.build({ puppet }),
      groupMentionOnly: true,
      minIntervalMs: 0,
      maxMessageLength: 500,
      maxTextLength: 2000,
      printQr: () => {},
      limits: createInboundLimits({ userPerMinute: 6, addressPerMinute: 1 }),
    });
    await channel.start();
    me = mocker.createContact({ name: "小助手" });
    flooder = mocker.createContact({ name: "Flooder" });
    calm = mocker.createContact({ name: "Calm" });
    for (const c of [flooder, calm]) {
      const got: string[] = [];
      inbox.set(c.id, got);
      (c as unknown as EventEmitter).on("message", (m: mock.MessageMock) => {
        if (m.talker().id === me.id) got.push(m.text() ?? "");
      });
    }
    mocker.login(me);
    await waitFor(() => channel.state().status === "logged-in", "login");
  });
  afterAll(async () => {
    await channel.stop();
  });

  it("answers a flooding contact politely once, then stays silent, while another contact is answered", async () => {
    for (let i = 0; i < 6; i++) {
      flooder.say(`问题${i}`).to(me);
      await new Promise((r) => setTimeout(r, 30));
    }
    calm.say("我的问题").to(me);
    await waitFor(() => (inbox.get(calm.id) ?? []).length > 0, "the calm contact's answer");
    await new Promise((r) => setTimeout(r, 200));
    const got = inbox.get(flooder.id) ?? [];
    expect(got.slice(0, 2)).toEqual(["答：问题0", "答：问题1"]);
    expect(got.slice(2)).toHaveLength(1);
    expect(got[2]).toMatch(/歇一会儿/);
    expect(handled.filter((m) => m.userId === flooder.id)).toHaveLength(2);
    expect(inbox.get(calm.id)).toEqual(["答：我的问题"]);
  });
});
