import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const tmp = mkdtempSync(join(tmpdir(), "kb-ingest-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ingest(...args: string[]): Promise<Run> {
  return runScript("src/cli/kb-ingest.ts", args);
}

function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done, failed) => {
    // (node with tsx's loader, without npx's start-up of about 0.7 s a run)
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: root, env: { ...process.env, NO_COLOR: "1", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", failed);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

describe("npm run kb:ingest", () => {
  it("writes a complete knowledge base under --out, prints a summary and how to serve it", async () => {
    const out = join(tmp, "drafts");
    const run = await ingest("tests/fixtures/sample-article.txt", "--out", out, "--prefix", "qingji");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("3 sections, 12 facts, 2 tables (6 rows), 33 intents");
    expect(run.stdout).toContain("The knowledge base loads without problems");
    expect(run.stdout).toContain(`INTENTS_DIR=${join(out, "intents")} KNOWLEDGE_DIR=${join(out, "knowledge")} npm start`);
    expect(run.stdout).toContain("npm run kb:validate");
    expect(run.stdout).toContain('sample-article.txt:10: removed stray HTML: "td>必须</td>" → "必须"');
    const knowledge = readFileSync(join(out, "knowledge/qingji.yaml"), "utf8");
    const intents = readFileSync(join(out, "intents/qingji.yaml"), "utf8");
    expect(knowledge).toMatch(/^# Drafted from/);
    expect(intents).toMatch(/^# Drafted from/);
    expect(knowledge).toContain("cheng-gong-lv: 93%");
    expect(readFileSync(join(out, "knowledge/lexicon.yaml"), "utf8")).toMatch(/^synonyms:/m);
    expect(readFileSync(join(out, "intents/conversation.yaml"), "utf8")).toContain("id: greeting");

    // kb:validate and kb:test run clean on it, with nothing else
    const env = { INTENTS_DIR: join(out, "intents"), KNOWLEDGE_DIR: join(out, "knowledge") };
    const validate = await runScript("src/cli/kb-validate.ts", [], env);
    expect(validate.stderr).toBe("");
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain("knowledge base OK: 40 intents");
    const test = await runScript("src/cli/kb-test.ts", [], env);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/every phrasing against its own intent: 100\.0%/);

    // a second run does not overwrite them without --force
    const again = await ingest("tests/fixtures/sample-article.txt", "--out", out, "--prefix", "qingji");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${join(out, "knowledge/qingji.yaml")}:1: already exists: pass --force`);
    const forced = await ingest("tests/fixtures/sample-article.txt", "--out", out, "--prefix", "qingji", "--force");
    expect(forced.code).toBe(0);
  }, 60_000);

  it("names the drafts after the article when no --prefix is given", async () => {
    const out = join(tmp, "named");
    const run = await ingest("tests/fixtures/sample-article.txt", "--out", out);
    expect(run.code).toBe(0);
    expect(existsSync(join(out, "knowledge/sample-article.yaml"))).toBe(true);
    expect(existsSync(join(out, "intents/sample-article.yaml"))).toBe(true);
  });

  it("fails with file:line and exit 1 for a missing article", async () => {
    const run = await ingest(join(tmp, "nope.txt"), "--out", join(tmp, "never"));
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`${join(tmp, "nope.txt")}:1: cannot read the article: no such file`);
    expect(existsSync(join(tmp, "never"))).toBe(false);
  });

  it("fails with file:line and exit 1 for an article without sections", async () => {
    const file = join(tmp, "flat.txt");
    writeFileSync(file, "标题\n只有一段话。\n");
    const run = await ingest(file, "--out", join(tmp, "flat"));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}:1: no sections found`);
  });

  it("reports a malformed row as a warning, writes the rest, and exits 1", async () => {
    const file = join(tmp, "rows.txt");
    writeFileSync(file, ["标题", "一、方式", "说明。", "方式 | 时长 |", "---|---|", "甲 | 1天 |", "乙 | 2天 | 多余 |"].join("\n"));
    const out = join(tmp, "rows");
    const run = await ingest(file, "--out", out, "--prefix", "rows");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`warning: ${file}:7: table row has 3 cells, the header has 2: row skipped`);
    expect(readFileSync(join(out, "knowledge/rows.yaml"), "utf8")).toContain("name: 甲");
  });

  it("exits 2 with the usage when no article is given", async () => {
    const run = await ingest();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("usage: npm run kb:ingest");
  });
});
