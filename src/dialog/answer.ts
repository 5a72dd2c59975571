import type { Intent, KnowledgeBase, Table, TableRow } from "../knowledge/knowledge-base.js";
import type { MatchResult, Reply } from "../types.js";
import { brief } from "./brief.js";
import type { Decision, DialogSettings } from "./decide.js";
import { clarify, handoff, paced, relatedTitles, say, sayWithMenu, withFeedbackPrompt } from "./decisions.js";
import { asksHow, columnAsked, hasSteps, rowsAsked, stepsColumn } from "./reading.js";
import { contradictedColumn, renderCell, renderConflictNote, renderRef, renderRefs, renderRow, renderStep, renderStepsAhead } from "./render.js";
import { respond } from "./responses.js";
import { rememberedValue, variantLines } from "./slots.js";
import type { DialogState } from "./turn.js";

// Answering an intent: its facts and rows (the cell asked for first), a procedure's first step, a
// clarifying intent's options; and walking through a procedure one step at a time.

/** Answers an intent: the facts, rows and caveats it names, the first step of a procedure, or its options. */
export function answer(
  state: DialogState,
  intent: Intent,
  confidence: number,
  kb: KnowledgeBase,
  settings: DialogSettings,
  asked?: MatchResult,
  /** The whole message (the match reads its question clause): what the first reply must answer. */
  message?: string,
): Decision {
  state = { ...state, slots: { ...state.slots } };
  if (intent.type === "clarify") {
    const options = intent.options.map((id) => kb.intents.get(id)!).filter(Boolean);
    // the user already said what they want: no need to ask
    const wanted = options.find((o) => o.goal !== undefined && o.goal === state.slots.goal);
    if (wanted) return answer(state, wanted, confidence, kb, settings, asked, message);
    return clarify(state, options, confidence, renderRefs(intent.answer, kb).join("\n"), respond(kb.responses, "clarify.which-kind"), intent.id);
  }
  if (intent.type === "handoff") return handoff(state, "asked", confidence, kb, settings);
  state.misses = 0;

  if (intent.type === "smalltalk" || intent.reply) {
    // small talk leaves the topic alone, so "谢谢" in the middle of the steps does not lose the place
    if (intent.type !== "smalltalk") {
      state.topic = intent.id;
      state.focus = intent.focus;
    }
    return sayWithMenu(state, "answer", intent.id, confidence, intent.reply ?? intent.title, intent, kb);
  }
  state.topic = intent.id;
  // a side question keeps the place in the procedure, so "下一步" can resume it
  if (intent.steps.length > 0) state.step = 0;
  state.focus = intent.focus;
  if (intent.goal) state.slots.goal = intent.goal;

  // a question naming one column of the intent's row ("互动数据能恢复吗") gets that cell first; a how-to
  // question ("公众号怎么解绑") gets the row's how-to cell, when its table has one
  const rowTable = intent.focus ? kb.tables.get(intent.focus.table) : undefined;
  const cell =
    asked && intent.focus && !intent.focus.column && intent.steps.length === 0
      ? ((asksHow(asked, kb) && hasSteps(intent, kb) ? stepsColumn(rowTable, kb) : undefined) ?? columnAsked(rowTable, asked, kb))
      : undefined;
  if (cell && intent.focus) state.focus = { ...intent.focus, column: cell };

  const lines: string[] = [];
  // what the first reply must say whatever its length: the lead, the first fact, the row or cell asked
  const core = new Set<string>();
  if (intent.lead) lines.push(intent.lead);
  if (intent.lead) core.add(intent.lead);
  const focusTable = intent.focus ? kb.tables.get(intent.focus.table) : undefined;
  // the table rows (and the column, when one was asked) this answer shows, to check its facts against
  const shown: Array<{ table: Table; row: TableRow; column: string | null }> = [];
  const show = (tableId: string, rowId: string, column: string | null): void => {
    const table = kb.tables.get(tableId);
    const row = table?.rows.find((r) => r.id === rowId);
    if (table && row) shown.push({ table, row, column });
  };
  for (const ref of intent.answer) {
    const isFocusRow = focusTable && ref.kind === "row" && ref.table === focusTable.id && ref.row === intent.focus?.row;
    const texts = [cell && isFocusRow ? renderFocusCell(kb, focusTable.id, ref.row, cell) : renderRef(ref, kb)];
    if (ref.kind !== "fact") show(ref.table, ref.row, ref.kind === "cell" ? ref.column : isFocusRow ? (cell ?? null) : null);
    // "粉丝和视频还在吗": the other rows of the same table the question names come right after
    if (isFocusRow && asked && intent.steps.length === 0) {
      for (const row of rowsAsked(focusTable, asked, kb)) {
        if (row.id === ref.row) continue;
        texts.push(cell ? renderCell(focusTable, row, cell) : renderRow(focusTable, row));
        show(focusTable.id, row.id, cell ?? null);
      }
    }
    if (isFocusRow || lines.length === (intent.lead ? 1 : 0)) texts.forEach((t) => core.add(t));
    for (const text of texts) if (text && !lines.includes(text)) lines.push(text);
  }
  // a fact that disagrees with a table cell shown beside it: the table's figure stands, the fact becomes one note
  const notes: string[] = [];
  for (const ref of intent.answer) {
    if (ref.kind !== "fact") continue;
    const fact = renderRef(ref, kb);
    for (const { table, row, column } of shown) {
      const against = contradictedColumn(fact, table, row, kb, column ? [column] : undefined);
      if (against === undefined || !lines.includes(fact)) continue;
      lines.splice(lines.indexOf(fact), 1);
      notes.push(renderConflictNote(fact, table, row, against));
      break;
    }
  }
  // the facts of the values the user stated ("我是企业号"), unless the answer already says them
  for (const slot of kb.slots) {
    const value = rememberedValue(state, slot);
    if (!value) continue;
    const own = renderRefs(intent.variants[value.id] ?? [], kb);
    variantLines(intent, value, kb).forEach((line, i) => {
      if (lines.includes(own[i]!)) return;
      lines.push(line);
      core.add(line);
    });
  }
  // caveats of a procedure are said before its first step, where they still help
  const facts = lines.length;
  lines.push(...notes);
  // a note qualifies a row shown: with a row in focus, that row is said at once, and so is its note
  if (intent.focus) notes.forEach((n) => core.add(n));
  const caveats = renderRefs(intent.caveats, kb).filter((t) => !lines.includes(t));
  if (caveats.length) lines.push(...caveats.map((t) => `⚠️ ${t}`));
  // the first pitfall is said at once, before the first step, where it still helps
  if (caveats.length) core.add(`⚠️ ${caveats[0]}`);
  // the first reply is short: what was asked, and the rest when the user says 「更多」
  const step = intent.steps.length > 0 ? renderStep(intent, 0, kb) : undefined;
  const { first, more } = brief(lines, message ?? asked?.text, kb, { core, about: intent.title, facts });
  if (more.length) state.more = more;
  const replies: Reply[] = [];
  if (intent.steps.length > 0) {
    state.answers += 1;
    first.push(step!);
    replies.push({ text: first.join("\n"), quickReplies: ["下一步", "全部步骤", ...(more.length ? ["更多"] : [])] });
    // a walk-through is rated at its end (see showStep), not at its first step
    return say(state, "answer", intent.id, confidence, replies);
  }
  return paced(sayWithMenu(state, "answer", intent.id, confidence, first.join("\n"), intent, kb, more.length ? ["更多"] : []), intent, kb, settings);
}

/** About how many characters of the other entry's first reply are said after the best's. */
const RUNNER_UP_CHARS = 120;

/**
 * Two entries that answer a question about equally well, neither related to the other: the best is
 * answered (as `answer` does with the same arguments), and the start of the other's first reply
 * follows it in the same message, under its title. Asking which one is meant would cost a turn and
 * show nothing; the conversation goes on with the best.
 */
export function answerWithRunnerUp(runnerUp: Intent, ...args: Parameters<typeof answer>): Decision {
  const [state, , confidence, kb, settings, asked, message] = args;
  const best = answer(...args);
  const said = answer(state, runnerUp, confidence, kb, { ...settings, feedbackEvery: 0 }, asked, message).outcome.replies[0]?.text;
  const [first, ...rest] = best.outcome.replies;
  if (!first || !said) return best;
  // the other's first reply, as much of it as a short reply holds (its first line whatever its length)
  let other = "";
  for (const line of said.split("\n")) {
    if (other && [...other].length + [...line].length > RUNNER_UP_CHARS) break;
    other = other ? `${other}\n${line}` : line;
  }
  const also = respond(kb.responses, "clarify.also", { title: runnerUp.title, text: other });
  return { ...best, outcome: { ...best.outcome, replies: [{ ...first, text: `${first.text}\n\n${also}` }, ...rest] } };
}

/**
 * What must be known before the last step of a procedure, which is the one that cannot be undone
 * (submitting the deregistration): what is lost, and what the user's kind (a slot value) has to do,
 * or, while it is unknown, what the values the knowledge base names in `when-unknown` have to.
 */
export function beforeLastStep(state: DialogState, intent: Intent, kb: KnowledgeBase): string[] {
  const lines = renderRefs(intent.retention, kb).map((t) => `⚠️ ${t}`);
  for (const slot of kb.slots) {
    const value = rememberedValue(state, slot);
    if (value) lines.push(...variantLines(intent, value, kb));
    else {
      for (const id of slot.whenUnknown) {
        const unknown = slot.values.find((v) => v.id === id);
        if (unknown) lines.push(...variantLines(intent, unknown, kb, "slots.variant-if"));
      }
    }
  }
  return lines;
}

/** Shows one step of a procedure (or, `finished`, says the walk-through is over and asks for a rating). */
export function showStep(
  state: DialogState,
  intent: Intent,
  step: number,
  kb: KnowledgeBase,
  settings: DialogSettings,
  finished: boolean,
): Decision {
  state = { ...state, step, misses: 0 };
  const last = intent.steps.length - 1;
  if (finished) {
    // "好了" after the last step: the walk-through is over, and this (not the last step) is where it is rated
    const text = respond(kb.responses, "steps.finished", { count: intent.steps.length });
    const decision = say(state, "answer", intent.id, 1, [{ text, quickReplies: ["重复", "全部步骤", ...relatedTitles(intent, kb).slice(0, 1)] }]);
    return withFeedbackPrompt(decision, intent, kb, settings);
  }
  const lines: string[] = [];
  // what is lost is said before the step that cannot be undone, not after it
  if (step === last) lines.push(...beforeLastStep(state, intent, kb));
  lines.push(renderStep(intent, step, kb));
  // and what comes after it: someone who counts the steps otherwise than the knowledge base still finds theirs
  const ahead = renderStepsAhead(intent, step, kb);
  if (ahead) lines.push(respond(kb.responses, "steps.ahead", { path: ahead }));
  const quickReplies = step < last ? ["下一步", "上一步", "全部步骤"] : ["上一步", "全部步骤", ...relatedTitles(intent, kb).slice(0, 1)];
  // no rating prompt after the last step, the one that cannot be undone: its quick replies stay in view
  return say(state, "answer", intent.id, 1, [{ text: lines.join("\n"), quickReplies }]);
}

function renderFocusCell(kb: KnowledgeBase, tableId: string, rowId: string, column: string): string {
  const table = kb.tables.get(tableId)!;
  const row = table.rows.find((r) => r.id === rowId)!;
  return renderCell(table, row, column);
}

