// Coordination on Redis, for several instances behind a load balancer (REDIS_URL). Every key is under
// one prefix. Redis being unreachable never crashes the process: its errors are logged (a few lines, not
// one per retry) and what needed Redis fails with CoordinationUnavailableError within the command
// timeout, so the caller can refuse the work (503) instead of doing it without coordination.

import { randomBytes, randomUUID } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";
import { CoordinationUnavailableError, type Coordination, type ConversationLocks, type EventBus, type Leases, type SignInLimiter } from "./coordination.js";
import { newInstanceId } from "./process.js";
import type { RateDecision, RateLimiter } from "./rate-limit.js";
import * as lua from "./redis-scripts.js";
import type { ReplayGuard } from "./replay-guard.js";

export interface RedisCoordinationOptions {
  /** redis://[:password@]host:port[/db] (rediss:// for TLS). */
  url: string;
  log: Logger;
  /** Put before every key and channel name; "faq:" by default. */
  prefix?: string;
  /** This instance's id (unique in the fleet); host:pid:random by default. */
  instanceId?: string;
  /** A conversation lock's lease: renewed every third of it while its holder runs; 15 s by default. */
  lockTtlMs?: number;
  /** How long a call waits for Redis (including for a connection) before it fails; 2 s by default. */
  commandTimeoutMs?: number;
}

/** Where a Redis URL points, as host:port (never its password), for logs and readiness reasons. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol === "redis:" || u.protocol === "rediss:") return `${u.hostname || "localhost"}:${u.port || "6379"}`;
  } catch {
    // not a URL: say nothing of it rather than risk printing a secret
  }
  return "the configured server";
}

/** Wakes one waiter: at once when it sleeps, or at its next sleep when it is busy. */
function createWaker(): { wake(): void; sleep(ms: number): Promise<void> } {
  let pending = false;
  let wakeNow: (() => void) | undefined;
  return {
    wake() {
      if (wakeNow) wakeNow();
      else pending = true;
    },
    sleep(ms) {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeNow = undefined;
          resolve();
        }
        wakeNow = done;
      });
    },
  };
}

type Script = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Coordination on Redis: FIFO conversation locks with leases and fences, pub/sub events, the replay
 * window, token buckets, the sign-in limiter and leases, shared by every instance on the same Redis and
 * prefix. Two connections: one for commands, one subscribed to the events and lock hand-overs.
 * @example
 * const coordination = createRedisCoordination({ url: process.env.REDIS_URL!, log });
 * await coordination.locks.run(conversationId, (fence) => handle(message, fence));
 */
export function createRedisCoordination(options: RedisCoordinationOptions): Coordination {
  const { log } = options;
  const prefix = options.prefix ?? "faq:";
  const instanceId = options.instanceId ?? newInstanceId();
  const lockTtlMs = Math.max(30, options.lockTtlMs ?? 15_000);
  const commandTimeoutMs = Math.max(50, options.commandTimeoutMs ?? 2000);
  const address = redisAddress(options.url);
  const secrets = passwordsOf(options.url);

  /** An error's message on one line, without the password in case a message ever repeats it. */
  const reason = (err: unknown): string => {
    let text = describe(err);
    for (const secret of secrets) text = text.split(secret).join("***");
    return text.replace(/\s+/g, " ").trim() || "unknown error";
  };

  // a kind of failure is logged once per interval, with how many were left out since
  const warned = new Map<string, { at: number; suppressed: number }>();
  const warn = (what: string, err?: unknown, fields: Record<string, unknown> = {}) => {
    const now = Date.now();
    const last = warned.get(what);
    if (last && now - last.at < 10_000) {
      last.suppressed++;
      return;
    }
    log.warn(
      { redis: address, ...(err === undefined ? {} : { err: reason(err) }), ...(last?.suppressed ? { suppressed: last.suppressed } : {}), ...fields },
      `Redis coordination: ${what}`,
    );
    warned.set(what, { at: now, suppressed: 0 });
  };

  const connection: RedisOptions = {
    connectTimeout: Math.max(1000, commandTimeoutMs),
    // reconnect soon after Redis is back: every 100 ms at first, then every second
    retryStrategy: (times) => Math.min(100 * times, 1000),
  };
  // commands fail at once while disconnected (call() waits for the connection up to the timeout), and
  // nothing is sent again after a reconnect: a late lock request would only queue a ticket nobody waits on
  const redis = new Redis(options.url, {
    ...connection,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: commandTimeoutMs,
  });
  // the subscriber keeps its (un)subscriptions until it is connected, and subscribes again after a reconnect
  const subscriber = new Redis(options.url, { ...connection, maxRetriesPerRequest: null, autoResubscribe: true });

  let closed = false;
  let lastError: string | null = null;
  let down = false;
  redis.on("error", (err) => {
    lastError = reason(err);
    down = true;
    warn("connection error", err);
  });
  redis.on("ready", () => {
    lastError = null;
    if (down) log.info({ redis: address }, "Redis coordination: connected again");
    down = false;
  });
  subscriber.on("error", (err) => warn("subscriber connection error", err));

  // one listener for every call waiting on the connection, however many there are
  let connected: Promise<void> | undefined;
  const nextReady = () =>
    (connected ??= new Promise<void>((resolve) =>
      redis.once("ready", () => {
        connected = undefined;
        resolve();
      }),
    ));
  const whenReady = async (deadline: number): Promise<void> => {
    if (redis.status === "ready") return;
    if (redis.status === "end") throw new CoordinationUnavailableError(`Redis at ${address}: the connection is closed`);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), Math.max(0, deadline - Date.now()))));
    try {
      if ((await Promise.race([nextReady(), late])) !== "late") return;
    } finally {
      clearTimeout(timer);
    }
    throw new CoordinationUnavailableError(`Redis at ${address} cannot be reached: ${lastError ?? `still ${redis.status} after ${commandTimeoutMs} ms`}`);
  };

  /** Runs Redis commands within the timeout (waiting for the connection first); any failure becomes CoordinationUnavailableError. */
  async function call<T>(what: string, op: () => Promise<T>): Promise<T> {
    if (closed) throw new CoordinationUnavailableError("the Redis coordination is closed");
    const deadline = Date.now() + commandTimeoutMs;
    try {
      await whenReady(deadline);
      const pending = op();
      pending.catch(() => {});
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CoordinationUnavailableError(`Redis at ${address} did not answer within ${commandTimeoutMs} ms`)), Math.max(0, deadline - Date.now()));
      });
      try {
        return await Promise.race([pending, late]);
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      if (closed) throw new CoordinationUnavailableError("the Redis coordination is closed");
      // one line for all commands: while Redis is away every kind of call fails at once
      warn("a command failed", err, { command: what });
      if (err instanceof CoordinationUnavailableError) throw err;
      throw new CoordinationUnavailableError(`Redis at ${address}: ${reason(err)}`);
    }
  }

  const script = (name: string, numberOfKeys: number, source: string): Script => {
    redis.defineCommand(name, { lua: source, numberOfKeys });
    const command = (redis as unknown as Record<string, Script>)[name]!;
    return (...args) => command.apply(redis, args);
  };
  const lockAcquire = script("faqLockAcquire", 3, lua.lockAcquire);
  const lockRenew = script("faqLockRenew", 2, lua.lockRenew);
  const lockRelease = script("faqLockRelease", 2, lua.lockRelease);
  const leaseAcquire = script("faqLeaseAcquire", 1, lua.leaseAcquire);
  const leaseRenew = script("faqLeaseRenew", 1, lua.leaseRenew);
  const leaseRelease = script("faqLeaseRelease", 1, lua.leaseRelease);
  const tokenBucket = script("faqTokenBucket", 1, lua.tokenBucket);
  const signInReserve = script("faqSignInReserve", 5, lua.signInReserve);

  // --- pub/sub: the bus's channels, and the lock channel naming each new head of a lock queue ---

  const busPrefix = `${prefix}bus:`;
  const lockChannel = `${prefix}lock-next`;
  const waiters = new Map<string, { wake(): void }>();
  const listeners = new Map<string, Set<(message: string) => void>>();
  subscriber.on("message", (channel: string, message: string) => {
    if (channel === lockChannel) {
      waiters.get(message)?.wake();
      return;
    }
    if (!channel.startsWith(busPrefix)) return;
    const local = listeners.get(channel.slice(busPrefix.length));
    if (!local) return;
    for (const listener of [...local]) {
      try {
        listener(message);
      } catch (err) {
        warn("an event listener failed", err, { channel: channel.slice(busPrefix.length) });
      }
    }
  });
  subscriber.subscribe(lockChannel).catch((err) => warn("subscribing failed", err));

  const bus: EventBus = {
    async publish(channel, message) {
      await call("publishing an event", () => redis.publish(busPrefix + channel, message));
    },
    subscribe(channel, listener) {
      let local = listeners.get(channel);
      if (!local) {
        local = new Set();
        listeners.set(channel, local);
        if (!closed) subscriber.subscribe(busPrefix + channel).catch((err) => warn("subscribing failed", err));
      }
      // one entry per subscription, even when the same function subscribes twice
      const own = (message: string) => listener(message);
      local.add(own);
      return () => {
        const now = listeners.get(channel);
        if (!now?.delete(own) || now.size > 0) return;
        listeners.delete(channel);
        if (!closed) subscriber.unsubscribe(busPrefix + channel).catch((err) => warn("unsubscribing failed", err));
      };
    },
  };

  // --- conversation locks ---

  // a ticket names its coordination too, in case two instances were given the same id
  const ticketBase = `${instanceId}#${randomBytes(4).toString("hex")}#`;
  let tickets = 0;
  // a waiter asks again this often even without a hand-over message (lost messages, dead holders),
  // which also renews its own deadline in the queue
  const pollMs = Math.max(10, Math.min(Math.floor(lockTtlMs / 3), 500));
  const renewMs = Math.max(10, Math.floor(lockTtlMs / 3));

  const locks: ConversationLocks = {
    async run<T>(key: string, fn: (fence: number) => Promise<T>): Promise<T> {
      const queue = `${prefix}lock-queue:${key}`;
      const deadlines = `${prefix}lock-deadlines:${key}`;
      const counter = `${prefix}lock-fence:${key}`;
      const ticket = ticketBase + ++tickets;
      const acquire = (join: boolean) => call("asking for a lock", () => lockAcquire(queue, deadlines, counter, ticket, lockTtlMs, lockChannel, join ? "1" : "0")).then(Number);
      const release = () => call("releasing a lock", () => lockRelease(queue, deadlines, ticket, lockChannel)).then(String);
      const waker = createWaker();
      waiters.set(ticket, waker);
      let fence: number;
      try {
        fence = await acquire(true);
        while (fence <= 0) {
          if (fence < 0) {
            warn("a waiter stalled past its lease and lost its place in a lock queue: it joins again", undefined, { lock: key });
            fence = await acquire(true);
            continue;
          }
          await waker.sleep(pollMs);
          fence = await acquire(false);
        }
      } catch (err) {
        // give the place in the queue up, if Redis still answers
        release().catch(() => {});
        throw err;
      } finally {
        waiters.delete(ticket);
      }

      let renewing = false;
      let lost = false;
      const renewal = setInterval(() => {
        if (renewing || lost || closed) return;
        renewing = true;
        call("renewing a lock", () => lockRenew(queue, deadlines, ticket, lockTtlMs))
          .then((held) => {
            if (Number(held) === 1) return;
            lost = true;
            warn("a lock's lease expired while its holder still ran: a later holder's fence supersedes it", undefined, { lock: key });
          })
          .catch(() => {})
          .finally(() => (renewing = false));
      }, renewMs);
      renewal.unref();
      try {
        return await fn(fence);
      } finally {
        clearInterval(renewal);
        if (!closed) {
          try {
            // the next head is woken at once when it is here; elsewhere the lock channel wakes it
            const next = await release();
            if (next) waiters.get(next)?.wake();
          } catch {
            // logged by call(); the lease ends by itself and the next waiter takes over then
          }
        }
      }
    },
  };

  // --- the replay window (its entries expire on Redis's clock: a `now` given to check() is not used) ---

  const replays: ReplayGuard = {
    async check(requestKey, fingerprint, ttlMs) {
      const key = `${prefix}replay:${requestKey}`;
      const px = Math.max(1, Math.ceil(ttlMs));
      // a GET that finds nothing means the entry expired in between: ask again
      for (let i = 0; i < 3; i++) {
        const set = await call("checking a replay", () => redis.set(key, fingerprint, "PX", px, "NX"));
        if (set === "OK") return "new";
        const seen = await call("checking a replay", () => redis.get(key));
        if (seen !== null) return seen === fingerprint ? "same" : "different";
      }
      return "new";
    },
  };

  // --- token buckets ---

  const limiter = (name: string, perMinute: number, burst?: number): RateLimiter => {
    if (!(perMinute > 0)) throw new RangeError(`a rate limit needs a positive rate per minute, not ${perMinute}`);
    const size = Math.max(1, burst ?? Math.ceil(perMinute / 3));
    const base = `${prefix}rate:${name}:${perMinute}:${size}:`;
    return {
      async take(key, now): Promise<RateDecision> {
        const reply = (await call("taking a token", () => tokenBucket(base + key, perMinute, size, now ?? ""))) as number[];
        if (Number(reply[0]) === 1) return { ok: true };
        return { ok: false, retryAfter: Number(reply[1]), first: Number(reply[2]) === 1 };
      },
    };
  };

  // --- the sign-in limiter ---

  const signInLimiter = (maxFailures: number, windowMs: number): SignInLimiter => ({
    async reserve(account, address, now) {
      const keys = [
        `${prefix}sign-in-attempts:address:${address}`,
        `${prefix}sign-in-attempts:account:${account}`,
        `${prefix}sign-in-attempts:pair:${account}\n${address}`,
        `${prefix}sign-in-lock:address:${address}`,
        `${prefix}sign-in-lock:account:${account}`,
      ] as const;
      const id = randomUUID();
      const reply = (await call("counting a sign-in", () => signInReserve(...keys, maxFailures, windowMs, now ?? "", id))) as number[];
      if (Number(reply[0]) !== 1) return { ok: false, retryAfter: Number(reply[1]) };
      let released = false;
      return {
        ok: true,
        async release() {
          if (released) return;
          released = true;
          try {
            await call("releasing a sign-in", () => redis.multi().zrem(keys[0], id).zrem(keys[1], id).zrem(keys[2], id).exec());
          } catch {
            // logged by call(): the attempt stays counted, as a failure would
          }
        },
      };
    },
  });

  // --- leases ---

  interface Claim {
    name: string;
    ttlMs: number;
    onAcquired: () => void;
    onLost: () => void;
    held: boolean;
    stopped: boolean;
    timer: NodeJS.Timeout | undefined;
    busy: Promise<void> | undefined;
  }
  // the claims of this instance by lease name, in order of hold(): only the first asks Redis
  const claims = new Map<string, Claim[]>();
  const leaseKey = (name: string) => `${prefix}lease:${name}`;
  const notify = (claim: Claim, what: "onAcquired" | "onLost") => {
    try {
      claim[what]();
    } catch (err) {
      warn("a lease callback failed", err, { lease: claim.name });
    }
  };
  const tick = async (claim: Claim): Promise<void> => {
    claim.timer = undefined;
    if (claim.stopped || closed) return;
    const key = leaseKey(claim.name);
    const ttl = Math.max(30, Math.ceil(claim.ttlMs));
    try {
      if (claim.held) {
        const held = Number(await call("renewing a lease", () => leaseRenew(key, instanceId, ttl)));
        if (held !== 1) {
          claim.held = false;
          warn("another instance holds a lease this one held", undefined, { lease: claim.name });
          notify(claim, "onLost");
        }
      } else {
        const held = Number(await call("asking for a lease", () => leaseAcquire(key, instanceId, ttl)));
        if (held === 1) {
          claim.held = true;
          if (!claim.stopped) notify(claim, "onAcquired");
        }
      }
    } catch {
      // logged by call(): a renewal that failed loses the lease (another instance may take it)
      if (closed) return;
      if (claim.held) {
        claim.held = false;
        notify(claim, "onLost");
      }
    }
    if (claim.stopped || closed) return;
    claim.timer = setTimeout(() => (claim.busy = tick(claim)), Math.max(10, Math.floor(ttl / 3)));
    claim.timer.unref();
  };
  const leases: Leases = {
    hold(name, { ttlMs, onAcquired, onLost }) {
      const claim: Claim = { name, ttlMs, onAcquired, onLost, held: false, stopped: false, timer: undefined, busy: undefined };
      let queue = claims.get(name);
      if (!queue) {
        queue = [];
        claims.set(name, queue);
      }
      queue.push(claim);
      if (queue.length === 1) claim.busy = tick(claim);
      return async () => {
        if (claim.stopped) return;
        claim.stopped = true;
        clearTimeout(claim.timer);
        await claim.busy;
        const q = claims.get(name) ?? [];
        const i = q.indexOf(claim);
        if (i >= 0) q.splice(i, 1);
        if (q.length === 0) claims.delete(name);
        if (claim.held) {
          claim.held = false;
          await call("releasing a lease", () => leaseRelease(leaseKey(name), instanceId)).catch(() => {});
        }
        const next = q[0];
        if (i === 0 && next && !closed) next.busy = tick(next);
      };
    },
    async holder(name) {
      return call("reading a lease", () => redis.get(leaseKey(name)));
    },
  };

  return {
    kind: "redis",
    instanceId,
    locks,
    bus,
    replays,
    limiter,
    signInLimiter,
    leases,
    async check() {
      try {
        await call("checking Redis", () => redis.ping());
        return null;
      } catch (err) {
        return reason(err);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const waiter of waiters.values()) waiter.wake();
      for (const queue of claims.values()) for (const claim of queue) clearTimeout(claim.timer);
      // leases and locks still held are not released: they expire, as when an instance dies
      await Promise.all(
        [redis, subscriber].map(async (client) => {
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([client.quit(), new Promise((r) => (timer = setTimeout(r, commandTimeoutMs)))]);
          } catch {
            // not connected: nothing to say goodbye to
          } finally {
            clearTimeout(timer);
            client.disconnect();
          }
        }),
      );
    },
  };
}

/** The password of a Redis URL, as written and decoded, to keep out of messages. */
function passwordsOf(url: string): string[] {
  try {
    const { password } = new URL(url);
    if (!password) return [];
    const decoded = decodeURIComponent(password);
    return [...new Set([password, decoded])].filter((s) => s.length >= 3);
  } catch {
    return [];
  }
}

/** An error's message; a connection refused on several addresses has its reasons in `errors`. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message) return err.message;
  const inner = (err as Error & { errors?: unknown[] }).errors;
  if (Array.isArray(inner) && inner.length) return inner.map(describe).join("; ");
  return (err as Error & { code?: string }).code ?? err.name;
}
