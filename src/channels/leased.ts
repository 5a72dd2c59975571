import type { Logger } from "pino";
import type { EventBus } from "../coordination/coordination.js";
import type { Channel, HandoffNotice, Reply, Sender } from "../types.js";

/**
 * A channel that only one instance of a fleet may run at a time (a WeChat account logs in once): the
 * instance holding its lease runs it; the others hand what they would send (an agent's reply, a typing
 * notice, a new-ticket alert) over the bus to the holder, which sends it. Delivery over the bus is at
 * most once: a send made while no instance holds the lease is lost, and logged.
 */
export function leasedChannel(options: { channel: Channel; bus: EventBus; holding: () => boolean; log: Logger }): Channel & { close(): void } {
  const { channel, bus, holding } = options;
  const log = options.log.child({ module: "channel", channel: channel.name });
  const topic = `channel:${channel.name}`;
  type Forwarded =
    | { op: "send"; conversationId: string; replies: Reply[]; sender?: Sender }
    | { op: "typing"; conversationId: string; sender: Sender }
    | { op: "notify"; notice: HandoffNotice };
  const forward = async (message: Forwarded) => bus.publish(topic, JSON.stringify(message));
  const off = bus.subscribe(topic, (raw) => {
    if (!holding()) return;
    let message: Forwarded;
    try {
      message = JSON.parse(raw) as Forwarded;
    } catch {
      return;
    }
    const done =
      message.op === "send"
        ? channel.send(message.conversationId, message.replies, message.sender)
        : message.op === "typing"
          ? channel.typing?.(message.conversationId, message.sender)
          : channel.notifyHandoff?.(message.notice);
    void Promise.resolve(done).catch((err: unknown) => log.warn({ err, op: message.op }, "sending what another instance handed over failed"));
  });
  return {
    ...channel,
    name: channel.name,
    async send(conversationId, replies, sender) {
      if (holding()) return channel.send(conversationId, replies, sender);
      await forward({ op: "send", conversationId, replies, ...(sender ? { sender } : {}) });
    },
    async typing(conversationId, sender) {
      if (holding()) return channel.typing?.(conversationId, sender);
      await forward({ op: "typing", conversationId, sender });
    },
    async notifyHandoff(notice) {
      if (holding()) return channel.notifyHandoff?.(notice);
      await forward({ op: "notify", notice });
    },
    async stop() {
      off();
      await channel.stop?.();
    },
    close: off,
  };
}
