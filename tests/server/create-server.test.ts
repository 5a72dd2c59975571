import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createServer } from "../../src/server/create-server.js";
import { LIBRARY_KB_ENV, silentLog } from "../helpers/kb.js";

const dir = mkdtempSync(join(tmpdir(), "faq-create-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("createServer", () => {
  it("wires knowledge, store, bot and channels: a message is answered, stored, and the store survives a restart", async () => {
    const config = loadConfig({ PORT: "0", DATA_DIR: dir, ...LIBRARY_KB_ENV });
    const first = await createServer(config, silentLog);
    const { port } = await first.listen();
    const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: "u-start", text: "怎么续借" }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).intent).toBe("renew");
    expect(await first.stop()).toEqual({ forced: false });

    const second = await createServer(config, silentLog);
    expect((await second.store.transcript("api:u-start")).map((e) => e.direction)).toContain("in");
    await second.stop();
  });
});
