import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const read = (name: string): Record<string, unknown> => JSON.parse(readFileSync(resolve(root, name), "utf8")) as Record<string, unknown>;

describe("package-lock.json", () => {
  // npm install rewrites a lock whose root entry differs from package.json, leaving a fresh clone dirty
  it("records package.json's name, version, engines and dependency ranges as they are", () => {
    const pkg = read("package.json");
    const lock = read("package-lock.json") as { name: string; version: string; packages: Record<string, Record<string, unknown>> };
    const rootEntry = lock.packages[""]!;
    expect(lock.name).toBe(pkg.name);
    expect(lock.version).toBe(pkg.version);
    for (const key of ["name", "version", "license", "engines", "dependencies", "devDependencies"]) {
      expect(rootEntry[key], key).toEqual(pkg[key]);
    }
  });

  it("has an installed entry for every direct dependency", () => {
    const pkg = read("package.json") as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const lock = read("package-lock.json") as { packages: Record<string, unknown> };
    for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]) {
      expect(lock.packages[`node_modules/${name}`], name).toBeDefined();
    }
  });
});
