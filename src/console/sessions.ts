import { randomBytes } from "node:crypto";

/** Signed-in agents, by a random session id kept in an HttpOnly cookie. In memory: a restart signs everyone out. */
export interface Sessions {
  create(agent: string, now?: number): { id: string; expires: number };
  /** The agent of a live session, or null (unknown or expired). */
  agent(id: string | undefined, now?: number): string | null;
  destroy(id: string | undefined): void;
}

export function createSessions(ttlMs: number): Sessions {
  const sessions = new Map<string, { agent: string; expires: number }>();
  return {
    create(agent, now = Date.now()) {
      for (const [id, s] of sessions) if (s.expires <= now) sessions.delete(id);
      const id = randomBytes(32).toString("base64url");
      const expires = now + ttlMs;
      sessions.set(id, { agent, expires });
      return { id, expires };
    },
    agent(id, now = Date.now()) {
      if (!id) return null;
      const s = sessions.get(id);
      if (!s) return null;
      if (s.expires <= now) {
        sessions.delete(id);
        return null;
      }
      return s.agent;
    },
    destroy(id) {
      if (id) sessions.delete(id);
    },
  };
}

/** Failed sign-ins per IP in a sliding window; over the limit, sign-in answers 429 until the window passes. */
export interface SignInLimiter {
  /** Seconds to wait when the IP is over the limit, else 0. */
  retryAfter(ip: string, now?: number): number;
  failed(ip: string, now?: number): void;
  succeeded(ip: string): void;
}

export function createSignInLimiter(maxFailures: number, windowMs: number): SignInLimiter {
  const failures = new Map<string, number[]>();
  const recent = (ip: string, now: number) => (failures.get(ip) ?? []).filter((t) => now - t < windowMs);
  return {
    retryAfter(ip, now = Date.now()) {
      const list = recent(ip, now);
      if (list.length === 0) failures.delete(ip);
      else failures.set(ip, list);
      if (list.length < maxFailures) return 0;
      return Math.max(1, Math.ceil((list[0]! + windowMs - now) / 1000));
    },
    failed(ip, now = Date.now()) {
      // many addresses failing at once: forget those whose window has passed
      if (failures.size > 10_000) for (const key of [...failures.keys()]) if (recent(key, now).length === 0) failures.delete(key);
      failures.set(ip, [...recent(ip, now), now]);
    },
    succeeded(ip) {
      failures.delete(ip);
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
