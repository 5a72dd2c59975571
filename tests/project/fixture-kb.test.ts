import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The tests of the channels, the server, the handoff desk, the console, the store, the coordination
// and the bot's own handling run on the library fixture (tests/fixtures/library-kb) or on a stub bot,
// never on the project's knowledge base (intents/, knowledge/): a change to what the bot knows cannot
// break them. The tests of the knowledge base itself (tests/knowledge, tests/nlu, tests/dialog, the
// README's examples, the kb:* commands) are about it on purpose and are not read here.

const root = resolve(import.meta.dirname, "../..");
const tests = join(root, "tests");
const SCANNED = [
  "channels",
  "server",
  "handoff",
  "console",
  "store",
  "coordination",
  "fleet",
  "bot/bot.test.ts",
  "cli/chat.test.ts",
  "cli/store-migrate.test.ts",
  "cli/agent-add.test.ts",
  "helpers/web.ts",
  "helpers/handoff.ts",
  "helpers/console.ts",
  "helpers/fleet.ts",
];
/** Words of the project knowledge base's topic. */
const TOPIC = /视频号|公众号|小程序|企业微信|小商店|企业号|个人号|注销/;
/** Loading the project's knowledge base: its loader, or its folders named from the project's root. */
const PROJECT_KB = /\b(?:copyP|p)rojectKnowledge\b|join\(root, "(?:intents|knowledge)"\)/;

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((e) => files(join(path, e.name)));
}

/** Every line of `text` that matches `pattern`, as file:line: text. */
const hits = (file: string, text: string, pattern: RegExp): string[] =>
  text.split("\n").flatMap((line, i) => (pattern.test(line) ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`] : []));

describe("the tests of the engine around the dialog", () => {
  it("would see the article's words and its knowledge base, so the scan below can fail", () => {
    const sample = 'const kb = projectKnowledge();\nawait say("a", "视频号怎么关");\nINTENTS_DIR: join(root, "intents"),\nawait say("a", "怎么续借");\n';
    expect(hits("x.ts", sample, TOPIC).length + hits("x.ts", sample, PROJECT_KB).length).toBe(3);
  });

  it("neither load the project's knowledge base nor say its topic's words", () => {
    const scanned = SCANNED.map((p) => join(tests, p));
    for (const p of scanned) expect(existsSync(p), relative(root, p)).toBe(true);
    const found = scanned.flatMap(files).flatMap((f) => {
      const text = readFileSync(f, "utf8");
      return [...hits(f, text, PROJECT_KB), ...hits(f, text, TOPIC)];
    });
    expect(found).toEqual([]);
  });
});
