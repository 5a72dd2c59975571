// The core types of the bot: one place to learn the system.

/** What every channel produces from a platform message. */
export interface InboundMessage {
  channel: string;
  conversationId: string;
  userId: string;
  /** The user's display name where the channel has one (a WeChat nickname), for agents. */
  userName?: string;
  text: string;
  messageId: string;
  at: number;
}

/** One message the bot sends; channels without buttons render quick replies as numbered text. */
export interface Reply {
  text: string;
  quickReplies?: string[];
}

export type OutcomeKind = "answer" | "clarify" | "fallback" | "handoff" | "human";

/** What `Bot.handle()` returns for one inbound message. */
export interface Outcome {
  kind: OutcomeKind;
  intent: string | null;
  confidence: number;
  replies: Reply[];
}

/** One ranked candidate of a match. */
export interface Candidate {
  intentId: string;
  score: number;
}

/** Ranked candidates for one message, best first, with what the matcher read. */
export interface MatchResult {
  candidates: Candidate[];
  /** Normalised text that was matched (after question extraction). */
  text: string;
  /** Canonical tokens of the message. */
  tokens: string[];
  /** Confidence in [0,1] of the top candidate; below the threshold means "not understood". */
  confidence: number;
  /** Why the message is noise, when it is (empty, emoji only, markup...). */
  noise?: string;
  /** The message was longer than the matcher reads; only a part of it was used (its clauses that ask first). */
  truncated?: boolean;
  /** Entities of the lexicon named in the message (e.g. "enterprise", "fans"). */
  entities: string[];
}

/** Why a conversation goes to a human: asked for one, the fallback ladder's offer, or a thumbs-down's offer. */
export type HandoffReason = "asked" | "repeated-misses" | "negative-feedback";

/**
 * A question the bot asked, whose reply it reads first: which of several meanings (a clarification),
 * a menu of topics (picked by number or title only), the offer of a human (for the reason it was made,
 * with the nearest topics after it), or a "no" just said (so that "好的" after it is an acknowledgment).
 * Options are intent ids, in the order of the quick replies shown.
 */
export type Pending =
  | { kind: "clarification"; options: string[] }
  | { kind: "menu"; options: string[] }
  | { kind: "human-offer"; reason: HandoffReason; topics: string[] }
  | { kind: "declined" };

/** Per-conversation memory. */
export interface ConversationState {
  /** Intent last answered or being walked through. */
  topic: string | null;
  /** Index of the step shown last when walking through a procedure. */
  step: number;
  /** Table/row/column last answered, for follow-ups like "那粉丝呢". */
  focus: { table: string; row: string; column: string | null } | null;
  /**
   * The question the bot just asked and waits for a reply to, or null. A bare list of strings is the
   * shape stored before the question was tagged; the dialog reads it with `readPending`.
   */
  pending: Pending | null | string[];
  /** Remembered slots: slot id → value id (those of knowledge/slots.yaml), and `goal` → the goal stated. */
  slots: Record<string, string>;
  /** The last message that was understood on its own, for reading elliptical follow-ups. */
  lastQuestion: string | null;
  /** Intent the last feedback prompt was about. */
  feedbackFor: string | null;
  /** Quick replies of the bot's last message, so that "2" sends the second one (channels without buttons number them). */
  offered?: string[];
  /** What the last answer left for 「更多」: its lines not said in the short first reply. */
  more?: string[];
  /** Misses in a row, for the fallback ladder. */
  misses: number;
  /** Whether a human agent has the conversation. */
  mode: "bot" | "human";
  /** Answers given so far, for pacing the feedback prompt. */
  answers: number;
  /** Last time the conversation was active (epoch ms). */
  updatedAt: number;
}

/** Who said a transcript line: the user, the bot, a human agent, or a notice of the handoff desk. */
export type Speaker = "user" | "bot" | "agent" | "system";

/** One line of a conversation's record, as every channel's history shows it. */
export interface TranscriptEntry {
  conversationId: string;
  direction: "in" | "out";
  text: string;
  at: number;
  intent: string | null;
  confidence: number | null;
  kind: OutcomeKind | null;
  channel: string;
  userId: string;
  /** Who spoke; entries stored before it was recorded read as "user" (in) or "bot" (out), see `speakerOf`. */
  from?: Speaker;
  /** The agent's name, for lines of a human agent. */
  author?: string | null;
}

/** Who pushed replies outside a request: a human agent (by name) or a notice of the handoff desk. */
export interface Sender {
  from: "agent" | "system";
  author?: string | null;
}

/** Where conversations, transcripts and feedback live. */
/**
 * A conversation's state and transcript, and what one message writes: the bot reads and writes only
 * these. Writes made inside `transaction` are committed together.
 */
export interface ConversationStateStore {
  read(conversationId: string): Promise<ConversationState | null>;
  write(conversationId: string, state: ConversationState): Promise<void>;
  delete(conversationId: string): Promise<void>;
  appendTranscript(entries: TranscriptEntry[]): Promise<void>;
  transcript(conversationId: string, limit?: number): Promise<TranscriptEntry[]>;
  recordFeedback(conversationId: string, intent: string, helpful: boolean, at: number): Promise<void>;
  recordHandoff(conversationId: string, reason: string, at: number): Promise<void>;
  /**
   * Runs `fn` as one transaction: the writes it makes through this store are committed together or not
   * at all. With `fence` (the token a conversation lock granted), a store shared by several instances
   * refuses (throws StaleLockError) when a later holder of that conversation's lock already wrote.
   */
  transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** The outcome stored for a message already handled (a client's retry), or null. */
  messageOutcome(conversationId: string, messageId: string): Promise<Outcome | null>;
  recordMessageOutcome(conversationId: string, messageId: string, outcome: Outcome, at: number): Promise<void>;
}

/** Handoff tickets and their messages: what the handoff desk and the agent console read and write. */
export interface TicketStore {
  createTicket(ticket: HandoffTicket): Promise<void>;
  /**
   * Changes a ticket's status fields, only while its status is one of `ifStatus` when given (so two
   * agents, or an agent and the user, cannot both win); returns the changed ticket, or null when there
   * is no such ticket or its status did not match.
   */
  updateTicket(id: string, patch: TicketPatch, ifStatus?: TicketStatus[]): Promise<HandoffTicket | null>;
  ticket(id: string): Promise<HandoffTicket | null>;
  /** The conversation's ticket that is not closed, if any. */
  openTicket(conversationId: string): Promise<HandoffTicket | null>;
  /** Tickets with one of the statuses, oldest first (closed ones: most recently closed first, up to `limit`). */
  tickets(statuses: TicketStatus[], limit?: number): Promise<HandoffTicket[]>;
  /** How many tickets match, read with a count (a queue position, a bound), never by listing them. */
  countTickets(query: TicketCount): Promise<number>;
  /** How many tickets are in each status. */
  ticketCounts(): Promise<Record<TicketStatus, number>>;
  /**
   * One page of a status's tickets in queue order (open: oldest first; closed: most recently closed
   * first), starting after `after`; `next` is where the following page starts, null on the last one.
   */
  ticketPage(query: TicketPageQuery): Promise<{ tickets: HandoffTicket[]; next: TicketCursor | null }>;
  appendTicketMessage(message: TicketMessage): Promise<void>;
  ticketMessages(ticketId: string): Promise<TicketMessage[]>;
}

/** What the insights page reads: users' messages and their feedback over a period. */
export interface InsightsQueries {
  /** Users' messages (direction "in") since a time, oldest first. */
  inboundSince(at: number): Promise<TranscriptEntry[]>;
  feedbackSince(at: number): Promise<FeedbackRecord[]>;
}

/** Signed-in agents: a session outlives a restart and is seen by every instance. */
export interface AgentSessionStore {
  /** Stores a session by the SHA-256 of its id (the id itself, the cookie's secret, is never stored). */
  createSession(idHash: string, agent: string, expires: number): Promise<void>;
  /** The agent of a live session, or null (unknown or expired at `now`; expired ones are deleted). */
  sessionAgent(idHash: string, now: number): Promise<string | null>;
  deleteSession(idHash: string): Promise<void>;
}

/** What the process does with the store as a whole: readiness, retention, shutdown. */
export interface StoreMaintenance {
  /** A real write and read; throws when the store cannot serve messages (readiness). */
  check(at: number): Promise<void>;
  /**
   * Deletes up to `batch` rows of each kind older than `before`: transcript entries, closed tickets and
   * their messages, feedback, handoff requests, remembered outcomes, idle bot-mode states, and (shared stores) the
   * lock fences of conversations idle since. Returns how many went.
   */
  prune(before: number, batch: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * A whole store (memory, SQLite, PostgreSQL), as one database holds it so that one message's writes
 * share a transaction. Each part of the program takes only the part it uses.
 */
export interface ConversationStore extends ConversationStateStore, TicketStore, InsightsQueries, AgentSessionStore, StoreMaintenance {}

export interface TransactionOptions {
  /** The conversation lock's grant: its key and its fencing token (larger for every later grant). */
  fence?: { key: string; token: number };
}

export interface FeedbackRecord {
  conversationId: string;
  intent: string;
  helpful: boolean;
  at: number;
}

/** waiting (in the queue) → assigned (an agent has it) → closed. */
export type TicketStatus = "waiting" | "assigned" | "closed";

/** Who waits for a human, why, and the ticket's status. */
export interface HandoffTicket {
  id: string;
  conversationId: string;
  channel: string;
  userId: string;
  /** The user's display name when the channel gave one (a WeChat nickname). */
  userName?: string;
  reason: HandoffReason;
  status: TicketStatus;
  /** The agent who has the ticket (while assigned; kept after closing). */
  agent: string | null;
  openedAt: number;
  assignedAt: number | null;
  closedAt: number | null;
  /** "closed" (by the agent) | "released" (given back to the bot) | "cancelled" (by the user) */
  closeReason: string | null;
  /** When the user was told no agent answered in time (once per ticket). */
  timeoutNotifiedAt: number | null;
  /** The last messages of the conversation when the ticket opened, oldest first. */
  lastMessages: Array<{ direction: "in" | "out"; text: string; at: number }>;
}

/** What `countTickets` counts: tickets of a status, optionally of one user or queued ahead of a ticket. */
export interface TicketCount {
  status: TicketStatus;
  channel?: string;
  userId?: string;
  agent?: string;
  /** Only tickets before this place in the queue order (its queue position minus one). */
  before?: TicketCursor;
}

/** A place in a ticket list: the sort time (openedAt, or closedAt for closed tickets) and the id. */
export interface TicketCursor {
  at: number;
  id: string;
}

export interface TicketPageQuery {
  status: TicketStatus;
  /** Only this agent's tickets. */
  agent?: string;
  after?: TicketCursor | null;
  limit: number;
}

export type TicketPatch = Partial<Pick<HandoffTicket, "status" | "agent" | "assignedAt" | "closedAt" | "closeReason" | "timeoutNotifiedAt">>;

/** One message of a ticket's thread: the user's, an agent's, or a note the desk sent. */
export interface TicketMessage {
  ticketId: string;
  from: "user" | "agent" | "system";
  /** The agent's name for agent messages. */
  author: string | null;
  text: string;
  at: number;
}

/**
 * A channel: translates platform messages to InboundMessage and renders replies back. `send` is the
 * only push path (a human agent's reply); everything else is returned by `Bot.handle()`.
 */
export interface Channel {
  /** The `channel` value of the InboundMessages it produces ("api", "web", "wechaty", "wechat-mp"). */
  name: string;
  /** Delivers replies to a conversation of this channel outside a request (agent replies, desk notices). */
  send(conversationId: string, replies: Reply[], sender?: Sender): Promise<void>;
  /** Optional: shows that an agent is typing in the conversation (channels that can show it). */
  typing?(conversationId: string, sender: Sender): Promise<void>;
  /** Optional: told when a conversation of any channel is handed to a human (e.g. to alert an admin contact). */
  notifyHandoff?(notice: HandoffNotice): Promise<void>;
  stop?(): Promise<void>;
}

/** Where a conversation stands with the handoff desk, for a channel that shows it (the web chat's banner). */
export interface HandoffStatus {
  status: "waiting" | "assigned";
  /** Place in the queue while waiting (1: next). */
  position: number | null;
  /** The agent's name once assigned. */
  agent: string | null;
}

/** What channels are told when a ticket opens. */
export interface HandoffNotice {
  ticketId: string;
  conversationId: string;
  channel: string;
  userId: string;
  reason: HandoffReason;
  /** The last messages of the conversation, oldest first. */
  lastMessages: Array<{ direction: "in" | "out"; text: string; at: number }>;
}
