// The sign-in limiter of one instance, behind the async `SignInLimiter` interface a fleet shares
// (coordination/redis.ts implements the same rules on Redis).

import type { SignInLimiter } from "./coordination.js";

interface Counter {
  attempts: number[];
  lockedUntil: number;
  strikes: number;
}

/**
 * Counts sign-in attempts per address, per account and per (account, address) pair in this process.
 * Past `maxFailures` within `windowMs` a key is locked for 1 minute, then twice as long at each new lock
 * soon after the last, up to the window; a locked account still lets in an address that has not failed on
 * it within the window. Past `maxKeys` counters the idle ones are forgotten first, so memory stays bounded.
 * @example
 * const limiter = createSignInLimiter(10, 15 * 60_000);
 * const r = await limiter.reserve("wang", req.ip);
 * if (!r.ok) return res.status(429).set("retry-after", String(r.retryAfter)).end();
 * if (await verifyPassword(password, hash)) await r.release();
 */
export function createSignInLimiter(maxFailures: number, windowMs: number, maxKeys = 50_000): SignInLimiter {
  const baseLockMs = Math.min(60_000, windowMs);
  // insertion order is last use: a touched counter moves to the end
  const counters = new Map<string, Counter>();
  const counter = (key: string, now: number): Counter => {
    let c = counters.get(key);
    if (c) counters.delete(key);
    else c = { attempts: [], lockedUntil: 0, strikes: 0 };
    c.attempts = c.attempts.filter((t) => now - t < windowMs);
    counters.set(key, c);
    return c;
  };
  const lock = (c: Counter, now: number) => {
    // a lock soon after the last one doubles; a quiet window forgets the strikes
    c.strikes = c.lockedUntil > 0 && now - c.lockedUntil < windowMs ? c.strikes + 1 : 1;
    c.lockedUntil = now + Math.min(windowMs, baseLockMs * 2 ** (c.strikes - 1));
    c.attempts = [];
  };
  const forget = (now: number) => {
    for (const [key, c] of counters) {
      if (counters.size <= maxKeys / 2) break;
      const idle = c.lockedUntil <= now && c.attempts.every((t) => now - t >= windowMs);
      if (idle || counters.size > maxKeys) counters.delete(key);
    }
  };
  const wait = (until: number, now: number) => Math.max(1, Math.ceil((until - now) / 1000));
  return {
    async reserve(account, address, now = Date.now()) {
      if (counters.size > maxKeys) forget(now);
      const byAddress = counter(`address:${address}`, now);
      const byAccount = counter(`account:${account}`, now);
      const pair = counter(`pair:${account}\n${address}`, now);
      if (byAddress.lockedUntil <= now && byAddress.attempts.length >= maxFailures) lock(byAddress, now);
      if (byAddress.lockedUntil > now) return { ok: false, retryAfter: wait(byAddress.lockedUntil, now) };
      if (byAccount.lockedUntil <= now && byAccount.attempts.length >= maxFailures) lock(byAccount, now);
      if (byAccount.lockedUntil > now && pair.attempts.length > 0) return { ok: false, retryAfter: wait(byAccount.lockedUntil, now) };
      for (const c of [byAddress, byAccount, pair]) c.attempts.push(now);
      let released = false;
      return {
        ok: true,
        async release() {
          if (released) return;
          released = true;
          for (const c of [byAddress, byAccount, pair]) {
            const i = c.attempts.indexOf(now);
            if (i >= 0) c.attempts.splice(i, 1);
          }
        },
      };
    },
  };
}
