import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { loadKnowledge } from "../../src/knowledge/load.js";
import { createKnowledgeHolder } from "../../src/knowledge/reloader.js";
import { matchIntent } from "../../src/nlu/match.js";
import { copyProjectKnowledge, silentLog } from "../helpers/kb.js";

const root = resolve(import.meta.dirname, "../..");
const dirs: string[] = [];

const copyKb = () => copyProjectKnowledge(dirs);
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const errorsOf = (kb: ReturnType<typeof copyKb>) => {
  const r = loadKnowledge(kb, kb.dir);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.errors;
};

describe("loading the knowledge base", () => {
  it("loads the project's knowledge base without errors", () => {
    const r = loadKnowledge({ intentsDir: join(root, "intents"), knowledgeDir: join(root, "knowledge") }, root);
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it("reports YAML syntax errors as file:line", () => {
    const kb = copyKb();
    writeFileSync(join(kb.intentsDir, "99-bad.yaml"), "- id: x\n  title: [unclosed\n  examples: [a]\n");
    expect(errorsOf(kb).some((e) => /^intents\/99-bad\.yaml:\d+: /.test(e))).toBe(true);
  });

  it("reports a schema error with the line of the offending field", () => {
    const kb = copyKb();
    writeFileSync(join(kb.intentsDir, "99-bad.yaml"), "- id: bad-one\n  title: 一个\n  examples: 不是列表\n  answer: [unbind-needed]\n");
    const errors = errorsOf(kb);
    expect(errors.some((e) => e.startsWith("intents/99-bad.yaml:3: "))).toBe(true);
  });

  it("reports an unknown fact reference", () => {
    const kb = copyKb();
    writeFileSync(join(kb.intentsDir, "99-bad.yaml"), "- id: bad-ref\n  title: 坏引用\n  examples: [完全不同的问法一二三]\n  answer: [no-such-fact]\n");
    expect(errorsOf(kb).some((e) => e.startsWith("intents/99-bad.yaml:") && e.includes("no-such-fact"))).toBe(true);
  });

  it("reports a duplicate intent id with both places", () => {
    const kb = copyKb();
    writeFileSync(join(kb.intentsDir, "99-bad.yaml"), "- id: unbind-gzh\n  title: 重复\n  examples: [另一个完全不同的问法]\n  answer: [unbind-needed]\n");
    expect(errorsOf(kb).some((e) => e.includes('"unbind-gzh" is already used at intents/03-linked.yaml:'))).toBe(true);
  });

  it("reports the same normalised example under two intents", () => {
    const kb = copyKb();
    writeFileSync(join(kb.intentsDir, "99-bad.yaml"), "- id: copy-cat\n  title: 抄的\n  examples: [公众号要解绑吗？]\n  answer: [unbind-needed]\n");
    expect(errorsOf(kb).some((e) => e.startsWith("intents/99-bad.yaml:") && e.includes("unbind-gzh"))).toBe(true);
  });

  it("reports a table row without a value for a column", () => {
    const kb = copyKb();
    const file = join(kb.knowledgeDir, "03-linked.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/\n        required: 必须解绑\n/, "\n"));
    expect(errorsOf(kb).some((e) => /^knowledge\/03-linked\.yaml:\d+: row "gzh-menu" has no value for column "required"/.test(e))).toBe(true);
  });

  it("reports a sentence template that names no column, at its line", () => {
    const kb = copyKb();
    const file = join(kb.knowledgeDir, "01-closing.yaml");
    const src = readFileSync(file, "utf8");
    writeFileSync(file, src.replace("大约需要{minutes}", "大约需要{minute}").replace('sentence: "{row}的成功率是{value}"', 'sentence: "{row}的成功率是{rate}"'));
    const line = (needle: string) => src.split("\n").findIndex((l) => l.includes(needle)) + 1;
    const errors = errorsOf(kb);
    expect(errors).toContain(
      `knowledge/01-closing.yaml:${line("大约需要{minutes}，")}: sentence names "{minute}", which is no column of table "close-methods" (use {row} or a column's id or name): did you mean minutes?`,
    );
    expect(errors.some((e) => e.startsWith(`knowledge/01-closing.yaml:${line("{row}的成功率是{value}")}: sentence names "{rate}"`))).toBe(true);
  });

  it("reports an entity word that is a synonym of another term", () => {
    const kb = copyKb();
    const file = join(kb.knowledgeDir, "lexicon.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("  foreign: [", "  foreign: [删号, "));
    expect(errorsOf(kb).some((e) => /^knowledge\/lexicon\.yaml:\d+: "删号" is listed under both 注销 and entity group foreign/.test(e))).toBe(true);
  });

  it("reports a missing lexicon", () => {
    const kb = copyKb();
    rmSync(join(kb.knowledgeDir, "lexicon.yaml"));
    expect(errorsOf(kb).some((e) => e.includes("lexicon.yaml:1: missing"))).toBe(true);
  });
});

describe("a FAQ sheet as CSV", () => {
  it("loads question,answer rows with extra phrasings separated by |", () => {
    const kb = copyKb();
    writeFileSync(
      join(kb.intentsDir, "faq.csv"),
      'question,answer\n"客服电话是多少|热线号码|打哪个电话","客服热线 400-000-0000，工作日 9:00-18:00"\n',
    );
    const r = loadKnowledge(kb, kb.dir);
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    const m = matchIntent("热线号码多少", r.kb.index);
    const intent = r.kb.intents.get(m.candidates[0]!.intentId)!;
    expect(intent.examples).toContain("打哪个电话");
  });

  it("reports a row without an answer as file:line", () => {
    const kb = copyKb();
    writeFileSync(join(kb.intentsDir, "faq.csv"), "question,answer\n问一个,\n");
    expect(errorsOf(kb)).toContain("intents/faq.csv:2: every row needs a question and an answer");
  });

  it("reports a missing header", () => {
    const kb = copyKb();
    writeFileSync(join(kb.intentsDir, "faq.csv"), "q,a\nx,y\n");
    expect(errorsOf(kb).some((e) => e.startsWith("intents/faq.csv:1: "))).toBe(true);
  });
});

describe("reloading without a restart", () => {
  it("swaps in a valid knowledge base and keeps the old one when the new one is invalid", () => {
    const kb = copyKb();
    const first = loadKnowledge(kb, kb.dir);
    if (!first.ok) throw new Error(first.errors.join("\n"));
    const holder = createKnowledgeHolder(first.kb, kb, silentLog);
    writeFileSync(
      join(kb.intentsDir, "95-new.yaml"),
      "- id: office-hours\n  title: 客服上班时间\n  reply: 工作日 9:00-18:00\n  examples: [客服几点上班, 人工什么时候在]\n",
    );
    expect(holder.reload("test").ok).toBe(true);
    expect(holder.current().intents.has("office-hours")).toBe(true);

    writeFileSync(join(kb.intentsDir, "96-bad.yaml"), "- id: [oops\n");
    const refused = holder.reload("test");
    expect(refused.ok).toBe(false);
    expect(holder.current().intents.has("office-hours")).toBe(true);
  });
});

describe("npm run kb:validate", () => {
  it("exits 1 and prints file:line messages for an invalid knowledge base", () => {
    const kb = copyKb();
    writeFileSync(join(kb.intentsDir, "99-bad.yaml"), "- id: bad-ref\n  title: 坏引用\n  examples: [另一个完全不同的问法]\n  answer: [no-such-fact]\n");
    const run = spawnSync(join(root, "node_modules/.bin/tsx"), [join(root, "src/cli/kb-validate.ts")], {
      cwd: kb.dir,
      env: { ...process.env, INTENTS_DIR: kb.intentsDir, KNOWLEDGE_DIR: kb.knowledgeDir },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr + run.stdout).toMatch(/intents\/99-bad\.yaml:\d+: .*no-such-fact/);
  });
});
