import type { Config } from "../config.js";

// An address to listen on is not always one to browse to: 0.0.0.0 and :: mean "every interface".
const ANY = new Set(["0.0.0.0", "::", "[::]"]);

/** The console's sign-in address for this configuration, e.g. http://127.0.0.1:3000/agent. */
export function signInAddress(config: Pick<Config, "HOST" | "PORT">): string {
  const host = ANY.has(config.HOST) ? "127.0.0.1" : config.HOST.includes(":") && !config.HOST.startsWith("[") ? `[${config.HOST}]` : config.HOST;
  // PORT=0 picks a free port at start: only the start-up log knows it
  const port = config.PORT === 0 ? "<the port in the start-up log>" : String(config.PORT);
  return `http://${host}:${port}/agent`;
}
