// How people say yes or no to a question the bot asked ("要不要转人工客服？"). General language data:
// it ships with the engine, apart from any knowledge base, and is read for a whole short message only,
// so "不用视频号了用啥" stays a question.

const YES = new Set([
  "好", "好的", "好吧", "好啊", "好呀", "好滴", "好哒", "好嘞", "是", "是的", "对", "对的", "要", "要的", "需要", "需要的",
  "可以", "可以的", "行", "行的", "行吧", "嗯", "嗯嗯", "恩", "没问题", "麻烦了", "麻烦你了", "转", "转吧", "转一下",
  "ok", "okay", "yes", "yeah", "yep", "sure",
]);

const NO = new Set([
  "不", "不要", "不用", "不需要", "不必", "不了", "算了", "没事", "没关系", "先不用", "暂时不用", "先不了", "先不要",
  "不转", "不用转", "别转", "不想", "不想转", "不麻烦了", "不用麻烦了", "no", "nope", "nothanks",
]);

// Trailing politeness and particles that do not change the answer ("不用了谢谢", "好的呀").
const TAIL = /(谢谢你们|谢谢您|谢谢你|谢谢|谢了|多谢|thanks|thankyou|了|吧|啊|呀|哈|啦|哦|呢|的)$/;
const HEAD = /^(嗯|哦|噢|呃|额)+(?=.)/;

/**
 * Whether a whole message answers yes or no ("好的" → yes, "不用了谢谢" → no), or null when it is
 * anything else. `clean` is the normalised text without whitespace.
 */
export function yesOrNo(clean: string): "yes" | "no" | null {
  // shed one particle at a time: "算了吧" is "算了" before it is "算"
  let form = clean.replace(/[\p{P}\p{S}]/gu, "").toLowerCase().replace(HEAD, "");
  while (form) {
    if (YES.has(form)) return "yes";
    if (NO.has(form)) return "no";
    const shorter = form.replace(TAIL, "");
    if (shorter === form) return null;
    form = shorter;
  }
  return null;
}
