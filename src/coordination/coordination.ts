// What several bot instances must share to act as one: the per-conversation lock, the live events,
// the webhook de-duplication and replay window, the rate-limit buckets, the sign-in limiter and the
// lease of a channel that only one instance may run. Each is one small interface; `createProcessCoordination`
// (coordination/process.ts) implements them in this process (the default), `createRedisCoordination`
// (coordination/redis.ts) on Redis for a fleet (REDIS_URL).

import type { RateLimiter } from "./rate-limit.js";
import type { ReplayGuard } from "./replay-guard.js";

/** The shared coordination engine cannot be reached: the caller refuses the work (HTTP 503) rather than risk disorder. */
export class CoordinationUnavailableError extends Error {
  readonly status = 503;
  constructor(message: string) {
    super(message);
    this.name = "CoordinationUnavailableError";
  }
}

/**
 * One conversation's messages are handled one at a time, in the order they asked for the lock, across
 * every instance sharing the lock. A holder that dies loses the lock after its lease expires; a live
 * holder's lease is renewed while `fn` runs. `fence` grows with every grant of one key, so a store can
 * refuse the writes of a holder whose lease expired and was granted to another (fencing).
 */
export interface ConversationLocks {
  /** Throws CoordinationUnavailableError when the lock cannot be asked for (its engine is down). */
  run<T>(key: string, fn: (fence: number) => Promise<T>): Promise<T>;
}

/**
 * Messages to every instance (including the sender's own subscribers). Delivery is at most once and only
 * to instances subscribed at the time: what must not be lost is in the store.
 */
export interface EventBus {
  publish(channel: string, message: string): Promise<void>;
  /** Listens to a channel until the returned function is called. */
  subscribe(channel: string, listener: (message: string) => void): () => void;
}

/** A sign-in attempt counted before its password is checked: released when the password was right. */
export type SignInReservation = { ok: true; release(): Promise<void> } | { ok: false; retryAfter: number };

/**
 * Sign-in attempts per address and per account. An attempt is counted before the password hash runs
 * (so concurrent guesses cannot all slip in before the first failure is known) and released when it
 * succeeds. Past `maxFailures` in the window a key is locked, for 1 minute and then twice as long at
 * each new lock, up to the window. A locked account still lets in an address that has not failed on it
 * within the window: an attacker cannot lock the real agent out from elsewhere.
 */
export interface SignInLimiter {
  reserve(account: string, address: string, now?: number): Promise<SignInReservation>;
}

/**
 * A named lease that one instance holds at a time (a WeChat account logs in on one instance only).
 * The holder renews it; when it stops renewing (it died), another instance takes it after `ttlMs`.
 */
export interface Leases {
  /**
   * Keeps trying to hold `name`: `onAcquired` runs when this instance gets it, `onLost` when it lost it
   * (renewal failed or another took it). Returns a function that stops trying and releases the lease.
   */
  hold(name: string, options: { ttlMs: number; onAcquired: () => void; onLost: () => void }): () => Promise<void>;
  /** Who holds the lease now (the holder's instance id), or null. */
  holder(name: string): Promise<string | null>;
}

/** Everything instances share, in process or on Redis. */
export interface Coordination {
  /** "process" (one instance) or "redis". */
  readonly kind: "process" | "redis";
  /** This instance's id (host:pid:random), as leases and logs name it. */
  readonly instanceId: string;
  readonly locks: ConversationLocks;
  readonly bus: EventBus;
  /** Signed webhook requests and webhook message ids already seen, with a TTL. */
  readonly replays: ReplayGuard;
  /** A rate limiter of `perMinute` tokens refilled per minute; `name` keeps the kinds of limit apart. */
  limiter(name: string, perMinute: number, burst?: number): RateLimiter;
  signInLimiter(maxFailures: number, windowMs: number): SignInLimiter;
  readonly leases: Leases;
  /** Null when usable, else why not (for /readyz). */
  check(): Promise<string | null>;
  close(): Promise<void>;
}
