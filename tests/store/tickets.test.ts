import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/memory.js";
import { createSqliteStore } from "../../src/store/sqlite.js";
import type { ConversationStore, HandoffTicket } from "../../src/types.js";
import { postgresBackend } from "../helpers/postgres-store.js";
import { waitingTicket } from "../helpers/tickets.js";

const dir = mkdtempSync(join(tmpdir(), "faq-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ticket(id: string, conversationId: string, openedAt: number): HandoffTicket {
  return waitingTicket({ id, conversationId, openedAt, lastMessages: [{ direction: "in", text: "转人工", at: openedAt }] });
}

type Open = () => ConversationStore | Promise<ConversationStore>;
const backends: Array<[string, Open]> = [
  ["memory", () => createMemoryStore()],
  ["sqlite", () => createSqliteStore(join(dir, `t-${Math.random().toString(36).slice(2)}.sqlite`))],
];

function contract(_name: string, make: Open): void {
  it("keeps a ticket through waiting → assigned → closed", async () => {
    const store = await make();
    await store.createTicket(ticket("t1", "api:a", 1000));
    expect((await store.openTicket("api:a"))?.id).toBe("t1");
    const assigned = await store.updateTicket("t1", { status: "assigned", agent: "wang", assignedAt: 2000 });
    expect(assigned).toMatchObject({ status: "assigned", agent: "wang", assignedAt: 2000 });
    await store.updateTicket("t1", { status: "closed", closedAt: 3000, closeReason: "closed" });
    expect(await store.openTicket("api:a")).toBeNull();
    expect((await store.ticket("t1"))?.closeReason).toBe("closed");
    expect(await store.updateTicket("nope", { status: "closed" })).toBeNull();
    await store.close();
  });

  it("changes a ticket only while its status is one of those given", async () => {
    const store = await make();
    await store.createTicket(ticket("c1", "api:c", 1000));
    expect(await store.updateTicket("c1", { status: "assigned", agent: "wang" }, ["waiting"])).toMatchObject({ agent: "wang" });
    expect(await store.updateTicket("c1", { status: "assigned", agent: "li" }, ["waiting"])).toBeNull();
    expect((await store.ticket("c1"))?.agent).toBe("wang");
    expect(await store.updateTicket("c1", { timeoutNotifiedAt: 5 }, ["assigned"])).toMatchObject({ timeoutNotifiedAt: 5 });
    await store.close();
  });

  it("lists open tickets oldest first and closed ones most recent first", async () => {
    const store = await make();
    await store.createTicket(ticket("b", "api:b", 2000));
    await store.createTicket(ticket("a", "api:a", 1000));
    await store.createTicket(ticket("c", "api:c", 3000));
    await store.createTicket(ticket("d", "api:d", 500));
    await store.updateTicket("c", { status: "assigned", agent: "li" });
    await store.updateTicket("d", { status: "closed", closedAt: 4000 });
    expect((await store.tickets(["waiting"])).map((t) => t.id)).toEqual(["a", "b"]);
    expect((await store.tickets(["waiting", "assigned"])).map((t) => t.id)).toEqual(["a", "b", "c"]);
    expect((await store.tickets(["closed"])).map((t) => t.id)).toEqual(["d"]);
    await store.close();
  });

  it("counts tickets by status, by user and ahead of a ticket without listing them", async () => {
    const store = await make();
    await store.createTicket(ticket("q1", "api:u1", 1000));
    await store.createTicket(ticket("q3", "api:u2", 2000));
    // same opening time: the id decides who is ahead
    await store.createTicket(ticket("q2", "api:u3", 2000));
    await store.createTicket({ ...ticket("w1", "wechaty:room:u1", 2500), channel: "wechaty", userId: "u1" });
    await store.createTicket(ticket("q4", "api:u4", 3000));
    await store.updateTicket("q4", { status: "assigned", agent: "wang" });
    expect(await store.countTickets({ status: "waiting" })).toBe(4);
    expect(await store.countTickets({ status: "assigned" })).toBe(1);
    expect(await store.countTickets({ status: "assigned", agent: "li" })).toBe(0);
    expect(await store.countTickets({ status: "waiting", userId: "u1" })).toBe(2);
    expect(await store.countTickets({ status: "waiting", channel: "api", userId: "u1" })).toBe(1);
    expect(await store.countTickets({ status: "waiting", before: { at: 1000, id: "q1" } })).toBe(0);
    expect(await store.countTickets({ status: "waiting", before: { at: 2000, id: "q2" } })).toBe(1);
    expect(await store.countTickets({ status: "waiting", before: { at: 2000, id: "q3" } })).toBe(2);
    expect(await store.countTickets({ status: "waiting", before: { at: 2500, id: "w1" } })).toBe(3);
    await store.close();
  });

  it("pages through a queue with a cursor: every ticket once, in queue order", async () => {
    const store = await make();
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      // several tickets share an opening time, so the cursor must carry the id too
      const id = `t${String(i).padStart(2, "0")}`;
      ids.push(id);
      await store.createTicket(ticket(id, `api:p${i}`, 1000 + Math.floor(i / 3)));
    }
    await store.updateTicket("t05", { status: "assigned", agent: "wang" });
    const seen: string[] = [];
    let after = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<ConversationStore["ticketPage"]>> = await store.ticketPage({ status: "waiting", after, limit: 5 });
      expect(page.tickets.length).toBeLessThanOrEqual(5);
      seen.push(...page.tickets.map((t) => t.id));
      after = page.next;
      pages++;
    } while (after && pages < 10);
    expect(seen).toEqual(ids.filter((id) => id !== "t05"));
    expect(pages).toBe(5);
    const mine = await store.ticketPage({ status: "assigned", agent: "wang", limit: 5 });
    expect(mine).toEqual({ tickets: [expect.objectContaining({ id: "t05" })], next: null });
    expect((await store.ticketPage({ status: "assigned", agent: "li", limit: 5 })).tickets).toEqual([]);
    await store.close();
  });

  it("pages closed tickets most recently closed first", async () => {
    const store = await make();
    for (const [id, closedAt] of [["c1", 300], ["c2", 100], ["c3", 200], ["c4", 200]] as const) {
      await store.createTicket(ticket(id, `api:${id}`, 10));
      await store.updateTicket(id, { status: "closed", closedAt, closeReason: "closed" });
    }
    const first = await store.ticketPage({ status: "closed", limit: 2 });
    expect(first.tickets.map((t) => t.id)).toEqual(["c1", "c4"]);
    const second = await store.ticketPage({ status: "closed", after: first.next, limit: 2 });
    expect(second.tickets.map((t) => t.id)).toEqual(["c3", "c2"]);
    expect(second.next).toBeNull();
    expect(await store.countTickets({ status: "closed", before: { at: 200, id: "c3" } })).toBe(2);
    await store.close();
  });

  it("keeps a ticket's messages in order", async () => {
    const store = await make();
    await store.createTicket(ticket("t", "api:x", 1));
    await store.appendTicketMessage({ ticketId: "t", from: "user", author: null, text: "在吗", at: 2 });
    await store.appendTicketMessage({ ticketId: "t", from: "agent", author: "wang", text: "您好", at: 3 });
    const messages = await store.ticketMessages("t");
    expect(messages.map((m) => [m.from, m.author, m.text])).toEqual([
      ["user", null, "在吗"],
      ["agent", "wang", "您好"],
    ]);
    await store.close();
  });

  it("returns users' messages and feedback since a time for the insights page", async () => {
    const store = await make();
    const base = { conversationId: "api:q", channel: "api", userId: "q", intent: null, confidence: 0.1 };
    await store.appendTranscript([
      { ...base, direction: "in", text: "old", at: 10, kind: "fallback" },
      { ...base, direction: "in", text: "new", at: 20, kind: "fallback" },
      { ...base, direction: "out", text: "reply", at: 20, kind: "fallback" },
    ]);
    await store.recordFeedback("api:q", "renew", false, 5);
    await store.recordFeedback("api:q", "renew", true, 25);
    expect((await store.inboundSince(15)).map((e) => e.text)).toEqual(["new"]);
    expect(await store.feedbackSince(15)).toEqual([{ conversationId: "api:q", intent: "renew", helpful: true, at: 25 }]);
    await store.close();
  });
}

describe.each(backends)("tickets in the %s store", contract);
const postgres = postgresBackend("store_tickets");
describe.skipIf(postgres.skip)(`tickets in the ${postgres.name} store`, () => contract("postgres", postgres.open));

describe("the SQLite store across a restart", () => {
  it("keeps a user's display name, and adds its column to a file made before it existed", async () => {
    const file = join(dir, "names.sqlite");
    const old = new Database(file);
    old.exec(`CREATE TABLE tickets (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, channel TEXT NOT NULL, user_id TEXT NOT NULL, reason TEXT NOT NULL,
      status TEXT NOT NULL, agent TEXT, opened_at INTEGER NOT NULL, assigned_at INTEGER, closed_at INTEGER, close_reason TEXT, timeout_notified_at INTEGER, last_messages TEXT NOT NULL)`);
    old.close();
    const store = createSqliteStore(file);
    await store.createTicket({ ...ticket("n1", "wechaty:abc", 1), channel: "wechaty", userName: "小明" });
    await store.createTicket(ticket("n2", "api:b", 2));
    await store.close();
    const again = createSqliteStore(file);
    expect((await again.ticket("n1"))?.userName).toBe("小明");
    expect(await again.ticket("n2")).not.toHaveProperty("userName");
    await again.close();
  });


  it("still has tickets and their messages after reopening the same file", async () => {
    const file = join(dir, "restart.sqlite");
    const first = createSqliteStore(file);
    await first.createTicket(ticket("r1", "api:r", 100));
    await first.updateTicket("r1", { status: "assigned", agent: "wang", assignedAt: 200 });
    await first.appendTicketMessage({ ticketId: "r1", from: "user", author: null, text: "还在吗", at: 300 });
    await first.close();

    const second = createSqliteStore(file);
    const t = await second.openTicket("api:r");
    expect(t).toMatchObject({ id: "r1", status: "assigned", agent: "wang", lastMessages: [{ direction: "in", text: "转人工", at: 100 }] });
    expect((await second.ticketMessages("r1")).map((m) => m.text)).toEqual(["还在吗"]);
    await second.close();
  });
});
