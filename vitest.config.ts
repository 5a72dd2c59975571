import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 20000,
    hookTimeout: 30000,
    pool: "forks",
    // Test files share their worker's loaded modules: the knowledge base, the dictionary and the
    // segmenter are read once per worker rather than once per file (about a third of the run).
    // Every server, store and channel a test starts is its own; no test may rely on a module's
    // state left by another.
    isolate: false,
    globalSetup: ["tests/setup/services.ts"],
  },
});
