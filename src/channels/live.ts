import type { Request, Response } from "express";
import type { EventBus } from "../coordination/coordination.js";
import type { Reply } from "../types.js";

/** One pushed event of a conversation (an agent's reply, the ticket's status), numbered per hub. */
export interface LiveEvent {
  id: number;
  conversationId: string;
  type: string;
  at: number;
  data: unknown;
}

/**
 * Push to browsers and long-pollers: the only way a message reaches the API and web channels outside a
 * request. Keeps the last events of each conversation so a reconnect (SSE `Last-Event-ID`, or
 * `after=` when polling) gets what it missed; what must survive a restart is in the store, not here.
 */
export interface LiveHub {
  /** Sends an event to the conversation's listeners; `keep: false` for passing states (typing) a reconnect need not replay. */
  publish(conversationId: string, type: string, data: unknown, options?: { keep?: boolean }): LiveEvent;
  /** Events of a conversation after the given id, oldest first. */
  since(conversationId: string, afterId: number): LiveEvent[];
  subscribe(conversationId: string, listener: (event: LiveEvent) => void): () => void;
  /** Serves a conversation's events as Server-Sent Events until the client goes away. */
  stream(req: Request, res: Response, conversationId: string): void;
  /** Answers with the events after `afterId`, waiting up to `waitMs` for the first one (long-poll). */
  poll(conversationId: string, afterId: number, waitMs: number): Promise<LiveEvent[]>;
  /**
   * For shutdown: ends every stream and pending poll with a final "shutdown" event (clients reconnect
   * later); streams and polls asked for afterwards get only that event.
   */
  close(): void;
}

/** The type of the last event a stream or poll gets when the server stops. */
export const SHUTDOWN_EVENT = "shutdown";

export interface LiveHubOptions {
  /** Events kept per conversation for reconnects. */
  keep?: number;
  /** SSE comment sent this often so proxies keep the connection open (ms). */
  heartbeatMs?: number;
  /**
   * Id of the first event. Starting from the clock (Date.now()) keeps ids growing across a restart, so a
   * client resuming with the id it saw last is not skipped past new events.
   */
  firstId?: number;
  /**
   * Shares the events with the other instances of a fleet: each event published here is sent on the bus
   * under `channel`, and events the others publish are kept and delivered here as if published here.
   * Ids then work like a Lamport clock: an instance that sees a larger id continues above it, so a
   * reconnect to another instance resumes after the last event the client saw.
   */
  bus?: { bus: EventBus; channel: string; instanceId: string; onError?: (err: unknown) => void };
}

export function createLiveHub({ keep = 100, heartbeatMs = 25_000, firstId = 1, bus }: LiveHubOptions = {}): LiveHub {
  let nextId = firstId;
  const recent = new Map<string, LiveEvent[]>();
  const listeners = new Map<string, Set<(e: LiveEvent) => void>>();
  // what ends each open stream or pending poll, for close()
  const enders = new Set<() => void>();
  let closed = false;
  const shutdownEvent = (conversationId: string, id: number): LiveEvent => ({ id, conversationId, type: SHUTDOWN_EVENT, at: Date.now(), data: { reconnect: true } });

  const deliver = (event: LiveEvent, kept: boolean) => {
    if (kept) {
      let list = recent.get(event.conversationId);
      if (!list) recent.set(event.conversationId, (list = []));
      // events from other instances may arrive after a later one of this instance: keep the list in id order
      let i = list.length;
      while (i > 0 && list[i - 1]!.id > event.id) i -= 1;
      list.splice(i, 0, event);
      if (list.length > keep) list.splice(0, list.length - keep);
    }
    for (const l of [...(listeners.get(event.conversationId) ?? [])]) {
      try {
        l(event);
      } catch {
        // a listener that throws (a closed socket) must not stop the others
      }
    }
  };
  if (bus) {
    bus.bus.subscribe(bus.channel, (message) => {
      let parsed: { origin?: string; keep?: boolean; event?: LiveEvent };
      try {
        parsed = JSON.parse(message) as typeof parsed;
      } catch {
        return;
      }
      const event = parsed.event;
      if (parsed.origin === bus.instanceId || !event || typeof event.id !== "number" || typeof event.conversationId !== "string") return;
      nextId = Math.max(nextId, event.id + 1);
      deliver(event, parsed.keep !== false);
    });
  }

  const hub: LiveHub = {
    publish(conversationId, type, data, options) {
      const event: LiveEvent = { id: nextId++, conversationId, type, at: Date.now(), data };
      const kept = options?.keep !== false;
      deliver(event, kept);
      if (bus) {
        bus.bus.publish(bus.channel, JSON.stringify({ origin: bus.instanceId, keep: kept, event })).catch((err: unknown) => bus.onError?.(err));
      }
      return event;
    },
    since(conversationId, afterId) {
      return (recent.get(conversationId) ?? []).filter((e) => e.id > afterId);
    },
    subscribe(conversationId, listener) {
      let set = listeners.get(conversationId);
      if (!set) listeners.set(conversationId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(conversationId);
      };
    },
    stream(req, res, conversationId) {
      res.status(200).set({
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        Connection: "keep-alive",
        "X-Accel-Buffering": "no",
      });
      res.flushHeaders();
      const write = (e: LiveEvent) => res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
      // the shutdown event carries no id, so a reconnect resumes after the last real event
      const end = () => res.end(`event: ${SHUTDOWN_EVENT}\ndata: ${JSON.stringify({ reconnect: true })}\n\n`);
      const last = Number(req.get("last-event-id") ?? req.query.after ?? 0);
      for (const e of hub.since(conversationId, Number.isFinite(last) ? last : 0)) write(e);
      if (closed) {
        end();
        return;
      }
      const off = hub.subscribe(conversationId, write);
      const beat = setInterval(() => res.write(": keep-alive\n\n"), heartbeatMs);
      beat.unref();
      enders.add(end);
      req.on("close", () => {
        clearInterval(beat);
        off();
        enders.delete(end);
      });
    },
    poll(conversationId, afterId, waitMs) {
      const ready = hub.since(conversationId, afterId);
      if (ready.length > 0 || waitMs <= 0) return Promise.resolve(ready);
      // the shutdown event repeats the id asked after, so the poller's next `after` stays the same
      if (closed) return Promise.resolve([shutdownEvent(conversationId, afterId)]);
      return new Promise((resolve) => {
        const finish = (events: LiveEvent[]) => {
          clearTimeout(timer);
          off();
          enders.delete(end);
          resolve(events);
        };
        const end = () => finish([shutdownEvent(conversationId, afterId)]);
        const off = hub.subscribe(conversationId, () => {
          // a passing event (not kept) is not an answer to a poll: wait for one that is
          const events = hub.since(conversationId, afterId);
          if (events.length > 0) finish(events);
        });
        const timer = setTimeout(() => finish([]), waitMs);
        timer.unref();
        enders.add(end);
      });
    },
    close() {
      closed = true;
      for (const end of [...enders]) end();
      enders.clear();
    },
  };
  return hub;
}

/** The event an agent's reply (or a desk notice) becomes on the live hub; `author` is the agent's name, when known. */
export function replyEvent(
  replies: Reply[],
  from: "agent" | "bot" | "system" = "agent",
  author: string | null = null,
): { from: string; author?: string; replies: Reply[] } {
  return author ? { from, author, replies } : { from, replies };
}
