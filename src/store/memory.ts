import type {
  ConversationState,
  ConversationStore,
  FeedbackRecord,
  HandoffTicket,
  TicketMessage,
  TranscriptEntry,
} from "../types.js";
import { compareInQueue, cursorOf } from "./ticket-order.js";

/** Keeps everything in process memory: for tests and throwaway runs. */
export function createMemoryStore(): ConversationStore & { feedback: unknown[]; handoffs: unknown[] } {
  const states = new Map<string, ConversationState>();
  const transcripts = new Map<string, TranscriptEntry[]>();
  const feedback: FeedbackRecord[] = [];
  const handoffs: Array<{ conversationId: string; reason: string; at: number }> = [];
  const tickets = new Map<string, HandoffTicket>();
  const ticketMessages = new Map<string, TicketMessage[]>();
  return {
    feedback,
    handoffs,
    async read(id) {
      const s = states.get(id);
      return s ? structuredClone(s) : null;
    },
    async write(id, state) {
      states.set(id, structuredClone(state));
    },
    async delete(id) {
      states.delete(id);
      transcripts.delete(id);
    },
    async appendTranscript(entries) {
      for (const e of entries) {
        let list = transcripts.get(e.conversationId);
        if (!list) transcripts.set(e.conversationId, (list = []));
        list.push({ ...e });
      }
    },
    async transcript(id, limit = 200) {
      return (transcripts.get(id) ?? []).slice(-limit);
    },
    async recordFeedback(conversationId, intent, helpful, at) {
      feedback.push({ conversationId, intent, helpful, at });
    },
    async recordHandoff(conversationId, reason, at) {
      handoffs.push({ conversationId, reason, at });
    },
    async close() {},

    async createTicket(ticket) {
      tickets.set(ticket.id, structuredClone(ticket));
    },
    async updateTicket(id, patch, ifStatus) {
      const t = tickets.get(id);
      if (!t || (ifStatus && !ifStatus.includes(t.status))) return null;
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
      let list = ticketMessages.get(message.ticketId);
      if (!list) ticketMessages.set(message.ticketId, (list = []));
      list.push({ ...message });
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
  };
}

