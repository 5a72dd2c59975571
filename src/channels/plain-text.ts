import { numberedChoices, optionNumbered } from "../dialog/numbered.js";
import type { Reply } from "../types.js";

// How the text-only channels (Wechaty, Official Account) render replies: quick replies become
// numbered lines, and a user who answers with that number gets the option it stood for.

/** One reply as plain text, its quick replies as numbered lines ("1. 只关入口"). */
export function renderPlainText(reply: Reply): string {
  const options = reply.quickReplies ?? [];
  if (options.length === 0) return reply.text;
  const lines = options.map((option, i) => `${i + 1}. ${option}`);
  return `${reply.text}\n${lines.join("\n")}\n（回复数字即可）`;
}

/**
 * Splits a text into pieces of at most `max` characters, preferring a paragraph break, then a line
 * break, then the end of a sentence, so a long answer arrives as several readable messages.
 */
export function splitText(text: string, max: number): string[] {
  const chars = [...text];
  const pieces: string[] = [];
  let start = 0;
  while (chars.length - start > max) {
    const window = chars.slice(start, start + max).join("");
    let cut = -1;
    for (const sep of ["\n\n", "\n", "。", "！", "？", "；", ". ", "，", " "]) {
      const at = window.lastIndexOf(sep);
      // a cut in the first third would leave a tiny piece: look for a weaker separator instead
      if (at >= max / 3) {
        cut = [...window.slice(0, at + sep.length)].length;
        break;
      }
    }
    if (cut <= 0) cut = max;
    const piece = chars.slice(start, start + cut).join("").trim();
    if (piece) pieces.push(piece);
    start += cut;
  }
  const rest = chars.slice(start).join("").trim();
  if (rest) pieces.push(rest);
  return pieces;
}

/** Remembers the numbered options last shown in each conversation, to read "2" as the second one. */
export interface NumberedChoices {
  remember(conversationId: string, replies: Reply[]): void;
  /** The option a bare number stands for, or the text unchanged. */
  resolve(conversationId: string, text: string): string;
}

export function createNumberedChoices(maxConversations = 10_000): NumberedChoices {
  const last = new Map<string, string[]>();
  return {
    remember(conversationId, replies) {
      // only the options of the latest message are numbered 1..n on screen; keep those
      const shown = numberedChoices(replies);
      last.delete(conversationId);
      if (shown.length > 0) last.set(conversationId, shown);
      if (last.size > maxConversations) {
        const oldest = last.keys().next().value;
        if (oldest !== undefined) last.delete(oldest);
      }
    },
    resolve(conversationId, text) {
      return optionNumbered(text, last.get(conversationId) ?? []) ?? text;
    },
  };
}
