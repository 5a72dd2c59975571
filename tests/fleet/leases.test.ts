import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createServer, type RunningServer } from "../../src/server/create-server.js";
import { LIBRARY_KB_ENV, silentLog } from "../helpers/kb.js";
import { createDatabase } from "../helpers/services.js";
import { testServices } from "../helpers/test-services.js";

const dir = mkdtempSync(join(tmpdir(), "faq-leases-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const services = testServices();

async function waitFor<T>(what: string, probe: () => Promise<T | null>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const value = await probe();
    if (value !== null) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf("skip" in services)(`the WeChat account in a fleet${"skip" in services ? ` (skipped: ${services.skip})` : ""}`, () => {
  it("runs on one instance at a time; the other names it on the QR page and takes over when it stops", async () => {
    if ("skip" in services) return;
    const database = await createDatabase(services.postgres, "leases_test");
    const prefix = `leases-${Date.now()}:`;
    const start = async (name: string) => {
      const config = loadConfig({
        PORT: "0",
        DATA_DIR: join(dir, name),
        ...LIBRARY_KB_ENV,
        DATABASE_URL: database,
        REDIS_URL: services.redis,
        REDIS_PREFIX: prefix,
        INSTANCE_ID: name,
        LOCK_TTL_SECONDS: "2",
        WECHATY_PUPPET: "wechaty-puppet-mock",
      });
      const server = await createServer(config, silentLog);
      const { port } = await server.listen();
      return { server, url: `http://127.0.0.1:${port}` };
    };
    const one = await start("one");
    const two = await start("two");
    const running: RunningServer[] = [one.server, two.server];
    try {
      const qr = async (url: string) => (await (await fetch(`${url}/wechaty/qr`, { headers: { accept: "application/json" } })).json()) as { status: string; instance?: string };
      // exactly one runs the account; the other says which
      const holder = await waitFor("a holder", async () => {
        const [a, b] = await Promise.all([qr(one.url), qr(two.url)]);
        if (a.status === "elsewhere" && b.status !== "elsewhere" && b.status !== "stopped") return "two";
        if (b.status === "elsewhere" && a.status !== "elsewhere" && a.status !== "stopped") return "one";
        return null;
      });
      const [held, other] = holder === "one" ? [one, two] : [two, one];
      const said = await qr(other.url);
      expect(said, JSON.stringify({ holder, said, held: await qr(held.url) })).toMatchObject({ status: "elsewhere", instance: holder });
      // the non-holder stays ready: it serves everything else (once its own store has connected)
      await waitFor("the other instance ready", async () => ((await fetch(`${other.url}/readyz`)).status === 200 ? true : null));
      expect((await qr(other.url)).status).toBe("elsewhere");
      await held.server.stop();
      running.splice(running.indexOf(held.server), 1);
      await waitFor("the takeover", async () => ((await qr(other.url)).status !== "elsewhere" ? true : null));
    } finally {
      await Promise.all(running.map((s) => s.stop()));
    }
  }, 40_000);
});
