// What the dialog reads in a message besides its topic: paging, why, acknowledgments, leaving the queue.

// (after an acknowledgment: "嗯好然后下一步呢", "好的，下一步", "ok next")
// (and what says a step was done: "点进去了", "找着了", "打开了", "found it", "got it"; not "关了", a case)
const ACKED = "(?:嗯+|哦+|好的?|好吧|行|ok|okay|alright|right|cool|great|yes|yep|那|中|得嘞|明白了?|了解了?|懂了|知道了|已进入|已经进去|(?:点|进|找|打|弄|搞|做|看|设|选|到)\\p{Script=Han}{0,2}了|foundit|gotit|iamin|imin|done|and)*";
// (what a step is asked with: "下一步是什么", "上一步点哪", "第一步要做什么")
const STEP_ASKED = "(?:是什么|是啥|是哪个|做什么|干什么|干嘛|要做什么|要干嘛|该做什么|该干嘛|怎么做|怎么弄|点哪|点哪里|点哪儿|进哪|进哪里|去哪|去哪里)?";
// (再然后, 又下一步: once more)
export const NEXT = new RegExp(`^${ACKED}(?:再|又)?(下一步|然后|接着|接下来|继续|好了|好了然后|下一个|nextstep|next|then|whatsnext|whatnext|done|ok了|弄好了|搞定了|完成了|做完了)+${STEP_ASKED}(呢|啊|了|吧)?$`, "u");
/** The next step asked for inside a message that says more ("点进去以后下一步点哪", "ok I'm in Settings now, then what?"). */
// (not 然后呢 after words: "注销了然后呢" asks what follows a case, not the next step)
export const NEXT_INSIDE = /下一步|接下来(?:呢|要|该|做|点|干)|thenwhat|whatnext|whatsnext|nextstep/u;
export const PREV = new RegExp(`^${ACKED}(上一步|上一个|返回上一步|回到上一步|previous|back)${STEP_ASKED}(呢|啊|吧)?$`, "u");
/** "最后一步是什么", "最后需要确认什么": the last step of the procedure in focus. */
export const LAST_STEP = new RegExp(`^${ACKED}最后(?:一步)?(?:还)?(?:需要|要|该|得)?(?:确认|做|点|填|干|操作)?(?:一下)?(?:什么|啥|哪|哪里|哪个)?(呢|啊|吧)?$`, "u");
/** "第一步是什么", "第3步呢": a step of the procedure in focus, by its number (the first capture). */
export const STEP_NUMBER = new RegExp(`^${ACKED}第([一二三四五六七八九十]|\\d{1,2})步${STEP_ASKED}(呢|啊|吧)?$`, "u");
export const REPEAT = /^(重复|再说一遍|再说一次|没看清|再来一遍|repeat)(一下|一遍)?(呢|啊|吧)?$/;
export const ALL_STEPS = /^(把)?(全部步骤|所有步骤|完整步骤|全部|全部的|都发我|一次性发完|全部发我|完整流程|全部流程|整个流程|步骤全部|步骤都)(都)?(发我|给我|发给我|发一下|列一下|说一下|看看|发出来)?(呢|吧|啊|一下)?$/;
/** 「更多」 and its kin: the rest of the answer just given. */
/** Of 「更多」's kin, those that ask what else there is (还有呢, anything else), not for detail. */
// (bare: 还有别的改进吗 names what, and is read as its own question)
export const WHAT_ELSE = /^(还有吗|还有呢|还有什么|还有(?:别的|其他|其它|啥)的?(?:吗|呢|么|没|没有|不)?|anythingelse|whatelse)(呢|吧|啊|呀)?$/u;
// (还有别的改进方向吗, 还有其他的吗: what else the answer says, named or not)
export const MORE = /^(更多|更多的|更多内容|更多信息|详细|详细点|详细一点|详细些|详细说说|说详细点|说详细一点|具体点|具体一点|具体说说|展开|展开说说|展开讲讲|多说点|多说一点|还有吗|还有呢|还有什么|还有(?:别的|其他|其它|啥)的?\p{Script=Han}{0,6}?(?:吗|呢|么|没|没有|不)?|more|moreinfo|moredetails|tellmemore|details|anythingelse|whatelse)(呢|吧|啊|呀)?$/u;
export const WHY = /^(那)?(为什么|为啥|为何|why|咋回事|怎么回事|什么原因|点解|为咩|做咩)(呢|啊|呀|嘅|呢个)?$/;
// A message opening with a why ("为什么他们对这个这么敏感").
export const WHY_LEAD = /^(那)?(为什么|为啥|为何|why|how ?come|点解|为咩)/;
/** "好的" / "嗯" / "ok": an acknowledgment, not a question (the next step while walking through one). */
export const ACK = /^(好|好的|好吧|好哒|嗯|嗯嗯|哦|哦哦|ok|okay|行|收到|了解|可以)(的|了|啊|呀)?$/;
export const CANCEL_HUMAN = /(取消人工|不用人工|不要人工|取消排队|不用了|算了|不需要了|取消转接)/;
/** Words that compare things a message names ("各自", "分别", "哪个", "相比", "区别", "还是"). */
export const COMPARE = /分别|各自|各是|各多少|各几|各要|各需|差多少|差几|相差|哪个|哪一个|哪些|哪种|相比|相较|比较|对比|区别|差别|不同|二者|两者|两个|三个|还是|vs|比起|和.{1,12}比|\bcompare|\bversus\b|\bwhich\b.*\bor\b|\bor\b.*\bwhich\b|\bwhich\b.*\bwhich\b|\bbetween\b.*\band\b|\bboth\b|\beach\b/;
/**
 * Comparative words that ask for a column without naming it ("哪个快" asks how long, "哪个便宜" how
 * much): each with the question word that names that column in any knowledge base's lexicon.
 */
export const COMPARATIVES: ReadonlyArray<{ pattern: RegExp; asks: string }> = [
  { pattern: /(?:哪个|哪种|谁|哪样|哪一个)(?:更|比较|要)?(?:快|慢)|更快|更慢|快一?点|快一些|快些|\b(?:faster|quicker|slower|fastest|quickest|slowest)\b/, asks: "多久" },
  { pattern: /(?:哪个|哪种|谁|哪样|哪一个)(?:更|比较|要)?(?:贵|便宜|省钱)|更贵|更便宜|\b(?:cheaper|cheapest|pricier|more expensive)\b/, asks: "多少钱" },
];
/** Words that ask how things differ ("有什么区别", "what's the difference"), not which one is meant. */
export const DIFFERENCE = /区别|差别|差异|不同|不一样|有啥两样|\b(?:difference|differences|differ|diff)\b/;
export const SUPERLATIVE = /哪(个|一个|家|种|些|款)|最(低|高|多|少|好|快|慢|难|容易|简单|方便|大|小)/;
/** Words that point back to what was just said ("这个期限", "那些数据", "它"). */
export const POINTS_BACK = /这个|那个|这些|那些|它们?|这种|那种/;
export const ELLIPTICAL = /^(那|那么|还有|对于|对|如果是|要是|换成|那要是)|(呢|嘞|咧|呐)$/;
// "怎么解绑", "如何处理": a question about doing something ("怎么样", "怎么回事", "怎么会", "怎么没" are not)
export const HOW = /(怎么|怎样|如何|咋)(?!样|回事|会|还|可能|办|了|没|不)/;
// "第一步点哪", "先从哪开始": where a procedure starts, asked of one
export const FIRST_STEP = /第一步|头一步|先(?:点|进|去|从)?哪|从哪(?:里|儿)?(?:开始|进|点|入手)/;
