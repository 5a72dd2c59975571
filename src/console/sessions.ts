import { createHash, randomBytes } from "node:crypto";
import type { AgentSessionStore } from "../types.js";

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

export function createSessions(store: AgentSessionStore, ttlMs: number): Sessions {
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
