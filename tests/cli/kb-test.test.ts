import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { UNBIND_KB, writeTempKb } from "../helpers/small-kb.js";

const root = resolve(import.meta.dirname, "../..");
const tmp = writeTempKb(UNBIND_KB);
afterAll(() => tmp.remove());

describe("npm run kb:test", () => {
  it("explains every failed phrasing and prints a legend of the reasons", () => {
    const cases = join(tmp.dir, "cases.yaml");
    writeFileSync(cases, "unbind-why:\n  - 今天天气解绑\n  - 解绑公众号\n");
    const run = spawnSync(
      join(root, "node_modules/.bin/tsx"),
      [join(root, "src/cli/kb-test.ts"), "--intents", tmp.intentsDir, "--knowledge", tmp.knowledgeDir, "--tests", cases, "--threshold", "0.45"],
      { cwd: tmp.dir, encoding: "utf8" },
    );
    const out = run.stdout + run.stderr;
    expect(run.status).toBe(1); // two of two extra phrasings fail: under the floor
    expect(out).toContain("How to read a failed phrasing");
    expect(out).toMatch(/\[vetoed\] +the best match is an out-of-scope intent/);
    expect(out).toMatch(/"今天天气解绑" — expected unbind-why, got \(no answer\) @ 0\.\d\d \[vetoed: the best match, "weather", is an out-of-scope intent\]/);
    expect(out).toMatch(/"解绑公众号" — expected unbind-why, got unbind-how @ 0\.\d\d \[wrong intent: unbind-why ranked 2 @ 0\.\d\d\]/);
  });
});
