import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { parseServiceHours, type ServiceHours } from "./handoff/service-hours.js";

const flag = z
  .enum(["0", "1", "true", "false", "yes", "no", ""])
  .default("0")
  .transform((v) => v === "1" || v === "true" || v === "yes");

const flagOn = z
  .enum(["0", "1", "true", "false", "yes", "no", ""])
  .default("1")
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
  MATCH_THRESHOLD: z.coerce.number().gt(0).lt(1).default(0.45),
  CLARIFY_MARGIN: z.coerce.number().min(0).max(0.5).default(0.05),
  FEEDBACK_EVERY: z.coerce.number().int().min(0).max(100).default(3),
  CONVERSATION_IDLE_MINUTES: z.coerce.number().positive().default(30),
  MAX_TEXT_LENGTH: z.coerce.number().int().min(1).max(100_000).default(2000),
  // --- human handoff and the agent console ---
  SERVICE_HOURS: z.string().default(""),
  SERVICE_TZ: z.string().min(1).default("Asia/Shanghai"),
  HANDOFF_TIMEOUT_MINUTES: z.coerce.number().positive().default(10),
  AGENTS_FILE: z.string().min(1).optional(),
  AGENT_TOKEN: z.string().min(16, "must be at least 16 characters (e.g. `openssl rand -hex 24`)").optional(),
  AGENT_SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  COOKIE_SECURE: flag,
  MAX_WAITING_TICKETS: z.coerce.number().int().min(0).default(200),
  MAX_WAITING_TICKETS_PER_USER: z.coerce.number().int().min(0).default(1),
  // --- channels: Wechaty, Official Account (see .env.example) ---
  WECHATY_PUPPET: z.string().min(1).optional(),
  WECHATY_ADMIN: z.string().min(1).optional(),
  WECHATY_GROUP_MENTION_ONLY: flagOn,
  WECHATY_MIN_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1500),
  WECHATY_MAX_MESSAGE_LENGTH: z.coerce.number().int().min(50).max(10_000).default(1000),
  WECHAT_TOKEN: z.string().regex(/^[A-Za-z0-9]{3,32}$/, "3 to 32 letters or digits, as the MP admin requires").optional(),
  WECHAT_APP_ID: z.string().min(1).optional(),
  WECHAT_APP_SECRET: z.string().min(1).optional(),
  WECHAT_ENCODING_AES_KEY: z.string().regex(/^[A-Za-z0-9]{43}$/, "the 43 letters and digits shown in the MP admin").optional(),
  WECHAT_API_BASE: z.url().default("https://api.weixin.qq.com").transform((v) => v.replace(/\/+$/, "")),
  WECHAT_REPLY_BUDGET_MS: z.coerce.number().int().min(50).max(4900).default(4500),
  WECHAT_SECURITY: z.enum(["plain", "compat", "safe"]).optional(),
  // --- limits and proxies ---
  RATE_LIMIT_USER_PER_MIN: z.coerce.number().int().min(0).max(100_000).default(30),
  RATE_LIMIT_ADDRESS_PER_MIN: z.coerce.number().int().min(0).max(1_000_000).default(3000),
  TRUST_PROXY: z
    .string()
    .default("0")
    .transform((v): boolean | number | string => (v === "false" || v === "0" ? false : v === "true" ? true : /^\d+$/.test(v) ? Number(v) : v)),
  WECHAT_TIMESTAMP_WINDOW_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  // --- running in production: health, metrics, slow clients, shutdown, retention (see .env.example) ---
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters (e.g. `openssl rand -hex 24`)").optional(),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(5_000),
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(1024),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  TRANSCRIPT_RETENTION_DAYS: z.coerce.number().min(0).max(36_500).default(90),
  MEMORY_STORE_MAX_CONVERSATIONS: z.coerce.number().int().min(1).default(10_000),
  // --- several instances: PostgreSQL for the records, Redis for coordination (README "Running several instances") ---
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, "must be a PostgreSQL URL, e.g. postgres://faqbot:secret@db.internal:5432/faqbot")
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, "must be a Redis URL, e.g. redis://redis.internal:6379/0 (rediss:// for TLS)")
    .optional(),
  REDIS_PREFIX: z.string().regex(/^[\w:.-]{1,64}$/, "1 to 64 letters, digits or _ : . -").default("faq:"),
  INSTANCE_ID: z.string().regex(/^[\w:.-]{1,64}$/, "1 to 64 letters, digits or _ : . -").optional(),
  LOCK_TTL_SECONDS: z.coerce.number().int().min(2).max(600).default(15),
});

export type Config = z.infer<typeof schema> & {
  dataDir: string;
  intentsDir: string;
  knowledgeDir: string;
  agentsFile: string;
  serviceHours: ServiceHours | null;
};

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
  let serviceHours: ServiceHours | null;
  try {
    serviceHours = parseServiceHours(c.SERVICE_HOURS, c.SERVICE_TZ);
  } catch (e) {
    throw new ConfigError(`invalid configuration:\n${(e as Error).message} (see .env.example)`);
  }
  if (c.HTTP_HEADERS_TIMEOUT_MS > c.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(`HTTP_HEADERS_TIMEOUT_MS=${c.HTTP_HEADERS_TIMEOUT_MS} is longer than HTTP_REQUEST_TIMEOUT_MS=${c.HTTP_REQUEST_TIMEOUT_MS}: make it shorter (the headers are part of the request)`);
  }
  if (c.WECHAT_ENCODING_AES_KEY && !c.WECHAT_APP_ID) {
    throw new ConfigError("WECHAT_ENCODING_AES_KEY is set but WECHAT_APP_ID is not: set WECHAT_APP_ID (MP admin → 基本配置 → AppID); security mode checks it");
  }
  if (c.WECHAT_SECURITY && c.WECHAT_SECURITY !== "plain" && !c.WECHAT_ENCODING_AES_KEY) {
    throw new ConfigError(`WECHAT_SECURITY=${c.WECHAT_SECURITY} needs WECHAT_ENCODING_AES_KEY: set it to the EncodingAESKey of MP admin → 基本配置, or use WECHAT_SECURITY=plain`);
  }
  if (c.DATABASE_URL && c.STORE === "memory" && env.STORE) {
    throw new ConfigError("DATABASE_URL and STORE=memory are both set: remove one (with DATABASE_URL the records are kept in PostgreSQL)");
  }
  return {
    ...c,
    dataDir: resolve(c.DATA_DIR),
    intentsDir: resolve(c.INTENTS_DIR),
    knowledgeDir: resolve(c.KNOWLEDGE_DIR),
    agentsFile: resolve(c.AGENTS_FILE ?? resolve(c.DATA_DIR, "agents.json")),
    serviceHours,
  };
}

/**
 * For the programs (server, terminal chat): reads `.env` in the working folder when there is one
 * (the environment wins), then the configuration; a bad value ends the process with its message.
 */
export function loadConfigOrExit(): Config {
  if (existsSync(".env")) process.loadEnvFile(".env");
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}
