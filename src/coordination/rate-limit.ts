// Limits on inbound messages: token buckets by key (a user of a channel, a client address). In
// process by default; a shared store (Redis) can implement `RateLimiter` for several instances.

/** A limiter's answer: go ahead, or wait `retryAfter` seconds (`first`: the first refusal since the last go). */
export type RateDecision = { ok: true } | { ok: false; retryAfter: number; first: boolean };

/** Spends one token of the key's bucket, or says how long until one is there. */
export interface RateLimiter {
  take(key: string, now?: number): Promise<RateDecision>;
}

/** Buckets of `burst` tokens refilled at `perMinute`; past `maxKeys` the least recently used are dropped. */
export function createTokenBuckets(options: { perMinute: number; burst?: number; maxKeys?: number }): RateLimiter {
  const perMs = options.perMinute / 60_000;
  const burst = Math.max(1, options.burst ?? Math.ceil(options.perMinute / 3));
  const maxKeys = options.maxKeys ?? 100_000;
  // insertion order is last use: a take moves its bucket to the end
  const buckets = new Map<string, { tokens: number; at: number; refused: boolean }>();
  return {
    async take(key, now = Date.now()) {
      let bucket = buckets.get(key);
      if (bucket) {
        buckets.delete(key);
        bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * perMs);
        bucket.at = now;
      } else {
        bucket = { tokens: burst, at: now, refused: false };
        // a dropped bucket starts full again: drop the least recently used, most likely full already
        if (buckets.size >= maxKeys) for (const oldest of buckets.keys()) {
          buckets.delete(oldest);
          break;
        }
      }
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        bucket.refused = false;
        return { ok: true };
      }
      const first = !bucket.refused;
      bucket.refused = true;
      return { ok: false, retryAfter: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)), first };
    },
  };
}

/** Who sent a message: the user within its channel, and the client address where there is one. */
export interface Sender {
  channel: string;
  userId: string;
  /** The client's address (through TRUST_PROXY); absent where every message comes from the platform's servers. */
  address?: string | undefined;
}

/** The limits every inbound channel asks before handling a message. */
export interface InboundLimits {
  admit(sender: Sender): Promise<RateDecision & { scope?: "user" | "address" }>;
}

/**
 * Per-user and per-address limits, in messages per minute (0 turns one off).
 * @example
 * const limits = createInboundLimits({ userPerMinute: 30, addressPerMinute: 3000 });
 * const d = await limits.admit({ channel: "api", userId: "u-42", address: req.ip });
 */
export function createInboundLimits(options: {
  userPerMinute: number;
  addressPerMinute: number;
  /** Builds the limiter of one kind; in-process token buckets by default. */
  limiter?: (perMinute: number) => RateLimiter;
  /** Told of every refusal (for the metrics). */
  onRefused?: (sender: Sender, scope: "user" | "address") => void;
}): InboundLimits {
  const make = options.limiter ?? ((perMinute: number) => createTokenBuckets({ perMinute }));
  const users = options.userPerMinute > 0 ? make(options.userPerMinute) : null;
  const addresses = options.addressPerMinute > 0 ? make(options.addressPerMinute) : null;
  return {
    async admit({ channel, userId, address }) {
      // the user first: a flooding user is refused without spending its address's tokens
      if (users) {
        const d = await users.take(`${channel}:${userId}`);
        if (!d.ok) {
          options.onRefused?.({ channel, userId, address }, "user");
          return { ...d, scope: "user" };
        }
      }
      if (addresses && address) {
        const d = await addresses.take(addressKey(address));
        if (!d.ok) {
          options.onRefused?.({ channel, userId, address }, "address");
          return { ...d, scope: "address" };
        }
      }
      return { ok: true };
    },
  };
}

/**
 * The key an address is limited by: an IPv4 address itself, an IPv6 address by its /64 (one
 * household or server gets a whole /64 and could otherwise rotate through it).
 */
export function addressKey(address: string): string {
  const ip = address.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(":")}::/64`;
}

/** The JSON error of a refused message, for the HTTP channels (with a `Retry-After` header). */
export function tooManyMessages(decision: { retryAfter: number; scope?: "user" | "address" }): { error: string; retryAfter: number } {
  const who = decision.scope === "address" ? "this address" : "this user";
  return { error: `too many messages from ${who}: try again in ${decision.retryAfter} seconds`, retryAfter: decision.retryAfter };
}
