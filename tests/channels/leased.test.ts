import pino from "pino";
import { describe, expect, it } from "vitest";
import { leasedChannel } from "../../src/channels/leased.js";
import type { EventBus } from "../../src/coordination/coordination.js";
import type { Channel, Reply } from "../../src/types.js";

const bus = (): EventBus => {
  const listeners = new Map<string, Set<(m: string) => void>>();
  return {
    async publish(channel, message) {
      for (const l of listeners.get(channel) ?? []) l(message);
    },
    subscribe(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return () => listeners.get(channel)!.delete(listener);
    },
  };
};

const recording = () => {
  const sent: Array<[string, string, Reply[]]> = [];
  const channel: Channel = {
    name: "wechaty",
    async send(conversationId, replies) {
      sent.push(["send", conversationId, replies]);
    },
    async notifyHandoff(notice) {
      sent.push(["notify", notice.conversationId, []]);
    },
  };
  return { channel, sent };
};

describe("a channel one instance of a fleet runs", () => {
  it("is sent through by the instance holding its lease, whichever instance asks", async () => {
    const shared = bus();
    const log = pino({ level: "silent" });
    const a = recording();
    const b = recording();
    let holder = "a";
    const onA = leasedChannel({ channel: a.channel, bus: shared, holding: () => holder === "a", log });
    const onB = leasedChannel({ channel: b.channel, bus: shared, holding: () => holder === "b", log });
    await onB.send("wechaty:u1", [{ text: "agent reply" }]);
    await onA.send("wechaty:u2", [{ text: "local" }]);
    await onB.notifyHandoff!({ ticketId: "t1", conversationId: "wechaty:u3", channel: "wechaty", userId: "u3", reason: "asked", lastMessages: [] });
    await new Promise((r) => setTimeout(r, 5));
    expect(a.sent.map(([op, id]) => [op, id])).toEqual([
      ["send", "wechaty:u1"],
      ["send", "wechaty:u2"],
      ["notify", "wechaty:u3"],
    ]);
    expect(b.sent).toEqual([]);
    // the lease moves: the new holder sends, the old one hands over
    holder = "b";
    await onA.send("wechaty:u1", [{ text: "after takeover" }]);
    await new Promise((r) => setTimeout(r, 5));
    expect(b.sent.map(([, id, r]) => [id, r[0]!.text])).toEqual([["wechaty:u1", "after takeover"]]);
    expect(a.sent).toHaveLength(3);
    onA.close();
    onB.close();
  });
});
