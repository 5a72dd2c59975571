import type { HandoffTicket, TicketCursor, TicketStatus } from "../types.js";

/** A ticket's place in its list: when it opened, or when it closed for closed tickets. */
export function cursorOf(t: HandoffTicket): TicketCursor {
  return { at: t.status === "closed" ? (t.closedAt ?? 0) : t.openedAt, id: t.id };
}

/** Queue order: open tickets oldest first, closed ones most recently closed first; the id breaks ties. */
export function compareInQueue(status: TicketStatus, a: TicketCursor, b: TicketCursor): number {
  const ascending = a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return status === "closed" ? -ascending : ascending;
}
