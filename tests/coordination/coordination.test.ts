import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino, { type Logger } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { CoordinationUnavailableError, type Coordination } from "../../src/coordination/coordination.js";
import { createProcessCoordination } from "../../src/coordination/process.js";
import { createRedisCoordination } from "../../src/coordination/redis.js";
import { createSignInLimiter } from "../../src/coordination/sign-in-limiter.js";
import { silentLog } from "../helpers/kb.js";
import { freePort, startRedis } from "../helpers/services.js";
import { testServices } from "../helpers/test-services.js";

// One contract for both coordinations: in process (one instance) and on Redis (a fleet: every instance
// its own connections). Each test has its own key prefix on the run's Redis server.

const services = testServices();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function eventually(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not true within ${ms} ms`);
    await sleep(5);
  }
}

/** A logger whose JSON lines go to `lines`. */
function capture(lines: string[]): Logger {
  return pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Fleet {
  /** `n` instances sharing the coordination (in process, the one instance `n` times). */
  instances(n: number, options?: { lockTtlMs?: number }): Coordination[];
  /** Resolves once `n` calls of a key's lock are queued (granted or waiting), in arrival order. */
  queued(key: string, n: number): Promise<void>;
  /** A plain Redis client on the fleet's server, and the fleet's key prefix (Redis only). */
  raw?: { redis: Redis; prefix: string };
}

function processFleet(): Fleet {
  const one = createProcessCoordination();
  cleanups.push(() => one.close());
  // a call of the in-process lock is queued as soon as it is made
  return { instances: (n) => Array<Coordination>(n).fill(one), queued: async () => {} };
}

function redisFleet(): Fleet {
  if ("skip" in services) throw new Error(services.skip);
  const prefix = `test:${randomUUID()}:`;
  const redis = new Redis(services.redis);
  cleanups.push(async () => void redis.disconnect());
  return {
    instances(n, options = {}) {
      return range(n).map(() => {
        const c = createRedisCoordination({ url: services.redis, log: silentLog, prefix, lockTtlMs: options.lockTtlMs ?? 2000, commandTimeoutMs: 1000 });
        cleanups.push(() => c.close());
        return c;
      });
    },
    async queued(key, n) {
      await eventually(async () => (await redis.llen(`${prefix}lock-queue:${key}`)) >= n);
    },
    raw: { redis, prefix },
  };
}

const rows = [
  { kind: "process" as const, skip: null, fleet: processFleet },
  { kind: "redis" as const, skip: "skip" in services ? services.skip : null, fleet: redisFleet },
];

describe.each(rows)("$kind coordination", ({ kind, skip, fleet }) => {
  describe.skipIf(skip !== null)(skip ? `skipped: ${skip}` : "the contract", () => {
    describe("conversation locks", () => {
      it("run 50 calls of one key from three instances one at a time, in arrival order, with growing fences", async () => {
        const f = fleet();
        const [a, b, c] = f.instances(3) as [Coordination, Coordination, Coordination];
        const key = "conversation-1";
        let open!: () => void;
        const gate = new Promise<void>((r) => (open = r));
        const fences: number[] = [];
        const order: number[] = [];
        let inside = 0;
        let most = 0;
        const first = a.locks.run(key, async (fence) => {
          fences.push(fence);
          await gate;
        });
        await f.queued(key, 1);
        const calls: Promise<number>[] = [];
        for (const i of range(50)) {
          calls.push(
            [a, b, c][i % 3]!.locks.run(key, async (fence) => {
              most = Math.max(most, ++inside);
              fences.push(fence);
              order.push(i);
              await sleep(0);
              inside--;
              return i;
            }),
          );
          await f.queued(key, i + 2);
        }
        expect(order).toEqual([]);
        const started = Date.now();
        open();
        await first;
        expect(await Promise.all(calls)).toEqual(range(50));
        expect(Date.now() - started).toBeLessThan(2000);
        expect(order).toEqual(range(50));
        expect(most).toBe(1);
        expect(fences).toHaveLength(51);
        for (const i of range(50)) expect(fences[i + 1]!).toBeGreaterThan(fences[i]!);
        expect(Number.isSafeInteger(fences[50])).toBe(true);
      });

      it("let 50 simultaneous calls of one key from three instances through one at a time, quickly", async () => {
        const instances = fleet().instances(3);
        let inside = 0;
        let most = 0;
        const started = Date.now();
        const results = await Promise.all(
          range(50).map((i) =>
            instances[i % 3]!.locks.run("busy", async () => {
              most = Math.max(most, ++inside);
              await sleep(1);
              inside--;
              return i;
            }),
          ),
        );
        expect(results).toEqual(range(50));
        expect(most).toBe(1);
        expect(Date.now() - started).toBeLessThan(3000);
      });

      it("run different keys concurrently", async () => {
        const [a, b] = fleet().instances(2) as [Coordination, Coordination];
        let open!: () => void;
        const gate = new Promise<void>((r) => (open = r));
        const held = a.locks.run("one", () => gate);
        expect(await b.locks.run("two", async () => "other key")).toBe("other key");
        expect(await a.locks.run("three", async () => "same instance")).toBe("same instance");
        open();
        await held;
      });

      it("keep fences growing for a key across idle times and instances", async () => {
        const [a, b] = fleet().instances(2) as [Coordination, Coordination];
        const fences: number[] = [];
        for (const i of range(6)) {
          fences.push(await [a, b][i % 2]!.locks.run("idle", async (fence) => fence));
          await sleep(5);
        }
        for (const i of range(5)) expect(fences[i + 1]!).toBeGreaterThan(fences[i]!);
      });

      it("release the lock when fn throws, and pass its error on", async () => {
        const [a, b] = fleet().instances(2) as [Coordination, Coordination];
        await expect(
          a.locks.run("throws", async () => {
            throw new Error("handler failed");
          }),
        ).rejects.toThrow("handler failed");
        await expect(a.locks.run("throws", () => Promise.reject(new Error("again")))).rejects.toThrow("again");
        expect(await b.locks.run("throws", async () => "next")).toBe("next");
      });


    });

    describe("the event bus", () => {
      it("delivers to the subscribers of every instance, the publisher's own too, until they unsubscribe", async () => {
        const [a, b] = fleet().instances(2) as [Coordination, Coordination];
        const toA: string[] = [];
        const toB: string[] = [];
        const elsewhere: string[] = [];
        a.bus.subscribe("tickets", (m) => toA.push(m));
        const offB = b.bus.subscribe("tickets", (m) => toB.push(m));
        b.bus.subscribe("tickets", () => {
          throw new Error("a listener's bug");
        });
        b.bus.subscribe("other", (m) => elsewhere.push(m));
        // a subscription takes effect when Redis confirms it: until then a message may pass it by
        await eventually(async () => {
          await a.bus.publish("tickets", "ping");
          await sleep(10);
          return toA.includes("ping") && toB.includes("ping");
        });
        toA.length = 0;
        toB.length = 0;
        await b.bus.publish("tickets", "ticket 7 taken");
        await eventually(() => toA.length === 1 && toB.length === 1);
        expect(toA).toEqual(["ticket 7 taken"]);
        expect(toB).toEqual(["ticket 7 taken"]);
        offB();
        await a.bus.publish("tickets", "ticket 8 taken");
        await eventually(() => toA.length === 2);
        await sleep(30);
        expect(toB).toEqual(["ticket 7 taken"]);
        expect(elsewhere).toEqual([]);
      });
    });

    describe("the replay window", () => {
      it("tells a new request, its retry and a reused signature apart, until the entry expires", async () => {
        const [a, b] = fleet().instances(2) as [Coordination, Coordination];
        expect(await a.replays.check("sig-1", "message-1", 150)).toBe("new");
        expect(await b.replays.check("sig-1", "message-1", 150)).toBe("same");
        expect(await b.replays.check("sig-1", "message-2", 150)).toBe("different");
        expect(await a.replays.check("sig-2", "message-2", 150)).toBe("new");
        await sleep(200);
        expect(await b.replays.check("sig-1", "message-2", 150)).toBe("new");
        expect(await a.replays.check("sig-1", "message-2", 150)).toBe("same");
      });
    });

    describe("token buckets", () => {
      it("let a burst through, then refuse with the seconds until the next token", async () => {
        const [a, b] = fleet().instances(2) as [Coordination, Coordination];
        const onA = a.limiter("user", 6, 2);
        const onB = b.limiter("user", 6, 2);
        expect(await onA.take("u", 0)).toEqual({ ok: true });
        expect(await onB.take("u", 0)).toEqual({ ok: true });
        expect(await onA.take("u", 0)).toEqual({ ok: false, retryAfter: 10, first: true });
        expect(await onB.take("u", 4000)).toEqual({ ok: false, retryAfter: 6, first: false });
        expect(await onA.take("u", 10_000)).toEqual({ ok: true });
        expect(await onB.take("other", 10_000)).toEqual({ ok: true });
      });

      it("say first again after a message went through", async () => {
        const [a, b] = fleet().instances(2) as [Coordination, Coordination];
        await a.limiter("user", 60, 1).take("u", 0);
        expect(await b.limiter("user", 60, 1).take("u", 10)).toMatchObject({ ok: false, first: true });
        expect(await a.limiter("user", 60, 1).take("u", 20)).toMatchObject({ ok: false, first: false });
        expect(await b.limiter("user", 60, 1).take("u", 1100)).toEqual({ ok: true });
        expect(await a.limiter("user", 60, 1).take("u", 1110)).toMatchObject({ ok: false, first: true });
      });

      it("keep the kinds of limit apart, and refill on the clock when no time is given", async () => {
        const [a] = fleet().instances(1) as [Coordination];
        // 600 a minute: a token every 100 ms
        const users = a.limiter("user", 600, 1);
        const addresses = a.limiter("address", 600, 1);
        expect(await users.take("k")).toEqual({ ok: true });
        expect(await addresses.take("k")).toEqual({ ok: true });
        expect(await users.take("k")).toEqual({ ok: false, retryAfter: 1, first: true });
        await sleep(150);
        expect(await users.take("k")).toEqual({ ok: true });
      });
    });

    describe("the sign-in limiter", () => {
      const refusedFor = (r: { ok: true } | { ok: false; retryAfter: number }) => (r.ok ? 0 : r.retryAfter);

      it("counts an attempt when it is reserved, before the password is checked", async () => {
        const [a, b] = fleet().instances(2) as [Coordination, Coordination];
        const pending = await Promise.all(range(5).map(() => a.signInLimiter(3, 15 * 60_000).reserve("wang", "1.2.3.4", 0)));
        expect(pending.map((r) => r.ok)).toEqual([true, true, true, false, false]);
        expect(refusedFor(pending[3]!)).toBe(60);
        // from several instances at once, in whatever order they arrive: still only three
        const spread = await Promise.all(range(6).map((i) => [a, b][i % 2]!.signInLimiter(3, 15 * 60_000).reserve("li", "5.6.7.8", 0)));
        expect(spread.filter((r) => r.ok)).toHaveLength(3);
        expect(spread.filter((r) => !r.ok).map(refusedFor)).toEqual([60, 60, 60]);
        // a locked account still lets in each address that has not failed on it
        const fresh = await Promise.all(range(6).map((i) => [a, b][i % 2]!.signInLimiter(3, 15 * 60_000).reserve("zhao", `7.7.7.${i}`, 0)));
        expect(fresh.filter((r) => r.ok)).toHaveLength(6);
      });

      it("releases an attempt that succeeded, so a right password does not count", async () => {
        const [a, b] = fleet().instances(2) as [Coordination, Coordination];
        for (const i of range(5)) {
          const r = await [a, b][i % 2]!.signInLimiter(2, 60_000).reserve("wang", "1.2.3.4", i);
          expect(r.ok).toBe(true);
          if (r.ok) {
            await r.release();
            await r.release();
          }
        }
      });

      it("locks an address with backoff: 1 minute, then twice as long at each new lock, up to the window", async () => {
        const [a, b] = fleet().instances(2) as [Coordination, Coordination];
        const limiters = [a.signInLimiter(2, 15 * 60_000), b.signInLimiter(2, 15 * 60_000)];
        let t = 0;
        const locks: number[] = [];
        for (const round of range(6)) {
          const [x, y] = round % 2 ? limiters : [...limiters].reverse();
          await x!.reserve(`acct-${round}a`, "6.6.6.6", t);
          await y!.reserve(`acct-${round}b`, "6.6.6.6", t);
          const refused = await x!.reserve(`acct-${round}c`, "6.6.6.6", t);
          locks.push(refusedFor(refused));
          t += refusedFor(refused) * 1000;
        }
        expect(locks).toEqual([60, 120, 240, 480, 900, 900]);
        // a quiet window later, the backoff starts over
        t += 15 * 60_000;
        await limiters[0]!.reserve("x", "6.6.6.6", t);
        await limiters[1]!.reserve("y", "6.6.6.6", t);
        expect(refusedFor(await limiters[0]!.reserve("z", "6.6.6.6", t))).toBe(60);
      });

      it("locks an account against the addresses that failed on it, never against a new address", async () => {
        const [a, b] = fleet().instances(2) as [Coordination, Coordination];
        const [x, y] = [a.signInLimiter(3, 60_000), b.signInLimiter(3, 60_000)];
        // three addresses, one wrong password each: the account is now over the limit
        for (const ip of ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) expect((await x.reserve("wang", ip, 0)).ok).toBe(true);
        expect((await y.reserve("wang", "1.1.1.1", 1)).ok).toBe(false);
        expect((await x.reserve("wang", "2.2.2.2", 1)).ok).toBe(false);
        // the real agent, from an address that has not failed on the account, still gets to try
        expect((await y.reserve("wang", "9.9.9.9", 2)).ok).toBe(true);
        // and another account from the failing addresses is not locked
        expect((await x.reserve("li", "1.1.1.1", 3)).ok).toBe(true);
      });
    });

    describe("leases", () => {
      it("have one holder of two; the other takes over when it stops", async () => {
        const [a, b] = fleet().instances(2) as [Coordination, Coordination];
        const events: string[] = [];
        const stopA = a.leases.hold("wechat", { ttlMs: 300, onAcquired: () => events.push("a got it"), onLost: () => events.push("a lost it") });
        await eventually(() => events.length > 0);
        const stopB = b.leases.hold("wechat", { ttlMs: 300, onAcquired: () => events.push("b got it"), onLost: () => events.push("b lost it") });
        // longer than the lease: the holder renews it, the other keeps asking in vain
        await sleep(350);
        expect(events).toEqual(["a got it"]);
        expect(await b.leases.holder("wechat")).toBe(a.instanceId);
        await stopA();
        await eventually(() => events.length > 1);
        expect(events).toEqual(["a got it", "b got it"]);
        expect(await a.leases.holder("wechat")).toBe(b.instanceId);
        await stopB();
        expect(await a.leases.holder("wechat")).toBeNull();
        await stopB();
      });


    });

    it("says it is usable, and closes", async () => {
      const [a] = fleet().instances(1) as [Coordination];
      expect(a.kind).toBe(kind);
      expect(a.instanceId).toMatch(/^.+:\d+:[0-9a-f]+$/);
      expect(await a.check()).toBeNull();
      await a.close();
      await a.close();
    });
  });
});

describe("the in-process sign-in limiter", () => {
  it("stays within its bound of counters", async () => {
    const limiter = createSignInLimiter(3, 60_000, 100);
    for (let i = 0; i < 5000; i++) await limiter.reserve(`a${i}`, `10.0.${i >> 8}.${i & 255}`, i);
    // the newest are still counted
    await limiter.reserve("a4999", "10.0.19.135", 5000);
    await limiter.reserve("a4999", "10.0.19.135", 5001);
    expect((await limiter.reserve("a4999", "10.0.19.135", 5002)).ok).toBe(false);
  });
});

describe.skipIf("skip" in services)(`the Redis coordination${"skip" in services ? ` (skipped: ${services.skip})` : ""}`, () => {
  it("skips a lock holder that died, once its lease expired", async () => {
    const f = redisFleet();
    const [a, b] = f.instances(2, { lockTtlMs: 300 }) as [Coordination, Coordination];
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let finish!: () => void;
    const hang = new Promise<void>((r) => (finish = r));
    const dying = a.locks.run("crash", async () => {
      entered();
      await hang;
      return "finished late";
    });
    await inside;
    // the holder's instance goes away without releasing: no renewal, no release
    await a.close();
    const started = Date.now();
    expect(await b.locks.run("crash", async () => "after the lease")).toBe("after the lease");
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThan(100);
    expect(waited).toBeLessThan(2000);
    finish();
    expect(await dying).toBe("finished late");
  });

  it("skips a lock waiter that died in the queue", async () => {
    const f = redisFleet();
    const [a, b, c] = f.instances(3, { lockTtlMs: 300 }) as [Coordination, Coordination, Coordination];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const held = a.locks.run("dead-waiter", () => gate);
    await f.queued("dead-waiter", 1);
    const dead = b.locks.run("dead-waiter", async () => "never");
    const deadOutcome = dead.catch((err: unknown) => err);
    await f.queued("dead-waiter", 2);
    const behind = c.locks.run("dead-waiter", async () => "third");
    await f.queued("dead-waiter", 3);
    await b.close();
    expect(await deadOutcome).toBeInstanceOf(CoordinationUnavailableError);
    const started = Date.now();
    open();
    await held;
    expect(await behind).toBe("third");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("passes a lease to another instance once its holder died and the lease expired", async () => {
    const [a, b] = redisFleet().instances(2) as [Coordination, Coordination];
    const events: string[] = [];
    a.leases.hold("wechat", { ttlMs: 300, onAcquired: () => events.push("a got it"), onLost: () => events.push("a lost it") });
    await eventually(() => events.length > 0);
    const stopB = b.leases.hold("wechat", { ttlMs: 300, onAcquired: () => events.push("b got it"), onLost: () => events.push("b lost it") });
    await a.close();
    const started = Date.now();
    await eventually(() => events.includes("b got it"));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await b.leases.holder("wechat")).toBe(b.instanceId);
    await stopB();
  });

  it("tells a lease holder it lost the lease when another holds it", async () => {
    const f = redisFleet();
    const [a] = f.instances(1) as [Coordination];
    const events: string[] = [];
    const stop = a.leases.hold("wechat", { ttlMs: 300, onAcquired: () => events.push("got it"), onLost: () => events.push("lost it") });
    await eventually(() => events.length > 0);
    await f.raw!.redis.set(`${f.raw!.prefix}lease:wechat`, "someone else", "PX", 5000);
    await eventually(() => events.length > 1);
    expect(events).toEqual(["got it", "lost it"]);
    expect(await a.leases.holder("wechat")).toBe("someone else");
    await stop();
    // not its own: stopping leaves the other's lease alone
    expect(await a.leases.holder("wechat")).toBe("someone else");
  });

  it("keeps sign-in counters only for their window", async () => {
    const f = redisFleet();
    const [a] = f.instances(1) as [Coordination];
    const limiter = a.signInLimiter(1, 60_000);
    await limiter.reserve("wang", "1.2.3.4");
    expect((await limiter.reserve("wang", "1.2.3.4")).ok).toBe(false);
    const { redis, prefix } = f.raw!;
    const keys = await redis.keys(`${prefix}sign-in-*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      // a lock's strikes last a window past the lock's end
      expect(ttl).toBeLessThanOrEqual(2 * 60_000);
    }
  });

  it("refuses the lock while Redis is down, says why, and works again once it is back", async () => {
    const server = await startRedis();
    let restarted: Awaited<ReturnType<typeof startRedis>> | undefined;
    const lines: string[] = [];
    const c = createRedisCoordination({ url: server.url, log: capture(lines), prefix: "down:", lockTtlMs: 600, commandTimeoutMs: 300 });
    cleanups.push(async () => {
      await c.close();
      await restarted?.stop();
      await server.stop();
    });
    const before = await c.locks.run("k", async (fence) => fence);
    expect(await c.check()).toBeNull();
    const events: string[] = [];
    c.bus.subscribe("tickets", (m) => events.push(m));
    await eventually(async () => (await c.bus.publish("tickets", "before"), events.includes("before")));

    // a holder whose Redis goes away still finishes: its release fails, and is only logged
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const holding = c.locks.run("k", async () => {
      await gate;
      return "done";
    });
    await sleep(20);
    await server.stop();
    open();
    expect(await holding).toBe("done");

    let ran = false;
    const started = Date.now();
    await expect(
      c.locks.run("k", async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(CoordinationUnavailableError);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(ran).toBe(false);
    const [published, taken, why] = await Promise.all([
      c.bus.publish("tickets", "x").catch((err: unknown) => err),
      c.limiter("user", 60).take("u").catch((err: unknown) => err),
      c.check(),
    ]);
    expect(published).toBeInstanceOf(CoordinationUnavailableError);
    expect(taken).toBeInstanceOf(CoordinationUnavailableError);
    expect(why).toContain(`127.0.0.1:${server.port}`);
    expect(why).not.toContain("\n");

    restarted = await startRedis(server.port);
    await eventually(async () => (await c.check()) === null, 10_000);
    const after = await c.locks.run("k", async (fence) => fence);
    // Redis came back empty: the fence counter starts again from the clock, above the fences before
    expect(after).toBeGreaterThan(before);
    // the subscriber subscribed again by itself
    await eventually(async () => (await c.bus.publish("tickets", "after"), events.includes("after")), 5000);
    // logged, but not once per retry
    expect(lines.some((l) => l.includes("Redis coordination"))).toBe(true);
    expect(lines.length).toBeLessThan(10);
  });

  it("names the server by host and port, never by its password", async () => {
    const port = await freePort();
    const lines: string[] = [];
    const c = createRedisCoordination({ url: `redis://:hunter2-very-secret@127.0.0.1:${port}`, log: capture(lines), commandTimeoutMs: 200 });
    cleanups.push(() => c.close());
    const [why, locked, replayed] = await Promise.all([
      c.check(),
      c.locks.run("k", async () => "no").catch((err: unknown) => err),
      c.replays.check("sig", "fp", 1000).catch((err: unknown) => err),
    ]);
    expect(why).toContain(`127.0.0.1:${port}`);
    expect(locked).toBeInstanceOf(CoordinationUnavailableError);
    expect(String(replayed)).toContain(`127.0.0.1:${port}`);
    expect(lines.length).toBeGreaterThan(0);
    expect([why, ...lines].join("\n")).not.toContain("hunter2");
  });
});
