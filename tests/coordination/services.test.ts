import { describe, expect, it } from "vitest";
import { createDatabase } from "../helpers/services.js";
import { testServices } from "../helpers/test-services.js";

const services = testServices();

describe.skipIf("skip" in services)("the test servers", () => {
  it("answers on PostgreSQL and Redis", async () => {
    if ("skip" in services) return;
    const { default: pg } = await import("pg");
    const url = await createDatabase(services.postgres, "services_check");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    expect((await client.query("SELECT 1 + 1 AS n")).rows[0].n).toBe(2);
    await client.end();
    const { Redis } = await import("ioredis");
    const redis = new Redis(services.redis);
    expect(await redis.ping()).toBe("PONG");
    redis.disconnect();
  });
});
