import type { HandoffReason, HandoffTicket, TranscriptEntry } from "../types.js";

// The rows of the SQL stores (SQLite, PostgreSQL) as the store's types: the same columns in both.

/** A transcript row. */
export function toEntry(r: Record<string, unknown>): TranscriptEntry {
  return {
    ...(r.sender ? { from: r.sender as TranscriptEntry["from"] } : {}),
    ...(r.author ? { author: r.author as string } : {}),
    conversationId: r.conversation_id as string,
    direction: r.direction as "in" | "out",
    text: r.text as string,
    at: r.at as number,
    intent: (r.intent as string | null) ?? null,
    confidence: (r.confidence as number | null) ?? null,
    kind: (r.kind as TranscriptEntry["kind"]) ?? null,
    channel: r.channel as string,
    userId: r.user_id as string,
  };
}

/** A tickets row (its last_messages is JSON text). */
export function toTicket(r: Record<string, unknown>): HandoffTicket {
  return {
    id: r.id as string,
    conversationId: r.conversation_id as string,
    channel: r.channel as string,
    userId: r.user_id as string,
    ...(typeof r.user_name === "string" ? { userName: r.user_name } : {}),
    reason: r.reason as HandoffReason,
    status: r.status as HandoffTicket["status"],
    agent: (r.agent as string | null) ?? null,
    openedAt: r.opened_at as number,
    assignedAt: (r.assigned_at as number | null) ?? null,
    closedAt: (r.closed_at as number | null) ?? null,
    closeReason: (r.close_reason as string | null) ?? null,
    timeoutNotifiedAt: (r.timeout_notified_at as number | null) ?? null,
    lastMessages: JSON.parse(r.last_messages as string) as HandoffTicket["lastMessages"],
  };
}
