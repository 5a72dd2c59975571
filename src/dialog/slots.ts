import type { Intent, KnowledgeBase, Slot, SlotValue } from "../knowledge/knowledge-base.js";
import type { ConversationState, MatchResult } from "../types.js";
import { renderRefs } from "./render.js";
import { respond } from "./responses.js";

// The slots a knowledge base declares (knowledge/slots.yaml), read generically: what a message states,
// what the conversation remembers, and the facts an intent says only for one value.

/** The slot values a message states: for each slot, the first value whose words it names. */
export function statedValues(match: MatchResult, kb: KnowledgeBase): Array<{ slot: Slot; value: SlotValue }> {
  return kb.slots.flatMap((slot) => {
    const value = slot.values.find((v) => v.words.some((w) => match.entities.includes(w)));
    return value ? [{ slot, value }] : [];
  });
}

/** Whether a term only states a slot value ("企业" in "我是企业号"). */
export function isSlotWord(term: string, kb: KnowledgeBase): boolean {
  return kb.slots.some((slot) => slot.values.some((v) => v.words.includes(term)));
}

/** The remembered slots with the values a message states; and those values. */
export function rememberSlots(slots: Record<string, string>, match: MatchResult, kb: KnowledgeBase): { slots: Record<string, string>; stated: SlotValue[] } {
  const stated = statedValues(match, kb);
  const next = { ...slots };
  for (const { slot, value } of stated) next[slot.id] = value.id;
  return { slots: next, stated: stated.map((s) => s.value) };
}

/** The value the conversation remembers for a slot, if any. */
export function rememberedValue(state: ConversationState, slot: Slot): SlotValue | undefined {
  const id = state.slots[slot.id];
  return id === undefined ? undefined : slot.values.find((v) => v.id === id);
}

/** One value's own facts of an intent, each labelled with the value ("企业号：…"). */
export function variantLines(intent: Intent, value: SlotValue, kb: KnowledgeBase, key: "slots.variant" | "slots.variant-if" = "slots.variant"): string[] {
  return renderRefs(intent.variants[value.id] ?? [], kb).map((text) => respond(kb.responses, key, { label: value.label, text }));
}
