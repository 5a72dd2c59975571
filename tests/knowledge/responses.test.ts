import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultResponses, placeholdersOf, respond, RESPONSE_KEYS, allowedPlaceholders, type ResponseKey } from "../../src/dialog/responses.js";
import { loadKnowledge, loadKnowledgeOrThrow } from "../../src/knowledge/load.js";
import { createKnowledgeHolder } from "../../src/knowledge/reloader.js";
import { projectKnowledge, silentLog } from "../helpers/kb.js";

const fixture = resolve(import.meta.dirname, "../fixtures/library-kb");
const dir = mkdtempSync(join(tmpdir(), "faq-responses-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let copies = 0;
/** The library fixture with its responses.yaml replaced; returns the load errors. */
function errorsWith(responses: string): string[] {
  const copy = join(dir, `kb-${copies++}`);
  cpSync(fixture, copy, { recursive: true });
  writeFileSync(join(copy, "knowledge", "responses.yaml"), responses);
  const result = loadKnowledge({ intentsDir: join(copy, "intents"), knowledgeDir: join(copy, "knowledge") }, copy);
  return result.ok ? [] : result.errors;
}

describe("responses: what the bot says besides answers", () => {
  it("ships a default for every key, using only the placeholders each key allows", () => {
    const defaults = defaultResponses();
    for (const key of Object.keys(RESPONSE_KEYS) as ResponseKey[]) {
      expect(defaults[key], key).toBeTruthy();
      for (const p of placeholdersOf(defaults[key])) expect(allowedPlaceholders(key), `${key} uses {${p}}`).toContain(p);
    }
  });

  it("keeps the engine's defaults free of any topic", () => {
    const all = Object.values(defaultResponses()).join("\n");
    expect(all).not.toMatch(/视频号|公众号|小程序|企业微信|小商店|注销|解绑/);
  });

  it("fills {name}, {scope} and a key's own values", () => {
    const r = { ...defaultResponses(), "bot.name": "小助手", "bot.scope": "借书", "steps.finished": "{name}：{count} 步都完成了（{scope}）" };
    expect(respond(r, "steps.finished", { count: 3 })).toBe("小助手：3 步都完成了（借书）");
  });

  it("lets a knowledge base override what it wants and keeps the defaults for the rest", () => {
    const loaded = loadKnowledge({ intentsDir: join(fixture, "intents"), knowledgeDir: join(fixture, "knowledge") });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.kb.responses["handoff.choice"]).toBe("找馆员");
    expect(loaded.kb.responses["feedback.prompt"]).toBe(defaultResponses()["feedback.prompt"]);
  });

  it("gives the article's bot its own name and scope", () => {
    const kb = projectKnowledge();
    expect(respond(kb.responses, "bot.name")).toBe("视频号关闭助手");
    expect(respond(kb.responses, "fallback.scope")).toContain("视频号关闭、注销、数据留存和解绑");
  });

  it("reports an unknown key at its line, with the nearest known one", () => {
    const errors = errorsWith("bot:\n  name: 图书助手\nfallback:\n  frist: 不会\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^knowledge\/responses\.yaml:4: unknown response "fallback\.frist": did you mean first\?/);
  });

  it("reports an unknown group at its line", () => {
    const errors = errorsWith("bot:\n  name: 图书助手\nfallbak:\n  first: 不会\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^knowledge\/responses\.yaml:3: unknown group "fallbak": did you mean fallback\?/);
  });

  it("reports a placeholder the key cannot fill, saying which it may use", () => {
    const errors = errorsWith("handoff:\n  choice: 找馆员\n  queued-next: 你是第 {position} 位，约 {wait} 分钟\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^knowledge\/responses\.yaml:3: unknown placeholder \{position\} in handoff\.queued-next: it may use \{name\}, \{scope\}, \{wait\}/);
  });

  it("reports an empty sentence and a group that is not a map", () => {
    const errors = errorsWith("bot:\n  name: ''\ngreeting: 你好\n");
    expect(errors).toEqual([
      expect.stringMatching(/^knowledge\/responses\.yaml:2: bot\.name must be a non-empty sentence/),
      expect.stringMatching(/^knowledge\/responses\.yaml:3: "greeting" is a map of sentences/),
    ]);
  });

  it("makes the knowledge base invalid when the responses file is, like any bad knowledge file", () => {
    const errors = errorsWith(readFileSync(join(fixture, "knowledge", "responses.yaml"), "utf8").replace("{wait}", "{minutes}"));
    expect(errors.some((e) => /responses\.yaml:\d+: unknown placeholder \{minutes\}/.test(e))).toBe(true);
  });

  it("is reloaded with the knowledge base", () => {
    const copy = join(dir, "reloaded");
    cpSync(fixture, copy, { recursive: true });
    const paths = { intentsDir: join(copy, "intents"), knowledgeDir: join(copy, "knowledge") };
    const holder = createKnowledgeHolder(loadKnowledgeOrThrow(paths), paths, silentLog);
    expect(respond(holder.current().responses, "bot.name")).toBe("图书借阅助手");
    const file = join(copy, "knowledge", "responses.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("图书借阅助手", "借阅小帮手"));
    expect(holder.reload("test").ok).toBe(true);
    expect(respond(holder.current().responses, "greeting.welcome")).toBe("欢迎来到图书馆！我是借阅小帮手，可以回答借书、续借、逾期和借阅数量的问题。");
  });
});
