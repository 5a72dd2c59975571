import type { QuestionGroup } from "./cluster.js";

/**
 * Unanswered question groups as draft intents in the format of intents/*.yaml, for an operator to
 * edit: the ids, titles and answers are placeholders on purpose.
 */
export function draftIntents(groups: QuestionGroup[], note: string): string {
  const q = (s: string) => JSON.stringify(s.replace(/\s+/g, " ").trim());
  const lines = [
    `# Draft intents from unanswered questions (${note}), grouped by similarity.`,
    "# A draft, not a knowledge file: for each group worth answering, give it a real id and title,",
    "# point `answer` at facts of knowledge/*.yaml (or write a `reply`), keep the examples that fit,",
    "# move it into intents/ and run `npm run kb:validate` and `npm run kb:test`.",
  ];
  if (groups.length === 0) lines.push("# No unanswered questions in that period.", "[]");
  groups.forEach((g, i) => {
    lines.push(
      `- id: draft-${i + 1}   # asked ${g.count} time${g.count === 1 ? "" : "s"}`,
      `  title: ${q(`TODO ${g.label}`)}`,
      "  answer: [todo-fact-id]   # TODO: fact ids from knowledge/*.yaml",
      "  examples:",
      ...g.examples.map((e) => `    - ${q(e)}`),
    );
  });
  return `${lines.join("\n")}\n`;
}
