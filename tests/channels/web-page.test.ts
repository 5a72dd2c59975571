import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TranscriptEntry } from "../../src/types.js";
import { launchChromium } from "../helpers/chromium.js";
import { startWebStack, type WebStack } from "../helpers/web.js";

const ARTIFACTS = resolve(import.meta.dirname, "../../test-artifacts");
const KEY = "faq-bot.web.id";

let s: WebStack;
let browser: Browser | undefined;

beforeAll(async () => {
  s = await startWebStack();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

interface Opened {
  page: Page;
  /** Uncaught errors, CSP violations and failed loads. */
  errors: string[];
  /** The page's conversation id. */
  id: () => Promise<string>;
}

/** A fresh phone-sized page (its own storage, so its own conversation), loaded and ready. */
async function open(options: BrowserContextOptions & { id?: string; clock?: Date } = {}): Promise<Opened> {
  const { id, clock, ...contextOptions } = options;
  const context = await browser!.newContext({ viewport: { width: 390, height: 780 }, deviceScaleFactor: 2, locale: "zh-CN", ...contextOptions });
  if (id) await context.addInitScript(([key, value]) => localStorage.setItem(key, value), [KEY, id] as const);
  const page = await context.newPage();
  if (clock) await page.clock.setFixedTime(clock);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(s.base);
  await page.waitForSelector("body[data-ready]", { timeout: 15_000 });
  return { page, errors, id: async () => (await page.evaluate((key) => localStorage.getItem(key), KEY))! };
}

const count = (page: Page, selector: string) => page.locator(selector).count();

/** Types a message, sends it with Enter, and waits for the bot's answer. */
async function ask(page: Page, text: string): Promise<void> {
  const before = await count(page, ".row.out .bubble");
  await page.fill("#text", text);
  await page.press("#text", "Enter");
  await page.waitForFunction((n) => document.querySelectorAll(".row.out .bubble").length > n, before, { timeout: 15_000 });
}

/** Hands the page's conversation to the desk and returns its ticket. */
async function handOff(o: Opened) {
  await o.page.fill("#text", "转人工");
  await o.page.press("#text", "Enter");
  await o.page.getByText("已为你转接人工客服，客服回复会显示在这里").waitFor({ timeout: 15_000 });
  const ticket = await s.store.openTicket(`web:${await o.id()}`);
  expect(ticket).not.toBeNull();
  return ticket!;
}

const banner = (page: Page) => page.locator("#banner");

describe("the web chat page in chromium", () => {
  it("chats, follows a quick reply, hands off, and shows the agent's reply live", async () => {
    const o = await open();
    const { page } = o;
    expect(await page.locator(".row.out .bubble").first().textContent()).toBe(s.welcome);
    // the page names the bot as the knowledge base does
    expect(await page.locator("#title").textContent()).toBe("图书借阅助手");
    expect(await page.title()).toBe("图书借阅助手");
    // ready to type at once
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("text");

    await ask(page, "怎么续借");
    const options = page.locator(".quick button:not([disabled])");
    await options.first().waitFor({ timeout: 15_000 });
    const option = (await options.first().textContent()) ?? "";
    expect(option.length).toBeGreaterThan(0);

    const before = await count(page, ".row.out .bubble");
    await options.first().click();
    await page.waitForFunction((n) => document.querySelectorAll(".row.out .bubble").length > n, before, { timeout: 15_000 });
    expect(await page.locator(".row.in .bubble").last().textContent()).toBe(option);
    // and ready to type again after the click
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("text");

    // markup typed by the user is shown as text, never parsed
    await ask(page, "<img src=x onerror=\"document.body.dataset.pwned=1\">");
    expect(await page.locator(".row.in .bubble").last().textContent()).toBe("<img src=x onerror=\"document.body.dataset.pwned=1\">");
    expect(await count(page, ".log img")).toBe(0);

    await handOff(o);
    const id = await o.id();
    expect(id).toMatch(/^[\w-]{8,64}$/);
    await s.channels.send("web", `web:${id}`, [{ text: "您好，我是人工客服小王。<b>请问</b>是要续借吗？" }]);
    const agent = page.locator(".row.agent .bubble").last();
    await agent.waitFor({ timeout: 15_000 });
    expect(await agent.textContent()).toBe("您好，我是人工客服小王。<b>请问</b>是要续借吗？");
    expect(await count(page, ".row.agent b")).toBe(0);

    // while the agent has the conversation, the bot stays silent and the page says where messages go
    await page.fill("#text", "好的，我等一下");
    await page.press("#text", "Enter");
    await page.getByText("消息已转给人工客服").waitFor({ timeout: 15_000 });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: resolve(ARTIFACTS, "web-chat.png"), fullPage: false });

    // a reload continues the same conversation from the server's history
    await page.reload();
    await page.waitForSelector("body[data-ready]", { timeout: 15_000 });
    expect(await o.id()).toBe(id);
    const userTexts = await page.locator(".row.in .bubble").allTextContents();
    expect(userTexts).toEqual(["怎么续借", option, "<img src=x onerror=\"document.body.dataset.pwned=1\">", "转人工", "好的，我等一下"]);

    // and still hears the agent live after the reload
    await s.channels.send("web", `web:${id}`, [{ text: "还在吗？" }]);
    await page.locator(".row.agent .bubble", { hasText: "还在吗？" }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => document.body.dataset.pwned)).toBeUndefined();
    expect(o.errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it("shows a message typed while a reply is pending at once, and sends it after the first, in order", async () => {
    const o = await open();
    const { page } = o;
    const posted: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route("**/web/messages", async (route) => {
      posted.push((JSON.parse(route.request().postData() ?? "{}") as { text: string }).text);
      // the first answer is slow
      if (posted.length === 1) await held;
      await route.continue();
    });
    await page.fill("#text", "怎么续借");
    await page.press("#text", "Enter");
    await page.waitForFunction(() => !document.getElementById("typing")!.hidden);
    await page.fill("#text", "逾期了怎么办");
    await page.press("#text", "Enter");
    // shown at once, waiting its turn: nothing of it has gone out yet
    await page.locator(".row.in .bubble", { hasText: "逾期了怎么办" }).waitFor({ timeout: 5000 });
    expect(await page.locator(".row.in .bubble").allTextContents()).toEqual(["怎么续借", "逾期了怎么办"]);
    expect(await page.inputValue("#text")).toBe("");
    expect(posted).toEqual(["怎么续借"]);
    // the typing indicator sits under the last bubble, inside the conversation
    const placed = await page.evaluate(() => {
      const typing = document.getElementById("typing")!;
      const rows = [...document.querySelectorAll(".log .row")];
      const last = rows.at(-1)!.getBoundingClientRect();
      return { last: typing.parentElement!.lastElementChild === typing, inLog: typing.parentElement!.id, below: typing.getBoundingClientRect().top >= last.bottom };
    });
    expect(placed).toEqual({ last: true, inLog: "log", below: true });

    release();
    await page.waitForFunction(() => document.querySelectorAll(".row.in.pending").length === 0 && document.getElementById("typing")!.hidden, null, { timeout: 15_000 });
    expect(posted).toEqual(["怎么续借", "逾期了怎么办"]);
    const transcript = await s.store.transcript(`web:${await o.id()}`);
    expect(transcript.filter((e) => e.direction === "in").map((e) => e.text)).toEqual(["怎么续借", "逾期了怎么办"]);
    // each answer follows its own question
    // on screen both questions come first (as typed), then the answers; the bot got them one at a time
    const order = await page.locator(".log .row").evaluateAll((rows) => rows.map((r) => (r.classList.contains("in") ? "in" : "out")).join(","));
    expect(order).toMatch(/^out,in,in(,out){2,}$/);
    expect(transcript.map((e) => e.direction).join(",")).toMatch(/^in(,out)+,in(,out)+$/);
    await page.context().close();
  }, 60_000);

  it("keeps a message that failed to send, marks it, offers a retry, and leaves the quick replies usable", async () => {
    const o = await open();
    const { page } = o;
    await ask(page, "怎么续借");
    await page.locator(".quick button:not([disabled])").first().waitFor({ timeout: 15_000 });
    const quick = await count(page, ".quick button:not([disabled])");
    await page.route("**/web/messages", (route) => route.abort("internetdisconnected"));
    await page.fill("#text", "逾期了怎么办");
    await page.press("#text", "Enter");
    const failed = page.locator(".row.in.failed");
    await failed.waitFor({ timeout: 15_000 });
    expect(await failed.locator(".bubble").textContent()).toBe("逾期了怎么办");
    expect(await failed.locator(".fail").textContent()).toMatch(/发送失败/);
    expect(await count(page, ".quick button:not([disabled])")).toBe(quick);
    expect(await s.store.transcript(`web:${await o.id()}`).then((t) => t.map((e) => e.text))).not.toContain("逾期了怎么办");

    await page.unroute("**/web/messages");
    const before = await count(page, ".row.out .bubble");
    await failed.getByRole("button", { name: /重发/ }).click();
    await page.waitForFunction((n) => document.querySelectorAll(".row.out .bubble").length > n, before, { timeout: 15_000 });
    expect(await count(page, ".row.in.failed")).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("text");
    const inbound = (await s.store.transcript(`web:${await o.id()}`)).filter((e) => e.direction === "in").map((e) => e.text);
    expect(inbound).toEqual(["怎么续借", "逾期了怎么办"]);
    // the answer came after the retried message, which moved to the end
    expect(await page.locator(".log .row").last().evaluate((r) => r.classList.contains("out"))).toBe(true);
    await page.context().close();
  }, 60_000);

  it("shows the agent by name, the desk's notices and the welcome after a reload, as they were shown live", async () => {
    const o = await open();
    const { page } = o;
    await ask(page, "怎么续借");
    const ticket = await handOff(o);
    await s.desk.reply(ticket.id, "小王", "您好，我来帮你看看");
    await page.locator(".row.agent .bubble", { hasText: "您好，我来帮你看看" }).waitFor({ timeout: 15_000 });
    const seen = async () => ({
      welcome: await page.locator(".log .row").first().locator(".bubble").textContent(),
      agents: await page.locator(".row.agent").evaluateAll((rows) => rows.map((r) => [r.querySelector(".who")?.textContent, r.querySelector(".bubble")?.textContent])),
      bot: await page.locator(".row.out .bubble").allTextContents(),
      notes: await page.locator(".note").allTextContents(),
    });
    const live = await seen();
    expect(live.agents).toEqual([["人工客服 小王", "您好，我来帮你看看"]]);
    expect(live.notes).toEqual(["已为你转接人工客服，客服回复会显示在这里", "客服「小王」已接入，正在为你服务。"]);
    expect(live.welcome).toBe(s.welcome);

    await page.reload();
    await page.waitForSelector("body[data-ready]", { timeout: 15_000 });
    expect(await seen()).toEqual(live);
    await page.context().close();
  }, 60_000);

  it("shows a banner with the queue place updating live, the agent's typing under the last bubble, and hides it when the agent gives the conversation back", async () => {
    // someone else waits first
    await s.bot.handle({ channel: "api", conversationId: "api:ahead", userId: "ahead", text: "转人工", messageId: "ahead-1", at: Date.now() });
    const o = await open();
    const { page } = o;
    expect(await banner(page).isHidden()).toBe(true);
    const ticket = await handOff(o);
    const waiting = await s.store.tickets(["waiting"]);
    const ahead = waiting.slice(0, waiting.findIndex((t) => t.id === ticket.id));
    expect(ahead.map((t) => t.conversationId)).toContain("api:ahead");
    await page.getByText(`正在为你转接人工客服：前面还有 ${ahead.length} 位`).waitFor({ timeout: 15_000 });
    expect(await banner(page).isVisible()).toBe(true);

    // the users ahead are taken: the place moves up without a reload
    for (const t of ahead) await s.desk.claim(t.id, "小李");
    await page.getByText("正在为你转接人工客服：你是下一位").waitFor({ timeout: 15_000 });

    await s.desk.claim(ticket.id, "小王");
    await page.getByText("人工客服「小王」正在为你服务").waitFor({ timeout: 15_000 });

    await s.desk.typing(ticket.id, "小王");
    await page.waitForFunction(() => !document.getElementById("typing")!.hidden, null, { timeout: 15_000 });
    expect(await page.locator("#typing").textContent()).toMatch(/客服正在输入/);
    const placed = await page.evaluate(() => {
      const typing = document.getElementById("typing")!;
      const last = [...document.querySelectorAll(".log .row, .log .note")].at(-1)!.getBoundingClientRect();
      return typing.parentElement!.lastElementChild === typing && typing.getBoundingClientRect().top >= last.bottom;
    });
    expect(placed).toBe(true);
    await s.desk.reply(ticket.id, "小王", "您好");
    await page.locator(".row.agent .bubble", { hasText: "您好" }).waitFor({ timeout: 15_000 });
    expect(await page.locator("#typing").isHidden()).toBe(true);

    await s.desk.finish(ticket.id, "小王", "released");
    await banner(page).waitFor({ state: "hidden", timeout: 15_000 });
    await page.context().close();
  }, 60_000);

  it("asks before 新对话 while waiting for a human, and then cancels the ticket", async () => {
    const o = await open();
    const { page } = o;
    const ticket = await handOff(o);
    const id = await o.id();

    // dismissed: nothing changes
    const dialogs: string[] = [];
    page.once("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.click("#reset");
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toMatch(/取消排队/);
    expect(await o.id()).toBe(id);
    expect(await count(page, ".row.in")).toBe(1);
    expect((await s.store.ticket(ticket.id))?.status).toBe("waiting");

    // confirmed: the ticket is cancelled as 取消人工 does, and a fresh conversation starts
    page.once("dialog", (d) => void d.accept());
    await page.click("#reset");
    await page.waitForFunction((old) => localStorage.getItem("faq-bot.web.id") !== old && document.body.dataset.ready === "1", id, { timeout: 15_000 });
    expect(await s.store.ticket(ticket.id)).toMatchObject({ status: "closed", closeReason: "cancelled" });
    expect((await s.store.read(`web:${id}`))?.mode).toBe("bot");
    expect(await count(page, ".row.in")).toBe(0);
    expect(await page.locator(".row.out .bubble").allTextContents()).toEqual([s.welcome]);
    expect(await banner(page).isHidden()).toBe(true);

    // with no human involved, 新对话 asks nothing
    let asked = false;
    page.once("dialog", (d) => {
      asked = true;
      void d.dismiss();
    });
    const fresh = await o.id();
    await page.click("#reset");
    await page.waitForFunction((old) => localStorage.getItem("faq-bot.web.id") !== old, fresh, { timeout: 15_000 });
    expect(asked).toBe(false);
    expect(o.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it("turns http(s) addresses into safe links and nothing else", async () => {
    const o = await open();
    const { page } = o;
    const id = await o.id();
    await s.channels.send("web", `web:${id}`, [{ text: "详见 https://example.com/help?q=1&lang=zh。别点 javascript:alert(1) 或 data:text/html,x，也可以打开http://example.org/a看看" }], { from: "agent", author: "小王" });
    const bubble = page.locator(".row.agent .bubble").last();
    await bubble.waitFor({ timeout: 15_000 });
    expect(await bubble.textContent()).toBe("详见 https://example.com/help?q=1&lang=zh。别点 javascript:alert(1) 或 data:text/html,x，也可以打开http://example.org/a看看");
    const links = await bubble.locator("a").evaluateAll((as) => as.map((a) => [a.getAttribute("href"), a.textContent, a.getAttribute("rel"), a.getAttribute("target")]));
    expect(links).toEqual([
      ["https://example.com/help?q=1&lang=zh", "https://example.com/help?q=1&lang=zh", "noopener noreferrer", "_blank"],
      ["http://example.org/a", "http://example.org/a", "noopener noreferrer", "_blank"],
    ]);
    expect(await count(page, 'a[href^="javascript:" i], a[href^="data:" i]')).toBe(0);
    await page.context().close();
  }, 60_000);

  it("groups messages under times shown the way WeChat does", async () => {
    const id = "times-0001";
    const at = (iso: string) => new Date(iso).getTime();
    const line = (iso: string, direction: "in" | "out", text: string): TranscriptEntry => ({
      conversationId: `web:${id}`,
      direction,
      from: direction === "in" ? "user" : "bot",
      text,
      at: at(iso),
      intent: null,
      confidence: null,
      kind: "answer",
      channel: "web",
      userId: id,
    });
    await s.store.appendTranscript([
      line("2025-12-31T10:00:00+08:00", "in", "去年的问题"),
      line("2025-12-31T10:00:05+08:00", "out", "去年的回答"),
      line("2026-02-01T08:05:00+08:00", "in", "今年早些时候"),
      line("2026-03-08T09:00:00+08:00", "in", "星期天的问题"),
      line("2026-03-08T09:02:00+08:00", "out", "两分钟后的回答"),
      line("2026-03-09T20:30:00+08:00", "in", "昨晚的问题"),
      line("2026-03-10T14:50:00+08:00", "in", "今天的问题"),
      line("2026-03-10T14:53:00+08:00", "out", "三分钟后的回答"),
    ]);
    // Tuesday afternoon in Beijing
    const o = await open({ id, timezoneId: "Asia/Shanghai", clock: new Date("2026-03-10T15:00:00+08:00") });
    const labels = await o.page.locator(".log .time").allTextContents();
    expect(labels).toEqual(["2025年12月31日 10:00", "2月1日 08:05", "星期日 09:00", "昨天 20:30", "14:50"]);
    await o.page.context().close();
  }, 60_000);

  it("meets WCAG AA contrast (4.5:1) for every text on the page, from the computed colours", async () => {
    await s.bot.handle({ channel: "api", conversationId: "api:ahead-2", userId: "ahead-2", text: "转人工", messageId: "ahead-2", at: Date.now() });
    const o = await open();
    const { page } = o;
    await ask(page, "怎么续借");
    await page.locator(".quick button:not([disabled])").first().waitFor({ timeout: 15_000 });
    // a failed message (with its retry button) and an error note
    await page.route("**/web/messages", (route) => route.abort("internetdisconnected"));
    await page.fill("#text", "这条发不出去");
    await page.press("#text", "Enter");
    await page.locator(".row.in.failed").waitFor({ timeout: 15_000 });
    await page.unroute("**/web/messages");
    await page.evaluate(() => {
      // the red note the page shows when the history cannot load
      const note = document.createElement("div");
      note.className = "note error";
      note.appendChild(document.createElement("span")).textContent = "聊天记录加载失败，请刷新页面重试";
      document.getElementById("log")!.insertBefore(note, document.getElementById("typing"));
    });
    const ticket = await handOff(o);
    await page.getByText("正在为你转接人工客服：前面还有").waitFor({ timeout: 15_000 });
    await s.desk.reply(ticket.id, "小王", "请看 https://example.com/help");
    await page.locator(".row.agent a").waitFor({ timeout: 15_000 });
    await s.desk.typing(ticket.id, "小王");
    await page.waitForFunction(() => !document.getElementById("typing")!.hidden);

    const texts = await page.evaluate(() => {
      type RGBA = { r: number; g: number; b: number; a: number };
      const parse = (c: string): RGBA => {
        const [r = 0, g = 0, b = 0, a = 1] = (/\(([^)]*)\)/.exec(c)?.[1] ?? "0,0,0,0").split(/[\s,/]+/).filter(Boolean).map(Number);
        return { r, g, b, a };
      };
      const over = (top: RGBA, bottom: RGBA): RGBA => ({
        r: top.r * top.a + bottom.r * (1 - top.a),
        g: top.g * top.a + bottom.g * (1 - top.a),
        b: top.b * top.a + bottom.b * (1 - top.a),
        a: 1,
      });
      const out: Array<{ what: string; text: string; fg: RGBA; bg: RGBA }> = [];
      for (const node of document.querySelectorAll<HTMLElement>("body *")) {
        const own = [...node.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent!.trim()).join("");
        if (!own || node.getClientRects().length === 0 || node.closest("[hidden]")) continue;
        // inactive controls are exempt (WCAG 1.4.3)
        if ((node as HTMLButtonElement).disabled) continue;
        let bg: RGBA = { r: 255, g: 255, b: 255, a: 1 };
        const chain: HTMLElement[] = [];
        for (let n: HTMLElement | null = node; n; n = n.parentElement) chain.unshift(n);
        for (const n of chain) {
          const c = parse(getComputedStyle(n).backgroundColor);
          if (c.a > 0) bg = over(c, bg);
        }
        const fg = over(parse(getComputedStyle(node).color), bg);
        out.push({ what: `${node.tagName.toLowerCase()}.${node.className}`, text: own.slice(0, 20), fg, bg });
      }
      return out;
    });
    const luminance = ({ r, g, b }: { r: number; g: number; b: number }) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a: { r: number; g: number; b: number }, b: { r: number; g: number; b: number }) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
      return (hi + 0.05) / (lo + 0.05);
    };
    const checked = texts.map((t) => ({ what: t.what, text: t.text, ratio: Math.round(ratio(t.fg, t.bg) * 100) / 100 }));
    // every kind of text the issue named is among those checked
    for (const what of ["button.", "span.", "div.who", "div.time", "div.banner", "a.", "div.avatar", "span.typing-who"]) {
      expect(checked.some((c) => c.what.startsWith(what)), what).toBe(true);
    }
    expect(checked.some((c) => c.text === "发送")).toBe(true);
    expect(checked.some((c) => c.text === "重发")).toBe(true);
    expect(checked.filter((c) => c.ratio < 4.5)).toEqual([]);
    await page.context().close();
  }, 90_000);
});
