import { localDate } from "../handoff/service-hours.js";
import type { ConversationStore, OutcomeKind } from "../types.js";
import { groupQuestions, type QuestionGroup } from "./cluster.js";

/** What the insights page draws. */
export interface Insights {
  from: string;
  to: string;
  /** Users' messages per local day, by outcome kind. */
  days: Array<{ date: string; total: number } & Record<OutcomeKind, number>>;
  /** Over messages the bot handled itself (kind human excluded). */
  rates: { total: number; answered: number; fallback: number; handoff: number };
  topIntents: Array<{ intent: string; title: string; count: number }>;
  unanswered: QuestionGroup[];
  feedback: Array<{ intent: string; title: string; helpful: number; unhelpful: number }>;
}

const KINDS: OutcomeKind[] = ["answer", "clarify", "fallback", "handoff", "human"];

/** Reads the last `days` days of the store and sums them up for operators. */
export async function computeInsights(
  store: ConversationStore,
  options: { days: number; timeZone: string; title: (intentId: string) => string | undefined; now?: number },
): Promise<Insights> {
  const now = options.now ?? Date.now();
  const since = now - options.days * 86_400_000;
  const [inbound, feedback] = await Promise.all([store.inboundSince(since), store.feedbackSince(since)]);

  const days = new Map<string, Insights["days"][number]>();
  for (let t = since + 86_400_000; t <= now + 1; t += 86_400_000) {
    const date = localDate(t, options.timeZone);
    days.set(date, { date, total: 0, answer: 0, clarify: 0, fallback: 0, handoff: 0, human: 0 });
  }
  const intents = new Map<string, number>();
  const misses: string[] = [];
  for (const e of inbound) {
    const date = localDate(e.at, options.timeZone);
    let day = days.get(date);
    if (!day) days.set(date, (day = { date, total: 0, answer: 0, clarify: 0, fallback: 0, handoff: 0, human: 0 }));
    day.total++;
    if (e.kind && KINDS.includes(e.kind)) day[e.kind]++;
    if (e.kind === "answer" && e.intent) intents.set(e.intent, (intents.get(e.intent) ?? 0) + 1);
    if (e.kind === "fallback") misses.push(e.text);
  }
  const list = [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
  const sum = (k: OutcomeKind) => list.reduce((n, d) => n + d[k], 0);
  const handled = sum("answer") + sum("clarify") + sum("fallback") + sum("handoff");
  const rate = (n: number) => (handled === 0 ? 0 : Math.round((n / handled) * 1000) / 1000);

  const votes = new Map<string, { helpful: number; unhelpful: number }>();
  for (const f of feedback) {
    const v = votes.get(f.intent) ?? { helpful: 0, unhelpful: 0 };
    if (f.helpful) v.helpful++;
    else v.unhelpful++;
    votes.set(f.intent, v);
  }
  const titled = (intent: string) => options.title(intent) ?? intent;
  return {
    from: localDate(since, options.timeZone),
    to: localDate(now, options.timeZone),
    days: list,
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
