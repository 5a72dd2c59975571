import { ConfigError, loadConfigOrExit } from "./config.js";
import { createLogger } from "./log.js";
import { createServer } from "./server/create-server.js";

// Entry point: configuration, the wired server (src/server/create-server.ts), listening, signals.

const config = loadConfigOrExit();
const log = createLogger(config.LOG_LEVEL);

/** A start-up problem the operator can fix: its message on stderr, exit 1. */
function fail(err: unknown): never {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(`failed to start: ${(err as Error)?.stack ?? String(err)}`);
  process.exit(1);
}

const running = await createServer(config, log).catch(fail);
await running.listen().catch(fail);
running.http.on("error", (err) => log.error({ err }, "server error"));

process.on("SIGHUP", () => void running.knowledge.reload("SIGHUP"));
let signalled = false;
function shutdown(signal: string): void {
  // a second signal is ignored: npm and the terminal may both deliver one Ctrl+C
  if (signalled) return;
  signalled = true;
  log.info({ signal }, "shutting down");
  // stop() cuts connections at SHUTDOWN_TIMEOUT_MS; this covers a store that does not close
  setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS + 5000).unref();
  void running.stop().then(
    ({ forced }) => process.exit(forced ? 1 : 0),
    (err: unknown) => {
      log.error({ err }, "shutdown failed");
      process.exit(1);
    },
  );
}
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));
