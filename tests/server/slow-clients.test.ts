import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createServer, type RunningServer } from "../../src/server/create-server.js";
import { LIBRARY_KB_ENV, silentLog } from "../helpers/kb.js";

const dir = mkdtempSync(join(tmpdir(), "faq-slow-"));
let running: RunningServer;
let port: number;

beforeAll(async () => {
  const config = loadConfig({
    PORT: "0",
    STORE: "memory",
    DATA_DIR: dir,
    ...LIBRARY_KB_ENV,
    HTTP_REQUEST_TIMEOUT_MS: "1000",
    HTTP_HEADERS_TIMEOUT_MS: "1000",
    HTTP_MAX_CONNECTIONS: "3",
  });
  running = await createServer(config, silentLog);
  port = (await running.listen()).port;
});
afterAll(async () => {
  running.http.closeAllConnections();
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw connection and everything it received until the server closed it. */
function open(): { socket: Socket; connected: Promise<void>; received: Promise<string> } {
  const socket = connect(port, "127.0.0.1");
  let data = "";
  socket.setEncoding("utf8");
  socket.on("data", (d: string) => (data += d));
  socket.on("error", () => {});
  return { socket, connected: new Promise((r) => socket.once("connect", () => r())), received: new Promise((r) => socket.once("close", () => r(data))) };
}

describe("slow clients", () => {
  it("takes the timeouts and the connection cap from the configuration", () => {
    expect(running.http.requestTimeout).toBe(1000);
    expect(running.http.headersTimeout).toBe(1000);
    expect(running.http.keepAliveTimeout).toBe(5000);
    expect(running.http.maxConnections).toBe(3);
  });

  it("closes a connection whose body never finishes arriving, with 408", async () => {
    const slow = open();
    await slow.connected;
    slow.socket.write("POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"userId\":");
    expect(await slow.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it("refuses connections past the cap while those it holds still work", async () => {
    const held = [open(), open(), open()];
    await Promise.all(held.map((c) => c.connected));
    // the client's connect event can come before the server has accepted: wait until it holds all three
    const count = () => new Promise<number>((r) => running.http.getConnections((_e, n) => r(n)));
    while ((await count()) < 3) await new Promise((r) => setImmediate(r));
    const extra = open();
    expect(await extra.received).toBe("");
    const still = held[1]!;
    still.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(await still.received).toMatch(/^HTTP\/1\.1 200/);
    for (const c of held) c.socket.destroy();
  });
});
