import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.js";
import { createLiveHub } from "../../src/channels/live.js";
import { createChannelRegistry, type ChannelRegistry } from "../../src/channels/registry.js";
import { createWebChannel } from "../../src/channels/web.js";
import { createApp } from "../../src/server/app.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { launchChromium } from "../helpers/chromium.js";
import { projectKnowledge, silentLog } from "../helpers/kb.js";

const ARTIFACTS = resolve(import.meta.dirname, "../../test-artifacts");

let server: Server;
let base: string;
let registry: ChannelRegistry;
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  const kb = projectKnowledge();
  const store = createMemoryStore();
  const bot = createBot({ knowledge: () => kb, store, log: silentLog });
  const hub = createLiveHub({ heartbeatMs: 5000 });
  const web = createWebChannel({ bot, store, hub, maxTextLength: 2000, welcome: () => kb.intents.get("greeting")?.reply ?? "你好" });
  registry = createChannelRegistry();
  registry.register(web);
  const app = createApp({ bot, knowledge: () => kb, log: silentLog, maxTextLength: 2000, routers: [web.router] });
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  // a phone screen
  page = await browser.newPage({ viewport: { width: 390, height: 780 }, deviceScaleFactor: 2, locale: "zh-CN" });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

const botBubbles = () => page.locator(".row.out .bubble");

async function ask(text: string): Promise<void> {
  const before = await botBubbles().count();
  await page.fill("#text", text);
  await page.press("#text", "Enter");
  await page.waitForFunction((n) => document.querySelectorAll(".row.out .bubble").length > n, before, { timeout: 15_000 });
}

describe("the web chat page in chromium", () => {
  it("chats, follows a quick reply, hands off, and shows the agent's reply live", async () => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // CSP violations and failed loads show up as console errors
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(base);
    await page.waitForSelector("body[data-ready]", { timeout: 15_000 });
    expect(await botBubbles().first().textContent()).toMatch(/视频号/);

    await ask("视频号怎么关");
    const options = page.locator(".quick button:not([disabled])");
    await options.first().waitFor({ timeout: 15_000 });
    const option = (await options.first().textContent()) ?? "";
    expect(option.length).toBeGreaterThan(0);

    const before = await botBubbles().count();
    await options.first().click();
    await page.waitForFunction((n) => document.querySelectorAll(".row.out .bubble").length > n, before, { timeout: 15_000 });
    expect(await page.locator(".row.in .bubble").last().textContent()).toBe(option);

    // markup typed by the user is shown as text, never parsed
    await ask("<img src=x onerror=\"document.body.dataset.pwned=1\">");
    expect(await page.locator(".row.in .bubble").last().textContent()).toBe("<img src=x onerror=\"document.body.dataset.pwned=1\">");
    expect(await page.locator(".log img").count()).toBe(0);

    await page.fill("#text", "转人工");
    await page.press("#text", "Enter");
    await page.getByText("已为你转接人工客服").waitFor({ timeout: 15_000 });

    const id = await page.evaluate(() => localStorage.getItem("faq-bot.web.id"));
    expect(id).toMatch(/^[\w-]{8,64}$/);
    await registry.send("web", `web:${id}`, [{ text: "您好，我是人工客服小王。<b>请问</b>是要注销视频号吗？" }]);
    const agent = page.locator(".row.agent .bubble").last();
    await agent.waitFor({ timeout: 15_000 });
    expect(await agent.textContent()).toBe("您好，我是人工客服小王。<b>请问</b>是要注销视频号吗？");
    expect(await page.locator(".row.agent b").count()).toBe(0);

    // while the agent has the conversation, the bot stays silent and the page says where messages go
    await page.fill("#text", "好的，我等一下");
    await page.press("#text", "Enter");
    await page.getByText("消息已转给人工客服").waitFor({ timeout: 15_000 });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: resolve(ARTIFACTS, "web-chat.png"), fullPage: false });

    // a reload continues the same conversation from the server's history
    await page.reload();
    await page.waitForSelector("body[data-ready]", { timeout: 15_000 });
    expect(await page.evaluate(() => localStorage.getItem("faq-bot.web.id"))).toBe(id);
    const userTexts = await page.locator(".row.in .bubble").allTextContents();
    expect(userTexts).toEqual(["视频号怎么关", option, "<img src=x onerror=\"document.body.dataset.pwned=1\">", "转人工", "好的，我等一下"]);

    // and still hears the agent live after the reload
    await registry.send("web", `web:${id}`, [{ text: "还在吗？" }]);
    await page.locator(".row.agent .bubble", { hasText: "还在吗？" }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => document.body.dataset.pwned)).toBeUndefined();
    expect(errors).toEqual([]);
  }, 90_000);
});
