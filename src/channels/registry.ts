import type { Channel, HandoffNotice, Reply, Sender } from "../types.js";

/**
 * The channels running in this process, by name. The handoff desk delivers an agent's reply through
 * the conversation's own channel with `send`, and tells channels that want it about a new ticket.
 * @example
 * const channels = createChannelRegistry();
 * channels.register(createApiChannel({ bot, live, maxTextLength: 2000 }));
 * await channels.send("api", "api:u-42", [{ text: "您好，我是客服小王" }]);
 */
export interface ChannelRegistry {
  register(channel: Channel): void;
  get(name: string): Channel | undefined;
  list(): Channel[];
  /** Delivers replies to a conversation through the named channel; throws when it is not running. */
  send(channelName: string, conversationId: string, replies: Reply[], sender?: Sender): Promise<void>;
  /** Shows an agent typing where the channel can (a no-op for the others); throws when it is not running. */
  typing(channelName: string, conversationId: string, sender: Sender): Promise<void>;
  /** Tells every channel that implements `notifyHandoff` about a new ticket; one failing doesn't stop the others. */
  notifyHandoff(notice: HandoffNotice): Promise<void>;
}

export function createChannelRegistry(): ChannelRegistry {
  const channels = new Map<string, Channel>();
  return {
    register(channel) {
      if (channels.has(channel.name)) throw new Error(`a channel named "${channel.name}" is already registered`);
      channels.set(channel.name, channel);
    },
    get: (name) => channels.get(name),
    list: () => [...channels.values()],
    async send(channelName, conversationId, replies, sender) {
      const channel = channels.get(channelName);
      if (!channel) throw new Error(`channel "${channelName}" is not running: cannot deliver to ${conversationId}`);
      await channel.send(conversationId, replies, sender);
    },
    async typing(channelName, conversationId, sender) {
      const channel = channels.get(channelName);
      if (!channel) throw new Error(`channel "${channelName}" is not running: cannot reach ${conversationId}`);
      await channel.typing?.(conversationId, sender);
    },
    async notifyHandoff(notice) {
      await Promise.allSettled([...channels.values()].map((c) => c.notifyHandoff?.(notice)));
    },
  };
}
