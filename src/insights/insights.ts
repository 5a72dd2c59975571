import { localDate, localMinutes } from "../handoff/service-hours.js";
import type { InsightsQueries, OutcomeKind } from "../types.js";
import { groupQuestions, type QuestionGroup } from "./cluster.js";

/** What the insights page draws. */
export interface Insights {
  from: string;
  to: string;
  /** Users' messages per local day, by outcome kind. */
  days: Array<{ date: string; total: number } & Record<OutcomeKind, number>>;
  /** Users' messages in the range: the sum of the days' totals (what the daily bars stack). */
  total: number;
  /** Over messages the bot handled itself (kind human excluded). */
  rates: { total: number; answered: number; fallback: number; handoff: number };
  topIntents: Array<{ intent: string; title: string; count: number }>;
  unanswered: QuestionGroup[];
  feedback: Array<{ intent: string; title: string; helpful: number; unhelpful: number }>;
}

const KINDS: OutcomeKind[] = ["answer", "clarify", "fallback", "handoff", "human"];

/**
 * Reads the last `days` local days of the store (today included, whole days) and sums them up for
 * operators. Every user message in the range is counted once, in its day's bar and in `total`.
 */
export async function computeInsights(
  store: InsightsQueries,
  options: { days: number; timeZone: string; title: (intentId: string) => string | undefined; now?: number },
): Promise<Insights> {
  const now = options.now ?? Date.now();
  const today = localDate(now, options.timeZone);
  const dates = Array.from({ length: options.days }, (_, i) => addDays(today, i - options.days + 1));
  const from = dates[0]!;
  // the range starts at local midnight of its first day; read from a little earlier (a DST change)
  // and keep what falls on the range's dates
  const since = now - localMinutes(now, options.timeZone) * 60_000 - (now % 60_000) - (options.days - 1) * 86_400_000 - 2 * 3_600_000;
  const [inbound, feedback] = await Promise.all([store.inboundSince(since), store.feedbackSince(since)]);

  const days = new Map<string, Insights["days"][number]>(dates.map((date) => [date, { date, total: 0, answer: 0, clarify: 0, fallback: 0, handoff: 0, human: 0 }]));
  const intents = new Map<string, number>();
  const misses: string[] = [];
  for (const e of inbound) {
    const day = days.get(localDate(e.at, options.timeZone));
    // outside the range, or not a message the bot saw through (no outcome): not counted anywhere
    if (!day || !e.kind || !KINDS.includes(e.kind)) continue;
    day.total++;
    day[e.kind]++;
    if (e.kind === "answer" && e.intent) intents.set(e.intent, (intents.get(e.intent) ?? 0) + 1);
    if (e.kind === "fallback") misses.push(e.text);
  }
  const list = [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
  const sum = (k: OutcomeKind) => list.reduce((n, d) => n + d[k], 0);
  const handled = sum("answer") + sum("clarify") + sum("fallback") + sum("handoff");
  const rate = (n: number) => (handled === 0 ? 0 : Math.round((n / handled) * 1000) / 1000);

  const votes = new Map<string, { helpful: number; unhelpful: number }>();
  for (const f of feedback) {
    if (localDate(f.at, options.timeZone) < from) continue;
    const v = votes.get(f.intent) ?? { helpful: 0, unhelpful: 0 };
    if (f.helpful) v.helpful++;
    else v.unhelpful++;
    votes.set(f.intent, v);
  }
  const titled = (intent: string) => options.title(intent) ?? intent;
  return {
    from,
    to: today,
    days: list,
    total: list.reduce((n, d) => n + d.total, 0),
    rates: { total: handled, answered: rate(sum("answer") + sum("clarify")), fallback: rate(sum("fallback")), handoff: rate(sum("handoff")) },
    topIntents: [...intents]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([intent, count]) => ({ intent, title: titled(intent), count })),
    unanswered: groupQuestions(misses).slice(0, 30),
    feedback: [...votes]
      .sort((a, b) => b[1].helpful + b[1].unhelpful - (a[1].helpful + a[1].unhelpful))
      .slice(0, 15)
      .map(([intent, v]) => ({ intent, title: titled(intent), ...v })),
  };
}

/** The calendar date `n` days after a YYYY-MM-DD date (n may be negative). */
function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
