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

describe("passing events", () => {
  it("reach listeners but are not replayed, so they never push kept events out", async () => {
    const hub = createLiveHub({ keep: 3 });
    const heard: string[] = [];
    hub.subscribe("web:x", (e) => heard.push(e.type));
    hub.publish("web:x", "reply", { n: 1 });
    for (let i = 0; i < 10; i++) hub.publish("web:x", "typing", {}, { keep: false });
    expect(heard).toEqual(["reply", ...Array(10).fill("typing")]);
    expect(hub.since("web:x", 0).map((e) => e.type)).toEqual(["reply"]);
    // a long-poll is not answered by a passing event, only by a kept one
    const last = hub.since("web:x", 0).at(-1)!.id;
    const polled = hub.poll("web:x", last, 5000);
    hub.publish("web:x", "typing", {}, { keep: false });
    hub.publish("web:x", "reply", { n: 2 });
    expect((await polled).map((e) => e.data)).toEqual([{ n: 2 }]);
  });
});

describe("closing the live hub for shutdown", () => {
  it("ends a pending long-poll with a shutdown event that keeps the poller's position", async () => {
    const hub = createLiveHub({ firstId: 50 });
    hub.publish("api:p", "reply", { n: 1 });
    const pending = hub.poll("api:p", 50, 60_000);
    hub.close();
    expect(await pending).toEqual([expect.objectContaining({ id: 50, type: "shutdown", data: { reconnect: true } })]);
    expect((await hub.poll("api:p", 50, 60_000)).map((e) => e.type)).toEqual(["shutdown"]);
    expect((await hub.poll("api:p", 0, 60_000)).map((e) => e.type)).toEqual(["reply"]);
  });
});
