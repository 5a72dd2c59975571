import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HandoffTicket } from "../../src/types.js";
import { PASSWORDS, startConsole, type RunningConsole } from "../helpers/console.js";
import { launchChromium } from "../helpers/chromium.js";
import { waitingTicket } from "../helpers/tickets.js";

const HEX_USER = "0f3a9c2b7d6e41f8a5b0c9d8e7f6a1b2";
const artifacts = resolve(import.meta.dirname, "../../test-artifacts");

let browser: Browser;
let c: RunningConsole;

beforeAll(async () => {
  browser = await launchChromium();
  c = await startConsole();
  mkdirSync(artifacts, { recursive: true });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await c?.stop();
});

async function ask(base: string, userId: string, text: string) {
  const res = await fetch(`${base}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId, text }) });
  return (await res.json()) as { kind: string };
}

async function signIn(page: Page, base: string, name: keyof typeof PASSWORDS = "wang") {
  await page.goto(`${base}/agent`);
  await page.fill("#name", name);
  await page.fill("#password", PASSWORDS[name]);
  await page.click("form#signin button[type=submit]");
  await page.locator("#live", { hasText: "已连接" }).waitFor();
}

function seedTicket(i: number, openedAt: number, userId = `seed-${i}`): HandoffTicket {
  return waitingTicket({
    id: `seed-${String(i).padStart(3, "0")}`,
    userId,
    openedAt,
    lastMessages: [{ direction: "in", text: `第 ${i} 位用户的问题`, at: openedAt }],
  });
}

/** How many lines an element's text takes (its text rectangles at distinct heights). */
const linesOf = (page: Page, selector: string) =>
  page.$eval(selector, (node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  });

describe("the console on a phone (390 px wide)", () => {
  it("keeps the header on single lines, the placeholder and the reply box readable, nothing wider than the screen, no 404", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: "zh-CN", isMobile: true, hasTouch: true });
    const failures: string[] = [];
    page.on("response", (r) => {
      if (r.status() >= 400 && !r.url().endsWith("/api/agent/login")) failures.push(`${r.status()} ${r.url()}`);
    });
    try {
      await signIn(page, c.base);
      for (const selector of ["#logout", ".top strong", ".top nav a:first-child", ".top nav a:last-child", ".top .who", ".tabs button:first-child"]) {
        expect(await linesOf(page, selector), selector).toBe(1);
      }
      const logout = await page.locator("#logout").boundingBox();
      expect(logout!.x + logout!.width).toBeLessThanOrEqual(390);
      // the placeholder is a line of text, not a column of single characters
      expect(await linesOf(page, "#placeholder")).toBeLessThanOrEqual(2);
      expect((await page.locator("#placeholder").boundingBox())!.width).toBeGreaterThan(250);

      await ask(c.base, "phone-user", "转人工");
      await page.locator("#queue li", { hasText: "phone-user" }).locator("button").click();
      await page.locator("#ticket-title", { hasText: "phone-user" }).waitFor();
      const reply = await page.locator("#reply").boundingBox();
      expect(reply!.width).toBeGreaterThan(220);
      expect(await page.locator("#reply").evaluate((t: HTMLTextAreaElement) => t.scrollWidth <= t.clientWidth + 1)).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: resolve(artifacts, "console-phone.png"), fullPage: true });
      await page.goto(`${c.base}/agent/insights`);
      await page.locator("#chart-days svg, #chart-days p").first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);
});

describe("the console on a desktop", () => {
  let page: Page;
  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 860 }, locale: "zh-CN" });
    // stand-ins for the browser's notification and audio, recording what the console asks of them
    await page.addInitScript(() => {
      const w = window as unknown as { __notices: string[]; __beeps: number };
      w.__notices = [];
      w.__beeps = 0;
      class FakeNotification {
        static permission = "granted";
        static requestPermission = async () => "granted";
        onclick: (() => void) | null = null;
        constructor(title: string) {
          w.__notices.push(title);
        }
      }
      class FakeAudioContext {
        currentTime = 0;
        destination = {};
        resume = async () => {};
        createGain() {
          return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (x: unknown) => x };
        }
        createOscillator() {
          w.__beeps++;
          return { frequency: { value: 0 }, connect: (x: unknown) => x, start() {}, stop() {} };
        }
      }
      Object.assign(window, { Notification: FakeNotification, AudioContext: FakeAudioContext });
    });
    await signIn(page, c.base);
  }, 30_000);
  afterAll(() => page?.close());

  it("shows a user by channel and the end of the id, not the whole hex id", async () => {
    await ask(c.base, HEX_USER, "怎么续借");
    await ask(c.base, HEX_USER, "转人工");
    const item = page.locator("#queue li", { hasText: `API · …${HEX_USER.slice(-6)}` });
    await item.waitFor();
    expect(await item.textContent()).not.toContain(HEX_USER);
    expect(await item.locator(".user").getAttribute("title")).toContain(HEX_USER);
    await expect.poll(() => item.textContent()).toMatch(/等待(不到 1| \d+) 分钟/);
  });

  it("shows the bot's quick replies in the transcript as chips, not as [a | b]", async () => {
    await page.locator("#queue li", { hasText: HEX_USER.slice(-6) }).locator("button").click();
    const offer = page.locator("#timeline li.from-bot", { has: page.locator(".chips") }).first();
    await offer.waitFor();
    expect(await offer.locator(".chip").allTextContents()).toEqual(["下一步", "全部步骤"]);
    expect(await page.locator("#timeline").textContent()).not.toMatch(/\[[^\]]*\|[^\]]*\]/);
  });

  it("inserts a canned reply into the reply box without sending it", async () => {
    await page.click("#claim");
    await page.locator("#ticket-meta", { hasText: "客服：wang" }).waitFor();
    const chip = page.locator("#canned button").first();
    await chip.waitFor();
    const text = await chip.getAttribute("title");
    await page.fill("#reply", "");
    await chip.click();
    expect(await page.inputValue("#reply")).toBe(text);
    expect(await page.locator("#timeline li.from-agent").count()).toBe(0);
  });

  it("adds new waiting users live without reading the list again, and alerts when asked to", async () => {
    await page.check("#alert-sound");
    await page.check("#alert-desktop");
    await page.locator(".tabs button[data-view=waiting]").click();
    await page.locator("#queue li").first().waitFor({ state: "attached" }).catch(() => {});
    await page.waitForLoadState("networkidle");
    const listReads: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/api/agent/tickets?")) listReads.push(r.url());
    });
    for (const user of ["live-1", "live-2", "live-3", "live-4"]) expect((await ask(c.base, user, "转人工")).kind).toBe("handoff");
    for (const user of ["live-1", "live-2", "live-3", "live-4"]) await page.locator("#queue li", { hasText: `API · ${user}` }).waitFor();
    // the user in the queue writes again: the preview follows, still without a list read
    await ask(c.base, "live-2", "我还在等");
    await page.locator("#queue li", { hasText: "我还在等" }).waitFor();
    const waiting = String(await c.store.countTickets({ status: "waiting" }));
    await expect.poll(() => page.locator("#count-waiting").textContent()).toBe(waiting);
    expect(listReads).toEqual([]);
    const notices = await page.evaluate(() => (window as unknown as { __notices: string[] }).__notices);
    expect(notices).toEqual(["live-1", "live-2", "live-3", "live-4"].map((u) => `新的等待用户：API · ${u}`));
    expect(await page.evaluate(() => (window as unknown as { __beeps: number }).__beeps)).toBe(4);
  });

  it("makes the daily chart as wide as its card", async () => {
    await page.goto(`${c.base}/agent/insights`);
    const svg = page.locator("#chart-days svg");
    await svg.waitFor();
    const [chart, card] = await Promise.all([svg.boundingBox(), page.locator("#chart-days").boundingBox()]);
    expect(chart!.width).toBeGreaterThan(card!.width - 4);
    expect(chart!.width).toBeLessThanOrEqual(card!.width + 1);
    await page.screenshot({ path: resolve(artifacts, "insights-wide.png"), fullPage: true });
  });
});

describe("a long queue", () => {
  it("shows the first 50 waiting users and loads more on demand", async () => {
    const s = await startConsole();
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    try {
      const start = Date.now() - 600_000;
      for (let i = 0; i < 62; i++) await s.store.createTicket(seedTicket(i, start + i * 1000));
      await signIn(page, s.base);
      await expect.poll(() => page.locator("#queue li").count()).toBe(50);
      await expect(page.locator("#count-waiting").textContent()).resolves.toBe("62");
      // the oldest waited ten minutes
      await expect(page.locator("#queue li").first().textContent()).resolves.toMatch(/等待 (9|10) 分钟/);
      await page.click("#more");
      await expect.poll(() => page.locator("#queue li").count()).toBe(62);
      expect(await page.locator("#more").isHidden()).toBe(true);
      const labels = await page.locator("#queue li .user").allTextContents();
      expect(labels.at(-1)).toBe("API · seed-61");
      expect(new Set(labels).size).toBe(62);
    } finally {
      await page.close();
      await s.stop();
    }
  }, 30_000);

  it("moves the wait times on without a reload", async () => {
    const s = await startConsole();
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    try {
      await s.store.createTicket(seedTicket(1, Date.now() - 3.5 * 60_000, "slow-user"));
      await s.store.createTicket({ ...seedTicket(2, Date.now() - 60_000, "wxid_4k2m9q8z7x6c5v"), channel: "wechaty", userName: "小明" });
      await page.clock.install();
      await signIn(page, s.base);
      const wait = page.locator("#queue li", { hasText: "slow-user" }).locator("[data-waiting-since]");
      await expect.poll(() => wait.textContent()).toBe("等待 3 分钟");
      // a channel with nicknames shows the nickname instead of the id
      await expect(page.locator("#queue li .user").allTextContents()).resolves.toContain("微信 · 小明");
      await page.clock.fastForward("02:00");
      await expect.poll(() => wait.textContent()).toBe("等待 5 分钟");
    } finally {
      await page.close();
      await s.stop();
    }
  }, 30_000);
});
