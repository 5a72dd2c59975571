import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/chromium.js";
import { PASSWORDS, startConsole, type RunningConsole } from "../helpers/console.js";

const artifacts = resolve(import.meta.dirname, "../../test-artifacts");
const XSS = "<img src=x onerror=alert(1)>";

let browser: Browser;
let c: RunningConsole;
let page: Page;
const dialogs: string[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await launchChromium();
  c = await startConsole();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 }, locale: "zh-CN" });
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await c?.stop();
});

async function ask(userId: string, text: string) {
  const res = await fetch(`${c.base}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId, text }) });
  return (await res.json()) as { kind: string; replies: Array<{ text: string }> };
}

describe("the agent console in a browser", () => {
  it("shows only the sign-in form before signing in, then the console", async () => {
    await page.goto(`${c.base}/agent`);
    await expect(page.locator("#queue").count()).resolves.toBe(0);
    await page.fill("#name", "wang");
    await page.fill("#password", "wrong-password");
    await page.click("form#signin button[type=submit]");
    await page.locator("#signin-error", { hasText: "错误" }).waitFor();
    await page.fill("#password", PASSWORDS.wang);
    await page.click("form#signin button[type=submit]");
    await page.locator("#me", { hasText: "wang" }).waitFor();
    await page.locator("#live", { hasText: "已连接" }).waitFor();
  }, 30_000);

  it("hands a user to the agent live, delivers the reply and gives the conversation back to the bot", async () => {
    expect((await ask("web-user", "书可以借多久")).kind).toBe("answer");
    await ask("web-user", "抖音直播怎么开美颜");
    const handoff = await ask("web-user", "转人工");
    expect(handoff.kind).toBe("handoff");
    expect(handoff.replies.map((r) => r.text).join("")).toMatch(/下一位|前面还有/);

    // the ticket appears without a reload
    const item = page.locator("#queue li", { hasText: "API · web-user" });
    await item.waitFor({ timeout: 10_000 });
    await expect.poll(() => page.title()).toMatch(/^\(1\) 客服工作台$/);
    const silent = await ask("web-user", XSS);
    expect(silent).toMatchObject({ kind: "human", replies: [] });
    await item.locator("button").click();
    await page.locator("#timeline li", { hasText: XSS }).waitFor();
    await expect(page.locator("#timeline").textContent()).resolves.toMatch(/置信度 \d\.\d\d/);

    // the user waits for the agent's reply (long-poll)
    const received = fetch(`${c.base}/api/messages/poll?userId=web-user&after=0&waitMs=20000`).then((r) => r.json());
    await page.fill("#reply", "您好，我是客服小王，请问有什么可以帮你？");
    await page.click("#send");
    const events = (await received) as { events: Array<{ data: { replies: Array<{ text: string }> } }> };
    const texts = events.events.flatMap((e) => e.data.replies.map((r) => r.text));
    expect(texts.join("\n")).toMatch(/客服「wang」已接入|您好，我是客服小王/);
    await page.locator("#timeline li.from-agent", { hasText: "您好，我是客服小王" }).waitFor();

    // user text stays text: no dialog, no element made from it
    await expect(page.getByText(XSS, { exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.locator("#timeline img").count()).resolves.toBe(0);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: resolve(artifacts, "console.png"), fullPage: true });

    await page.click("#release");
    await page.locator("#ticket-meta", { hasText: "已关闭" }).waitFor();
    const back = await ask("web-user", "书可以借多久");
    expect(back.kind).toBe("answer");
    const after = await (await fetch(`${c.base}/api/messages/poll?userId=web-user&after=0&waitMs=0`)).json();
    expect(JSON.stringify(after.events)).toMatch(/交回图书借阅助手/);
  }, 30_000);

  it("keeps a ticket to its agent: another agent sees it taken and cannot reply", async () => {
    await ask("shared-user", "转人工");
    const ticket = (await c.store.openTicket("api:shared-user"))!;
    await page.locator("#queue li", { hasText: "API · shared-user" }).locator("button").click();
    await page.click("#claim");
    await page.locator("#ticket-meta", { hasText: "客服：wang" }).waitFor();

    const other = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    try {
      await other.goto(`${c.base}/agent`);
      await other.fill("#name", "li");
      await other.fill("#password", PASSWORDS.li);
      await other.click("form#signin button[type=submit]");
      await other.locator("#me", { hasText: "li" }).waitFor();
      const status = await other.evaluate(async (id) => {
        const res = await fetch(`/api/agent/tickets/${id}/reply`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-requested-with": "fetch" },
          body: JSON.stringify({ text: "我来回复" }),
        });
        return res.status;
      }, ticket.id);
      expect(status).toBe(403);
    } finally {
      await other.close();
    }
  }, 30_000);

  it("draws the insights page as SVG charts", async () => {
    await ask("insight-user", "快手怎么涨粉");
    await ask("insight-user-2", "快手怎么涨粉丝呢");
    const markup = "<script>alert(2)</script>抖音怎么开直播";
    expect((await ask("insight-user-3", markup)).kind).toBe("fallback");
    await page.goto(`${c.base}/agent/insights`);
    await page.locator("#chart-days svg rect").first().waitFor();
    await page.locator("#chart-rates svg").waitFor();
    await page.locator("#chart-intents svg").waitFor();
    await page.locator("#chart-unanswered li", { hasText: "快手怎么涨粉" }).waitFor();
    await expect(page.locator("#range").textContent()).resolves.toMatch(/至/);
    await page.locator("#chart-unanswered li", { hasText: markup }).waitFor();
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: resolve(artifacts, "insights.png"), fullPage: true });
  }, 30_000);
});
