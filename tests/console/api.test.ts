import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsole, type RunningConsole } from "../helpers/console.js";

let c: RunningConsole;
let wang: string;
let li: string;

beforeAll(async () => {
  c = await startConsole();
  wang = await c.signIn("wang");
  li = await c.signIn("li");
});
afterAll(() => c.stop());

const call = (method: string, path: string, cookie?: string, body?: unknown, headers: Record<string, string> = { "x-requested-with": "fetch" }) =>
  fetch(`${c.base}${path}`, {
    method,
    headers: { ...headers, ...(cookie ? { cookie } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });

async function ask(userId: string, text: string) {
  const res = await fetch(`${c.base}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId, text }) });
  return res.json();
}
async function ticketOf(userId: string) {
  await ask(userId, "转人工");
  return (await c.store.openTicket(`api:${userId}`))!;
}

describe("signing in", () => {
  it("sets an HttpOnly SameSite=Strict session cookie with an expiry", async () => {
    const res = await call("POST", "/api/agent/login", undefined, { name: "wang", password: "wang-password-1" });
    expect(res.status).toBe(200);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^agent_session=[\w-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=3600/);
    expect(cookie).not.toMatch(/Secure/);
    expect((await res.json()).agent).toBe("wang");
  });

  it("refuses a wrong password and an unknown name alike", async () => {
    const wrong = await call("POST", "/api/agent/login", undefined, { name: "wang", password: "nope-nope" });
    const unknown = await call("POST", "/api/agent/login", undefined, { name: "zhao", password: "wang-password-1" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it("answers a malformed sign-in with a JSON 400", async () => {
    const res = await call("POST", "/api/agent/login", undefined, { name: "<b>", password: "" });
    expect(res.status).toBe(400);
    expect(typeof (await res.json()).error).toBe("string");
  });

  it("refuses a sign-in without the X-Requested-With header (CSRF)", async () => {
    const res = await call("POST", "/api/agent/login", undefined, { name: "wang", password: "wang-password-1" }, {});
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatch(/X-Requested-With/);
  });

  it("signs out: the session stops working", async () => {
    const cookie = await c.signIn("wang");
    expect((await call("GET", "/api/agent/me", cookie)).status).toBe(200);
    expect((await call("POST", "/api/agent/logout", cookie)).status).toBe(200);
    expect((await call("GET", "/api/agent/me", cookie)).status).toBe(401);
  });
});

describe("without a session", () => {
  it.each([
    ["GET", "/api/agent/me"],
    ["GET", "/api/agent/tickets"],
    ["GET", "/api/agent/tickets/x"],
    ["POST", "/api/agent/tickets/x/claim"],
    ["POST", "/api/agent/tickets/x/reply"],
    ["POST", "/api/agent/tickets/x/release"],
    ["POST", "/api/agent/tickets/x/close"],
    ["GET", "/api/agent/events"],
    ["GET", "/api/agent/insights"],
    ["POST", "/api/agent/logout"],
    ["GET", "/api/agent/anything-else"],
  ])("%s %s answers 401 JSON", async (method, path) => {
    const res = await call(method, path, "agent_session=forged-or-expired");
    expect(res.status).toBe(401);
    expect(typeof (await res.json()).error).toBe("string");
  });

  it("shows only the sign-in form at /agent and /agent/insights", async () => {
    for (const path of ["/agent", "/agent/insights"]) {
      const res = await call("GET", path);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toMatch(/id="signin"/);
      expect(html).not.toMatch(/id="queue"|id="chart-days"/);
      expect(res.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    }
  });

  it("serves the sign-in script but not the console's", async () => {
    expect((await call("GET", "/agent/assets/login.js")).status).toBe(200);
    expect((await call("GET", "/agent/assets/console.css")).status).toBe(200);
    expect((await call("GET", "/agent/assets/console.js")).status).toBe(401);
    expect((await call("GET", "/agent/assets/insights.js")).status).toBe(401);
    expect((await call("GET", "/agent/assets/..%2Fagents.ts")).status).toBe(404);
  });
});

describe("the console with a session", () => {
  it("serves the console, the insights page and their scripts", async () => {
    expect(await (await call("GET", "/agent", wang)).text()).toMatch(/id="queue"/);
    expect(await (await call("GET", "/agent/insights", wang)).text()).toMatch(/id="chart-days"/);
    const js = await call("GET", "/agent/assets/console.js", wang);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
  });

  it("tells who is signed in", async () => {
    expect(await (await call("GET", "/api/agent/me", li)).json()).toEqual({ agent: "li" });
  });

  it("lists waiting tickets, then mine once claimed", async () => {
    const t = await ticketOf("q1");
    const waiting = await (await call("GET", "/api/agent/tickets?view=waiting", wang)).json();
    expect(waiting.tickets.map((x: { id: string }) => x.id)).toContain(t.id);
    expect(typeof waiting.feed).toBe("number");
    const claimed = await call("POST", `/api/agent/tickets/${t.id}/claim`, wang);
    expect((await claimed.json()).ticket).toMatchObject({ status: "assigned", agent: "wang" });
    const mine = await (await call("GET", "/api/agent/tickets?view=mine", wang)).json();
    expect(mine.tickets.map((x: { id: string }) => x.id)).toContain(t.id);
    const liMine = await (await call("GET", "/api/agent/tickets?view=mine", li)).json();
    expect(liMine.tickets.map((x: { id: string }) => x.id)).not.toContain(t.id);
  });

  it("answers a bad queue view with a JSON 400", async () => {
    expect((await call("GET", "/api/agent/tickets?view=all", wang)).status).toBe(400);
  });

  it("shows a ticket with the whole transcript, bot answers with intent and confidence", async () => {
    await ask("q2", "书可以借多久");
    const t = await ticketOf("q2");
    const view = await (await call("GET", `/api/agent/tickets/${t.id}`, wang)).json();
    expect(view.ticket.id).toBe(t.id);
    const answer = view.timeline.find((i: { source: string; direction: string; kind: string }) => i.source === "transcript" && i.direction === "out" && i.kind === "answer");
    expect(answer.intent).toBeTruthy();
    expect(answer.confidence).toBeGreaterThan(0);
    expect(view.timeline.some((i: { text: string }) => i.text === "转人工")).toBe(true);
  });

  it("answers an unknown ticket with a JSON 404", async () => {
    const res = await call("GET", "/api/agent/tickets/no-such-ticket", wang);
    expect(res.status).toBe(404);
    expect(typeof (await res.json()).error).toBe("string");
  });

  it("delivers a reply to the user and refuses another agent's reply with 403", async () => {
    const t = await ticketOf("q3");
    const reply = await call("POST", `/api/agent/tickets/${t.id}/reply`, wang, { text: "您好，我是小王" });
    expect(reply.status).toBe(200);
    const poll = await (await fetch(`${c.base}/api/messages/poll?userId=q3&after=0&waitMs=0`)).json();
    expect(JSON.stringify(poll.events)).toMatch(/您好，我是小王/);
    for (const action of ["reply", "release", "close", "claim"]) {
      const res = await call("POST", `/api/agent/tickets/${t.id}/${action}`, li, action === "reply" ? { text: "我来" } : undefined);
      expect(res.status).toBe(403);
      expect((await res.json()).error).toMatch(/wang/);
    }
  });

  it("passes on that the agent is typing, only for a ticket the agent may answer", async () => {
    const t = await ticketOf("q3t");
    expect((await call("POST", `/api/agent/tickets/${t.id}/typing`, wang)).status).toBe(200);
    await call("POST", `/api/agent/tickets/${t.id}/claim`, wang);
    const other = await call("POST", `/api/agent/tickets/${t.id}/typing`, li);
    expect(other.status).toBe(403);
    expect((await other.json()).error).toMatch(/wang/);
    expect((await call("POST", "/api/agent/tickets/nope/typing", wang)).status).toBe(404);
    expect((await call("POST", `/api/agent/tickets/${t.id}/typing`)).status).toBe(401);
  });

  it("answers an empty reply with a JSON 400", async () => {
    const t = await ticketOf("q4");
    expect((await call("POST", `/api/agent/tickets/${t.id}/reply`, wang, { text: "  " })).status).toBe(400);
  });

  it("refuses a state change without the X-Requested-With header (CSRF)", async () => {
    const t = await ticketOf("q5");
    const res = await call("POST", `/api/agent/tickets/${t.id}/claim`, wang, undefined, {});
    expect(res.status).toBe(403);
    expect((await c.store.ticket(t.id))?.status).toBe("waiting");
  });

  it("gives the conversation back to the bot, after which the bot answers and the ticket is closed", async () => {
    const t = await ticketOf("q6");
    expect((await ask("q6", "你好")).kind).toBe("human");
    const res = await call("POST", `/api/agent/tickets/${t.id}/release`, wang);
    expect((await res.json()).ticket).toMatchObject({ status: "closed", closeReason: "released" });
    expect((await ask("q6", "书可以借多久")).kind).toBe("answer");
    const again = await call("POST", `/api/agent/tickets/${t.id}/reply`, wang, { text: "还在吗" });
    expect(again.status).toBe(409);
    const closed = await (await call("GET", "/api/agent/tickets?view=closed", li)).json();
    expect(closed.tickets.map((x: { id: string }) => x.id)).toContain(t.id);
  });

  it("closes a ticket and tells the user", async () => {
    const t = await ticketOf("q7");
    const res = await call("POST", `/api/agent/tickets/${t.id}/close`, li);
    expect((await res.json()).ticket).toMatchObject({ status: "closed", closeReason: "closed", agent: "li" });
    const poll = await (await fetch(`${c.base}/api/messages/poll?userId=q7&after=0&waitMs=0`)).json();
    expect(JSON.stringify(poll.events)).toMatch(/服务已结束/);
  });

  it("streams ticket events to agents over SSE", async () => {
    const feed = (await (await call("GET", "/api/agent/tickets", wang)).json()).feed;
    const controller = new AbortController();
    const res = await fetch(`${c.base}/api/agent/events?after=${feed}`, { headers: { cookie: wang }, signal: controller.signal });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    await ask("q8", "转人工");
    let text = "";
    while (!text.includes("api:q8")) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toMatch(/event: ticket/);
  });

  it("sums up questions for the insights page", async () => {
    await ask("i1", "抖音直播怎么开美颜");
    await ask("i2", "抖音直播怎么开美颜啊");
    const res = await call("GET", "/api/agent/insights?days=7", wang);
    const body = await res.json();
    expect(body.days).toHaveLength(7);
    expect(body.rates.total).toBeGreaterThan(0);
    expect(body.topIntents.length).toBeGreaterThan(0);
    expect(body.unanswered[0]).toMatchObject({ count: 2 });
    expect((await call("GET", "/api/agent/insights?days=0", wang)).status).toBe(400);
  });
});

describe("configuration of agents", () => {
  it("says how to create an agent when there is none", async () => {
    const empty = await startConsole({ agents: false });
    try {
      expect(await (await fetch(`${empty.base}/agent`)).text()).toMatch(/npm run agent:add/);
      const res = await fetch(`${empty.base}/api/agent/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-requested-with": "fetch" },
        body: JSON.stringify({ name: "wang", password: "whatever-123" }),
      });
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatch(/npm run agent:add/);
    } finally {
      await empty.stop();
    }
  });

  it("signs in with AGENT_TOKEN under a name not in the agents file", async () => {
    const token = "t0ken-t0ken-t0ken-t0ken";
    const s = await startConsole({ agents: false, agentToken: token });
    try {
      const login = (name: string, password: string) =>
        fetch(`${s.base}/api/agent/login`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-requested-with": "fetch" },
          body: JSON.stringify({ name, password }),
        });
      expect((await login("值班", token)).status).toBe(200);
      expect((await login("值班", "t0ken-wrong")).status).toBe(401);
    } finally {
      await s.stop();
    }
  });

  it("marks the session cookie Secure when COOKIE_SECURE is set", async () => {
    const s = await startConsole({ cookieSecure: true });
    try {
      const res = await fetch(`${s.base}/api/agent/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-requested-with": "fetch" },
        body: JSON.stringify({ name: "wang", password: "wang-password-1" }),
      });
      expect(res.headers.get("set-cookie")).toMatch(/; Secure/);
    } finally {
      await s.stop();
    }
  });

  it("rate-limits failed sign-ins per address", async () => {
    const s = await startConsole({ maxFailures: 3 });
    try {
      const bad = () =>
        fetch(`${s.base}/api/agent/login`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-requested-with": "fetch" },
          body: JSON.stringify({ name: "wang", password: "wrong-wrong" }),
        });
      for (let i = 0; i < 3; i++) expect((await bad()).status).toBe(401);
      const limited = await bad();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      await expect(s.signIn("wang")).rejects.toThrow(/429/);
    } finally {
      await s.stop();
    }
  });
});

describe("paged ticket lists", () => {
  let p: RunningConsole;
  let agent: string;
  const seeded: string[] = [];
  beforeAll(async () => {
    p = await startConsole();
    agent = await p.signIn("wang");
    const start = Date.now() - 3_600_000;
    for (let i = 0; i < 57; i++) {
      const id = `seed-${String(i).padStart(3, "0")}`;
      seeded.push(id);
      // pairs share an opening time: the cursor must still not skip or repeat one
      await p.store.createTicket({
        id,
        conversationId: `api:s${i}`,
        channel: "api",
        userId: `s${i}`,
        reason: "asked",
        status: "waiting",
        agent: null,
        openedAt: start + Math.floor(i / 2) * 1000,
        assignedAt: null,
        closedAt: null,
        closeReason: null,
        timeoutNotifiedAt: null,
        lastMessages: [{ direction: "in", text: "转人工", at: start }],
      });
    }
  });
  afterAll(() => p.stop());

  const get = async (path: string) => {
    const res = await fetch(`${p.base}${path}`, { headers: { cookie: agent } });
    return { status: res.status, body: await res.json() };
  };

  it("returns 50 tickets by default, the counts, and a cursor to the next page", async () => {
    const { body } = await get("/api/agent/tickets?view=waiting");
    expect(body.tickets).toHaveLength(50);
    expect(body.tickets.map((t: { id: string }) => t.id)).toEqual(seeded.slice(0, 50));
    expect(body.counts).toEqual({ waiting: 57, mine: 0 });
    expect(typeof body.next).toBe("string");
    const rest = await get(`/api/agent/tickets?view=waiting&cursor=${encodeURIComponent(body.next)}`);
    expect(rest.body.tickets.map((t: { id: string }) => t.id)).toEqual(seeded.slice(50));
    expect(rest.body.next).toBeNull();
  });

  it("walks the whole queue in pages of the asked size, each ticket once and in order", async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { body }: { body: { tickets: Array<{ id: string }>; next: string | null } } = await get(`/api/agent/tickets?view=waiting&limit=8${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(body.tickets.length).toBeLessThanOrEqual(8);
      ids.push(...body.tickets.map((t) => t.id));
      cursor = body.next;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(8);
    expect(ids).toEqual(seeded);
  });

  it("keeps paging right when a ticket ahead of the cursor leaves the queue", async () => {
    const first = await get("/api/agent/tickets?view=waiting&limit=5");
    await p.desk.claim("seed-002", "wang");
    const second = await get(`/api/agent/tickets?view=waiting&limit=5&cursor=${encodeURIComponent(first.body.next)}`);
    expect(second.body.tickets.map((t: { id: string }) => t.id)).toEqual(seeded.slice(5, 10));
    expect(second.body.counts).toEqual({ waiting: 56, mine: 1 });
    const mine = await get("/api/agent/tickets?view=mine");
    expect(mine.body.tickets.map((t: { id: string }) => t.id)).toEqual(["seed-002"]);
    expect((await get("/api/agent/counts")).body.counts).toEqual({ waiting: 56, mine: 1 });
  });

  it.each([
    ["limit=0", /limit/],
    ["limit=201", /limit/],
    ["limit=abc", /limit/],
    ["cursor=not-a-cursor", /cursor/],
    [`cursor=${Buffer.from('{"at":1}').toString("base64url")}`, /cursor/],
    [`cursor=${Buffer.from("[1]").toString("base64url")}`, /cursor/],
  ])("answers %s with a JSON 400 naming the parameter", async (query, message) => {
    const { status, body } = await get(`/api/agent/tickets?view=waiting&${query}`);
    expect(status).toBe(400);
    expect(body.error).toMatch(message);
  });
});

describe("what the console shows besides the queue", () => {
  it("serves the canned replies of the knowledge base", async () => {
    const body = await (await call("GET", "/api/agent/canned-replies", wang)).json();
    expect(body.replies.length).toBeGreaterThan(0);
    expect(body.replies[0]).toEqual({ title: expect.any(String), text: expect.any(String), source: expect.stringMatching(/canned-replies\.yaml:\d+$/) });
    expect((await call("GET", "/api/agent/canned-replies", "agent_session=forged")).status).toBe(401);
  });

  it("serves a favicon to any visitor, and the pages point at it", async () => {
    const icon = await call("GET", "/agent/assets/favicon.svg");
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toMatch(/image\/svg\+xml/);
    expect(await icon.text()).toMatch(/^<svg/);
    for (const path of ["/agent", "/agent/insights"]) {
      expect(await (await call("GET", path, wang)).text()).toMatch(/<link rel="icon"[^>]+href="\/agent\/assets\/favicon\.svg"/);
    }
    expect(await (await call("GET", "/agent")).text()).toMatch(/rel="icon"/);
  });

  it("gives the bot's offered quick replies as a list, not inside the text", async () => {
    await ask("chips", "怎么续借");
    const t = await ticketOf("chips");
    const view = await (await call("GET", `/api/agent/tickets/${t.id}`, wang)).json();
    const steps = view.timeline.find((i: { kind: string; direction: string }) => i.kind === "answer" && i.direction === "out");
    expect(steps.quickReplies).toEqual(["下一步", "全部步骤"]);
    expect(steps.text).toMatch(/第 1 步 \/ 共 2 步/);
    expect(steps.text).not.toMatch(/\[.*\|.*\]$/);
    expect(typeof view.feed).toBe("number");
  });
});

describe("a full queue seen through the API", () => {
  it("answers a request for a human with the reason, not a handoff, and opens no ticket", async () => {
    const s = await startConsole({ maxWaiting: 1 });
    try {
      const post = async (userId: string) =>
        (await fetch(`${s.base}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId, text: "转人工" }) })).json();
      expect((await post("first")).kind).toBe("handoff");
      const second = await post("second");
      expect(second).toMatchObject({ conversationId: "api:second", kind: "answer" });
      expect(second.replies[0].text).toMatch(/人太多/);
      expect(await s.store.openTicket("api:second")).toBeNull();
    } finally {
      await s.stop();
    }
  });
});
