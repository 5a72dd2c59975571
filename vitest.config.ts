import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Many test files wait on processes they start (servers, npm, a browser): on a machine of two cores
// two files at a time run the suite in about two thirds of the time one does (vitest would run one).
const workers = Math.max(2, availableParallelism() - 1);

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 20000,
    hookTimeout: 30000,
    pool: "forks",
    maxWorkers: workers,
    minWorkers: workers,
    // Test files share their worker's loaded modules: the knowledge base, the dictionary and the
    // segmenter are read once per worker rather than once per file (about a third of the run).
    // Every server, store and channel a test starts is its own; no test may rely on a module's
    // state left by another.
    isolate: false,
    globalSetup: ["tests/setup/services.ts"],
  },
});
