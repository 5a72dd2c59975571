import type {
  ConversationState,
  ConversationStore,
  FeedbackRecord,
  HandoffTicket,
  Outcome,
  TicketMessage,
  TicketStatus,
  TranscriptEntry,
} from "../types.js";
import { compareInQueue, cursorOf } from "./ticket-order.js";
import { withTransactions } from "./transaction.js";

/** Limits of the in-memory store. */
export interface MemoryStoreOptions {
  /**
   * Conversations kept (state, transcript, remembered outcomes); past it the least recently used one
   * not in a human's hands is forgotten. Also bounds closed tickets, feedback and handoff records.
   */
  maxConversations?: number;
}

/** Keeps everything in process memory, bounded (least recently used first out): for tests and throwaway runs. */
export function createMemoryStore({ maxConversations = 10_000 }: MemoryStoreOptions = {}): ConversationStore & {
  feedback: unknown[];
  handoffs: unknown[];
} {
  const states = new Map<string, ConversationState>();
  const transcripts = new Map<string, TranscriptEntry[]>();
  const outcomes = new Map<string, Map<string, { outcome: Outcome; at: number }>>();
  // conversations by last use, oldest first (a Map keeps insertion order)
  const recent = new Map<string, true>();
  const feedback: FeedbackRecord[] = [];
  const handoffs: Array<{ conversationId: string; reason: string; at: number }> = [];
  const tickets = new Map<string, HandoffTicket>();
  const ticketMessages = new Map<string, TicketMessage[]>();
  // while a transaction is open: how to undo each write, newest last
  let undo: Array<() => void> | null = null;

  const forget = (id: string) => {
    states.delete(id);
    transcripts.delete(id);
    outcomes.delete(id);
    recent.delete(id);
  };
  const touch = (id: string) => {
    recent.delete(id);
    recent.set(id, true);
    if (recent.size <= maxConversations || undo) return;
    for (const old of recent.keys()) {
      if (recent.size <= maxConversations) break;
      if (old !== id && states.get(old)?.mode !== "human") forget(old);
    }
  };
  const capRecords = <T>(list: T[]) => {
    if (list.length > maxConversations * 10 && !undo) list.splice(0, list.length - maxConversations * 10);
  };
  const capClosedTickets = () => {
    if (tickets.size <= maxConversations || undo) return;
    for (const t of [...tickets.values()].filter((x) => x.status === "closed").sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0))) {
      if (tickets.size <= maxConversations) break;
      tickets.delete(t.id);
      ticketMessages.delete(t.id);
    }
  };
  const pushTo = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(value);
    undo?.push(() => list.pop());
  };

  const sessions = new Map<string, { agent: string; expires: number }>();
  const store: Omit<ConversationStore, "transaction"> & { feedback: unknown[]; handoffs: unknown[] } = {
    feedback,
    handoffs,
    async read(id) {
      const s = states.get(id);
      if (s) touch(id);
      return s ? structuredClone(s) : null;
    },
    async write(id, state) {
      const before = states.get(id);
      undo?.push(() => (before ? states.set(id, before) : states.delete(id)));
      states.set(id, structuredClone(state));
      touch(id);
    },
    async delete(id) {
      const [s, t] = [states.get(id), transcripts.get(id)];
      undo?.push(() => {
        if (s) states.set(id, s);
        if (t) transcripts.set(id, t);
      });
      states.delete(id);
      transcripts.delete(id);
    },
    async appendTranscript(entries) {
      for (const e of entries) {
        pushTo(transcripts, e.conversationId, { ...e });
        touch(e.conversationId);
      }
    },
    async transcript(id, limit = 200) {
      return (transcripts.get(id) ?? []).slice(-limit);
    },
    async recordFeedback(conversationId, intent, helpful, at) {
      feedback.push({ conversationId, intent, helpful, at });
      undo?.push(() => feedback.pop());
      capRecords(feedback);
    },
    async recordHandoff(conversationId, reason, at) {
      handoffs.push({ conversationId, reason, at });
      undo?.push(() => handoffs.pop());
      capRecords(handoffs);
    },
    async close() {},

    async messageOutcome(conversationId, messageId) {
      const found = outcomes.get(conversationId)?.get(messageId);
      return found ? structuredClone(found.outcome) : null;
    },
    async recordMessageOutcome(conversationId, messageId, outcome, at) {
      let byId = outcomes.get(conversationId);
      if (!byId) outcomes.set(conversationId, (byId = new Map()));
      const list = byId;
      undo?.push(() => list.delete(messageId));
      list.set(messageId, { outcome: structuredClone(outcome), at });
      touch(conversationId);
    },
    async check() {
      // process memory has no disk to fill or pages to corrupt: reachable means ready
    },
    async ticketCounts() {
      const counts: Record<TicketStatus, number> = { waiting: 0, assigned: 0, closed: 0 };
      for (const t of tickets.values()) counts[t.status] += 1;
      return counts;
    },
    async prune(before, batch) {
      // up to `batch` of each kind, like the SQLite store, so a prune never holds the process for long
      let left = batch;
      for (const [id, list] of transcripts) {
        if (left <= 0) break;
        left -= dropBefore(list, before, left);
        if (list.length === 0) transcripts.delete(id);
      }
      let n = batch - left;
      n += dropBefore(feedback, before, batch) + dropBefore(handoffs, before, batch);
      left = batch;
      for (const byId of outcomes.values()) {
        for (const [messageId, { at }] of byId) {
          if (left > 0 && at < before) {
            byId.delete(messageId);
            left -= 1;
          }
        }
      }
      for (const [id, state] of states) {
        if (left > 0 && state.mode === "bot" && state.updatedAt < before) {
          states.delete(id);
          left -= 1;
        }
      }
      for (const t of tickets.values()) {
        if (left > 0 && t.status === "closed" && (t.closedAt ?? 0) < before) {
          tickets.delete(t.id);
          ticketMessages.delete(t.id);
          left -= 1;
        }
      }
      return n + batch - left;
    },

    async createTicket(ticket) {
      undo?.push(() => tickets.delete(ticket.id));
      tickets.set(ticket.id, structuredClone(ticket));
      capClosedTickets();
    },
    async updateTicket(id, patch, ifStatus) {
      const t = tickets.get(id);
      if (!t || (ifStatus && !ifStatus.includes(t.status))) return null;
      const before = structuredClone(t);
      undo?.push(() => tickets.set(id, before));
      Object.assign(t, patch);
      return structuredClone(t);
    },
    async ticket(id) {
      const t = tickets.get(id);
      return t ? structuredClone(t) : null;
    },
    async openTicket(conversationId) {
      const t = [...tickets.values()].find((x) => x.conversationId === conversationId && x.status !== "closed");
      return t ? structuredClone(t) : null;
    },
    async tickets(statuses, limit = 200) {
      const open = [...tickets.values()].filter((t) => statuses.includes(t.status) && t.status !== "closed").sort((a, b) => a.openedAt - b.openedAt);
      const closed = statuses.includes("closed")
        ? [...tickets.values()].filter((t) => t.status === "closed").sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0)).slice(0, limit)
        : [];
      return structuredClone([...open, ...closed]);
    },
    async countTickets(q) {
      let n = 0;
      for (const t of tickets.values()) {
        if (t.status !== q.status || (q.channel !== undefined && t.channel !== q.channel) || (q.userId !== undefined && t.userId !== q.userId)) continue;
        if (q.agent !== undefined && t.agent !== q.agent) continue;
        if (q.before && compareInQueue(q.status, cursorOf(t), q.before) >= 0) continue;
        n++;
      }
      return n;
    },
    async ticketPage(q) {
      const { after } = q;
      const matching = [...tickets.values()]
        .filter((t) => t.status === q.status && (q.agent === undefined || t.agent === q.agent))
        .filter((t) => !after || compareInQueue(q.status, cursorOf(t), after) > 0)
        .sort((a, b) => compareInQueue(q.status, cursorOf(a), cursorOf(b)));
      const page = matching.slice(0, q.limit);
      const last = page.at(-1);
      return { tickets: structuredClone(page), next: matching.length > q.limit && last ? cursorOf(last) : null };
    },
    async appendTicketMessage(message) {
      pushTo(ticketMessages, message.ticketId, { ...message });
    },
    async ticketMessages(ticketId) {
      return structuredClone(ticketMessages.get(ticketId) ?? []);
    },
    async inboundSince(at) {
      return [...transcripts.values()]
        .flat()
        .filter((e) => e.direction === "in" && e.at >= at)
        .sort((a, b) => a.at - b.at)
        .map((e) => ({ ...e }));
    },
    async feedbackSince(at) {
      return feedback.filter((f) => f.at >= at).map((f) => ({ ...f }));
    },
    async createSession(idHash, agent, expires) {
      for (const [id, s] of sessions) if (s.expires <= Date.now()) sessions.delete(id);
      sessions.set(idHash, { agent, expires });
    },
    async sessionAgent(idHash, now) {
      const s = sessions.get(idHash);
      if (!s) return null;
      if (s.expires <= now) {
        sessions.delete(idHash);
        return null;
      }
      return s.agent;
    },
    async deleteSession(idHash) {
      sessions.delete(idHash);
    },
  };
  return withTransactions(store, {
    begin: () => {
      undo = [];
    },
    commit: () => {
      undo = null;
    },
    rollback: () => {
      const steps = undo ?? [];
      undo = null;
      for (const step of steps.reverse()) step();
    },
  });
}

/** Removes up to `limit` records older than `before` from a list; returns how many went. */
function dropBefore(list: Array<{ at: number }>, before: number, limit: number): number {
  let dropped = 0;
  const keep = list.filter((r) => !(r.at < before && dropped < limit && ++dropped));
  list.splice(0, list.length, ...keep);
  return dropped;
}

