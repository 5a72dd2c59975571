import type { ConversationState, ConversationStore, TranscriptEntry } from "../types.js";

/** Keeps everything in process memory: for tests and throwaway runs. */
export function createMemoryStore(): ConversationStore & { feedback: unknown[]; handoffs: unknown[] } {
  const states = new Map<string, ConversationState>();
  const transcripts = new Map<string, TranscriptEntry[]>();
  const feedback: Array<{ conversationId: string; intent: string; helpful: boolean; at: number }> = [];
  const handoffs: Array<{ conversationId: string; reason: string; at: number }> = [];
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
  };
}
