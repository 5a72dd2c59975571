import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { nearestId } from "../../src/knowledge/did-you-mean.js";
import { loadKnowledge } from "../../src/knowledge/load.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const LEXICON = "synonyms:\n  解绑: [解除绑定]\nstopwords: [吗]\n";
const FACTS = [
  "section: 解绑",
  "facts:",
  "  unbind-needed: 关闭前要先解绑公众号。",
  "  unbind-steps: 在设置里解除绑定。",
  "tables:",
  "  parts:",
  "    title: 关联组件",
  "    key: 组件",
  "    columns:",
  "      required: { name: 是否必须 }",
  "    rows:",
  "      menu: { name: 菜单, required: 是 }",
  "",
].join("\n");
const GOOD_INTENTS = [
  "- id: unbind-how",
  "  title: 怎么解绑",
  "  answer: [unbind-steps]",
  "  related: [unbind-why]",
  "  examples: [怎么解绑]",
  "- id: unbind-why",
  "  title: 为什么要解绑",
  "  answer: [unbind-needed]",
  "  related: [unbind-how]",
  "  examples: [为什么要解绑]",
  "",
].join("\n");

/** A small knowledge base in a temp folder: files by relative path. */
function smallKb(files: Record<string, string>): { dir: string; intentsDir: string; knowledgeDir: string } {
  const dir = mkdtempSync(join(tmpdir(), "kb-small-"));
  dirs.push(dir);
  const all: Record<string, string> = {
    "knowledge/lexicon.yaml": LEXICON,
    "knowledge/01-unbind.yaml": FACTS,
    "intents/01-unbind.yaml": GOOD_INTENTS,
    ...files,
  };
  mkdirSync(join(dir, "knowledge"));
  mkdirSync(join(dir, "intents"));
  for (const [name, text] of Object.entries(all)) writeFileSync(join(dir, name), text);
  return { dir, intentsDir: join(dir, "intents"), knowledgeDir: join(dir, "knowledge") };
}

function errorsOf(files: Record<string, string>): string[] {
  const kb = smallKb(files);
  const r = loadKnowledge(kb, kb.dir);
  return r.ok ? [] : r.errors;
}

describe("knowledge base messages an operator can act on", () => {
  it("the small knowledge base of these tests loads", () => {
    const kb = smallKb({});
    const r = loadKnowledge(kb, kb.dir);
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it("says 'tab character at line N' for a tab in the indentation, and nothing else about that file", () => {
    const errors = errorsOf({ "intents/01-unbind.yaml": GOOD_INTENTS.replace("\n  answer: [unbind-steps]", "\n\tanswer: [unbind-steps]") });
    expect(errors).toEqual([
      "intents/01-unbind.yaml:3: tab character at line 3 (column 1): YAML is indented with spaces only; replace the tab with spaces",
    ]);
  });

  it("names every line indented with a tab", () => {
    const errors = errorsOf({
      "knowledge/01-unbind.yaml": FACTS.replace("\n  unbind-steps:", "\n\tunbind-steps:").replace("\n    title:", "\n  \ttitle:"),
    });
    expect(errors.filter((e) => e.startsWith("knowledge/01-unbind.yaml:"))).toEqual([
      expect.stringMatching(/^knowledge\/01-unbind\.yaml:4: tab character at line 4 /),
      expect.stringMatching(/^knowledge\/01-unbind\.yaml:7: tab character at line 7 \(column 3\)/),
    ]);
  });

  it("reports one YAML syntax error per file, not every token after it", () => {
    const errors = errorsOf({ "intents/02-more.yaml": "- id: more\n  title: [unclosed\n  answer: [unbind-needed]\n  examples: [还有吗]\n" });
    const here = errors.filter((e) => e.startsWith("intents/02-more.yaml:"));
    expect(here).toHaveLength(1);
    expect(here[0]).not.toMatch(/at line \d+, column/);
  });

  it("points at the line of the unknown reference, not the intent's first line", () => {
    const errors = errorsOf({
      "intents/02-more.yaml": "- id: more\n  title: 还有\n  examples: [还有什么]\n  answer:\n    - unbind-needed\n    - unbind-stpes\n",
    });
    expect(errors).toEqual([expect.stringMatching(/^intents\/02-more\.yaml:6: unknown fact "unbind-stpes"/)]);
  });

  it("suggests the nearest fact id for a misspelt one", () => {
    const errors = errorsOf({ "intents/02-more.yaml": "- id: more\n  title: 还有\n  examples: [还有什么]\n  answer: [unbind-neded]\n" });
    expect(errors).toEqual(['intents/02-more.yaml:4: unknown fact "unbind-neded": did you mean unbind-needed? (in answer of intent "more")']);
  });

  it("suggests the nearest table, row and column", () => {
    const errors = errorsOf({
      "intents/02-more.yaml": [
        "- id: more",
        "  title: 还有",
        "  examples: [还有什么]",
        "  answer: [part.menu, parts.mneu, parts.menu.requird]",
        "",
      ].join("\n"),
    });
    expect(errors.join("\n")).toContain('unknown table "part" in "part.menu": did you mean parts?');
    expect(errors.join("\n")).toContain('table "parts" has no row "mneu": did you mean menu?');
    expect(errors.join("\n")).toContain('table "parts" has no column "requird" (in "parts.menu.requird"): did you mean required?');
  });

  it("points at the related entry that names an unknown intent and suggests the nearest id", () => {
    const errors = errorsOf({ "intents/02-more.yaml": "- id: more\n  title: 还有\n  answer: [unbind-needed]\n  related:\n    - unbind-how\n    - unbind-hwo\n  examples: [还有什么]\n" });
    expect(errors).toEqual(['intents/02-more.yaml:6: unknown intent "unbind-hwo" in related: did you mean unbind-how?']);
  });

  it("gives no suggestion when nothing is close", () => {
    const errors = errorsOf({ "intents/02-more.yaml": "- id: more\n  title: 还有\n  examples: [还有什么]\n  answer: [completely-different]\n" });
    expect(errors).toEqual(['intents/02-more.yaml:4: unknown fact "completely-different" (in answer of intent "more")']);
  });

  it("points at the duplicated example's own line", () => {
    const errors = errorsOf({ "intents/02-more.yaml": "- id: more\n  title: 还有\n  answer: [unbind-needed]\n  examples:\n    - 还有什么\n    - 怎么解绑？\n" });
    expect(errors).toEqual([expect.stringMatching(/^intents\/02-more\.yaml:6: example "怎么解绑？" of "more" reads the same as an example of "unbind-how"/)]);
  });

  it("a broken intents file causes no 'unknown intent' errors in other files", () => {
    const errors = errorsOf({
      "intents/01-unbind.yaml": GOOD_INTENTS.replace("\n  answer: [unbind-steps]", "\n\tanswer: [unbind-steps]"),
      "intents/02-more.yaml": "- id: more\n  title: 还有\n  answer: [unbind-needed]\n  related: [unbind-how, unbind-why]\n  examples: [还有什么]\n",
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/tab character at line 3/);
  });

  it("one invalid intent leaves the rest of its file loaded, and is not reported again where it is named", () => {
    const errors = errorsOf({
      "intents/01-unbind.yaml": GOOD_INTENTS.replace("  examples: [为什么要解绑]", "  examples: 为什么要解绑"),
    });
    expect(errors).toEqual([expect.stringMatching(/^intents\/01-unbind\.yaml:10: .*\(1\.examples\)$/)]);
  });

  it("a broken knowledge file causes no 'unknown fact' errors in intents", () => {
    const errors = errorsOf({ "knowledge/01-unbind.yaml": FACTS.replace("  unbind-steps:", "\tunbind-steps:") });
    expect(errors).toEqual([expect.stringMatching(/^knowledge\/01-unbind\.yaml:4: tab character at line 4/)]);
  });

  it("a knowledge file that fails the schema causes no follow-on errors about its facts", () => {
    const errors = errorsOf({ "knowledge/01-unbind.yaml": FACTS.replace("section: 解绑", "section: 解绑\nsurprise: 1") });
    expect(errors).toEqual([expect.stringMatching(/^knowledge\/01-unbind\.yaml:2: /)]);
  });

  it("still reports a reference that no file declares while another file is broken", () => {
    const errors = errorsOf({
      "knowledge/01-unbind.yaml": FACTS.replace("section: 解绑", "section: 解绑\nsurprise: 1"),
      "intents/02-more.yaml": "- id: more\n  title: 还有\n  examples: [还有什么]\n  answer: [nowhere-fact]\n",
    });
    expect(errors.some((e) => e.includes('unknown fact "nowhere-fact"'))).toBe(true);
  });
});

describe("npm run kb:validate on a file with a tab", () => {
  it("prints the tab's line and nothing that follows from it, and exits 1", () => {
    const root = resolve(import.meta.dirname, "../..");
    const kb = smallKb({
      "intents/01-unbind.yaml": GOOD_INTENTS.replace("\n  examples: [为什么要解绑]", "\n\texamples: [为什么要解绑]"),
      "intents/02-more.yaml": "- id: more\n  title: 还有\n  answer: [unbind-needed]\n  related: [unbind-why]\n  examples: [还有什么]\n",
    });
    const run = spawnSync(join(root, "node_modules/.bin/tsx"), [join(root, "src/cli/kb-validate.ts"), kb.intentsDir, kb.knowledgeDir], { cwd: kb.dir, encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      "intents/01-unbind.yaml:10: tab character at line 10 (column 1): YAML is indented with spaces only; replace the tab with spaces\n\n1 problem(s) found.\n",
    );
  });
});

describe("nearestId", () => {
  it("finds a swap, a missing letter and an extra letter", () => {
    const ids = ["unbind-needed", "unbind-steps", "retention-video"];
    expect(nearestId("unbind-neeedd", ids)).toBe("unbind-needed");
    expect(nearestId("unbind-step", ids)).toBe("unbind-steps");
    expect(nearestId("retention-videos", ids)).toBe("retention-video");
    expect(nearestId("qq", ids)).toBeNull();
  });
});
