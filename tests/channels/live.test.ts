import { describe, expect, it } from "vitest";
import { createLiveHub } from "../../src/channels/live.js";

describe("the live hub across a restart", () => {
  it("numbers events from the clock when asked, so a client resuming with an old id still gets new events", async () => {
    const before = createLiveHub({ firstId: 1_000 });
    const seen = before.publish("api:u", "reply", { n: 1 }).id;
    const after = createLiveHub({ firstId: 2_000 });
    after.publish("api:u", "reply", { n: 2 });
    expect((await after.poll("api:u", seen, 0)).map((e) => e.data)).toEqual([{ n: 2 }]);
  });

  it("numbers events from 1 by default", () => {
    expect(createLiveHub().publish("c", "t", null).id).toBe(1);
  });
});
