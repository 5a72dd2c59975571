// Coordination within this process: the default for one instance. Every part keeps its state in memory,
// bounded; nothing is shared with other processes.

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Coordination, ConversationLocks, EventBus, Leases, SignInLimiter } from "./coordination.js";
import { createTokenBuckets, type RateLimiter } from "./rate-limit.js";
import { createReplayGuard } from "./replay-guard.js";
import { createSignInLimiter } from "./sign-in-limiter.js";

/** A new instance id: host, process id and a random part (two instances of one process differ too). */
export function newInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

/**
 * The first fencing token of a fresh counter: the clock in microseconds, so that tokens keep growing
 * across a restart (a store may remember the last token it saw) while staying safe integers.
 */
export function fenceSeed(now = Date.now()): number {
  return now * 1000;
}

/**
 * Per-key locks in this process: each key's calls run one at a time, in call order, as a promise chain;
 * different keys run concurrently; a key's entry goes when its last call is done. The fence is one
 * counter for all keys, so it also grows for each key across the removal of its entry.
 */
export function createProcessLocks(): ConversationLocks {
  const chains = new Map<string, { tail: Promise<void>; calls: number }>();
  let fence = fenceSeed();
  return {
    run<T>(key: string, fn: (fence: number) => Promise<T>): Promise<T> {
      let chain = chains.get(key);
      if (!chain) {
        chain = { tail: Promise.resolve(), calls: 0 };
        chains.set(key, chain);
      }
      const entry = chain;
      entry.calls++;
      const result = entry.tail.then(() => fn(++fence));
      entry.tail = result.then(
        () => done(),
        () => done(),
      );
      function done() {
        // no call was chained after this one: the key is idle
        if (--entry.calls === 0 && chains.get(key) === entry) chains.delete(key);
      }
      return result;
    },
  };
}

/** Publish and subscribe within this process; a throwing listener does not keep the others from the message. */
export function createProcessBus(log?: Logger): EventBus {
  const channels = new Map<string, Set<(message: string) => void>>();
  return {
    async publish(channel, message) {
      const listeners = channels.get(channel);
      if (!listeners) return;
      for (const listener of [...listeners]) {
        try {
          listener(message);
        } catch (err) {
          log?.warn({ err: (err as Error).message, channel }, "event listener failed");
        }
      }
    },
    subscribe(channel, listener) {
      let listeners = channels.get(channel);
      if (!listeners) {
        listeners = new Set();
        channels.set(channel, listeners);
      }
      // one entry per subscription, even when the same function subscribes twice
      const own = (message: string) => listener(message);
      listeners.add(own);
      return () => {
        const now = channels.get(channel);
        if (!now) return;
        now.delete(own);
        if (now.size === 0) channels.delete(channel);
      };
    },
  };
}

/** Leases within this process: `hold` gets a free lease at once; the others wait, in order, until it is stopped. */
export function createProcessLeases(instanceId: string, log?: Logger): Leases {
  interface Claim {
    onAcquired: () => void;
    stopped: boolean;
  }
  const queues = new Map<string, Claim[]>();
  const acquired = (name: string, claim: Claim) =>
    queueMicrotask(() => {
      if (claim.stopped) return;
      try {
        claim.onAcquired();
      } catch (err) {
        log?.warn({ err: (err as Error).message, lease: name }, "lease callback failed");
      }
    });
  return {
    hold(name, options) {
      const claim: Claim = { onAcquired: options.onAcquired, stopped: false };
      let queue = queues.get(name);
      if (!queue) {
        queue = [];
        queues.set(name, queue);
      }
      queue.push(claim);
      if (queue.length === 1) acquired(name, claim);
      return async () => {
        if (claim.stopped) return;
        claim.stopped = true;
        const q = queues.get(name);
        if (!q) return;
        const i = q.indexOf(claim);
        if (i < 0) return;
        q.splice(i, 1);
        if (q.length === 0) queues.delete(name);
        else if (i === 0) acquired(name, q[0]!);
      };
    },
    async holder(name) {
      return queues.has(name) ? instanceId : null;
    },
  };
}

/**
 * Everything in this process: the coordination of a single instance.
 * @example
 * const coordination = createProcessCoordination();
 * await coordination.locks.run(conversationId, (fence) => handle(message, fence));
 */
export function createProcessCoordination(options: { instanceId?: string; log?: Logger } = {}): Coordination {
  const instanceId = options.instanceId ?? newInstanceId();
  const limiters = new Map<string, RateLimiter>();
  const signInLimiters = new Map<string, SignInLimiter>();
  return {
    kind: "process",
    instanceId,
    locks: createProcessLocks(),
    bus: createProcessBus(options.log),
    replays: createReplayGuard(),
    limiter(name, perMinute, burst) {
      const id = `${name}\n${perMinute}\n${burst ?? ""}`;
      let limiter = limiters.get(id);
      if (!limiter) {
        limiter = createTokenBuckets(burst === undefined ? { perMinute } : { perMinute, burst });
        limiters.set(id, limiter);
      }
      return limiter;
    },
    // one per (maxFailures, windowMs): asking twice counts on the same counters, as on Redis
    signInLimiter(maxFailures, windowMs) {
      const id = `${maxFailures}\n${windowMs}`;
      let limiter = signInLimiters.get(id);
      if (!limiter) {
        limiter = createSignInLimiter(maxFailures, windowMs);
        signInLimiters.set(id, limiter);
      }
      return limiter;
    },
    leases: createProcessLeases(instanceId, options.log),
    async check() {
      return null;
    },
    async close() {},
  };
}
