import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, cpSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteStore } from "../../src/store/sqlite.js";
import { LIBRARY_KB, LIBRARY_KB_ENV } from "../helpers/kb.js";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "faq-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `npm start`'s entry point in a scratch folder; these runs must stop on their own. */
function start(env: Record<string, string>, options: { uid?: number; gid?: number } = {}) {
  return spawnSync(join(root, "node_modules/.bin/tsx"), [join(root, "src/main.ts")], {
    cwd: dir,
    env: { ...process.env, STORE: "memory", PORT: "0", LOG_LEVEL: "silent", ...LIBRARY_KB_ENV, ...env },
    encoding: "utf8",
    timeout: 30_000,
    ...options,
  });
}

/** A failed start: exit code 1 and exactly one line on stderr, which is returned. */
function oneLineFailure(run: ReturnType<typeof start>): string {
  expect(run.status).toBe(1);
  const lines = run.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

/** A fresh folder under the scratch one. */
let folders = 0;
const folder = (name: string) => {
  const path = join(dir, `${name}-${++folders}`);
  mkdirSync(path, { recursive: true });
  return path;
};

describe("starting the server", () => {
  it("refuses to start on an invalid knowledge base, with file:line messages", () => {
    const intents = join(dir, "intents");
    cpSync(LIBRARY_KB.intentsDir, intents, { recursive: true });
    writeFileSync(join(intents, "99-bad.yaml"), "- id: bad-ref\n  title: 坏引用\n  examples: [另一个完全不同的问法]\n  answer: [no-such-fact]\n");
    const run = start({ INTENTS_DIR: intents });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/intents\/99-bad\.yaml:\d+: .*no-such-fact/);
  });

  it("refuses a bad configuration value, naming the variable", () => {
    const run = start({ PORT: "eighty" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('PORT="eighty"');
  });

  it("names DATA_DIR when it is a file, not a folder", () => {
    const file = join(folder("file-data"), "not-a-folder");
    writeFileSync(file, "x");
    const line = oneLineFailure(start({ STORE: "sqlite", DATA_DIR: file }));
    expect(line).toContain(`DATA_DIR=${file}`);
    expect(line).toMatch(/is a file, not a folder: point DATA_DIR at a folder/);
  });

  it("names DATA_DIR when the bot may not write there", () => {
    let data = folder("read-only");
    chmodSync(data, 0o555);
    chmodSync(dir, 0o755);
    // root writes anywhere: run the server as an ordinary user then; where that user cannot read the
    // project (a checkout under a private home), a folder even root may not write in stands in
    let asUser = {};
    if (process.getuid?.() === 0) {
      const nobody = { uid: 65534, gid: 65534 };
      const readable = spawnSync(process.execPath, ["-e", "require('fs').accessSync(process.argv[1])", join(root, "src/main.ts")], nobody).status === 0;
      if (readable) asUser = nobody;
      else data = "/sys/kernel";
    }
    const line = oneLineFailure(start({ STORE: "sqlite", DATA_DIR: data, HOME: dir }, asUser));
    expect(line).toContain(`DATA_DIR=${data} is not writable`);
    expect(line).toMatch(/give the user running the bot write access/);
  });

  it("refuses a database file that is not a SQLite database, naming the path", () => {
    const data = folder("not-db");
    writeFileSync(join(data, "faq-bot.sqlite"), "these are notes, not a database\n".repeat(200));
    const line = oneLineFailure(start({ STORE: "sqlite", DATA_DIR: data }));
    expect(line).toContain(join(data, "faq-bot.sqlite"));
    expect(line).toMatch(/is not a SQLite database: move it out of DATA_DIR/);
  });

  it("refuses a zero-length database file instead of starting empty", () => {
    const data = folder("empty-db");
    writeFileSync(join(data, "faq-bot.sqlite"), "");
    const line = oneLineFailure(start({ STORE: "sqlite", DATA_DIR: data }));
    expect(line).toMatch(/faq-bot\.sqlite is empty \(0 bytes\).*restore it from a backup/);
  });

  it("refuses a database whose pages are damaged (quick_check)", async () => {
    const data = folder("damaged-db");
    const file = join(data, "faq-bot.sqlite");
    const store = createSqliteStore(file);
    for (let i = 0; i < 200; i++) {
      await store.appendTranscript([{ conversationId: `c${i}`, direction: "in", text: "问".repeat(100), at: i, intent: null, confidence: null, kind: null, channel: "t", userId: "u" }]);
    }
    await store.close();
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096 * 3);
    closeSync(fd);
    const line = oneLineFailure(start({ STORE: "sqlite", DATA_DIR: data }));
    expect(line).toMatch(/faq-bot\.sqlite is damaged .*restore it from a backup/);
  });

  it("names PORT when the port is taken", async () => {
    const taken = createNetServer().listen(0, "127.0.0.1");
    await new Promise((r) => taken.once("listening", r));
    const port = (taken.address() as AddressInfo).port;
    // the port is bound by this process, so the server's listen fails even while this one waits
    const run = start({ PORT: String(port) });
    taken.close();
    expect(oneLineFailure(run)).toBe(`PORT=${port} is in use on 127.0.0.1: set PORT to a free port (e.g. PORT=3001 npm start)`);
  });
});
