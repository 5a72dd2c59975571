// npm run bench — the matcher bench (bench.ts), then the server under load beside a bare route and a
// fleet (http.ts); arguments (--quick) go to both.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
for (const [flags, script] of [
  [["--expose-gc", "--import", "tsx"], "bench/bench.ts"],
  [["--import", "tsx"], "bench/http.ts"],
] as const) {
  const run = spawnSync(process.execPath, [...flags, script, ...args], { cwd: root, stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
