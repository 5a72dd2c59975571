import { describe, it } from "vitest";
import { conversation } from "../dialog/conversation.js";

// Facts of the article's sections that people ask about in the section's own terms are in the
// answer of that section's topic, not only in a narrower one.
describe("the article's section facts", () => {
  it("gives how many enterprises put off closing because unbinding is complex with the unbinding topic", async () => {
    await conversation().play([{ say: "为什么很多企业迟迟没关视频号？有多少是这个原因？", kind: "answer", has: ["43%"] }]);
  });
});
