import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { HandoffHooks } from "../bot.js";
import type { ChannelRegistry } from "../channels/registry.js";
import { createLiveHub, type LiveHub } from "../channels/live.js";
import { cursorOf } from "../store/ticket-order.js";
import type {
  ConversationStateStore,
  HandoffReason,
  HandoffStatus,
  HandoffTicket,
  InboundMessage,
  Sender,
  TicketCursor,
  TicketMessage,
  TicketStore,
  TranscriptEntry,
} from "../types.js";
import { defaultResponses, respond, type Responses } from "../dialog/responses.js";
import { serviceStatus, type ServiceHours } from "./service-hours.js";

/** A request of an agent the desk refuses: the HTTP status and a message that says why. */
export class DeskError extends Error {
  constructor(
    readonly status: 403 | 404 | 409 | 502,
    message: string,
  ) {
    super(message);
  }
}

export interface HandoffDeskOptions {
  /** Tickets, and the conversation's transcript (what the agent reads, what the agent says). */
  store: TicketStore & Pick<ConversationStateStore, "appendTranscript" | "transcript">;
  channels: ChannelRegistry;
  log: Logger;
  /** When agents answer; null: always. */
  hours: ServiceHours | null;
  /** A waiting ticket no agent took in this long: the user is told and may leave a message (ms). */
  timeoutMs: number;
  /** Gives the conversation back to the bot inside its lock (`bot.release`). */
  release: (conversationId: string, inLock: () => Promise<void>, at: number) => Promise<boolean>;
  /** Rough minutes an agent spends per waiting user, for the wait estimate. */
  minutesPerTicket?: number;
  /** Waiting tickets allowed at once, over all users (0: no bound); past it a user is told the queue is full. */
  maxWaiting?: number;
  /** Waiting tickets one user (channel + user id) may have at once, e.g. from several group chats (0: no bound). */
  maxWaitingPerUser?: number;
  /** What the user is told (the knowledge base's responses, read at each notice so a reload applies); the engine's defaults when absent. */
  responses?: () => Responses;
  now?: () => number;
  /** The hub ticket events go out on (shared by the instances of a fleet); a new one in this process by default. */
  events?: LiveHub;
}

/** The console's live key: every ticket event goes to every signed-in agent. */
export const AGENTS_FEED = "agents";

export type QueueView = "waiting" | "mine" | "closed";

/** One page of a queue view; `next` is where the following page starts, null on the last one. */
export interface QueuePage {
  tickets: HandoffTicket[];
  next: TicketCursor | null;
}

/** One line of a ticket's timeline in the console: the bot's transcript and the agents' messages. */
export type TimelineItem =
  | {
      source: "transcript";
      direction: "in" | "out";
      text: string;
      at: number;
      kind: string | null;
      intent: string | null;
      confidence: number | null;
      /** The buttons the bot offered with this message, if any. */
      quickReplies?: string[];
    }
  | { source: "ticket"; from: TicketMessage["from"]; author: string | null; text: string; at: number };

export interface HandoffDesk extends HandoffHooks {
  /** Ticket events for the agent console (key AGENTS_FEED): "ticket" { ticket }, "message" { ticketId, message }. */
  events: LiveHub;
  /** One page of a view: waiting (oldest first), the agent's own, or closed (most recent first). */
  queue(view: QueueView, agent: string, page?: { after?: TicketCursor | null; limit?: number }): Promise<QueuePage>;
  /** How many users wait, and how many tickets the agent has: counted, not listed. */
  counts(agent: string): Promise<{ waiting: number; mine: number }>;
  view(ticketId: string): Promise<{ ticket: HandoffTicket; timeline: TimelineItem[] }>;
  claim(ticketId: string, agent: string): Promise<HandoffTicket>;
  reply(ticketId: string, agent: string, text: string): Promise<HandoffTicket>;
  /** Gives the conversation back to the bot ("released") or ends the service ("closed"). */
  finish(ticketId: string, agent: string, how: "released" | "closed"): Promise<HandoffTicket>;
  /** The user leaves the queue outside a message (e.g. the web chat's 新对话): closes the ticket, gives the conversation back to the bot. */
  cancel(conversationId: string, at?: number): Promise<boolean>;
  /** Where the conversation stands with the desk: waiting (with its place in the queue), with an agent, or null. */
  status(conversationId: string): Promise<HandoffStatus | null>;
  /** Tells the user's channel that the agent is typing a reply. */
  typing(ticketId: string, agent: string): Promise<void>;
  /** Tells users whose ticket waited longer than the timeout, once per ticket. */
  sweep(now?: number): Promise<number>;
  /** Runs `sweep` every `everyMs` until `stop`. */
  start(everyMs?: number): void;
  stop(): void;
}

// The ticket thread's note for agents when the user leaves the queue (what users are told is in the responses).
const CANCELLED_NOTE = "用户取消了人工排队。";

/**
 * The handoff desk: tickets, the queue, agent replies (through the conversation's own channel),
 * giving a conversation back to the bot, and the timeout notice.
 */
export function createHandoffDesk(options: HandoffDeskOptions): HandoffDesk {
  const { store, channels, hours, timeoutMs, minutesPerTicket = 3, maxWaiting = 0, maxWaitingPerUser = 0, now = Date.now } = options;
  const log = options.log.child({ module: "handoff" });
  const say = (key: Parameters<typeof respond>[1], values?: Record<string, string | number>) =>
    respond(options.responses?.() ?? defaultResponses(), key, values);
  const events = options.events ?? createLiveHub({ keep: 500, firstId: Date.now() });
  let timer: NodeJS.Timeout | undefined;

  const publishTicket = (ticket: HandoffTicket) => events.publish(AGENTS_FEED, "ticket", { ticket });
  const addMessage = async (ticket: HandoffTicket, message: Omit<TicketMessage, "ticketId">) => {
    const full = { ticketId: ticket.id, ...message };
    await store.appendTicketMessage(full);
    events.publish(AGENTS_FEED, "message", { ticketId: ticket.id, message: full });
  };
  /** Sends an agent's reply (sender "agent" with the name) or a notice ("system") through the conversation's channel. */
  const deliver = async (ticket: HandoffTicket, text: string, sender: Sender = { from: "system", author: null }) => {
    await channels.send(ticket.channel, ticket.conversationId, [{ text }], sender);
    // the conversation's own record has the agent's side too, with who spoke (a reloaded web chat shows it)
    await store.appendTranscript([
      {
        conversationId: ticket.conversationId,
        direction: "out",
        from: sender.from,
        author: sender.author ?? null,
        text,
        at: now(),
        intent: null,
        confidence: null,
        kind: "human",
        channel: ticket.channel,
        userId: ticket.userId,
      },
    ]);
  };
  const load = async (ticketId: string) => {
    const ticket = await store.ticket(ticketId);
    if (!ticket) throw new DeskError(404, `there is no ticket ${ticketId}`);
    return ticket;
  };
  const ensureOwner = (ticket: HandoffTicket, agent: string) => {
    if (ticket.status === "closed") throw new DeskError(409, "this ticket is closed: the conversation is back with the bot");
    if (ticket.status === "assigned" && ticket.agent !== agent) throw new DeskError(403, `this ticket belongs to ${ticket.agent}`);
  };

  const openTicket = async (msg: InboundMessage, reason: HandoffReason): Promise<HandoffTicket> => {
    const history = await store.transcript(msg.conversationId, 9);
    const lastMessages = [...history.map(({ direction, text, at }) => ({ direction, text, at })), { direction: "in" as const, text: msg.text, at: msg.at }];
    const ticket: HandoffTicket = {
      id: randomUUID(),
      conversationId: msg.conversationId,
      channel: msg.channel,
      userId: msg.userId,
      ...(msg.userName ? { userName: msg.userName.slice(0, 64) } : {}),
      reason,
      status: "waiting",
      agent: null,
      openedAt: msg.at,
      assignedAt: null,
      closedAt: null,
      closeReason: null,
      timeoutNotifiedAt: null,
      lastMessages,
    };
    await store.createTicket(ticket);
    publishTicket(ticket);
    log.info({ conversationId: msg.conversationId, ticketId: ticket.id, reason }, "ticket opened");
    void channels
      .notifyHandoff({ ticketId: ticket.id, conversationId: ticket.conversationId, channel: ticket.channel, userId: ticket.userId, reason, lastMessages })
      .catch((err: unknown) => log.warn({ err, ticketId: ticket.id }, "notifying channels of a ticket failed"));
    return ticket;
  };

  /** Closes the conversation's open ticket as cancelled by the user; false when there was none. */
  const cancelTicket = async (conversationId: string, at: number): Promise<boolean> => {
    const ticket = await store.openTicket(conversationId);
    if (!ticket) return false;
    const closed = await store.updateTicket(ticket.id, { status: "closed", closedAt: at, closeReason: "cancelled" }, ["waiting", "assigned"]);
    if (!closed) return false;
    await addMessage(ticket, { from: "system", author: null, text: CANCELLED_NOTE, at });
    publishTicket(closed);
    log.info({ conversationId, ticketId: ticket.id }, "ticket cancelled by the user");
    return true;
  };

  const queueText = async (ticket: HandoffTicket): Promise<string> => {
    // a count of who is ahead, so a handoff costs the same however long the queue is
    const position = ticket.status === "waiting" ? (await store.countTickets({ status: "waiting", before: cursorOf(ticket) })) + 1 : 1;
    const status = serviceStatus(hours, ticket.openedAt);
    const ahead = position - 1;
    if (!status.open) {
      return say("handoff.queued-off-hours", { position, hours: hours!.label, opens: status.opens });
    }
    const wait = Math.max(1, position * minutesPerTicket);
    return ahead === 0 ? say("handoff.queued-next", { wait }) : say("handoff.queued-behind", { ahead, wait });
  };

  /** Waiting tickets opened at or before `openedBy`, oldest first, read a page at a time. */
  async function* waitingSince(openedBy: number): AsyncGenerator<HandoffTicket> {
    let after: TicketCursor | null = null;
    do {
      const page = await store.ticketPage({ status: "waiting", after, limit: 100 });
      for (const ticket of page.tickets) {
        if (ticket.openedAt > openedBy) return;
        yield ticket;
      }
      after = page.next;
    } while (after);
  }

  let opening: Promise<unknown> = Promise.resolve();
  let lastFullWarning = -Infinity;

  /** Why a new ticket cannot be opened now (the bounds on waiting tickets), or null. */
  const refuse = async (msg: InboundMessage): Promise<string | null> => {
    if (maxWaiting > 0 && (await store.countTickets({ status: "waiting" })) >= maxWaiting) {
      // a warning a minute at most: a flood of requests must not become a flood of log lines
      const at = now();
      const level = at - lastFullWarning >= 60_000 ? "warn" : "debug";
      if (level === "warn") lastFullWarning = at;
      log[level]({ conversationId: msg.conversationId, maxWaiting }, "handoff refused: the queue is full (MAX_WAITING_TICKETS)");
      return say("handoff.queue-full");
    }
    if (maxWaitingPerUser > 0 && (await store.countTickets({ status: "waiting", channel: msg.channel, userId: msg.userId })) >= maxWaitingPerUser) {
      log.debug({ conversationId: msg.conversationId, maxWaitingPerUser }, "handoff refused: the user already waits elsewhere");
      return say("handoff.already-waiting");
    }
    return null;
  };

  const desk: HandoffDesk = {
    events,

    async opened(msg, reason) {
      let ticket = await store.openTicket(msg.conversationId);
      if (!ticket) {
        // one opening at a time on this instance, so concurrent requests cannot overshoot the bounds
        const turn = opening.then(async () => {
          const refusal = await refuse(msg);
          return refusal ?? (await openTicket(msg, reason));
        });
        opening = turn.catch(() => undefined);
        const opened = await turn;
        if (typeof opened === "string") return { replies: [{ text: opened }], queued: false };
        ticket = opened;
      }
      return { replies: [{ text: await queueText(ticket) }], queued: true };
    },

    async message(msg) {
      // a conversation with a human but no open ticket (e.g. state from before the desk): open one
      const ticket = (await store.openTicket(msg.conversationId)) ?? (await openTicket(msg, "asked"));
      await addMessage(ticket, { from: "user", author: null, text: msg.text, at: msg.at });
    },

    async cancelled(msg) {
      await cancelTicket(msg.conversationId, msg.at);
    },

    async cancel(conversationId, at = now()) {
      let cancelled = false;
      await options.release(
        conversationId,
        async () => {
          cancelled = await cancelTicket(conversationId, at);
        },
        at,
      );
      return cancelled;
    },

    async status(conversationId) {
      const ticket = await store.openTicket(conversationId);
      if (!ticket) return null;
      if (ticket.status === "assigned") return { status: "assigned", position: null, agent: ticket.agent };
      // a count of the tickets ahead, not a read of the whole queue: pages ask on every queue change
      const ahead = await store.countTickets({ status: "waiting", before: cursorOf(ticket) });
      return { status: "waiting", position: ahead + 1, agent: null };
    },

    async typing(ticketId, agent) {
      const ticket = await load(ticketId);
      ensureOwner(ticket, agent);
      try {
        await channels.typing(ticket.channel, ticket.conversationId, { from: "agent", author: agent });
      } catch (err) {
        // a typing indicator is a courtesy: a channel that cannot show it is not the agent's problem
        log.debug({ err, ticketId, conversationId: ticket.conversationId }, "showing that the agent is typing failed");
      }
    },

    async queue(view, agent, page = {}) {
      const query = { after: page.after ?? null, limit: page.limit ?? 50 };
      if (view === "waiting") return store.ticketPage({ status: "waiting", ...query });
      if (view === "mine") return store.ticketPage({ status: "assigned", agent, ...query });
      return store.ticketPage({ status: "closed", ...query });
    },

    async counts(agent) {
      const [waiting, mine] = await Promise.all([store.countTickets({ status: "waiting" }), store.countTickets({ status: "assigned", agent })]);
      return { waiting, mine };
    },

    async view(ticketId) {
      const ticket = await load(ticketId);
      const [transcript, messages] = await Promise.all([store.transcript(ticket.conversationId, 200), store.ticketMessages(ticketId)]);
      const timeline: TimelineItem[] = [
        // what agents said is shown from the ticket's messages, with their names
        ...transcript.filter((e) => !(e.direction === "out" && e.kind === "human")).map((e: TranscriptEntry) => ({
          source: "transcript" as const,
          direction: e.direction,
          ...(e.direction === "out" ? splitQuickReplies(e.text) : { text: e.text }),
          at: e.at,
          kind: e.kind,
          intent: e.intent,
          confidence: e.confidence,
        })),
        // the user's messages are in the transcript already
        ...messages.filter((m) => m.from !== "user").map((m) => ({ source: "ticket" as const, from: m.from, author: m.author, text: m.text, at: m.at })),
      ].sort((a, b) => a.at - b.at);
      return { ticket, timeline };
    },

    async claim(ticketId, agent) {
      const ticket = await load(ticketId);
      ensureOwner(ticket, agent);
      if (ticket.status === "assigned") return ticket;
      const at = now();
      const assigned = await store.updateTicket(ticketId, { status: "assigned", agent, assignedAt: at }, ["waiting"]);
      if (!assigned) {
        // someone else got there first (another agent, or the user cancelled): say who
        const current = await load(ticketId);
        ensureOwner(current, agent);
        return current;
      }
      publishTicket(assigned);
      const note = say("handoff.assigned", { agent });
      try {
        await deliver(assigned, note);
      } catch (err) {
        log.warn({ err, ticketId }, "telling the user an agent took the ticket failed");
      }
      await addMessage(assigned, { from: "system", author: null, text: note, at });
      log.info({ conversationId: ticket.conversationId, ticketId, agent }, "ticket assigned");
      return assigned;
    },

    async reply(ticketId, agent, text) {
      const ticket = await desk.claim(ticketId, agent);
      try {
        await deliver(ticket, text, { from: "agent", author: agent });
      } catch (err) {
        log.warn({ err, ticketId, channel: ticket.channel }, "delivering an agent's reply failed");
        throw new DeskError(502, `the reply could not be delivered: ${(err as Error).message}`);
      }
      await addMessage(ticket, { from: "agent", author: agent, text, at: now() });
      return ticket;
    },

    async finish(ticketId, agent, how) {
      const ticket = await load(ticketId);
      ensureOwner(ticket, agent);
      const at = now();
      let closed: HandoffTicket | null = null;
      await options.release(
        ticket.conversationId,
        async () => {
          // re-read inside the lock: the user may have cancelled meanwhile
          const current = await load(ticketId);
          ensureOwner(current, agent);
          closed = await store.updateTicket(ticketId, { status: "closed", closedAt: at, closeReason: how, agent: current.agent ?? agent }, [current.status]);
          if (!closed) throw new DeskError(409, "the ticket changed meanwhile: reload it and try again");
        },
        at,
      );
      const done = closed ?? (await load(ticketId));
      const note = say(how === "released" ? "handoff.released" : "handoff.closed");
      try {
        await deliver(done, note);
      } catch (err) {
        log.warn({ err, ticketId }, "telling the user the ticket is closed failed");
      }
      await addMessage(done, { from: "system", author: agent, text: note, at });
      publishTicket(done);
      log.info({ conversationId: done.conversationId, ticketId, agent, how }, "ticket closed");
      return done;
    },

    async sweep(at = now()) {
      let told = 0;
      const status = serviceStatus(hours, at);
      const text = status.open ? say("handoff.timeout") : say("handoff.timeout-off-hours", { hours: hours!.label, opens: status.opens });
      for await (const ticket of waitingSince(at - timeoutMs)) {
        if (ticket.timeoutNotifiedAt !== null) continue;
        // mark first, so an agent taking the ticket meanwhile means no notice
        const updated = await store.updateTicket(ticket.id, { timeoutNotifiedAt: at }, ["waiting"]);
        if (!updated) continue;
        try {
          await deliver(ticket, text);
        } catch (err) {
          log.warn({ err, ticketId: ticket.id }, "telling a waiting user about the timeout failed; will retry");
          await store.updateTicket(ticket.id, { timeoutNotifiedAt: null });
          continue;
        }
        await addMessage(ticket, { from: "system", author: null, text, at });
        publishTicket(updated);
        told += 1;
      }
      return told;
    },

    start(everyMs = 30_000) {
      desk.stop();
      let sweeping = false;
      timer = setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        desk
          .sweep()
          .catch((err: unknown) => log.error({ err }, "handoff timeout sweep failed"))
          .finally(() => (sweeping = false));
      }, everyMs);
      timer.unref();
    },

    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
  return desk;
}

/**
 * A bot message as the transcript keeps it ("text\n[a | b]") split into its text and the quick
 * replies it offered, so the console shows them as buttons.
 */
export function splitQuickReplies(stored: string): { text: string; quickReplies?: string[] } {
  const m = /\n\[([^\n]*)\]$/.exec(stored);
  if (!m) return { text: stored };
  const quickReplies = m[1]!.split(" | ").filter((q) => q.trim() !== "");
  return quickReplies.length > 0 ? { text: stored.slice(0, m.index), quickReplies } : { text: stored };
}
