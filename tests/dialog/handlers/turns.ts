import type { Decision, DialogSettings } from "../../../src/dialog/decide.js";
import { initialState } from "../../../src/dialog/decide.js";
import { createTurn, type Turn } from "../../../src/dialog/turn.js";
import type { ConversationState } from "../../../src/types.js";
import { libraryKnowledge } from "../../helpers/kb.js";

/** The library-loans knowledge base of the fixtures (a topic of its own), loaded once per test file. */
export { libraryKnowledge };

export const settings: DialogSettings = { threshold: 0.45, clarifyMargin: 0.02, feedbackEvery: 0 };

/** A turn of `text` on a state (a fresh one changed by `state`), over the library knowledge base; `again` records what it is asked to rerun. */
export function turnOf(text: string, state: Partial<ConversationState> = {}, options: { settings?: Partial<DialogSettings> } = {}): Turn & { rerun: string[] } {
  const rerun: string[] = [];
  const again = (t: string): Decision => {
    rerun.push(t);
    return { state: initialState(2), outcome: { kind: "answer", intent: "rerun", confidence: 1, replies: [{ text: t }] } };
  };
  const turn = createTurn({ ...initialState(1), ...state }, { text, at: 2 }, libraryKnowledge(), { ...settings, ...options.settings }, again);
  return Object.assign(turn, { rerun });
}

/** Every text a decision shows: replies and quick replies. */
export function shownBy(decision: Decision | undefined): string {
  return (decision?.outcome.replies ?? []).flatMap((r) => [r.text, ...(r.quickReplies ?? [])]).join("\n");
}
