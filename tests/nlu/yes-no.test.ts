import { describe, expect, it } from "vitest";
import { normalizeText } from "../../src/nlu/normalize.js";
import { yesOrNo } from "../../src/nlu/yes-no.js";

const read = (text: string) => yesOrNo(normalizeText(text).text.replace(/\s+/g, ""));

describe("yes or no", () => {
  it.each(["好的", "好", "嗯嗯", "可以", "需要", "OK", "好的呀", "行吧", "yes"])("reads %s as yes", (text) => {
    expect(read(text)).toBe("yes");
  });

  it.each(["不需要", "不用", "不用了", "不用了，谢谢", "不用了谢谢你们", "算了", "算了吧", "没事了", "No", "no thanks", "先不用了", "不要了"])("reads %s as no", (text) => {
    expect(read(text)).toBe("no");
  });

  it.each(["不用视频号了用啥", "好的视频号怎么关", "不需要营业执照吗", "转人工", "asdf", ""])("reads %s as neither", (text) => {
    expect(read(text)).toBeNull();
  });
});
