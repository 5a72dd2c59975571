import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { parseServiceHours } from "../../src/handoff/service-hours.js";
import { createSqliteStore } from "../../src/store/sqlite.js";
import type { HandoffNotice } from "../../src/types.js";
import { createDesk } from "../helpers/handoff.js";

const dir = mkdtempSync(join(tmpdir(), "faq-desk-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const replyText = (o: { replies: Array<{ text: string }> }) => o.replies.map((r) => r.text).join("\n");
const delivered = (d: ReturnType<typeof createDesk>, userId: string) =>
  d.live.since(`api:${userId}`, 0).flatMap((e) => (e.data as { replies: Array<{ text: string }> }).replies.map((r) => r.text));

describe("opening a ticket", () => {
  it("tells the user they are in the queue, with their position and a wait estimate", async () => {
    const d = createDesk();
    const first = await d.say("a", "转人工");
    expect(first.kind).toBe("handoff");
    expect(replyText(first)).toMatch(/你是下一位/);
    expect(replyText(first)).toMatch(/约 \d+ 分钟/);
    const second = await d.say("b", "我要找馆员");
    expect(replyText(second)).toMatch(/前面还有 1 位/);
    expect(replyText(second)).toMatch(/预计等待约 \d+ 分钟/);
    const [t1, t2] = await d.store.tickets(["waiting"]);
    expect(t1).toMatchObject({ conversationId: "api:a", channel: "api", userId: "a", reason: "asked", status: "waiting" });
    expect(t2?.conversationId).toBe("api:b");
    expect(t1?.lastMessages.at(-1)).toMatchObject({ direction: "in", text: "转人工" });
  });

  it("says when agents start when the request comes outside service hours", async () => {
    const d = createDesk({ hours: parseServiceHours("09:00-18:00", "Asia/Shanghai") });
    const out = await d.say("night", "转人工", Date.parse("2026-11-25T22:30:00+08:00"));
    expect(out.kind).toBe("handoff");
    expect(replyText(out)).toMatch(/非工作时间/);
    expect(replyText(out)).toMatch(/09:00-18:00/);
    expect(replyText(out)).toMatch(/明天 09:00/);
    expect(replyText(out)).toMatch(/排队/);
  });

  it("opens a ticket with reason repeated-misses when the fallback ladder's offer is accepted", async () => {
    const d = createDesk();
    await d.say("m", "抖音直播怎么开美颜");
    const offer = await d.say("m", "快手怎么涨粉");
    expect(offer.kind).toBe("fallback");
    const yes = await d.say("m", "好的");
    expect(yes.kind).toBe("handoff");
    expect((await d.store.openTicket("api:m"))?.reason).toBe("repeated-misses");
  });

  it("offers a human after a thumbs-down and opens a ticket with reason negative-feedback", async () => {
    const d = createDesk({ feedbackEvery: 1 });
    const answer = await d.say("f", "书可以借多久");
    expect(replyText(answer)).toMatch(/有帮助吗/);
    const sorry = await d.say("f", "👎 没用");
    expect(replyText(sorry)).toMatch(/转人工/);
    const yes = await d.say("f", "好的");
    expect(yes.kind).toBe("handoff");
    expect((await d.store.openTicket("api:f"))?.reason).toBe("negative-feedback");
  });

  it("does not open a ticket after a thumbs-down unless the user accepts", async () => {
    const d = createDesk({ feedbackEvery: 1 });
    await d.say("f2", "书可以借多久");
    await d.say("f2", "没用");
    const next = await d.say("f2", "逾期了怎么办");
    expect(next.kind).not.toBe("handoff");
    expect(await d.store.openTicket("api:f2")).toBeNull();
  });

  it("tells channels about the new ticket", async () => {
    const d = createDesk();
    const notices: HandoffNotice[] = [];
    d.channels.register({ name: "admin-alerts", send: async () => {}, notifyHandoff: async (n) => void notices.push(n) });
    await d.say("n", "转人工");
    await vi.waitFor(() => expect(notices).toHaveLength(1));
    expect(notices[0]).toMatchObject({ conversationId: "api:n", channel: "api", userId: "n", reason: "asked" });
    expect(notices[0]?.lastMessages.at(-1)?.text).toBe("转人工");
  });
});

describe("while a ticket is open", () => {
  it("keeps the bot silent and passes the user's messages to the agents' feed", async () => {
    const d = createDesk();
    await d.say("s", "转人工");
    const seen: unknown[] = [];
    d.desk.events.subscribe("agents", (e) => seen.push(e.data));
    const out = await d.say("s", "怎么续借");
    expect(out).toMatchObject({ kind: "human", replies: [] });
    const ticket = (await d.store.openTicket("api:s"))!;
    expect((await d.store.ticketMessages(ticket.id)).map((m) => [m.from, m.text])).toEqual([["user", "怎么续借"]]);
    expect(seen).toContainEqual({ ticketId: ticket.id, message: expect.objectContaining({ from: "user", text: "怎么续借" }) });
  });

  it("delivers an agent's reply through the conversation's channel and assigns the ticket", async () => {
    const d = createDesk();
    await d.say("r", "转人工");
    const ticket = (await d.store.openTicket("api:r"))!;
    await d.desk.reply(ticket.id, "wang", "您好，我是客服小王");
    expect(delivered(d, "r")).toEqual(["客服「wang」已接入，正在为你服务。", "您好，我是客服小王"]);
    expect(await d.store.ticket(ticket.id)).toMatchObject({ status: "assigned", agent: "wang" });
  });

  it("keeps the agent's reply in the conversation's transcript, shown once in the ticket view", async () => {
    const d = createDesk();
    await d.say("t", "转人工");
    const ticket = (await d.store.openTicket("api:t"))!;
    await d.desk.reply(ticket.id, "wang", "请把截图发给我");
    const transcript = await d.store.transcript("api:t");
    expect(transcript.filter((e) => e.direction === "out" && e.kind === "human").map((e) => e.text)).toContain("请把截图发给我");
    const { timeline } = await d.desk.view(ticket.id);
    expect(timeline.filter((item) => item.text === "请把截图发给我")).toHaveLength(1);
  });

  it("refuses another agent's reply to an assigned ticket", async () => {
    const d = createDesk();
    await d.say("o", "转人工");
    const ticket = (await d.store.openTicket("api:o"))!;
    await d.desk.claim(ticket.id, "wang");
    await expect(d.desk.reply(ticket.id, "li", "我来")).rejects.toMatchObject({ status: 403 });
    await expect(d.desk.finish(ticket.id, "li", "closed")).rejects.toMatchObject({ status: 403 });
  });

  it("gives a ticket two agents take at once to exactly one of them", async () => {
    const d = createDesk();
    await d.say("both", "转人工");
    const ticket = (await d.store.openTicket("api:both"))!;
    const results = await Promise.allSettled([d.desk.claim(ticket.id, "wang"), d.desk.claim(ticket.id, "li")]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ status: 403 });
    expect(delivered(d, "both").filter((t) => t.includes("已接入"))).toHaveLength(1);
  });

  it("leaves the queue when the user cancels while waiting", async () => {
    const d = createDesk();
    await d.say("c", "转人工");
    const ticket = (await d.store.openTicket("api:c"))!;
    const out = await d.say("c", "取消人工");
    expect(out.kind).toBe("answer");
    expect(replyText(out)).toMatch(/取消/);
    expect(await d.store.ticket(ticket.id)).toMatchObject({ status: "closed", closeReason: "cancelled" });
    expect((await d.store.read("api:c"))?.mode).toBe("bot");
    await expect(d.desk.reply(ticket.id, "wang", "在吗")).rejects.toMatchObject({ status: 409 });
  });
});

describe("where a conversation stands", () => {
  it("gives the place in the queue while waiting, then the agent, then nothing once closed", async () => {
    const d = createDesk();
    expect(await d.desk.status("api:s1")).toBeNull();
    // one after the other: tickets opened in the same millisecond are ordered by their ids
    const t0 = Date.now();
    await d.say("s0", "转人工", t0);
    await d.say("s1", "转人工", t0 + 1000);
    expect(await d.desk.status("api:s1")).toEqual({ status: "waiting", position: 2, agent: null });
    await d.desk.claim((await d.store.openTicket("api:s0"))!.id, "li");
    expect(await d.desk.status("api:s1")).toEqual({ status: "waiting", position: 1, agent: null });
    const ticket = (await d.store.openTicket("api:s1"))!;
    await d.desk.claim(ticket.id, "wang");
    expect(await d.desk.status("api:s1")).toEqual({ status: "assigned", position: null, agent: "wang" });
    await d.desk.finish(ticket.id, "wang", "closed");
    expect(await d.desk.status("api:s1")).toBeNull();
  });

  it("lets the user leave the queue outside a message: the ticket is cancelled and the bot answers again", async () => {
    const d = createDesk();
    await d.say("s2", "转人工");
    const ticket = (await d.store.openTicket("api:s2"))!;
    expect(await d.desk.cancel("api:s2")).toBe(true);
    expect(await d.store.ticket(ticket.id)).toMatchObject({ status: "closed", closeReason: "cancelled" });
    expect((await d.say("s2", "书可以借多久")).kind).not.toBe("human");
    expect(await d.desk.cancel("api:s2")).toBe(false);
  });
});

describe("closing a ticket", () => {
  it.each([
    ["released", /交回图书借阅助手/],
    ["closed", /服务已结束/],
  ] as const)("tells the user and gives the conversation back to the bot when %s", async (how, note) => {
    const d = createDesk();
    await d.say("g", "转人工");
    await d.say("g", "抖音怎么开直播");
    const ticket = (await d.store.openTicket("api:g"))!;
    await d.desk.reply(ticket.id, "wang", "稍等");
    await d.desk.finish(ticket.id, "wang", how);
    expect(delivered(d, "g").at(-1)).toMatch(note);
    expect(await d.store.ticket(ticket.id)).toMatchObject({ status: "closed", closeReason: how, agent: "wang" });
    const state = await d.store.read("api:g");
    expect(state).toMatchObject({ mode: "bot", misses: 0 });
    const next = await d.say("g", "书可以借多久");
    expect(next.kind).toBe("answer");
  });

  it("passes a message racing the release either to the agent or to the bot, never losing it", async () => {
    for (const first of ["release", "message"] as const) {
      const d = createDesk();
      await d.say("x", "转人工");
      const ticket = (await d.store.openTicket("api:x"))!;
      await d.desk.claim(ticket.id, "wang");
      const release = () => d.desk.finish(ticket.id, "wang", "released");
      const message = () => d.say("x", "书可以借多久");
      const [a, b] = first === "release" ? [release(), message()] : [message(), release()];
      const during = first === "release" ? await b : await a;
      await Promise.all([a, b]);
      if ("kind" in during && during.kind === "human") {
        expect((await d.store.ticketMessages(ticket.id)).some((m) => m.from === "user" && m.text === "书可以借多久")).toBe(true);
      } else {
        expect("kind" in during && during.kind).toBe("answer");
      }
      expect((await d.store.read("api:x"))?.mode).toBe("bot");
      expect((await d.store.ticket(ticket.id))?.status).toBe("closed");
    }
  });

  it("lets a waiting ticket be closed by any agent", async () => {
    const d = createDesk();
    await d.say("w", "转人工");
    const ticket = (await d.store.openTicket("api:w"))!;
    const closed = await d.desk.finish(ticket.id, "li", "closed");
    expect(closed).toMatchObject({ status: "closed", agent: "li" });
  });
});

describe("when no agent answers in time", () => {
  it("tells the waiting user once that they may leave a message, and keeps the ticket", async () => {
    let clock = Date.parse("2026-11-25T10:00:00+08:00");
    const d = createDesk({ timeoutMs: 5 * 60_000, now: () => clock });
    await d.say("t", "转人工", clock);
    expect(await d.desk.sweep(clock + 60_000)).toBe(0);
    clock += 6 * 60_000;
    expect(await d.desk.sweep(clock)).toBe(1);
    expect(delivered(d, "t")).toEqual([expect.stringMatching(/留言/)]);
    expect(await d.desk.sweep(clock + 60_000)).toBe(0);
    const ticket = (await d.store.openTicket("api:t"))!;
    expect(ticket).toMatchObject({ status: "waiting", timeoutNotifiedAt: clock });
    const left = await d.say("t", "我的书续借失败了，请回电", clock + 1);
    expect(left.kind).toBe("human");
    expect((await d.store.ticketMessages(ticket.id)).map((m) => m.from)).toEqual(["system", "user"]);
  });

  it("says when agents start when the wait runs out outside service hours", async () => {
    const night = Date.parse("2026-11-25T23:00:00+08:00");
    const d = createDesk({ timeoutMs: 5 * 60_000, hours: parseServiceHours("09:00-18:00", "Asia/Shanghai"), now: () => night });
    await d.say("t2", "转人工", night);
    expect(await d.desk.sweep(night + 6 * 60_000)).toBe(1);
    expect(delivered(d, "t2")).toEqual([expect.stringMatching(/非工作时间.*明天 09:00.*留言/)]);
  });
});

describe("across a restart", () => {
  it("keeps the ticket, its messages and the silent bot with the same SQLite file", async () => {
    const file = join(dir, "desk.sqlite");
    const before = createDesk({ store: createSqliteStore(file) });
    await before.say("k", "转人工");
    await before.say("k", "我还在等");
    await before.store.close();

    const after = createDesk({ store: createSqliteStore(file) });
    const ticket = (await after.store.openTicket("api:k"))!;
    expect(ticket.status).toBe("waiting");
    expect((await after.store.ticketMessages(ticket.id)).map((m) => m.text)).toEqual(["我还在等"]);
    expect((await after.say("k", "有人吗")).kind).toBe("human");
    await after.desk.reply(ticket.id, "wang", "您好");
    await after.desk.finish(ticket.id, "wang", "released");
    expect((await after.say("k", "书可以借多久")).kind).toBe("answer");
    await after.store.close();
  });
});
