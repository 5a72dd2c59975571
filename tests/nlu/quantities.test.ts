import { describe, expect, it } from "vitest";
import { normalizeText } from "../../src/nlu/normalize.js";
import { chineseNumber, quantitiesIn, rangeIn, saysAfter, within } from "../../src/nlu/quantities.js";

const HOUR = 60;
const DAY = 24 * HOUR;
const said = (s: string) => quantitiesIn(normalizeText(s).text).map((q) => [q.dim, Math.round(q.value)]);
const range = (s: string) => rangeIn(normalizeText(s).text)!;

describe("quantities people say", () => {
  it("reads Chinese numerals", () => {
    expect(chineseNumber("十二")).toBe(12);
    expect(chineseNumber("四十")).toBe(40);
    expect(chineseNumber("一百二十")).toBe(120);
    expect(chineseNumber("两")).toBe(2);
    expect(chineseNumber("好")).toBeNaN();
  });

  it("reads a figure with its unit, in Chinese, traditional characters and English", () => {
    expect(said("离开车还有九天")).toEqual([["time", 9 * DAY]]);
    expect(said("四十个小时")).toEqual([["time", 40 * HOUR]]);
    expect(said("车晚了一个半钟头")).toEqual([["time", 90]]);
    expect(said("半个月")).toEqual([["time", 15 * DAY]]);
    expect(said("開車前兩天以上、一週以內")).toEqual([["time", 2 * DAY], ["time", 7 * DAY]]);
    expect(said("3 days before it leaves")).toEqual([["time", 3 * DAY]]);
    expect(said("孩子五岁")).toEqual([["age", 5]]);
    // 十分 is "very", not ten minutes
    expect(said("十分重要")).toEqual([]);
    // one length in two units is their sum; a year of the calendar is no length
    expect(said("用了一年零两个月")).toEqual([["time", 365 * DAY + 60 * DAY]]);
    expect(said("1 year and 2 months")).toEqual([["time", 365 * DAY + 60 * DAY]]);
    expect(said("2023年买的")).toEqual([]);
  });

  it("moves a figure said with 不到 or 多 just under or over it", () => {
    const [under] = quantitiesIn("不到一天");
    const [over] = quantitiesIn("一天多");
    expect(under!.value).toBeLessThan(DAY);
    expect(over!.value).toBeGreaterThan(DAY);
    expect(quantitiesIn("less than 24 hours")[0]!.value).toBeLessThan(DAY);
  });

  it("tells a figure counted after the event from one counted before it", () => {
    expect(saysAfter("车开走了一个钟头")).toBe(true);
    expect(saysAfter("I missed my train by an hour")).toBe(true);
    expect(saysAfter("离开车还有九天")).toBe(false);
  });
});

describe("the ranges rows name", () => {
  it("reads each end and whether it belongs to the range", () => {
    const tiers = ["开车前8天以上(含8天)", "开车前48小时以上、不足8天", "开车前24小时以上、不足48小时", "开车前不足24小时"].map(range);
    const fits = (value: number) => tiers.filter((r) => within({ dim: "time", value }, r)).length;
    // every figure falls in exactly one tier, 8 days and 48 hours included
    for (const v of [8 * DAY, 9 * DAY, 3 * DAY, 48 * HOUR, 30 * HOUR, 10 * HOUR]) expect(fits(v)).toBe(1);
    expect(within({ dim: "time", value: 8 * DAY }, tiers[0]!)).toBe(true);
    expect(within({ dim: "time", value: 48 * HOUR }, tiers[1]!)).toBe(true);
  });

  it("reads ages with 年满 and 未满, and a range counted after the event", () => {
    expect(range("年满6周岁、未满14周岁的儿童")).toMatchObject({ dim: "age", lo: 6, hi: 14, loIn: true, hiIn: false });
    expect(range("未满6周岁的儿童")).toMatchObject({ dim: "age", lo: 0, hi: 6 });
    expect(range("开车后2小时内")).toMatchObject({ dim: "time", lo: 0, hi: 2 * HOUR, side: "after" });
    expect(range("开车前不足24小时")).toMatchObject({ side: "before" });
    expect(range("1年以上")).toMatchObject({ side: null });
    expect(rangeIn("支付宝")).toBeNull();
  });
});
