import { afterAll, describe, expect, it } from "vitest";
import { evaluatePhrasings, explainMiss, formatConfidence, missLegend, reliability, type Miss } from "../../src/knowledge/evaluate.js";
import { loadKnowledgeOrThrow } from "../../src/knowledge/load.js";
import { UNBIND_KB, writeTempKb } from "../helpers/small-kb.js";

const tmp = writeTempKb(UNBIND_KB);
afterAll(() => tmp.remove());
const kb = loadKnowledgeOrThrow(tmp, tmp.dir);

function missOf(text: string, expected: string, threshold = 0.45, margin = 0.02): Miss {
  const r = evaluatePhrasings(kb, [{ text, expected }], threshold, margin);
  expect(r.misses).toHaveLength(1);
  return r.misses[0]!;
}

describe("why a phrasing was not answered as expected", () => {
  it("a high-confidence (no answer) is vetoed by an out-of-scope intent, and says which", () => {
    const m = missOf("今天天气解绑", "unbind-why");
    expect(m.got).toBeNull();
    expect(m.confidence).toBeGreaterThanOrEqual(0.45);
    expect(m.why).toEqual({ kind: "vetoed", by: "weather" });
    expect(explainMiss(m, 0.45)).toBe('[vetoed: the best match, "weather", is an out-of-scope intent]');
  });

  it("a score under the threshold says so with both numbers", () => {
    const m = missOf("解绑公众号", "unbind-how", 0.99);
    expect(m.why).toEqual({ kind: "below-threshold" });
    expect(explainMiss(m, 0.99)).toMatch(/^\[below threshold: 0\.9\d+ < 0\.99\]$/);
  });

  it("markup only is noise and words the knowledge base does not know have no candidate", () => {
    expect(missOf("<div></div>", "unbind-why").why.kind).toBe("noise");
    expect(missOf("吃饭", "unbind-why").why).toEqual({ kind: "no-candidate" });
  });

  it("another intent winning shows where the expected one ranked", () => {
    const m = missOf("解绑公众号", "unbind-why");
    expect(m.got).toBe("unbind-how");
    expect(m.why).toMatchObject({ kind: "wrong-intent", expectedRank: 2 });
    expect(explainMiss(m, 0.45)).toMatch(/^\[wrong intent: unbind-why ranked 2 @ 0\.\d\d\]$/);
  });

  it("a close second within the clarify margin is a near tie the bot would answer second", () => {
    const m = missOf("解绑公众号", "unbind-why", 0.45, 0.3);
    expect(m.why.kind).toBe("near-tie");
    expect(explainMiss(m, 0.45)).toContain("the bot would answer it second, after the other");
  });

  it("an out-of-scope phrasing that gets answered says it should not be", () => {
    const m = missOf("解绑步骤", "out-of-scope");
    expect(m.got).toBe("unbind-how");
    expect(m.why).toEqual({ kind: "answered-out-of-scope" });
  });

  it("prints three decimals where two would round a miss up to the threshold", () => {
    expect(formatConfidence(0.449, 0.45)).toBe("0.449");
    expect(formatConfidence(0.43, 0.45)).toBe("0.43");
    expect(formatConfidence(0.78, 0.45)).toBe("0.78");
  });

  it("the legend names every reason it can print, with the threshold", () => {
    const legend = missLegend(0.45).join("\n");
    for (const tag of ["[below threshold]", "[vetoed]", "[noise]", "[no candidate]", "[wrong intent]", "[near tie]", "[answered"]) {
      expect(legend).toContain(tag);
    }
    expect(legend).toContain("0.45");
  });
});

describe("reliability of the confidence", () => {
  it("buckets phrasings by confidence with each bucket's observed accuracy, and the count-weighted gap", () => {
    const points = [
      { confidence: 0.95, correct: true },
      { confidence: 0.91, correct: true },
      { confidence: 0.55, correct: true },
      { confidence: 0.52, correct: false },
      { confidence: 1, correct: true },
    ];
    const { table, ece } = reliability(points);
    expect(table.map((b) => [b.from, b.count, b.accuracy])).toEqual([
      [0.5, 2, 0.5],
      [0.9, 3, 1],
    ]);
    // 2/5 × |0.5 − 0.535| + 3/5 × |1 − 0.953…|
    expect(ece).toBeCloseTo((2 / 5) * 0.035 + (3 / 5) * (1 - (0.95 + 0.91 + 1) / 3), 6);
  });

  it("is reported for every phrasing evaluated, out-of-scope ones right when the top reading refuses", () => {
    const faq = [...kb.intents.values()].find((i) => i.type === "faq")!;
    const report = evaluatePhrasings(kb, [{ text: faq.examples[0]!, expected: faq.id }, { text: "今天天气怎么样", expected: "out-of-scope" }], 0.45);
    expect(report.points).toHaveLength(2);
    expect(report.points[0]).toEqual({ confidence: expect.any(Number), correct: true });
    expect(report.points[1]!.correct).toBe(true);
  });
});
