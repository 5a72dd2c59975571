import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "faq-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `npm start`'s entry point in a scratch folder; these runs must stop on their own. */
function start(env: Record<string, string>) {
  return spawnSync(join(root, "node_modules/.bin/tsx"), [join(root, "src/main.ts")], {
    cwd: dir,
    env: { ...process.env, STORE: "memory", PORT: "0", LOG_LEVEL: "silent", INTENTS_DIR: join(root, "intents"), KNOWLEDGE_DIR: join(root, "knowledge"), ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
}

describe("starting the server", () => {
  it("refuses to start on an invalid knowledge base, with file:line messages", () => {
    const intents = join(dir, "intents");
    cpSync(join(root, "intents"), intents, { recursive: true });
    writeFileSync(join(intents, "99-bad.yaml"), "- id: bad-ref\n  title: 坏引用\n  examples: [另一个完全不同的问法]\n  answer: [no-such-fact]\n");
    const run = start({ INTENTS_DIR: intents });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/intents\/99-bad\.yaml:\d+: .*no-such-fact/);
  });

  it("refuses a bad configuration value, naming the variable", () => {
    const run = start({ PORT: "eighty" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('PORT="eighty"');
  });
});
