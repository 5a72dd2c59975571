import { resolve } from "node:path";
import { z } from "zod";

const flag = z
  .enum(["0", "1", "true", "false", "yes", "no", ""])
  .default("0")
  .transform((v) => v === "1" || v === "true" || v === "yes");

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATA_DIR: z.string().min(1).default("data"),
  STORE: z.enum(["sqlite", "memory"]).default("sqlite"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_MESSAGE_TEXT: flag,
  INTENTS_DIR: z.string().min(1).default("intents"),
  KNOWLEDGE_DIR: z.string().min(1).default("knowledge"),
  KB_WATCH: flag,
  MATCH_THRESHOLD: z.coerce.number().gt(0).lt(1).default(0.4),
  CLARIFY_MARGIN: z.coerce.number().min(0).max(0.5).default(0.02),
  FEEDBACK_EVERY: z.coerce.number().int().min(0).max(100).default(3),
  CONVERSATION_IDLE_MINUTES: z.coerce.number().positive().default(30),
  MAX_TEXT_LENGTH: z.coerce.number().int().min(1).max(100_000).default(2000),
});

export type Config = z.infer<typeof schema> & { dataDir: string; intentsDir: string; knowledgeDir: string };

/** A configuration value that cannot be used; the message names the variable and the fix. */
export class ConfigError extends Error {}

/** Reads and validates the environment once, at start. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `${name}=${JSON.stringify(env[name])}: ${i.message} (see .env.example for allowed values)`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  return {
    ...c,
    dataDir: resolve(c.DATA_DIR),
    intentsDir: resolve(c.INTENTS_DIR),
    knowledgeDir: resolve(c.KNOWLEDGE_DIR),
  };
}
