import { describe, expect, it } from "vitest";
import { addressKey, createInboundLimits, createTokenBuckets, type RateLimiter } from "../../src/coordination/rate-limit.js";

describe("token buckets", () => {
  it("let a burst through, then refuse with the seconds until the next token", async () => {
    const buckets = createTokenBuckets({ perMinute: 6, burst: 2 });
    expect(await buckets.take("u", 0)).toEqual({ ok: true });
    expect(await buckets.take("u", 0)).toEqual({ ok: true });
    expect(await buckets.take("u", 0)).toEqual({ ok: false, retryAfter: 10, first: true });
    expect(await buckets.take("u", 4000)).toEqual({ ok: false, retryAfter: 6, first: false });
    expect(await buckets.take("u", 10_000)).toEqual({ ok: true });
    expect(await buckets.take("other", 10_000)).toEqual({ ok: true });
  });

  it("say first again after a message went through", async () => {
    const buckets = createTokenBuckets({ perMinute: 60, burst: 1 });
    await buckets.take("u", 0);
    expect(await buckets.take("u", 10)).toMatchObject({ ok: false, first: true });
    expect(await buckets.take("u", 20)).toMatchObject({ ok: false, first: false });
    expect(await buckets.take("u", 1100)).toEqual({ ok: true });
    expect(await buckets.take("u", 1110)).toMatchObject({ ok: false, first: true });
  });

  it("keep at most maxKeys buckets, dropping the least recently used", async () => {
    const buckets = createTokenBuckets({ perMinute: 1, burst: 1, maxKeys: 2 });
    await buckets.take("a", 0);
    await buckets.take("b", 0);
    expect(await buckets.take("a", 1)).toMatchObject({ ok: false }); // a is now the most recent
    await buckets.take("c", 2); // drops b
    expect(await buckets.take("a", 3)).toMatchObject({ ok: false });
    expect(await buckets.take("b", 4)).toEqual({ ok: true });
  });
});

describe("inbound limits", () => {
  const counting = (calls: string[]) => (perMinute: number): RateLimiter => {
    const inner = createTokenBuckets({ perMinute, burst: 1 });
    return { take: (key, now) => (calls.push(key), inner.take(key, now)) };
  };

  it("limit each user of a channel, and each address, separately", async () => {
    const limits = createInboundLimits({ userPerMinute: 1, addressPerMinute: 2, limiter: (n) => createTokenBuckets({ perMinute: n, burst: n }) });
    expect(await limits.admit({ channel: "api", userId: "a", address: "1.1.1.1" })).toEqual({ ok: true });
    expect(await limits.admit({ channel: "api", userId: "a", address: "1.1.1.1" })).toMatchObject({ ok: false, scope: "user" });
    expect(await limits.admit({ channel: "web", userId: "a", address: "1.1.1.1" })).toEqual({ ok: true });
    expect(await limits.admit({ channel: "api", userId: "b", address: "1.1.1.1" })).toMatchObject({ ok: false, scope: "address" });
    expect(await limits.admit({ channel: "api", userId: "c", address: "2.2.2.2" })).toEqual({ ok: true });
  });

  it("tell of every refusal, with its channel and scope (for the metrics)", async () => {
    const refused: string[] = [];
    const limits = createInboundLimits({
      userPerMinute: 1,
      addressPerMinute: 2,
      limiter: (n) => createTokenBuckets({ perMinute: n, burst: n }),
      onRefused: (sender, scope) => refused.push(`${sender.channel}:${scope}`),
    });
    await limits.admit({ channel: "api", userId: "a", address: "1.1.1.1" });
    await limits.admit({ channel: "api", userId: "a", address: "1.1.1.1" });
    await limits.admit({ channel: "web", userId: "b", address: "1.1.1.1" });
    await limits.admit({ channel: "web", userId: "c", address: "1.1.1.1" });
    expect(refused).toEqual(["api:user", "web:address"]);
  });

  it("refuse a flooding user without spending its address's tokens", async () => {
    const calls: string[] = [];
    const limits = createInboundLimits({ userPerMinute: 1, addressPerMinute: 5, limiter: counting(calls) });
    await limits.admit({ channel: "api", userId: "a", address: "1.1.1.1" });
    await limits.admit({ channel: "api", userId: "a", address: "1.1.1.1" });
    expect(calls).toEqual(["api:a", "1.1.1.1", "api:a"]);
  });

  it("are off at 0", async () => {
    const limits = createInboundLimits({ userPerMinute: 0, addressPerMinute: 0 });
    for (let i = 0; i < 1000; i++) expect((await limits.admit({ channel: "api", userId: "a", address: "1.1.1.1" })).ok).toBe(true);
  });
});

describe("address keys", () => {
  it.each([
    ["203.0.113.9", "203.0.113.9"],
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002::ffff", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
  ])("limits %s as %s", (address, key) => {
    expect(addressKey(address)).toBe(key);
  });

  it("counts the addresses of one IPv6 /64 together", async () => {
    const limits = createInboundLimits({ userPerMinute: 0, addressPerMinute: 3 });
    expect((await limits.admit({ channel: "api", userId: "a", address: "2001:db8:1:2::1" })).ok).toBe(true);
    expect((await limits.admit({ channel: "api", userId: "b", address: "2001:db8:1:2::2" })).ok).toBe(false);
    expect((await limits.admit({ channel: "api", userId: "c", address: "2001:db8:1:3::1" })).ok).toBe(true);
  });
});
