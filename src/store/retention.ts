import { setImmediate as nextTurn } from "node:timers/promises";
import type { Logger } from "pino";
import type { StoreMaintenance } from "../types.js";

export interface RetentionOptions {
  store: Pick<StoreMaintenance, "prune">;
  /** Keep this many days; 0 keeps everything. */
  days: number;
  log: Logger;
  /** Rows of each kind deleted per batch; messages are handled between batches. */
  batch?: number;
  /** How often to prune (ms). */
  everyMs?: number;
  now?: () => number;
}

export interface Retention {
  /** Prunes everything older than the retention, batch by batch; resolves how many rows went. */
  prune(): Promise<number>;
  /** Prunes soon after start, then every `everyMs`, until `stop`. */
  start(): void;
  /** Stops pruning; resolves once a batch in progress is done. */
  stop(): Promise<void>;
}

/** Deletes transcripts, closed tickets and the like older than TRANSCRIPT_RETENTION_DAYS, in small batches. */
export function createRetention({ store, days, log, batch = 500, everyMs = 3_600_000, now = Date.now }: RetentionOptions): Retention {
  const rlog = log.child({ module: "store/retention" });
  let timers: NodeJS.Timeout[] = [];
  let running: Promise<number> | null = null;
  let stopped = false;

  const prune = async () => {
    if (days <= 0) return 0;
    const before = now() - days * 86_400_000;
    let total = 0;
    for (;;) {
      const n = await store.prune(before, batch);
      total += n;
      if (n === 0 || stopped) break;
      // let waiting messages in between two batches
      await nextTurn();
    }
    if (total > 0) rlog.info({ rows: total, before: new Date(before).toISOString() }, "old transcripts and closed tickets pruned");
    return total;
  };
  const run = () => {
    if (running) return;
    running = prune()
      .catch((err: unknown) => {
        rlog.error({ err }, "pruning old records failed; will try again");
        return 0;
      })
      .finally(() => (running = null));
  };

  return {
    prune,
    start() {
      if (days <= 0) return;
      stopped = false;
      const first = setTimeout(run, 10_000);
      const every = setInterval(run, everyMs);
      first.unref();
      every.unref();
      timers = [first, every];
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers = [];
      await running;
    },
  };
}
