import { normalizeText } from "../nlu/normalize.js";
import type { Reply } from "../types.js";

// The one way a reply picks a numbered option: the position it names, read the same for the quick
// replies just shown (by the dialog, the text-only channels and the terminal chat) and for the options
// of a question the bot asked.

const ORDINAL = /^(选|选择|要)?(第)?([1-9一二三四五六七八九])(个|种|项|条|号)?(吧|啊|呀|的|吧啊)?$/;
const CN_DIGITS = "一二三四五六七八九";
const FIRST = /^(前者|前面那个|第一种)$/;
const LAST = /^(后者|后面那个|最后一个)$/;

/** "2", "第二个", "选3": the position a reply names (from 1), or null. */
export function ordinal(clean: string): number | null {
  const d = ORDINAL.exec(clean)?.[3];
  if (d === undefined) return null;
  return /[1-9]/.test(d) ? Number(d) : CN_DIGITS.indexOf(d) + 1;
}

/**
 * The position a reply names among `count` options: a number, or "前者" / "最后一个" when `firstLast`;
 * null when it names none. A number beyond the options is returned as it is (it names no option).
 */
export function positionNamed(clean: string, count: number, firstLast = false): number | null {
  const n = ordinal(clean);
  if (n !== null) return n;
  if (!firstLast) return null;
  if (FIRST.test(clean)) return 1;
  if (LAST.test(clean)) return count;
  return null;
}

/** The options a number picks after these replies: the quick replies of the last reply that has some. */
export function numberedChoices(replies: readonly Reply[]): string[] {
  return [...([...replies].reverse().find((r) => r.quickReplies?.length)?.quickReplies ?? [])];
}

/** The option a message picks by its number ("2", "２", "第二个"), or undefined. */
export function optionNumbered(text: string, options: readonly string[]): string | undefined {
  const n = ordinal(normalizeText(text).text.replace(/\s+/g, ""));
  return n === null ? undefined : options[n - 1];
}
