import { describe, expect, it } from "vitest";
import { numberedPick } from "../../../src/dialog/handlers/numbered-pick.js";
import { turnOf } from "./turns.js";

describe("the numbered-pick handler", () => {
  it("reads a number, in digits or words, as the quick reply it numbers", () => {
    const t = turnOf("2", { offered: ["下一步", "全部步骤"] });
    expect(numberedPick(t)?.outcome.intent).toBe("rerun");
    expect(t.rerun).toEqual(["全部步骤"]);
    const w = turnOf("第一个", { offered: ["下一步", "全部步骤"] });
    numberedPick(w);
    expect(w.rerun).toEqual(["下一步"]);
  });

  it("passes when nothing was offered, the number is past the offers, or the message is no number", () => {
    for (const [text, offered] of [["1", []], ["3", ["下一步", "全部步骤"]], ["下一步", ["下一步"]]] as const) {
      const t = turnOf(text, { offered: [...offered] });
      expect(numberedPick(t), text).toBeUndefined();
      expect(t.rerun).toEqual([]);
    }
  });
});
