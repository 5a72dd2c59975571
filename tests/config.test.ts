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
