import { describe, expect, it } from "vitest";
import { conversation } from "./conversation.js";

// A question comparing rows of one table gets the column asked for each row it names.
describe("a question comparing rows of a table", () => {
  it("gets the column asked for each row it names", async () => {
    await conversation().play([
      { say: "关入口和注销比，哪个成功率高？各是多少", kind: "answer", has: ["98%", "76%"] },
    ]);
    await conversation().play([
      { say: "视频和粉丝列表，关了以后哪个留得久？分别多久", kind: "answer", has: ["30天", "立即清除"], lacks: ["7天"] },
    ]);
  });

  it("is read as such after a question about another table, not as a column of the table in focus", async () => {
    await conversation().play([
      { say: "关闭入口要几分钟", kind: "answer" },
      { say: "视频和粉丝列表，关了以后哪个留得久？分别多久", kind: "answer", has: ["30天", "立即清除"], lacks: ["0.5分钟"] },
    ]);
  });

  it("is not made of two rows named without a word that compares, nor of a question out of scope", async () => {
    const [o] = await conversation().play([{ say: "注销账号以后入口还在吗", kind: "answer" }]);
    expect(o!.replies[0]!.text).not.toMatch(/^关闭方式对比/);
    await conversation().play([{ say: "B站注销跟抖音注销比，哪个更麻烦", kind: "fallback" }]);
  });

  it("is not made of a comparing word in the story around a long message's question", async () => {
    const [o] = await conversation().play([
      { say: "我在做一份合规比较，抖音、小红书的规则已经看过了。针对视频号，用户要求无条件导出数据时，平台规则实际提供的是什么？", kind: "answer" },
    ]);
    expect(o!.replies[0]!.text).not.toMatch(/^替代平台对比/);
    expect(o!.replies.map((r) => r.text).join("\n")).toMatch(/本地下载/);
  });

  it("leaves to the intent it reads clearly a question naming two rows but no column (一般大家是关入口还是直接注销: how many do which)", async () => {
    await conversation().play([{ say: "一般大家是关入口还是直接注销", kind: "answer", intent: "close-stats", has: ["67%"] }]);
  });
});
