import { readFileSync } from "node:fs";
import { readResponsesFile } from "../knowledge/responses-file.js";

// What the bot says that is not a knowledge answer, keyed "group.name". Every key has a sentence in
// default-responses.yaml beside this file; a knowledge base's responses.yaml overrides any of them.

/** Placeholders every sentence may use: the bot's name and what it answers about. */
export const COMMON_PLACEHOLDERS = ["name", "scope"] as const;

/** Every response key, with the placeholders of its own that it may use (beside {name} and {scope}). */
export const RESPONSE_KEYS = {
  "bot.name": [],
  "bot.scope": [],
  "greeting.welcome": [],
  "fallback.first": [],
  "fallback.again": [],
  "fallback.scope": [],
  "fallback.scope-no-human": [],
  "fallback.offer-human": [],
  "fallback.truncated": [],
  "fallback.not-text": [],
  "chat.acknowledge": [],
  "chat.decline": [],
  "chat.decline-human": [],
  "steps.none": [],
  "steps.finished": ["count"],
  "steps.ahead": ["path"],
  "why.unknown": ["title"],
  "clarify.which": [],
  "clarify.also": ["title", "text"],
  "clarify.which-kind": [],
  "clarify.which-task": [],
  "clarify.which-one": [],
  "clarify.no-such-option": ["n"],
  "feedback.prompt": [],
  "feedback.helpful": [],
  "feedback.unhelpful": [],
  "feedback.thanks": [],
  "feedback.sorry-offer-human": [],
  "feedback.sorry": [],
  "handoff.choice": [],
  "handoff.queued": [],
  "handoff.unavailable": [],
  "handoff.cancelled": [],
  "handoff.queued-next": ["wait"],
  "handoff.queued-behind": ["ahead", "wait"],
  "handoff.queued-off-hours": ["position", "hours", "opens"],
  "handoff.queue-full": [],
  "handoff.already-waiting": [],
  "handoff.assigned": ["agent"],
  "handoff.released": [],
  "handoff.closed": [],
  "handoff.timeout": [],
  "handoff.timeout-off-hours": ["hours", "opens"],
  "slots.noted": ["label"],
  "slots.variant": ["label", "text"],
  "slots.variant-if": ["label", "text"],
  "slots.no-difference": ["title", "labels"],
  "slots.rest-same": ["text"],
  "slots.rest-same-note": ["note", "text"],
  "channel.not-text": [],
  "channel.too-long": [],
  "channel.slow-down": [],
  "channel.error": [],
} as const satisfies Record<string, readonly string[]>;

export type ResponseKey = keyof typeof RESPONSE_KEYS;

/** The sentences in force: every key, the knowledge base's where it has one, else the engine's. */
export type Responses = Readonly<Record<ResponseKey, string>>;

/** Whether a key of a responses file is one the engine says. */
export function isResponseKey(key: string): key is ResponseKey {
  return Object.hasOwn(RESPONSE_KEYS, key);
}

const PLACEHOLDER = /\{([\w-]+)\}/g;

/** The placeholders a sentence uses, in order. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** The placeholders a key's sentence may use (none for the bot's name and scope themselves). */
export function allowedPlaceholders(key: ResponseKey): string[] {
  return key.startsWith("bot.") ? [] : [...COMMON_PLACEHOLDERS, ...RESPONSE_KEYS[key]];
}

/** A response with its placeholders filled: {name}, {scope} and the key's own values. */
export function respond(responses: Responses, key: ResponseKey, values: Record<string, string | number> = {}): string {
  const all: Record<string, string | number> = { name: responses["bot.name"], scope: responses["bot.scope"], ...values };
  return responses[key].replace(PLACEHOLDER, (whole, p: string) => (all[p] === undefined ? whole : String(all[p])));
}

let defaults: Responses | undefined;
/** The engine's own, topic-free sentences (default-responses.yaml), read once. */
export function defaultResponses(): Responses {
  if (!defaults) {
    const url = new URL("./default-responses.yaml", import.meta.url);
    const { values, errors } = readResponsesFile(readFileSync(url, "utf8"), "src/dialog/default-responses.yaml");
    const missing = Object.keys(RESPONSE_KEYS).filter((k) => !(k in values));
    // the engine's own file is part of the code: a mistake in it is a bug, not an operator's error
    if (errors.length > 0 || missing.length > 0) throw new Error(`default responses are broken:\n${[...errors, ...missing.map((k) => `missing ${k}`)].join("\n")}`);
    defaults = values as Responses;
  }
  return defaults;
}

/** The engine's sentences with a knowledge base's overrides on top. */
export function withDefaults(overrides: Partial<Record<ResponseKey, string>>): Responses {
  return { ...defaultResponses(), ...overrides };
}
