import { describe, expect, it } from "vitest";
import { createNumberedChoices } from "../../src/channels/plain-text.js";
import { numberedChoices, optionNumbered, ordinal, positionNamed } from "../../src/dialog/numbered.js";

describe("picking a numbered option", () => {
  it("reads the position a reply names, in digits or words", () => {
    expect(["1", "第二个", "选3", "三", "第4项"].map(ordinal)).toEqual([1, 2, 3, 3, 4]);
    expect(ordinal("12")).toBeNull();
    expect(ordinal("下一步")).toBeNull();
    expect(positionNamed("后者", 3, true)).toBe(3);
    expect(positionNamed("后者", 3)).toBeNull();
  });

  it("numbers the quick replies of the last message that has some", () => {
    const replies = [{ text: "答案", quickReplies: ["甲", "乙"] }, { text: "有帮助吗？", quickReplies: ["有用", "没用"] }, { text: "另：" }];
    expect(numberedChoices(replies)).toEqual(["有用", "没用"]);
    expect(numberedChoices([{ text: "答案" }])).toEqual([]);
  });

  it("picks the option a number names, full-width or with spaces, and nothing past the options", () => {
    expect(optionNumbered(" ２ ", ["甲", "乙"])).toBe("乙");
    expect(optionNumbered("第一个", ["甲", "乙"])).toBe("甲");
    expect(optionNumbered("3", ["甲", "乙"])).toBeUndefined();
    expect(optionNumbered("甲", ["甲", "乙"])).toBeUndefined();
  });

  it("is the reading the text-only channels use for the options they numbered", () => {
    const choices = createNumberedChoices();
    choices.remember("c", [{ text: "答案", quickReplies: ["甲", "乙"] }, { text: "有帮助吗？", quickReplies: ["有用", "没用"] }]);
    expect(choices.resolve("c", "２")).toBe("没用");
    expect(choices.resolve("c", "第一个")).toBe("有用");
    expect(choices.resolve("c", "3")).toBe("3");
    expect(choices.resolve("other", "1")).toBe("1");
  });
});
