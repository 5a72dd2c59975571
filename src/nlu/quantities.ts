// Quantities people say ("十来天", "四十个小时", "一个半钟头", "3 days", "不到一天") and the ranges a
// tiered table's rows name ("开车前48小时以上、不足8天", "未满6周岁"), in one base unit per dimension
// (minutes, years of age, yuan), so that a figure in a message finds the row whose range holds it.
// General language data: no knowledge base's topic belongs here.

export type Dimension = "time" | "age" | "money";

/** A quantity a message says: its dimension and its amount in the base unit. */
export interface Quantity {
  dim: Dimension;
  value: number;
}

/** A range a row names: [lo, hi] in the base unit of its dimension, each end open or closed. */
export interface Range {
  dim: Dimension;
  lo: number;
  hi: number;
  /** Whether each end belongs to the range (以上, 以内 include it; 超过, 不足 do not). */
  loIn: boolean;
  hiIn: boolean;
  /** Whether the range counts before the event its table is about ("开车前48小时以上") or after it ("开车后2小时内"), if it says. */
  side: "before" | "after" | null;
}

const MINUTE = 1;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// Units, a longer one before one it starts with (周岁 before 周), with their dimension and size in the base unit.
const UNITS: Array<{ re: string; dim: Dimension; size: number }> = [
  { re: "个工作日|工作日", dim: "time", size: DAY },
  { re: "个小时|小时|个钟头|钟头|个钟", dim: "time", size: HOUR },
  { re: "分钟", dim: "time", size: MINUTE },
  { re: "秒钟|秒", dim: "time", size: MINUTE / 60 },
  { re: "周岁|岁", dim: "age", size: 1 },
  { re: "个星期|星期|个礼拜|礼拜|周", dim: "time", size: 7 * DAY },
  { re: "个月", dim: "time", size: 30 * DAY },
  { re: "年", dim: "time", size: 365 * DAY },
  { re: "天|日", dim: "time", size: DAY },
  { re: "块钱|元|块", dim: "money", size: 1 },
  { re: "hours?|hrs?", dim: "time", size: HOUR },
  { re: "minutes?|mins?", dim: "time", size: MINUTE },
  { re: "days?", dim: "time", size: DAY },
  { re: "weeks?", dim: "time", size: 7 * DAY },
  { re: "months?", dim: "time", size: 30 * DAY },
  { re: "years?", dim: "time", size: 365 * DAY },
  { re: "years? old|yrs? old", dim: "age", size: 1 },
  { re: "yuan|rmb", dim: "money", size: 1 },
];
const UNIT_RE = UNITS.map((u) => u.re).join("|");
const WHOLE_UNITS = UNITS.map((u) => ({ ...u, whole: new RegExp(`^(?:${u.re})$`) }));
const unitOf = (u: string): { dim: Dimension; size: number } | undefined => WHOLE_UNITS.find((x) => x.whole.test(u));

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const ENGLISH: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, "a couple of": 2, "a few": 3, half: 0.5, "half an": 0.5, "half a": 0.5,
};

/** A number written in Chinese numerals (十二, 四十, 一百二十, 两), or NaN. */
export function chineseNumber(s: string): number {
  if (!s) return NaN;
  let total = 0;
  let section = 0;
  let digit = NaN;
  for (const c of s) {
    if (c in DIGITS) digit = DIGITS[c]!;
    else if (c === "十" || c === "百" || c === "千") {
      const size = c === "十" ? 10 : c === "百" ? 100 : 1000;
      section += (Number.isNaN(digit) ? 1 : digit) * size;
      digit = NaN;
    } else if (c === "万") {
      total += (section + (Number.isNaN(digit) ? 0 : digit)) * 10_000;
      section = 0;
      digit = NaN;
    } else return NaN;
  }
  return total + section + (Number.isNaN(digit) ? 0 : digit);
}

const NUMBER = `(\\d+(?:\\.\\d+)?|[零〇一二两三四五六七八九十百千万]+|${Object.keys(ENGLISH).sort((a, b) => b.length - a.length).join("|")})`;
// (a number, "来"/"多" after it, "个半" for a half more, the unit; or 半 + 个 + unit)
const SAID = new RegExp(`(不到|不足|少于|未满|less than|under|fewer than|more than|over|超过|大于)?\\s*(?:${NUMBER}\\s*(来|多|几)?\\s*(个半|半)?\\s*(${UNIT_RE})(多|半)?|(半)\\s*(?:个)?\\s*(${UNIT_RE}))`, "giu");
// How much a figure said with "不到"/"多" moves it: just under or just over the figure.
const NUDGE = 0.01;

/** The quantities a message says, in the order it says them. */
export function quantitiesIn(text: string): Quantity[] {
  const s = text.normalize("NFKC").toLowerCase();
  const out: Quantity[] = [];
  let lastEnd = -1;
  for (const m of s.matchAll(SAID)) {
    const [, qualifier, num, approx, half, unit, more, bareHalf, bareUnit] = m;
    const u = unitOf((unit ?? bareUnit ?? "").trim());
    if (!u) continue;
    let n = bareHalf ? 0.5 : /^\d/.test(num!) ? Number(num) : num! in ENGLISH ? ENGLISH[num!]! : chineseNumber(num!);
    if (!Number.isFinite(n)) continue;
    // (a year of the calendar is no length of time: 2025年)
    if (n >= 1900 && /^(?:年|years?)$/.test((unit ?? "").trim())) continue;
    if (half || more === "半") n += 0.5;
    // (a money figure in a number of yuan said with 块 alone is money; "一块" of something is not a range)
    let value = n * u.size;
    const less = qualifier && /不到|不足|少于|未满|less|under|fewer/.test(qualifier);
    const over = (qualifier && /more|over|超过|大于/.test(qualifier)) || approx === "多" || more === "多";
    if (less) value -= NUDGE * u.size;
    else if (over) value += NUDGE * u.size;
    // one length said in two units (一年零两个月, 1 year and 2 months) is their sum
    const gap = lastEnd >= 0 ? s.slice(lastEnd, m.index).trim() : null;
    const prev = out[out.length - 1];
    if (prev && prev.dim === u.dim && gap !== null && /^(?:零|又|and|)$/.test(gap) && !qualifier) prev.value += value;
    else out.push({ dim: u.dim, value });
    lastEnd = m.index! + m[0].length;
  }
  return out;
}

// What a row name says of its range's ends.
const LOWER = new RegExp(`(?:(?<![未不])(超过|大于|年满|满)\\s*(\\d+(?:\\.\\d+)?)\\s*(${UNIT_RE}))|(?:(\\d+(?:\\.\\d+)?)\\s*(${UNIT_RE})\\s*(?:及|或)?(以上|以后|之后|起))`, "giu");
const UPPER = new RegExp(`(?:(不足|不满|未满|少于|小于|低于)\\s*(\\d+(?:\\.\\d+)?)\\s*(${UNIT_RE}))|(?:(\\d+(?:\\.\\d+)?)\\s*(${UNIT_RE})\\s*(以内|之内|内|以下|以前|之前))`, "giu");
const BETWEEN = new RegExp(`(\\d+(?:\\.\\d+)?)\\s*(${UNIT_RE})?\\s*(?:-|~|至|到)\\s*(\\d+(?:\\.\\d+)?)\\s*(${UNIT_RE})`, "giu");
// An event the range counts before or after ("开车前", "开车后"): 前 or 后 right before the figure.
const BEFORE = /前\s*(?:不足|不满|未满|少于|超过)?\s*\d/;
const AFTER = /后\s*(?:不足|不满|未满|少于|超过)?\s*\d/;

/** The range a row's name (or cell) names, or null when it names no bound. */
export function rangeIn(text: string): Range | null {
  const s = text.normalize("NFKC").toLowerCase();
  let dim: Dimension | undefined;
  let lo = -Infinity;
  let hi = Infinity;
  let loIn = true;
  let hiIn = true;
  const take = (unit: string, value: number, end: "lo" | "hi", inclusive: boolean): void => {
    const u = unitOf(unit);
    if (!u || (dim && u.dim !== dim)) return;
    dim = u.dim;
    const v = value * u.size;
    if (end === "lo" && v > lo) [lo, loIn] = [v, inclusive];
    if (end === "hi" && v < hi) [hi, hiIn] = [v, inclusive];
  };
  for (const m of s.matchAll(BETWEEN)) {
    take(m[2] ?? m[4]!, Number(m[1]), "lo", true);
    take(m[4]!, Number(m[3]), "hi", true);
  }
  for (const m of s.matchAll(LOWER)) m[2] ? take(m[3]!, Number(m[2]), "lo", !/超过|大于/.test(m[1]!)) : take(m[5]!, Number(m[4]), "lo", true);
  for (const m of s.matchAll(UPPER)) m[2] ? take(m[3]!, Number(m[2]), "hi", false) : take(m[5]!, Number(m[4]), "hi", !/以下/.test(m[6]!));
  if (!dim || (lo === -Infinity && hi === Infinity)) return null;
  return { dim, lo: lo === -Infinity ? 0 : lo, hi, loIn, hiIn, side: AFTER.test(s) ? "after" : BEFORE.test(s) ? "before" : null };
}

/** Whether a quantity falls in a range. */
export function within(q: Quantity, r: Range): boolean {
  return q.dim === r.dim && (r.loIn ? q.value >= r.lo : q.value > r.lo) && (r.hiIn ? q.value <= r.hi : q.value < r.hi);
}

// A message about the time after an event has happened ("车开走了一个钟头", "missed my train by an hour").
const SAID_AFTER = /(?:开车|发车|出发|起飞|开始)(?:了|后|以后|之后)|开走|开出|车(?:已经|都)?开了|已经(?:开车|发车|出发|开走)|错过|误了|没赶上|赶不上|过了\S{0,4}(?:小时|分钟|钟头)|after (?:it |the \w+ )?(?:left|departed|started)|after departure|missed|has left|had left|already left/;

/** Whether a message counts its figure after the event (the train has left) rather than before it. */
export function saysAfter(text: string): boolean {
  return SAID_AFTER.test(text.normalize("NFKC").toLowerCase());
}
