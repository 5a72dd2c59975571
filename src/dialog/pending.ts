import type { Pending } from "../types.js";

// Markers at the head of the list `pending` was stored as before it was tagged.
const OLD_HUMAN_OFFER = "human";
const OLD_HUMAN_OFFER_AFTER_FEEDBACK = "human:negative-feedback";
const OLD_MENU = "#menu";
const OLD_DECLINED = "#declined";

/** The question a stored state waits on; reads the list shape stored before the question was tagged too. */
export function readPending(stored: Pending | null | string[] | undefined): Pending | null {
  if (!stored) return null;
  if (!Array.isArray(stored)) return stored;
  const [head, ...rest] = stored;
  if (head === undefined) return null;
  if (head === OLD_DECLINED) return { kind: "declined" };
  if (head === OLD_MENU) return { kind: "menu", options: rest };
  if (head === OLD_HUMAN_OFFER) return { kind: "human-offer", reason: "repeated-misses", topics: rest };
  if (head === OLD_HUMAN_OFFER_AFTER_FEEDBACK) return { kind: "human-offer", reason: "negative-feedback", topics: rest };
  return { kind: "clarification", options: [...stored] };
}
