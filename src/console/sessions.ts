import { createHash, randomBytes } from "node:crypto";
import type { ConversationStore } from "../types.js";

/**
 * Signed-in agents, by a random session id kept in an HttpOnly cookie. Kept in the store by the id's
 * SHA-256 (a copy of the database does not hold working cookies), so a restart keeps everyone signed
 * in and every instance of a fleet knows every session.
 */
export interface Sessions {
  create(agent: string, now?: number): Promise<{ id: string; expires: number }>;
  /** The agent of a live session, or null (unknown or expired). */
  agent(id: string | undefined, now?: number): Promise<string | null>;
  destroy(id: string | undefined): Promise<void>;
}

const idHash = (id: string) => createHash("sha256").update(id).digest("base64url");

export function createSessions(store: Pick<ConversationStore, "createSession" | "sessionAgent" | "deleteSession">, ttlMs: number): Sessions {
  return {
    async create(agent, now = Date.now()) {
      const id = randomBytes(32).toString("base64url");
      const expires = now + ttlMs;
      await store.createSession(idHash(id), agent, expires);
      return { id, expires };
    },
    async agent(id, now = Date.now()) {
      // a cookie value that cannot be one of ours is not looked up
      if (!id || id.length > 200) return null;
      return store.sessionAgent(idHash(id), now);
    },
    async destroy(id) {
      if (id && id.length <= 200) await store.deleteSession(idHash(id));
    },
  };
}

/** A sign-in attempt counted before its password is checked: released when the password was right. */
export type SignInReservation = { ok: true; release(): void } | { ok: false; retryAfter: number };

/**
 * Sign-in attempts per address and per account. An attempt is counted before the password hash runs
 * (so concurrent guesses cannot all slip in before the first failure is known) and released when it
 * succeeds. Past `maxFailures` in the window a key is locked, for 1 minute and then twice as long at
 * each new lock, up to the window. A locked account still lets in an address that has not failed on it
 * within the window: an attacker cannot lock the real agent out from elsewhere.
 */
export interface SignInLimiter {
  reserve(account: string, address: string, now?: number): SignInReservation;
}

interface Counter {
  attempts: number[];
  lockedUntil: number;
  strikes: number;
}

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
    reserve(account, address, now = Date.now()) {
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
        release() {
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

/** The cookies of a request header, by name (the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      out.set(name, value);
    }
  }
  return out;
}
