import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The engine knows no topic: what the bot says about its subject lives in the knowledge base
// (intents/, knowledge/ with its responses.yaml). This test reads every string the code could say.

const root = resolve(import.meta.dirname, "../..");
const src = join(root, "src");
/** Words of the first knowledge base's topic: none may appear in a string of the engine. */
const TOPIC = /视频号|公众号|小程序|企业微信|小商店|企业号|个人号/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Every string, template and regular expression literal of a TypeScript or JavaScript source, with its line. */
function literals(name: string, text: string): Array<{ line: number; text: string }> {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
  const out: Array<{ line: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node) || ts.isRegularExpressionLiteral(node)) {
      out.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.getText() });
    }
    node.forEachChild(visit);
  };
  visit(source);
  return out;
}

describe("the engine is topic-free", () => {
  it("finds the topic words in a string literal, so the scan below can fail", () => {
    const found = literals("x.ts", 'const a = "只关闭视频号入口"; // 公众号 in a comment is fine\nconst b = `${a}小程序`;');
    expect(found.filter((l) => TOPIC.test(l.text)).map((l) => l.line)).toEqual([1, 2]);
  });

  it("says nothing about the first knowledge base's topic in the code's strings", () => {
    // the agent console is excluded: there 公众号 is the name of a channel (the Official Account), not a topic
    const hits = files(src)
      .filter((f) => /\.(ts|js)$/.test(f) && !f.includes(join("src", "console")))
      .flatMap((f) => literals(f, readFileSync(f, "utf8")).filter((l) => TOPIC.test(l.text)).map((l) => `${relative(root, f)}:${l.line}: ${l.text}`));
    expect(hits).toEqual([]);
  });

  it("names no topic in the web chat page", () => {
    const page = readFileSync(join(src, "channels", "web", "index.html"), "utf8");
    expect(page).not.toMatch(TOPIC);
  });
});
