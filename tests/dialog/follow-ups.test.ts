import { describe, expect, it } from "vitest";
import { conversation } from "./conversation.js";

describe("a short question with a word the knowledge base does not know", () => {
  it("is read with the last question when alone it is not understood (哪类 company 最惨 after the revenue question)", async () => {
    await conversation().play([
      { say: "Channels 关掉以后 company 营收会受影响吗", kind: "answer", intent: "impact-revenue" },
      { say: "哪类 company 最惨", kind: "answer", intent: "impact-revenue", has: ["电商"] },
    ]);
  });
});

describe("a follow-up about the row just answered", () => {
  it("asks its other column, a time word beside it saying nothing of another topic (以后还能找回来吗 after 那点赞呢)", async () => {
    await conversation().play([
      { say: "关之前视频能导出吗", kind: "answer" },
      { say: "那点赞呢", kind: "answer", intent: "retention-interactions" },
      { say: "以后还能找回来吗", kind: "answer", intent: "retention-interactions", has: ["不可恢复"] },
    ]);
  });
});

describe("follow-up questions read in context", () => {
  it("never reads a follow-up as a clause of the last question alone (那得多久才能缓过来 is not 关了视频号 again)", async () => {
    const c = conversation();
    // (how long it takes, of the row in focus: its recovery, though 缓过来 is no word of the knowledge base)
    const [, o] = await c.play([
      { say: "关了视频号 俺直播间人会少多少", kind: "answer", intent: "impact-private" },
      { say: "那得多久才能缓过来", kind: "answer", intent: "impact-private", has: ["6个月"] },
    ]);
    expect(o!.intent).not.toBe("close-ambiguous");
  });

  it("answers a why after a question about one column of a table's rows with that column's notes (哪个迁移成本最低 → 为什么)", async () => {
    await conversation().play([
      { say: "关了视频号以后去哪个平台迁移成本最低？", kind: "answer", has: ["小红书"] },
      { say: "为什么", kind: "answer", has: ["内容格式相似"] },
    ]);
  });

  it("reads a question word beside a column's name as what is asked of the row in focus (那要多长时间才能恢复过来)", async () => {
    await conversation().play([
      { say: "关了视频号以后 直播间会少多少人", kind: "answer", intent: "impact-private" },
      { say: "那要多长时间才能恢复过来", kind: "answer", intent: "impact-private", has: ["6个月"] },
    ]);
  });

  it("gives a motive's typical sign as its reason, and the enterprise variant of the identity check", async () => {
    await conversation().play([
      { say: "因为隐私关掉的人占多少", kind: "answer", intent: "motive-privacy", has: ["38%"] },
      { say: "为什么", kind: "answer", intent: "motive-privacy", has: ["社交关系链"] },
    ]);
    await conversation().play([
      { say: "注销要验证身份吗", kind: "answer", intent: "deregister-identity" },
      { say: "企业号呢", kind: "answer", intent: "deregister-identity", has: ["营业执照"] },
    ]);
  });

  it("reads a short question that names only what is asked (成功率高吗) about the row in focus", async () => {
    const c = conversation();
    await c.play([
      { say: "关掉之后想再开回来怎么弄", kind: "answer", intent: "reopen" },
      { say: "要多久", kind: "answer", intent: "reopen", has: ["1-2分钟"] },
      { say: "成功率高吗", kind: "answer", intent: "reopen", has: ["89%"] },
    ]);
  });

  it("reads a question about the row in focus among words no phrasing uses (这一套弄完大概要几分钟), and pages after an acknowledgment (嗯好然后下一步呢)", async () => {
    const c = conversation();
    await c.play([
      { say: "我想把视频号彻底注销掉第一步先去哪里", kind: "answer", intent: "deregister" },
      { say: "嗯好然后下一步呢", kind: "answer", intent: "deregister", has: ["第 2 步"] },
      { say: "这一套弄完大概要几分钟", kind: "answer", intent: "deregister", has: ["3-5"] },
    ]);
  });

  it("keeps a follow-up's own reading when it is understood alone (那粉丝呢 after 怎么关 asks about followers)", async () => {
    const c = conversation();
    await c.play([
      { say: "视频号怎么关", kind: "clarify" },
      { say: "那粉丝呢", kind: "answer", intent: "retention-fans", has: ["立即清除"] },
    ]);
  });

  it("answers the same retention question for the other data type after a retention answer", async () => {
    const c = conversation();
    await c.play([
      { say: "关闭后视频保留多久", kind: "answer", intent: "retention-video", has: ["30天"] },
      { say: "那粉丝列表呢", kind: "answer", intent: "retention-fans", has: ["立即清除"], lacks: ["30天。"] },
      { say: "评论呢", kind: "answer", intent: "retention-interactions", has: ["7天"] },
    ]);
  });

  it("answers another column of the same row when only the column is named", async () => {
    const c = conversation();
    await c.play([
      { say: "点赞评论会保留吗", kind: "answer", intent: "retention-interactions", has: ["7天"] },
      { say: "能恢复吗", kind: "answer", intent: "retention-interactions", has: [/恢复难度：不可恢复/] },
      { say: "能导出吗", kind: "answer", has: [/互动数据.*不支持导出/] },
    ]);
  });

  it("answers retention after the deregistration steps when asked whether the videos remain", async () => {
    const c = conversation();
    await c.play([
      { say: "注销视频号", kind: "answer", intent: "deregister" },
      { say: "下一步", kind: "answer", has: ["第 2 步"] },
      { say: "那视频还在吗", kind: "answer", intent: "retention-video", has: ["30天"] },
    ]);
  });

  it("re-answers the current topic for an enterprise account", async () => {
    const c = conversation();
    await c.play([
      { say: "怎么彻底注销视频号", kind: "answer", intent: "deregister", lacks: ["企业号：企业号注销"] },
      { say: "企业号呢", kind: "answer", intent: "deregister", has: ["营业执照"] },
      { say: "个人号呢", kind: "answer", intent: "deregister", has: [/不需要/] },
    ]);
  });

  it("says the answer holds for both kinds of account when the knowledge makes no difference", async () => {
    const c = conversation();
    await c.play([
      { say: "粉丝会保留吗", kind: "answer", intent: "retention-fans" },
      { say: "企业号呢", kind: "answer", intent: "retention-fans", has: ["没有区分", "立即清除"] },
    ]);
  });

  it("gives the reason where the knowledge has one", async () => {
    const c = conversation();
    await c.play([
      { say: "注销失败了", kind: "answer", intent: "deregister-failure", has: ["32%"] },
      { say: "为什么", kind: "answer", intent: "deregister-failure", has: ["32%", /公众号|小程序/] },
      { say: "那怎么办", kind: "answer", has: ["解绑"] },
    ]);
  });

  it("does not answer the topic just walked through again for a follow-up naming something else (那粉丝呢 after the steps)", async () => {
    await conversation().play([
      { say: "我想彻底注销视频号", kind: "answer", intent: "deregister" },
      { say: "下一步", kind: "answer" },
      { say: "那粉丝呢", kind: "answer", intent: "retention-fans", has: ["立即清除"] },
    ]);
  });

  it("says a short follow-up's answer alone, without an entry scored as close beside it: the conversation says which is meant", async () => {
    await conversation({ settings: { clarifyMargin: 0.05 } }).play([
      { say: "视频号怎么关", kind: "clarify" },
      { say: "2", kind: "answer", intent: "deregister" },
      { say: "下一步", kind: "answer" },
      { say: "那粉丝呢", kind: "answer", intent: "retention-fans", has: ["立即清除"], lacks: ["如果你问的是"] },
    ]);
  });

  it("asks a question about another platform again of this one when the follow-up names only the subject (那视频号呢)", async () => {
    await conversation().play([
      { say: "嗯那个抖音号要怎么注销啊", kind: "fallback" },
      { say: "那视频号呢", kind: "answer", intent: "deregister", has: ["账号与安全"] },
    ]);
  });

  it("asks it again of this one when the follow-up names the subject by its full name, which alone reads as a question about it (那微信视频号的呢)", async () => {
    await conversation().play([
      { say: "快手号怎么注销啊", kind: "fallback" },
      { say: "那微信视频号的呢", kind: "answer", intent: "deregister", has: ["账号与安全"] },
    ]);
  });

  it("reads a short question that points back (这个期限) about the row in focus, asking the column it has not asked yet", async () => {
    await conversation().play([
      { say: "老板担心关了以后这些评论点赞就没了，想问一下关掉后还能保留几天？", kind: "answer", has: ["7天"] },
      { say: "过了这个期限还能恢复吗", kind: "answer", intent: "retention-interactions", has: ["不可恢复"] },
    ]);
  });

  it("gives the reasons of a related topic that answers with the whole row in focus (注销's 成功率 → why deregistering fails)", async () => {
    await conversation().play([
      { say: "注销这条路走下来，成功的比例有多高？", kind: "answer", has: ["76%"] },
      { say: "为什么这么低？", kind: "answer", has: ["32%", "解绑"] },
    ]);
  });

  it("answers a why with the lines of the topic's answer that say a cause, when it declares no reasons", async () => {
    await conversation().play([
      { say: "sph中小博主流失率多少", kind: "answer", has: ["41%"] },
      { say: "为啥", kind: "answer", has: ["需1万粉丝方可开通广告"] },
    ]);
    await conversation().play([
      { say: "关了视频号的人有多少愿意再回来", kind: "answer", has: ["12%"] },
      { say: "为什么这么少", kind: "answer", has: ["阻碍效应"] },
    ]);
  });

  it("answers a why after a question about one column of a row with that cell's note, asked in Cantonese too (點解)", async () => {
    await conversation().play([
      { say: "由視頻號搬去B站，遷移成本高唔高？", kind: "answer" },
      { say: "點解？", kind: "answer", has: ["用户群体差异大"] },
    ]);
  });

  it("puts first the line that says the cause of what was just asked, beside the topic's declared reasons", async () => {
    await conversation().play([
      { say: "How many companies put off closing their Channels accounts?", kind: "answer", has: ["43%"] },
      { say: "Why?", kind: "answer", has: ["解绑流程复杂"] },
    ]);
  });

  it("says there is no reason in the knowledge instead of answering another question", async () => {
    const c = conversation();
    await c.play([
      { say: "视频多久删除", kind: "answer", intent: "retention-video" },
      { say: "为什么", kind: "fallback", has: ["没有说明原因"], lacks: ["38%"] },
    ]);
  });

  it.each([
    ["互动数据能恢复吗", "retention-interactions", /恢复难度：不可恢复/],
    ["小红书迁移成本高吗", "alt-xiaohongshu", /小红书的迁移成本低/],
    ["粉丝能导出吗", "retention-fans", /^粉丝\/关注列表不支持导出/],
    ["关入口成功率多少", "entry-time", /98%/],
    ["b站和微信兼容吗", "alt-bilibili", /^B站仅支持QQ登录关联/],
  ])("answers the table cell asked directly: %s", async (say, intent, fact) => {
    const c = conversation();
    await c.play([{ say, kind: "answer", intent, has: [fact] }]);
  });

  it("moves along a table's rows: another platform after one platform", async () => {
    const c = conversation();
    await c.play([
      { say: "小红书迁移成本高吗", kind: "answer", intent: "alt-xiaohongshu", has: ["低"] },
      { say: "b站呢", kind: "answer", intent: "alt-bilibili", has: [/B站.*迁移成本高/] },
    ]);
  });

  it("answers a short follow-up on the impacts in context", async () => {
    const c = conversation();
    await c.play([
      { say: "关视频号对企业有啥影响", kind: "answer", has: ["46%"] },
      { say: "对直播呢", kind: "answer", has: [/25%|30%/] },
    ]);
  });

  it("answers one column for every row after an answer that listed a whole table", async () => {
    const c = conversation();
    await c.play([
      { say: "大家为什么关视频号", kind: "answer", intent: "motives-overview", has: ["38%"] },
      { say: "哪些行业", kind: "answer", has: ["金融", "教育", "中老年", "医疗"], lacks: ["38%"] },
      { say: "隐私呢", kind: "answer", intent: "motive-privacy", has: ["38%", "金融"] },
    ]);
  });

  it("answers a column of the retention table for each data type after the overview", async () => {
    const c = conversation();
    await c.play([
      { say: "关闭后数据还在吗", kind: "answer", intent: "retention-overview" },
      { say: "能恢复吗", kind: "answer", has: ["难度低", "极高", "不可恢复"], lacks: ["30 天"] },
    ]);
  });

  it("compares the rows of the table in context for a 哪个…最 question, whatever row was in focus", async () => {
    const c = conversation();
    await c.play([
      { say: "去抖音怎么样", kind: "answer", intent: "alt-douyin" },
      { say: "哪个迁移成本最低", kind: "answer", has: [/抖音：中/, /小红书：低/, /B站：高/] },
    ]);
    const d = conversation();
    await d.play([
      { say: "视频保留多久", kind: "answer", intent: "retention-video" },
      { say: "哪个恢复最难", kind: "answer", has: ["难度低", "极高", "不可恢复"] },
    ]);
  });

  it("answers every row a question names, not only the first", async () => {
    const c = conversation();
    const [o] = await c.play([{ say: "粉丝跟视频还在吗", kind: "answer", has: ["立即清除", "30天"] }]);
    const text = o!.replies[0]!.text;
    expect(text.indexOf("粉丝/关注列表")).toBeGreaterThanOrEqual(0);
    expect(text.indexOf("个人视频")).toBeGreaterThanOrEqual(0);
  });
});
