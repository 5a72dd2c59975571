import { expect } from "vitest";
import { createBot, type Bot } from "../../src/bot.js";
import type { DialogSettings } from "../../src/dialog/decide.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { ConversationStore, Outcome, OutcomeKind } from "../../src/types.js";
import { projectKnowledge, silentLog } from "../helpers/kb.js";

/** Everything a user sees of an outcome: reply texts and quick replies. */
export function shown(outcome: Outcome): string {
  return outcome.replies.flatMap((r) => [r.text, ...(r.quickReplies ?? [])]).join("\n");
}

/** One turn of a script: what the user says, the kind expected back, and what the reply must (not) say. */
export interface Turn {
  say: string;
  kind: OutcomeKind;
  intent?: string | null;
  has?: Array<string | RegExp>;
  lacks?: Array<string | RegExp>;
}

/** A conversation with the bot over the project knowledge base and a store, one user, a clock of its own. */
export function conversation(options: { store?: ConversationStore; settings?: Partial<DialogSettings>; id?: string; bot?: Bot } = {}) {
  const store = options.store ?? createMemoryStore();
  const kb = projectKnowledge();
  const settings = { threshold: 0.45, clarifyMargin: 0.02, feedbackEvery: 0, ...options.settings };
  const bot = options.bot ?? createBot({ knowledge: () => kb, store, log: silentLog, settings });
  const id = options.id ?? `test:${Math.random().toString(36).slice(2)}`;
  let clock = Date.UTC(2026, 0, 1, 9, 0, 0);
  let n = 0;
  const send = (text: string, at = (clock += 5_000)): Promise<Outcome> => {
    clock = Math.max(clock, at);
    return bot.handle({ channel: "test", conversationId: id, userId: "u", text, messageId: `m${++n}`, at });
  };
  /** Plays turns in order, checking each; returns the outcomes. */
  const play = async (turns: Turn[]): Promise<Outcome[]> => {
    const out: Outcome[] = [];
    for (const t of turns) {
      const o = await send(t.say);
      const text = shown(o);
      const where = `after "${t.say}" the bot said:\n${text}`;
      expect(o.kind, where).toBe(t.kind);
      if (t.intent !== undefined) expect(o.intent, where).toBe(t.intent);
      for (const f of t.has ?? []) {
        if (typeof f === "string") expect(text, where).toContain(f);
        else expect(text, where).toMatch(f);
      }
      for (const f of t.lacks ?? []) {
        if (typeof f === "string") expect(text, where).not.toContain(f);
        else expect(text, where).not.toMatch(f);
      }
      out.push(o);
    }
    return out;
  };
  return { store, bot, id, send, play, now: () => clock };
}
