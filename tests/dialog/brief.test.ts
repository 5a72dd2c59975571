import { describe, expect, it } from "vitest";
import { brief, BRIEF_CHARS } from "../../src/dialog/brief.js";
import { more } from "../../src/dialog/handlers/more.js";
import { projectKnowledge } from "../helpers/kb.js";
import { conversation, shown } from "./conversation.js";
import { libraryKnowledge, shownBy, turnOf } from "./handlers/turns.js";

// Lines of an answer on the library's loans, long enough that not all fit in a short first reply.
const LEAD = "借书规则分学生和教师两种，借期、册数和续借次数都不一样，下面分别说明。";
const STUDENT = "学生证：每本书可以借 30 天，最多同时借 10 本，逾期每本每天罚款 0.1 元。";
const TEACHER = "教师证：借期延长到 60 天，最多同时借 20 本，续借时要先确认所在院系。";
const JOURNALS = "期刊只能在馆内阅读，不外借；新到的期刊放在二楼阅览室，按刊名排列。";
const CAVEAT = "⚠️ 逾期未还的书不能续借，要先还书并交清罚款，再重新借出。";
const lines = [LEAD, STUDENT, TEACHER, JOURNALS, CAVEAT];

describe("the short first reply", () => {
  it("keeps an answer that fits whole", () => {
    const kb = libraryKnowledge();
    expect(brief([LEAD, STUDENT], "书能借多久", kb)).toEqual({ first: [LEAD, STUDENT], more: [] });
  });

  it("says what must be said, then what fits, and leaves the rest for 更多, in order", () => {
    const kb = libraryKnowledge();
    const { first, more: rest } = brief(lines, "借书有什么规定", kb, { core: new Set([LEAD]), facts: 4 });
    expect(first[0]).toBe(LEAD);
    expect(first.join("").length).toBeLessThanOrEqual(BRIEF_CHARS);
    expect([...first, ...rest].sort()).toEqual([...lines].sort());
    expect(rest.length).toBeGreaterThan(0);
    expect(rest).toEqual(lines.filter((l) => rest.includes(l)));
  });

  it("keeps a line that says what the question names, however long the reply gets", () => {
    const kb = libraryKnowledge();
    const { first } = brief(lines, "教师能借几本", kb, { core: new Set([LEAD]), facts: 4 });
    expect(first).toContain(TEACHER);
    const { first: journals } = brief(lines, "期刊可以借回家吗", kb, { core: new Set([LEAD]), facts: 4 });
    expect(journals).toContain(JOURNALS);
  });

  it("keeps the lines that say most of what was asked first, and no more of them than a short reply holds", () => {
    const kb = libraryKnowledge();
    // every line names 借 or 书 of the question; the teacher's line names 教师 and 借 and 本 too
    const many = Array.from({ length: 12 }, (_, i) => `第${i + 1}号分馆的学生证借书以后，在分馆的服务台也可以续借一次，期限另见分馆的公告栏。`);
    const asked = brief([LEAD, ...many, TEACHER], "教师证能借几本书", kb, { core: new Set([LEAD]), facts: 14 });
    expect(asked.first).toContain(TEACHER);
    expect(asked.first.join("").length).toBeLessThanOrEqual(LEAD.length + 240);
    expect(asked.more.length).toBeGreaterThan(0);
  });

  it("keeps the lines that give a figure of the kind asked for, though they share no word with the question", () => {
    const kb = libraryKnowledge();
    const RENEW = "续借在到期前办理，网上或到服务台都可以。";
    const TIMES = "每本书一学期最多续借 2 次，每次延长 15 天。";
    const OPENING = "总馆周一至周日 9:00-21:00 开放，节假日另行通知。";
    const long = [LEAD, RENEW, STUDENT, JOURNALS, OPENING, TIMES];
    // 几次 asks for a count of 次, 多久 for a duration, 几点 for a time of day
    const count = brief(long, "一年能续几次", kb, { core: new Set([LEAD]), facts: 6 });
    expect(count.first).toContain(TIMES);
    expect(count.first).not.toContain(OPENING);
    expect(brief(long, "图书馆几点关", kb, { core: new Set([LEAD]), facts: 6 }).first).toContain(OPENING);
    expect(brief(long, "续一次能延多久", kb, { core: new Set([LEAD]), facts: 6 }).first).toContain(TIMES);
    // a count in another unit is not what 几次 asks for
    const BOOKS = "每位读者最多同时借阅 10 本，超过的要先还再借。";
    expect(brief([LEAD, RENEW, STUDENT, JOURNALS, OPENING, BOOKS], "一年能续几次", kb, { core: new Set([LEAD]), facts: 6 }).first).not.toContain(BOOKS);
  });

  it("never picks a caveat by a word of the question: it is said when it fits or is core", () => {
    const kb = libraryKnowledge();
    const { first } = brief(lines, "逾期能续借吗", kb, { core: new Set([LEAD]), facts: 4 });
    expect(first).not.toContain(CAVEAT);
    expect(brief(lines, "逾期能续借吗", kb, { core: new Set([LEAD, CAVEAT]), facts: 4 }).first).toContain(CAVEAT);
  });

  it("says everything when what is left over is too little to be worth a tap", () => {
    const kb = libraryKnowledge();
    const short = [LEAD, STUDENT, "另见馆规。"];
    expect(brief(short, "借书规定", kb, { core: new Set([LEAD, STUDENT]) }).more).toEqual([]);
  });
});

describe("the 更多 handler", () => {
  it("says the rest of the last answer, with the topic's next steps", () => {
    const d = more(turnOf("更多", { topic: "renew", step: 0, more: [JOURNALS, CAVEAT] }));
    expect(d?.outcome).toMatchObject({ kind: "answer", intent: "renew" });
    expect(d?.outcome.replies[0]?.text).toBe(`${JOURNALS}\n${CAVEAT}`);
    expect(d?.outcome.replies[0]?.quickReplies).toEqual(["下一步", "全部步骤"]);
    expect(shownBy(more(turnOf("详细点", { topic: "overdue", more: [JOURNALS] })))).toContain(JOURNALS);
    // what else it says, named or not
    expect(shownBy(more(turnOf("还有别的注意事项吗", { topic: "overdue", more: [JOURNALS] })))).toContain(JOURNALS);
    expect(shownBy(more(turnOf("还有其他的吗", { topic: "overdue", more: [JOURNALS] })))).toContain(JOURNALS);
    expect(shownBy(more(turnOf("anything else?", { topic: "overdue", more: [JOURNALS] })))).toContain(JOURNALS);
  });

  it("passes when nothing was left over, or the message asks something else", () => {
    expect(more(turnOf("更多", { topic: "overdue" }))).toBeUndefined();
    expect(more(turnOf("书能借多久", { topic: "overdue", more: [JOURNALS] }))).toBeUndefined();
  });
});

describe("还有呢 after an answer said whole", () => {
  it("answers the first topic the answer relates to; 还有别的X吗, which names what, is its own question", async () => {
    const kb = projectKnowledge();
    const c = conversation();
    const [first] = await c.play([{ say: "关了视频号对品牌曝光有啥影响", kind: "answer", intent: "impact-brand" }]);
    expect(first!.replies.at(-1)?.quickReplies ?? []).not.toContain("更多");
    const related = kb.intents.get("impact-brand")!.related.filter((id) => kb.intents.get(id)?.type === "faq");
    // (呢 asks what else, not about a 还有 of the last question)
    const [next] = await c.play([{ say: "还有呢", kind: "answer" }]);
    expect(next!.intent).toBe(related[0]);
    // with nothing to relate to, or naming what else, it passes to the other handlers
    expect(more(turnOf("还有吗", { topic: "overdue" }))).toBeUndefined();
    expect(more(turnOf("还有别的罚款规定吗", { topic: "overdue" }))).toBeUndefined();
  });
});

describe("更多 in a conversation", () => {
  it("leaves the rest of a long answer for 更多 (a quick reply, or its number), said once and only right after", async () => {
    const c = conversation();
    const kb = projectKnowledge();
    // every intent's first example, as a first message: the long answers among them say less at once
    const long = [...kb.intents.values()].filter((i) => i.type === "faq" && i.steps.length === 0 && i.examples.length);
    let deferred = 0;
    for (const intent of long) {
      const first = await conversation().send(intent.examples[0]!);
      const quick = first.replies.at(-1)?.quickReplies ?? [];
      if (!quick.includes("更多")) continue;
      deferred += 1;
      expect(first.replies[0]!.text.length, intent.id).toBeLessThanOrEqual(300);
    }
    expect(deferred).toBeGreaterThan(0);

    const [answer] = await c.play([{ say: "关闭视频号有什么影响", kind: "answer", has: ["更多"] }]);
    const position = answer!.replies[0]!.quickReplies!.indexOf("更多") + 1;
    const [rest] = await c.play([{ say: String(position), kind: "answer", intent: answer!.intent }]);
    const restText = rest!.replies[0]!.text;
    expect(restText.length).toBeGreaterThan(0);
    for (const line of restText.split("\n")) expect(answer!.replies[0]!.text).not.toContain(line);
    expect(shown(rest!)).not.toContain("更多");
    // said once: 更多 again has nothing left of that answer
    const again = await c.send("更多");
    expect(again.replies[0]?.text ?? "").not.toBe(restText);
  });
});
