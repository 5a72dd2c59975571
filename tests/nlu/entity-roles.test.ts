import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { KnowledgeBase } from "../../src/knowledge/knowledge-base.js";
import { loadKnowledge, loadKnowledgeOrThrow } from "../../src/knowledge/load.js";
import { matchIntent } from "../../src/nlu/match.js";

// The library fixture declares its entity groups' roles: elsewhere (书店) vetoes, reader (学生) is a
// slot, media (期刊) is a component by default. The same lexicon without roles shows what they change.

const fixture = resolve(import.meta.dirname, "../fixtures/library-kb");
const dir = mkdtempSync(join(tmpdir(), "faq-roles-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fixture with its lexicon's roles: block rewritten. */
function withRoles(name: string, roles: string): { knowledgeDir: string; intentsDir: string } {
  const copy = join(dir, name);
  cpSync(fixture, copy, { recursive: true });
  const file = join(copy, "knowledge", "lexicon.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace(/roles:\n(  .*\n)+/, roles));
  return { intentsDir: join(copy, "intents"), knowledgeDir: join(copy, "knowledge") };
}

const declared = loadKnowledgeOrThrow({ intentsDir: join(fixture, "intents"), knowledgeDir: join(fixture, "knowledge") });
const undeclared = loadKnowledgeOrThrow(withRoles("none", ""));
/** The line of a copy's lexicon that holds `text`. */
const lineOf = (name: string, text: string): number =>
  readFileSync(join(dir, name, "knowledge", "lexicon.yaml"), "utf8").split("\n").findIndex((l) => l.includes(text)) + 1;
const score = (kb: KnowledgeBase, text: string, intent: string): number =>
  matchIntent(text, kb.index).candidates.find((c) => c.intentId === intent)?.score ?? 0;

describe("entity roles declared in the lexicon", () => {
  it("a veto group puts a question out of scope, harder than an unmentioned component", () => {
    const vetoed = score(declared, "书店能借多久", "loan-period");
    expect(vetoed).toBeLessThan(0.45);
    expect(vetoed).toBeLessThan(score(undeclared, "书店能借多久", "loan-period"));
  });

  it("a slot value is never held against an intent that does not mention it", () => {
    expect(score(declared, "学生可以借多久", "loan-period")).toBeGreaterThanOrEqual(0.45);
    expect(score(undeclared, "学生可以借多久", "loan-period")).toBeLessThan(score(declared, "学生可以借多久", "loan-period"));
  });

  it("a group without a role is a component: only the intent that names it is asked", () => {
    const m = matchIntent("期刊可以借多久", declared.index);
    expect(m.candidates[0]?.intentId).toBe("journals");
    expect(score(declared, "期刊可以借多久", "loan-period")).toBeLessThan(0.45);
  });

  it("reads the group names as the knowledge base chose them, not the article's", () => {
    const renamed = loadKnowledgeOrThrow(withRoles("renamed", "roles:\n  elsewhere: slot\n  reader: veto\n"));
    expect(score(renamed, "学生可以借多久", "loan-period")).toBeLessThan(0.45);
    expect(score(renamed, "书店能借多久", "loan-period")).toBeGreaterThan(score(declared, "书店能借多久", "loan-period"));
  });

  it("reports a role for a group that does not exist, and an unknown role, at their lines", () => {
    const result = loadKnowledge(withRoles("bad", "roles:\n  elsewere: veto\n  reader: blocker\n"), dir);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      `bad/knowledge/lexicon.yaml:${lineOf("bad", "reader: blocker")}: a role is one of veto, other-subject, component, slot (roles.reader)`,
    ]);
    const unknownGroup = loadKnowledge(withRoles("bad2", "roles:\n  elsewere: veto\n"), dir);
    expect(unknownGroup.ok ? [] : unknownGroup.errors).toEqual([
      `bad2/knowledge/lexicon.yaml:${lineOf("bad2", "elsewere: veto")}: roles names "elsewere", which is no entity group: did you mean elsewhere?`,
    ]);
  });
});
