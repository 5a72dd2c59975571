import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("configuration", () => {
  it("starts with defaults when nothing is set", () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.STORE).toBe("sqlite");
    expect(c.dataDir.endsWith("data")).toBe(true);
    expect(c.LOG_MESSAGE_TEXT).toBe(false);
  });

  it("reads values and flags from the environment", () => {
    const c = loadConfig({ PORT: "8080", LOG_MESSAGE_TEXT: "1", MATCH_THRESHOLD: "0.55", STORE: "memory" });
    expect(c.PORT).toBe(8080);
    expect(c.LOG_MESSAGE_TEXT).toBe(true);
    expect(c.MATCH_THRESHOLD).toBe(0.55);
    expect(c.STORE).toBe("memory");
  });

  it.each([
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["STORE", "postgres"],
    ["LOG_LEVEL", "loud"],
    ["MATCH_THRESHOLD", "1.5"],
    ["KB_WATCH", "maybe"],
  ])("names the variable when %s=%s is not usable", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      expect((e as Error).message).toContain(`${name}=${JSON.stringify(value)}`);
      expect((e as Error).message).toContain(".env.example");
    }
  });
});

describe("channel configuration", () => {
  it("leaves the WeChat channels off and uses the documented defaults", () => {
    const c = loadConfig({});
    expect(c.WECHATY_PUPPET).toBeUndefined();
    expect(c.WECHAT_TOKEN).toBeUndefined();
    expect(c.WECHATY_GROUP_MENTION_ONLY).toBe(true);
    expect(c.WECHAT_API_BASE).toBe("https://api.weixin.qq.com");
    expect(c.WECHAT_REPLY_BUDGET_MS).toBe(4500);
  });

  it("reads the Official Account settings and drops a trailing slash of the API base", () => {
    const c = loadConfig({ WECHAT_TOKEN: "abc123", WECHAT_APP_ID: "wx1", WECHAT_ENCODING_AES_KEY: "a".repeat(43), WECHAT_API_BASE: "http://127.0.0.1:9000/", WECHATY_GROUP_MENTION_ONLY: "0" });
    expect(c.WECHAT_API_BASE).toBe("http://127.0.0.1:9000");
    expect(c.WECHATY_GROUP_MENTION_ONLY).toBe(false);
  });

  it.each([
    ["a token with symbols", { WECHAT_TOKEN: "a b!" }, /WECHAT_TOKEN/],
    ["an EncodingAESKey of the wrong length", { WECHAT_TOKEN: "abc", WECHAT_ENCODING_AES_KEY: "short" }, /WECHAT_ENCODING_AES_KEY/],
    ["an EncodingAESKey without the AppID", { WECHAT_TOKEN: "abc", WECHAT_ENCODING_AES_KEY: "a".repeat(43) }, /WECHAT_APP_ID/],
    ["a reply budget over 5 seconds", { WECHAT_REPLY_BUDGET_MS: "6000" }, /WECHAT_REPLY_BUDGET_MS/],
  ])("refuses %s, naming the variable", (_name, env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe("webhook security configuration", () => {
  it("leaves the mode to the channel (safe with a key, plain without) and defaults the window to 300 s", () => {
    const c = loadConfig({});
    expect(c.WECHAT_SECURITY).toBeUndefined();
    expect(c.WECHAT_TIMESTAMP_WINDOW_SECONDS).toBe(300);
  });

  it("refuses safe or compat mode without an EncodingAESKey, naming both variables", () => {
    expect(() => loadConfig({ WECHAT_TOKEN: "abc", WECHAT_SECURITY: "safe" })).toThrow(/WECHAT_SECURITY=safe.*WECHAT_ENCODING_AES_KEY/);
    expect(() => loadConfig({ WECHAT_SECURITY: "secret" })).toThrow(/WECHAT_SECURITY="secret"/);
  });
});

describe("limits and proxy configuration", () => {
  it("limits users and addresses by default, and 0 turns a limit off", () => {
    const c = loadConfig({});
    expect(c.RATE_LIMIT_USER_PER_MIN).toBe(30);
    expect(c.RATE_LIMIT_ADDRESS_PER_MIN).toBeGreaterThanOrEqual(1000);
    expect(loadConfig({ RATE_LIMIT_USER_PER_MIN: "0", RATE_LIMIT_ADDRESS_PER_MIN: "0" })).toMatchObject({ RATE_LIMIT_USER_PER_MIN: 0, RATE_LIMIT_ADDRESS_PER_MIN: 0 });
    expect(() => loadConfig({ RATE_LIMIT_USER_PER_MIN: "-1" })).toThrow(/RATE_LIMIT_USER_PER_MIN/);
  });

  it.each([
    [undefined, false],
    ["0", false],
    ["false", false],
    ["true", true],
    ["1", 1],
    ["loopback, 10.0.0.0/8", "loopback, 10.0.0.0/8"],
  ])("reads TRUST_PROXY=%s as Express's trust proxy %s", (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });
});

describe("production configuration", () => {
  it("defaults to 90 days of transcripts and explicit HTTP timeouts", () => {
    const c = loadConfig({});
    expect(c.TRANSCRIPT_RETENTION_DAYS).toBe(90);
    expect(c.HTTP_REQUEST_TIMEOUT_MS).toBeGreaterThanOrEqual(c.HTTP_HEADERS_TIMEOUT_MS);
    expect(c.METRICS_TOKEN).toBeUndefined();
  });

  it.each([
    ["a headers timeout longer than the request timeout", { HTTP_HEADERS_TIMEOUT_MS: "20000", HTTP_REQUEST_TIMEOUT_MS: "10000" }, /HTTP_HEADERS_TIMEOUT_MS=20000 is longer/],
    ["a short metrics token", { METRICS_TOKEN: "short" }, /METRICS_TOKEN/],
    ["a negative retention", { TRANSCRIPT_RETENTION_DAYS: "-1" }, /TRANSCRIPT_RETENTION_DAYS/],
  ])("refuses %s, naming the variable", (_name, env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe("fleet configuration", () => {
  it("runs alone by default, and reads the database and Redis of a fleet", () => {
    const alone = loadConfig({});
    expect(alone.DATABASE_URL).toBeUndefined();
    expect(alone.REDIS_URL).toBeUndefined();
    expect(alone.REDIS_PREFIX).toBe("faq:");
    expect(alone.LOCK_TTL_SECONDS).toBe(15);
    const fleet = loadConfig({ DATABASE_URL: "postgres://bot:pw@db:5432/faq", REDIS_URL: "rediss://cache:6380/1", INSTANCE_ID: "web-1", DATABASE_POOL_SIZE: "20" });
    expect(fleet.DATABASE_URL).toBe("postgres://bot:pw@db:5432/faq");
    expect(fleet.REDIS_URL).toBe("rediss://cache:6380/1");
    expect(fleet.DATABASE_POOL_SIZE).toBe(20);
  });

  it("refuses URLs of the wrong kind, and a memory store beside a database, naming the variable", () => {
    expect(() => loadConfig({ DATABASE_URL: "mysql://db/faq" })).toThrow(/DATABASE_URL=.*PostgreSQL URL/);
    expect(() => loadConfig({ REDIS_URL: "localhost:6379" })).toThrow(/REDIS_URL=.*Redis URL/);
    expect(() => loadConfig({ INSTANCE_ID: "a b" })).toThrow(/INSTANCE_ID/);
    expect(() => loadConfig({ DATABASE_URL: "postgres://db/faq", STORE: "memory" })).toThrow(ConfigError);
  });
});
