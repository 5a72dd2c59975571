import type { TestProject } from "vitest/node";
import { missingServices, startPostgres, startRedis, type TestService } from "../helpers/services.js";

// Starts one PostgreSQL and one Redis server for the whole run (tests make their own databases and
// key prefixes on them). Where they are not installed the tests that need them are skipped, saying
// why; SERVICES_REQUIRED=1 (CI) makes that an error instead.

declare module "vitest" {
  export interface ProvidedContext {
    services: { postgres: string; redis: string } | { skip: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const missing = missingServices();
  if (missing) {
    if (process.env.SERVICES_REQUIRED === "1") throw new Error(`SERVICES_REQUIRED=1 but ${missing}`);
    console.warn(`\nPostgreSQL/Redis tests skipped: ${missing}\n`);
    project.provide("services", { skip: missing });
    return async () => {};
  }
  const started: TestService[] = [];
  try {
    const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    started.push(pg, redis);
    project.provide("services", { postgres: pg.url, redis: redis.url });
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    if (process.env.SERVICES_REQUIRED === "1") throw err;
    console.warn(`\nPostgreSQL/Redis tests skipped: ${(err as Error).message}\n`);
    project.provide("services", { skip: (err as Error).message });
  }
  return async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
}
