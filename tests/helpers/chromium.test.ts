import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_CHROMIUM, chromiumPath, launchChromium } from "./chromium.js";

const dir = mkdtempSync(join(tmpdir(), "chromium-path-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the browser the browser tests drive", () => {
  it("is CHROMIUM_PATH from the environment first, then from .env, then Debian's /usr/bin/chromium", () => {
    const envFile = join(dir, ".env");
    writeFileSync(envFile, "PORT=3000\nCHROMIUM_PATH=/opt/from-dotenv/chrome\n");
    expect(chromiumPath({ CHROMIUM_PATH: "/opt/from-env/chromium" }, envFile)).toBe("/opt/from-env/chromium");
    expect(chromiumPath({}, envFile)).toBe("/opt/from-dotenv/chrome");
    expect(chromiumPath({}, join(dir, "missing.env"))).toBe(DEFAULT_CHROMIUM);
    expect(DEFAULT_CHROMIUM).toBe("/usr/bin/chromium");
  });

  it("fails with how to install it or point CHROMIUM_PATH at one when it is missing", async () => {
    await expect(launchChromium(join(dir, "no-such-chromium"))).rejects.toThrow(/apt-get install -y chromium.*CHROMIUM_PATH/);
  });
});
