import { rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadKnowledge } from "../../src/knowledge/load.js";
import { createKnowledgeHolder } from "../../src/knowledge/reloader.js";
import { copyProjectKnowledge, silentLog } from "../helpers/kb.js";

const root = resolve(import.meta.dirname, "../..");
const dirs: string[] = [];

const copyKb = () => copyProjectKnowledge(dirs);
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const canned = (kb: ReturnType<typeof copyKb>) => join(kb.knowledgeDir, "canned-replies.yaml");

describe("canned replies in the knowledge base", () => {
  it("loads the project's canned replies with their file:line", () => {
    const r = loadKnowledge({ intentsDir: join(root, "intents"), knowledgeDir: join(root, "knowledge") }, root);
    if (!r.ok) throw new Error(r.errors.join("\n"));
    expect(r.kb.cannedReplies.length).toBeGreaterThanOrEqual(3);
    for (const reply of r.kb.cannedReplies) {
      expect(reply.title.length).toBeLessThanOrEqual(16);
      expect(reply.text.length).toBeGreaterThan(0);
      expect(reply.source).toMatch(/^knowledge\/canned-replies\.yaml:\d+$/);
    }
  });

  it("has none, and no error, when the file is absent", () => {
    const kb = copyKb();
    unlinkSync(canned(kb));
    const r = loadKnowledge(kb, kb.dir);
    expect(r.ok && r.kb.cannedReplies).toEqual([]);
  });

  it("reports a reply without text at its line", () => {
    const kb = copyKb();
    writeFileSync(canned(kb), "replies:\n  - title: 问候\n    text: 您好\n  - title: 空的\n    text: '  '\n");
    const r = loadKnowledge(kb, kb.dir);
    expect(r.ok ? [] : r.errors).toEqual([expect.stringMatching(/^knowledge\/canned-replies\.yaml:5: must not be empty/)]);
  });

  it("reports an unknown field, a long title and a repeated title as file:line", () => {
    const kb = copyKb();
    writeFileSync(
      canned(kb),
      ["replies:", "  - title: 问候", "    text: 您好", "    body: 多余", "  - title: 这是一个超过十六个字的按钮标题文字很长", "    text: 好", "  - title: 问候", "    text: 又一个"].join("\n"),
    );
    const r = loadKnowledge(kb, kb.dir);
    const errors = r.ok ? [] : r.errors;
    expect(errors.some((e) => /^knowledge\/canned-replies\.yaml:4: .*"body"/.test(e))).toBe(true);
    expect(errors.some((e) => /^knowledge\/canned-replies\.yaml:5: a title is at most 16 characters/.test(e))).toBe(true);
  });

  it("reports a repeated title with both places", () => {
    const kb = copyKb();
    writeFileSync(canned(kb), "replies:\n  - title: 问候\n    text: 您好\n  - title: 问候\n    text: 又一个\n");
    const r = loadKnowledge(kb, kb.dir);
    expect(r.ok ? [] : r.errors).toEqual(['knowledge/canned-replies.yaml:4: canned reply title "问候" is already used at knowledge/canned-replies.yaml:2']);
  });

  it("reloads with the knowledge base", () => {
    const kb = copyKb();
    const first = loadKnowledge(kb, kb.dir);
    if (!first.ok) throw new Error(first.errors.join("\n"));
    const holder = createKnowledgeHolder(first.kb, kb, silentLog);
    writeFileSync(canned(kb), "replies:\n  - title: 新的\n    text: 新的回复\n");
    expect(holder.reload("test").ok).toBe(true);
    expect(holder.current().cannedReplies.map((r) => r.title)).toEqual(["新的"]);
  });
});
