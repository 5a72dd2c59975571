// Signed webhook requests can be replayed by anyone who saw their URL (an access log, a proxy): the
// guard remembers each signed request, with the message it carried, for as long as its timestamp is
// accepted. In process by default; a shared store (Redis) can implement the same interface.

/** What a signed request is, compared with what was seen before under the same signature. */
export type ReplayVerdict = "new" | "same" | "different";

/** Remembers signed requests (by their signature key) with a fingerprint of the message each carried. */
export interface ReplayGuard {
  /**
   * Records the request the first time ("new"); later, "same" when it carries the same message again
   * (the sender's own retry), "different" when the signature is reused for another message.
   */
  check(requestKey: string, fingerprint: string, ttlMs: number, now?: number): Promise<ReplayVerdict>;
}

/** An in-process guard; past `maxEntries` the oldest are forgotten first, so memory stays bounded. */
export function createReplayGuard(options: { maxEntries?: number } = {}): ReplayGuard {
  const maxEntries = options.maxEntries ?? 100_000;
  // insertion order is arrival order, so the oldest entries are always first
  const seen = new Map<string, { fingerprint: string; expires: number }>();
  const sweep = (now: number) => {
    for (const [key, entry] of seen) {
      if (entry.expires > now && seen.size <= maxEntries) break;
      seen.delete(key);
    }
  };
  return {
    async check(requestKey, fingerprint, ttlMs, now = Date.now()) {
      sweep(now);
      const entry = seen.get(requestKey);
      if (entry && entry.expires > now) return entry.fingerprint === fingerprint ? "same" : "different";
      seen.set(requestKey, { fingerprint, expires: now + ttlMs });
      return "new";
    },
  };
}
