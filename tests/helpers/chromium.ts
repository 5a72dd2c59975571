import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";
import { chromium, type Browser } from "playwright-core";

const root = resolve(import.meta.dirname, "../..");
/** Debian's package puts the browser here (`apt-get install -y chromium`). */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** The browser the tests drive: CHROMIUM_PATH from the environment, else from the project's .env, else Debian's. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env, envFile = resolve(root, ".env")): string {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, "utf8")).CHROMIUM_PATH : undefined;
  return fromFile || DEFAULT_CHROMIUM;
}

/** Launches headless Chromium through playwright-core (no browser download), or fails saying how to install it. */
export async function launchChromium(path = chromiumPath()): Promise<Browser> {
  if (!existsSync(path)) {
    throw new Error(
      `the browser tests need Chromium at ${path}: install Debian's with \`apt-get install -y chromium\` (as .ci/run does), or set CHROMIUM_PATH to a Chromium or Chrome executable`,
    );
  }
  return chromium.launch({
    executablePath: path,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}
