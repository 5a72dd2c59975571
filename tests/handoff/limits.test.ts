import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { ConversationStore, HandoffTicket } from "../../src/types.js";
import { createDesk } from "../helpers/handoff.js";
import { waitingTicket } from "../helpers/tickets.js";

const replyText = (o: { replies: Array<{ text: string }> }) => o.replies.map((r) => r.text).join("\n");

function waiting(i: number, openedAt: number): HandoffTicket {
  return waitingTicket({ id: `seed-${String(i).padStart(4, "0")}`, userId: `seed-${i}`, openedAt });
}

/** A memory store that counts how often whole ticket lists are read. */
function countingStore(): ConversationStore & { listings: number; counts: number } {
  const inner = createMemoryStore();
  const store = Object.assign(Object.create(null) as object, inner, {
    listings: 0,
    counts: 0,
    async tickets(...args: Parameters<ConversationStore["tickets"]>) {
      store.listings++;
      return inner.tickets(...args);
    },
    async ticketPage(...args: Parameters<ConversationStore["ticketPage"]>) {
      store.listings++;
      return inner.ticketPage(...args);
    },
    async countTickets(...args: Parameters<ConversationStore["countTickets"]>) {
      store.counts++;
      return inner.countTickets(...args);
    },
  });
  return store;
}

describe("bounds on the queue for a human", () => {
  it("refuses a new waiting ticket when the queue is full, tells the user, and the bot keeps answering", async () => {
    const d = createDesk({ maxWaiting: 2 });
    expect((await d.say("a", "转人工")).kind).toBe("handoff");
    expect((await d.say("b", "转人工")).kind).toBe("handoff");
    const full = await d.say("c", "转人工");
    expect(full.kind).not.toBe("handoff");
    expect(replyText(full)).toMatch(/排队.*人太多|暂时无法为你转接/);
    expect(await d.store.openTicket("api:c")).toBeNull();
    expect(await d.store.countTickets({ status: "waiting" })).toBe(2);
    // the conversation is still the bot's: the next question is answered, not passed to an agent
    expect((await d.say("c", "书可以借多久")).kind).toBe("answer");
    expect((await d.store.read("api:c"))?.mode).toBe("bot");
  });

  it("lets a user in again once a place frees up", async () => {
    const d = createDesk({ maxWaiting: 1 });
    await d.say("a", "转人工");
    expect((await d.say("b", "转人工")).kind).not.toBe("handoff");
    const ticket = (await d.store.openTicket("api:a"))!;
    await d.desk.claim(ticket.id, "wang");
    expect((await d.say("b", "转人工")).kind).toBe("handoff");
  });

  it("keeps one user to their bound of waiting tickets across conversations", async () => {
    const d = createDesk({ maxWaitingPerUser: 1 });
    expect((await d.say("u", "转人工", Date.now(), "api:room-1:u")).kind).toBe("handoff");
    const second = await d.say("u", "转人工", Date.now(), "api:room-2:u");
    expect(second.kind).not.toBe("handoff");
    expect(replyText(second)).toMatch(/已经在其他会话里排队/);
    expect(await d.store.openTicket("api:room-2:u")).toBeNull();
    // another user is not held back by it
    expect((await d.say("v", "转人工")).kind).toBe("handoff");
  });

  it("answers a user already in the queue with their place, even when the queue is full", async () => {
    const d = createDesk({ maxWaiting: 1 });
    await d.say("a", "转人工");
    const again = await d.say("a", "转人工");
    expect(again.kind).toBe("human");
    expect(await d.store.countTickets({ status: "waiting" })).toBe(1);
  });

  it("holds the bound when many users ask at the same moment", async () => {
    const d = createDesk({ maxWaiting: 5 });
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => d.say(`rush-${i}`, "转人工")));
    expect(outcomes.filter((o) => o.kind === "handoff")).toHaveLength(5);
    expect(await d.store.countTickets({ status: "waiting" })).toBe(5);
  });

  it("reads its bounds from MAX_WAITING_TICKETS and MAX_WAITING_TICKETS_PER_USER", () => {
    expect(loadConfig({})).toMatchObject({ MAX_WAITING_TICKETS: 200, MAX_WAITING_TICKETS_PER_USER: 1 });
    expect(loadConfig({ MAX_WAITING_TICKETS: "0", MAX_WAITING_TICKETS_PER_USER: "3" })).toMatchObject({ MAX_WAITING_TICKETS: 0, MAX_WAITING_TICKETS_PER_USER: 3 });
    expect(() => loadConfig({ MAX_WAITING_TICKETS: "-1" })).toThrow(/MAX_WAITING_TICKETS="-1"/);
    expect(() => loadConfig({ MAX_WAITING_TICKETS_PER_USER: "many" })).toThrow(/MAX_WAITING_TICKETS_PER_USER/);
  });

  it("works out the queue position with a count, not by reading the queue", async () => {
    const store = countingStore();
    const start = Date.now() - 60_000;
    for (let i = 0; i < 300; i++) await store.createTicket(waiting(i, start + i));
    const d = createDesk({ store, maxWaiting: 1000 });
    store.listings = 0;
    const out = await d.say("late", "转人工");
    expect(out.kind).toBe("handoff");
    expect(replyText(out)).toMatch(/前面还有 300 位/);
    expect(store.listings).toBe(0);
    expect(store.counts).toBeGreaterThan(0);
    // the place a web page shows, asked on every change of the queue, is a count too
    expect(await d.desk.status("api:late")).toEqual({ status: "waiting", position: 301, agent: null });
    expect(store.listings).toBe(0);
  });
});

describe("who waits", () => {
  it("keeps the display name a channel gives, for the console's label", async () => {
    const d = createDesk();
    await d.bot.handle({ channel: "api", conversationId: "api:nick", userId: "nick", userName: "小明", text: "转人工", messageId: "n1", at: Date.now() });
    expect((await d.store.openTicket("api:nick"))?.userName).toBe("小明");
  });
});
