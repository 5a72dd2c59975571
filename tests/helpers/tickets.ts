import type { HandoffTicket } from "../../src/types.js";

/** A ticket waiting in the queue since `openedAt`, from an API user; any field can be given instead. */
export function waitingTicket(fields: Partial<HandoffTicket> & { id: string; openedAt: number }): HandoffTicket {
  const conversationId = fields.conversationId ?? `api:${fields.userId ?? fields.id}`;
  return {
    conversationId,
    channel: "api",
    userId: conversationId.replace(/^api:/, ""),
    reason: "asked",
    status: "waiting",
    agent: null,
    assignedAt: null,
    closedAt: null,
    closeReason: null,
    timeoutNotifiedAt: null,
    lastMessages: [],
    ...fields,
  };
}
