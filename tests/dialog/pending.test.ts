import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { decide, initialState } from "../../src/dialog/decide.js";
import { readPending } from "../../src/dialog/pending.js";
import { createSqliteStore } from "../../src/store/sqlite.js";
import { silentLog } from "../helpers/kb.js";
import { libraryKnowledge, settings } from "./handlers/turns.js";

const kb = libraryKnowledge();
const dir = mkdtempSync(join(tmpdir(), "pending-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the pending question", () => {
  it("reads the list shape stored before it was tagged", () => {
    expect(readPending([])).toBeNull();
    expect(readPending(undefined)).toBeNull();
    expect(readPending(["#declined"])).toEqual({ kind: "declined" });
    expect(readPending(["#menu", "renew", "overdue"])).toEqual({ kind: "menu", options: ["renew", "overdue"] });
    expect(readPending(["human", "renew"])).toEqual({ kind: "human-offer", reason: "repeated-misses", topics: ["renew"] });
    expect(readPending(["human:negative-feedback"])).toEqual({ kind: "human-offer", reason: "negative-feedback", topics: [] });
    expect(readPending(["loan-period", "renew"])).toEqual({ kind: "clarification", options: ["loan-period", "renew"] });
    expect(readPending({ kind: "menu", options: ["renew"] })).toEqual({ kind: "menu", options: ["renew"] });
  });

  it("answers a conversation whose SQLite row was written with the old shape, and writes the new one back", async () => {
    const store = createSqliteStore(join(dir, "old.sqlite"));
    const at = Date.UTC(2026, 0, 1);
    // a clarification stored as a bare list of intent ids, before `offered` was remembered
    await store.write("api:old", { ...initialState(at), pending: ["loan-period", "renew"] });
    const bot = createBot({ knowledge: () => kb, store, log: silentLog, settings });
    const outcome = await bot.handle({ channel: "api", conversationId: "api:old", userId: "old", text: "2", messageId: "m1", at: at + 1000 });
    expect(outcome.intent).toBe("renew");
    expect((await store.read("api:old"))?.pending).toBeNull();
    await store.write("api:menu", { ...initialState(at), pending: ["#menu", "overdue"] });
    const picked = await bot.handle({ channel: "api", conversationId: "api:menu", userId: "old", text: "1", messageId: "m2", at: at + 1000 });
    expect(picked.intent).toBe("overdue");
    await store.close();
  });

  it("records the same reason whether the offer of a human is taken with its number or with a yes", () => {
    const taken = (first: string[], reply: string) => {
      let state = initialState(0);
      for (const [i, text] of [...first, reply].entries()) {
        const d = decide(state, { text, at: i + 1 }, kb, { ...settings, feedbackEvery: 1 });
        if (text === reply) return d.handoff?.reason;
        state = d.state;
      }
    };
    for (const reply of ["1", "好的"]) {
      expect(taken(["qwerty", "asdf"], reply), `after two misses, "${reply}"`).toBe("repeated-misses");
      expect(taken(["书可以借多久", "👎"], reply), `after a thumbs down, "${reply}"`).toBe("negative-feedback");
    }
  });

  it("takes the offer of a human after a thumbs down by its number even from a state stored without the quick replies", () => {
    const state = { ...initialState(0), pending: ["human:negative-feedback"] };
    expect(decide(state, { text: "1", at: 1 }, kb, settings).handoff).toEqual({ reason: "negative-feedback" });
  });
});
