import { describe, expect, it } from "vitest";
import { conversation, shown } from "./conversation.js";

describe("walking through a procedure step by step", () => {
  it("goes on from the step whose menu the message says it has reached (我已经进到通用里了，下一步呢)", async () => {
    await conversation().play([
      { say: "关闭视频号入口怎么操作", kind: "answer" },
      { say: "我已经进到通用里了，下一步呢", kind: "answer", has: ["发现页管理"], lacks: ["「设置」"] },
    ]);
  });

  it("pages through the deregistration with next / previous / repeat, counting the steps", async () => {
    const c = conversation();
    await c.play([
      { say: "注销视频号的步骤", kind: "answer", intent: "deregister", has: ["第 1 步 / 共 3 步", "3-5", "账号与安全", "解绑"] },
      { say: "下一步", kind: "answer", has: ["第 2 步 / 共 3 步", "微信注销", "身份"] },
      { say: "上一步", kind: "answer", has: ["第 1 步 / 共 3 步", "账号与安全"], lacks: ["第 2 步"] },
      { say: "重复", kind: "answer", has: ["第 1 步 / 共 3 步"] },
      { say: "好了", kind: "answer", has: ["第 2 步 / 共 3 步"] },
      { say: "下一步", kind: "answer", has: ["第 3 步 / 共 3 步", "清空"] },
      { say: "下一步", kind: "answer", has: ["全部完成", "共 3 步"] },
    ]);
  });

  it("says after each step the steps still ahead, briefly, and nothing after the last", async () => {
    await conversation().play([
      { say: "视频号入口怎么关", kind: "answer", intent: "close-entry", has: ["第 1 步 / 共 5 步"] },
      { say: "下一步", kind: "answer", has: ["第 2 步 / 共 5 步", "接下来：", "「通用」", "「发现页管理」", "把开关关掉"] },
      { say: "下一步", kind: "answer", has: ["第 3 步 / 共 5 步", "接下来：进入「发现页管理」"], lacks: ["「设置」"] },
      { say: "下一步", kind: "answer", has: ["第 4 步 / 共 5 步"] },
      { say: "下一步", kind: "answer", has: ["第 5 步 / 共 5 步"], lacks: ["接下来："] },
    ]);
  });

  it("goes on with the procedure of the row just answered when none was being walked through (注销要多久 → 下一步)", async () => {
    await conversation().play([
      { say: "注销要多久", kind: "answer", intent: "deregister-time", has: ["3-5"] },
      { say: "下一步呢", kind: "answer", intent: "deregister", has: ["第 2 步 / 共 3 步", "微信注销"] },
    ]);
    await conversation().play([
      { say: "注销要多久", kind: "answer", intent: "deregister-time" },
      { say: "第三步是什么", kind: "answer", intent: "deregister", has: ["第 3 步 / 共 3 步"] },
    ]);
  });

  it("goes on once more after 再然后 and 接下来", async () => {
    await conversation().play([
      { say: "注销视频号第一步点哪", kind: "answer", has: ["第 1 步 / 共 3 步"] },
      { say: "接下来呢", kind: "answer", has: ["第 2 步 / 共 3 步"] },
      { say: "再然后", kind: "answer", has: ["第 3 步 / 共 3 步", "确认视频号数据清空"] },
    ]);
  });

  it("reads a step asked with what it is (下一步是什么, 上一步点哪) and a step asked by its number (第一步是什么)", async () => {
    const c = conversation();
    await c.play([
      { say: "我想彻底注销视频号", kind: "answer", intent: "deregister", has: ["第 1 步 / 共 3 步"] },
      { say: "下一步是什么", kind: "answer", has: ["第 2 步 / 共 3 步", "微信注销"] },
      { say: "上一步点哪", kind: "answer", has: ["第 1 步 / 共 3 步", "账号与安全"] },
      { say: "第三步呢", kind: "answer", has: ["第 3 步 / 共 3 步", "清空"] },
      { say: "第一步是什么", kind: "answer", has: ["第 1 步 / 共 3 步"] },
    ]);
  });

  it("goes on after a word that says the step is done (已进入, 找着了, ok done) and to the last step when asked for it", async () => {
    await conversation().play([
      { say: "请问注销视频号账号，第一步应进入哪个菜单？", kind: "answer", intent: "deregister", has: ["第 1 步 / 共 3 步", "账号与安全"] },
      { say: "好的，已进入。下一步？", kind: "answer", has: ["第 2 步 / 共 3 步", "微信注销"] },
      { say: "明白。最后需要确认什么？", kind: "answer", has: ["第 3 步 / 共 3 步", "清空"] },
    ]);
    await conversation().play([
      { say: "只关入口怎么操作", kind: "answer", has: ["第 1 步 / 共 5 步"] },
      { say: "ok done, next step?", kind: "answer", has: ["第 2 步 / 共 5 步"] },
      { say: "找着了 下一步呢", kind: "answer", has: ["第 3 步 / 共 5 步"] },
      { say: "点进去了 下一步呢", kind: "answer", has: ["第 4 步 / 共 5 步"] },
      { say: "Found it. Next?", kind: "answer", has: ["第 5 步 / 共 5 步"] },
    ]);
    // a case said before the question ("关了然后呢") is no step done
    const c = conversation();
    await c.send("只关入口怎么操作");
    const o = await c.send("注销了然后呢");
    expect(o.replies.map((r) => r.text).join("\n")).not.toContain("第 2 步");
  });

  it("goes on when the next step is asked for among other words (点进去以后下一步点哪, then what?)", async () => {
    await conversation().play([
      { say: "我要彻底注销视频号，第一步从哪进？", kind: "answer", intent: "deregister", has: ["第 1 步 / 共 3 步"] },
      { say: "点进去以后下一步点哪", kind: "answer", intent: "deregister", has: ["第 2 步 / 共 3 步", "微信注销"] },
    ]);
    await conversation().play([
      { say: "只关入口怎么操作", kind: "answer", has: ["第 1 步 / 共 5 步"] },
      { say: "ok I'm in there now, then what?", kind: "answer", has: ["第 2 步 / 共 5 步"] },
    ]);
  });

  it("walks through the procedure a question about where it starts names (注销视频号第一步点哪)", async () => {
    await conversation().play([{ say: "注销视频号第一步点哪", kind: "answer", intent: "deregister", has: ["第 1 步 / 共 3 步", "账号与安全"] }]);
  });

  it("takes a number as the quick reply of that position, as channels without buttons send it", async () => {
    const c = conversation();
    const first = await c.send("注销视频号的步骤");
    expect(first.replies.at(-1)!.quickReplies![0]).toBe("下一步");
    await c.play([{ say: "1", kind: "answer", intent: "deregister", has: ["第 2 步 / 共 3 步"] }]);
    // the second quick reply now is 上一步
    await c.play([{ say: "2", kind: "answer", has: ["第 1 步 / 共 3 步"] }]);
  });

  it("says how long the whole procedure takes with its first step", async () => {
    const c = conversation();
    await c.play([{ say: "只关入口怎么操作", kind: "answer", intent: "close-entry", has: ["0.5 分钟", "第 1 步 / 共 5 步"] }]);
  });

  it("gives every step at once on request, with the warnings before the last step", async () => {
    const c = conversation();
    await c.send("怎么注销视频号");
    const all = shown(await c.send("全部步骤"));
    for (const n of [1, 2, 3]) expect(all).toMatch(new RegExp(`^${n}\\. `, "m"));
    const retention = all.indexOf("粉丝/关注列表立即清除");
    expect(retention).toBeGreaterThan(all.indexOf("2. "));
    expect(retention).toBeLessThan(all.indexOf("3. "));
  });

  it("warns to unbind 公众号/小程序 before the steps start, with the share of failures it causes", async () => {
    const c = conversation();
    const first = shown(await c.send("视频号注销流程"));
    expect(first).toContain("32%");
    expect(first).toMatch(/公众号|小程序/);
    expect(first.indexOf("32%")).toBeLessThan(first.indexOf("第 1 步"));
  });

  it("says what is lost and what an enterprise must hand in before the irreversible last step, not after it", async () => {
    const c = conversation();
    await c.send("注销视频号");
    const second = shown(await c.send("下一步"));
    expect(second).not.toContain("30 天");
    const last = shown(await c.send("下一步"));
    expect(last).toContain("第 3 步 / 共 3 步");
    for (const fact of ["30 天", "立即清除", "7 天", "营业执照"]) {
      expect(last).toContain(fact);
      expect(last.indexOf(fact)).toBeLessThan(last.indexOf("第 3 步"));
    }
  });

  it("keeps its place in the steps across small talk", async () => {
    const c = conversation();
    await c.play([
      { say: "关闭视频号入口的步骤", kind: "answer", intent: "close-entry", has: ["第 1 步 / 共 5 步"] },
      { say: "下一步", kind: "answer", has: ["第 2 步 / 共 5 步"] },
      { say: "谢谢", kind: "answer", intent: "thanks" },
      { say: "下一步", kind: "answer", intent: "close-entry", has: ["第 3 步 / 共 5 步", "通用"] },
    ]);
  });

  it("restarts the walk-through when the procedure is asked for again", async () => {
    const c = conversation();
    await c.send("注销视频号");
    await c.send("下一步");
    await c.play([{ say: "视频号怎么注销", kind: "answer", intent: "deregister", has: ["第 1 步 / 共 3 步"] }]);
  });

  it("resumes the procedure with 下一步 after a side question", async () => {
    const c = conversation();
    await c.play([
      { say: "注销视频号", kind: "answer", intent: "deregister" },
      { say: "下一步", kind: "answer", has: ["第 2 步 / 共 3 步"] },
      { say: "那视频还在吗", kind: "answer", intent: "retention-video" },
      { say: "下一步", kind: "answer", intent: "deregister", has: ["第 3 步 / 共 3 步"] },
    ]);
  });

  it("says no steps are in progress when 下一步 comes without a procedure, offering the procedures", async () => {
    const c = conversation();
    await c.play([
      { say: "粉丝会保留吗", kind: "answer" },
      { say: "下一步", kind: "fallback", has: ["没有正在进行", "只关闭视频号入口", "彻底注销视频号"] },
      { say: "2", kind: "answer", intent: "deregister", has: ["第 1 步 / 共 3 步"] },
    ]);
  });
});
