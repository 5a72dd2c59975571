import express, { type Router } from "express";
import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import type { ReloadStatus } from "../knowledge/reloader.js";

/** One readiness check: null when fine, or why not (a throw counts as its message). */
export type ReadinessCheck = () => Promise<string | null> | string | null;

export interface HealthOptions {
  knowledge: () => KnowledgeBase;
  /** How the last knowledge reload went. */
  lastReload?: () => ReloadStatus | null;
  /** Named checks of /readyz besides the knowledge base (store, channels, shutting down). */
  checks?: Record<string, ReadinessCheck>;
}

/**
 * GET /healthz: liveness (the process answers), with the knowledge base in force and the last reload.
 * GET /readyz: readiness: every check passes, or 503 with the reasons.
 */
export function healthRouter({ knowledge, lastReload, checks = {} }: HealthOptions): Router {
  const router = express.Router();
  router.get("/healthz", (_req, res) => {
    const kb = knowledge();
    const last = lastReload?.() ?? null;
    res.json({
      status: "ok",
      intents: kb.intents.size,
      facts: kb.facts.size,
      loadedAt: new Date(kb.loadedAt).toISOString(),
      lastReload: last && { ok: last.ok, at: new Date(last.at).toISOString(), problems: last.problems },
    });
  });
  router.get("/readyz", async (_req, res) => {
    const all: Record<string, ReadinessCheck> = {
      knowledge: () => (knowledge().intents.size > 0 ? null : "the knowledge base has no intents"),
      ...checks,
    };
    const results = await Promise.all(
      Object.entries(all).map(async ([name, check]) => {
        try {
          return [name, (await check()) ?? "ok"] as const;
        } catch (err) {
          return [name, (err as Error).message || String(err)] as const;
        }
      }),
    );
    const failed = results.filter(([, result]) => result !== "ok");
    res.set("Cache-Control", "no-store");
    if (failed.length === 0) res.json({ status: "ready", checks: Object.fromEntries(results) });
    else res.status(503).json({ error: `not ready: ${failed.map(([n, r]) => `${n}: ${r}`).join("; ")}`, checks: Object.fromEntries(results) });
  });
  return router;
}
