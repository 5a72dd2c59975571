import { inject } from "vitest";

/** The PostgreSQL and Redis servers of this run (started once by tests/setup/services.ts), or why there are none. */
export function testServices(): { postgres: string; redis: string } | { skip: string } {
  return inject("services");
}
