import { describe, expect, it } from "vitest";
import { createLiveHub } from "../../src/channels/live.js";
import type { EventBus } from "../../src/coordination/coordination.js";

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

describe("live hubs of several instances sharing a bus", () => {
  // a bus that delivers later, as a network would
  const testBus = (): EventBus => {
    const listeners = new Map<string, Set<(m: string) => void>>();
    return {
      async publish(channel, message) {
        setTimeout(() => {
          for (const l of listeners.get(channel) ?? []) l(message);
        }, 1);
      },
      subscribe(channel, listener) {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(listener);
        return () => listeners.get(channel)!.delete(listener);
      },
    };
  };

  it("deliver an event published on one instance to a stream on another, and a reconnect elsewhere resumes after the last id", async () => {
    const bus = testBus();
    const a = createLiveHub({ firstId: 1_000, bus: { bus, channel: "live", instanceId: "a" } });
    const b = createLiveHub({ firstId: 10, bus: { bus, channel: "live", instanceId: "b" } });
    const heard: unknown[] = [];
    b.subscribe("web:u", (e) => heard.push(e.data));
    const first = a.publish("web:u", "reply", { n: 1 });
    const polled = await b.poll("web:u", 0, 2000);
    expect(polled.map((e) => [e.id, e.data])).toEqual([[first.id, { n: 1 }]]);
    expect(heard).toEqual([{ n: 1 }]);
    // b has seen a's id: its own next event is numbered above it (its clock started far below)
    const second = b.publish("web:u", "reply", { n: 2 });
    expect(second.id).toBeGreaterThan(first.id);
    const resumed = await a.poll("web:u", first.id, 2000);
    expect(resumed.map((e) => e.data)).toEqual([{ n: 2 }]);
    // passing events reach the other instance's listeners but are not kept there
    a.publish("web:u", "typing", {}, { keep: false });
    await new Promise((r) => setTimeout(r, 20));
    expect(heard.length).toBe(3);
    expect(b.since("web:u", 0).map((e) => e.type)).toEqual(["reply", "reply"]);
  });
});
