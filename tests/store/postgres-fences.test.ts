import pg from "pg";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { initialState } from "../../src/dialog/decide.js";
import { createPostgresStore, POSTGRES_MIGRATIONS, StaleLockError, type PostgresStore } from "../../src/store/postgres.js";
import { createDatabase } from "../helpers/services.js";
import { testServices } from "../helpers/test-services.js";

// A conversation lock's fence is one row per conversation: retention removes the rows of
// conversations idle for the whole period, and a fence still in use is never among them.

const services = testServices();
const skip = "skip" in services ? services.skip : null;
const title = (what: string) => (skip ? `${what} (skipped: ${skip})` : what);
const silent = pino({ level: "silent" });
const opened: PostgresStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

async function fenceRows(url: string): Promise<Array<{ id: string; fence: string; at: string }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ id: string; fence: string; at: string }>("SELECT id, fence, at FROM conversation_fences ORDER BY id")).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(skip !== null)(title("retention of conversation lock fences"), () => {
  it("prunes the fences of conversations idle since the cut-off, keeps the others, and still refuses a stale token", async () => {
    if ("skip" in services) return;
    const url = await createDatabase(services.postgres, "store_fences");
    const store = createPostgresStore({ url, log: silent });
    opened.push(store);
    await store.ready();
    expect(POSTGRES_MIGRATIONS.map((m) => m.version)).toContain(3);

    await store.transaction(() => store.write("api:idle", initialState(1)), { fence: { key: "api:idle", token: 7 } });
    const cut = Date.now() + 1;
    await new Promise((r) => setTimeout(r, 5));
    await store.transaction(() => store.write("api:busy", initialState(1)), { fence: { key: "api:busy", token: 9 } });
    expect((await fenceRows(url)).map((r) => r.id)).toEqual(["api:busy", "api:idle"]);

    await store.prune(cut, 100);
    const left = await fenceRows(url);
    expect(left.map((r) => r.id)).toEqual(["api:busy"]);
    expect(Number(left[0]!.at)).toBeGreaterThanOrEqual(cut);
    // the fence kept still guards its conversation
    await expect(store.transaction(async () => {}, { fence: { key: "api:busy", token: 8 } })).rejects.toBeInstanceOf(StaleLockError);
    // a pruned conversation starts afresh with the next grant
    await store.transaction(() => store.write("api:idle", initialState(2)), { fence: { key: "api:idle", token: 8 } });
    expect((await fenceRows(url)).map((r) => r.id)).toEqual(["api:busy", "api:idle"]);
  });
});
