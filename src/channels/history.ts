import type { Speaker, TranscriptEntry } from "../types.js";

/** Who said a transcript line; lines stored before the speaker was recorded read as the user's or the bot's. */
export function speakerOf(entry: Pick<TranscriptEntry, "direction" | "from">): Speaker {
  return entry.from ?? (entry.direction === "in" ? "user" : "bot");
}

/** One message of a history endpoint: what was said, when, and by whom (with the agent's name). */
export interface HistoryMessage {
  direction: "in" | "out";
  from: Speaker;
  author: string | null;
  text: string;
  at: number;
  kind: TranscriptEntry["kind"];
  intent: string | null;
}

/** A transcript line as the history endpoints (web chat and API) give it back. */
export function historyMessage(entry: TranscriptEntry): HistoryMessage {
  const from = speakerOf(entry);
  return {
    direction: entry.direction,
    from,
    author: from === "agent" ? (entry.author ?? null) : null,
    text: entry.text,
    at: entry.at,
    kind: entry.kind,
    intent: entry.intent,
  };
}
