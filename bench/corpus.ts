import type { IndexableIntent } from "../src/nlu/match.js";
import type { Lexicon } from "../src/nlu/lexicon.js";
import { tokenize } from "../src/nlu/match.js";

/** A deterministic random source: same seed, same benchmark. */
export type Rng = () => number;

/** mulberry32: small, fast and good enough to pick queries repeatably. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One element of a non-empty list, picked by the rng. */
export function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)]!;
}

// Topic nouns of everyday service FAQs. Modifiers are combined with them so that, like in a real
// FAQ, many intents share the same content words (发票 / 电子发票 / 企业发票 ...).
const BASE_NOUNS = [
  "订单", "发票", "优惠券", "会员卡", "积分", "包裹", "银行卡", "收货地址", "账单", "余额",
  "购物车", "收藏夹", "评价", "预约", "门票", "车票", "机票", "酒店订单", "保单", "合同",
  "证书", "简历", "课程", "店铺", "库存", "优惠活动", "套餐", "流量包", "宽带", "电费",
  "水费", "燃气费", "社保卡", "公积金", "驾照", "护照", "签证", "学籍", "成绩单", "工资条",
  "报销单", "考勤记录", "会议室", "打印机", "邮箱", "网盘文件", "通讯录", "定位", "蓝牙耳机", "路由器",
  "停车位", "门禁卡", "体检报告", "挂号", "处方", "租房合同", "押金", "信用卡", "贷款", "保证金",
];
const MODIFIERS = [
  "电子", "纸质", "海外", "临时", "历史", "默认", "家庭", "学生", "团体", "年度",
  "共享", "备用", "自动", "线上", "线下", "长期", "月度", "新版", "旧版", "儿童",
];
const VERBS = [
  "修改", "取消", "删除", "查询", "申请", "绑定", "解绑", "开通", "关闭", "更换",
  "导出", "上传", "恢复", "激活", "冻结", "转让", "续费", "升级", "认证", "设置",
  "兑换", "打印", "提交", "撤回", "补办", "领取", "退订", "分享", "延期", "合并",
  "拆分", "挂失", "核对", "审批", "报销", "预订", "充值", "退回", "变更", "登记",
];
// What is asked about the (noun, verb) pair; each aspect has exactly eight phrasings.
const ASPECT_FRAMES: Record<string, string[]> = {
  how: ["{n}怎么{v}", "如何{v}{n}", "{v}{n}的步骤是什么", "{n}在哪里{v}", "怎样才能{v}{n}", "{n}{v}的方法", "想{v}{n}该怎么操作", "{v}{n}去哪里弄"],
  can: ["{n}能不能{v}", "{n}可以{v}吗", "{n}还能{v}吗", "是否支持{v}{n}", "{n}允许{v}吗", "能{v}{n}吗", "{n}有办法{v}吗", "我的{n}可不可以{v}"],
  time: ["{v}{n}要多久", "{n}{v}需要多长时间", "{n}多久能{v}好", "{v}{n}几天能好", "{n}{v}后多久生效", "{v}{n}要等多久", "{n}{v}一般多长时间", "{n}{v}什么时候完成"],
  why: ["为什么{n}{v}不了", "{n}{v}失败怎么办", "{n}{v}不成功是什么原因", "{v}{n}总是报错", "{n}为啥{v}不了", "{v}{n}提示错误", "{n}无法{v}", "{v}{n}一直失败"],
  cost: ["{v}{n}要钱吗", "{n}{v}收费吗", "{v}{n}多少钱", "{n}{v}要手续费吗", "{v}{n}免费吗", "{n}{v}的费用", "{v}{n}扣费吗", "{n}{v}怎么收费"],
  terms: ["{v}{n}需要什么条件", "{n}{v}要准备什么材料", "{v}{n}有什么要求", "什么情况下可以{v}{n}", "{n}{v}的条件", "{v}{n}需要本人吗", "{n}{v}有限制吗", "{v}{n}要满足什么"],
};

/** Colloquial rewordings a user might type instead of the FAQ's wording (not all in the lexicon). */
export const COLLOQUIAL_SWAPS: ReadonlyArray<readonly [string, string]> = [
  ["怎么", "咋"], ["如何", "怎么"], ["怎样", "怎么"], ["能不能", "能否"], ["可以", "能"],
  ["可不可以", "能不能"], ["要多久", "得多久"], ["需要", "要"], ["多长时间", "多久"], ["为什么", "为啥"],
  ["为啥", "为什么"], ["失败", "不成功"], ["在哪里", "在哪儿"], ["收费", "要钱"], ["多少钱", "什么价"],
  ["条件", "要求"], ["要求", "条件"], ["修改", "更改"], ["查询", "查看"], ["取消", "撤销"],
  ["更换", "换"], ["领取", "领"], ["步骤", "流程"], ["方法", "办法"], ["报错", "出错"],
  ["无法", "没法"], ["免费", "不要钱"], ["视频号", "视频号码"], ["注销", "销号"], ["关闭", "关掉"],
];

/** Shuffles a list in place (Fisher–Yates) and returns it. */
export function shuffle<T>(list: T[], rng: Rng): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

const HAN = /\p{Script=Han}/u;
const HAN_ONLY = /^\p{Script=Han}+$/u;
const PREFIXES = ["请问", "请问一下", "问一下", "你好，", "我想问下", "麻烦问下，"];
const PARTICLES = ["啊", "呢", "吗", "呀"];

/** Swap pairs between Han surface forms of the same lexicon term (视频号 → 微信视频号). */
export function lexiconSwaps(lexicon: Lexicon): Array<readonly [string, string]> {
  const byCanonical = new Map<string, string[]>();
  for (const [surface, canonical] of lexicon.surfaces) {
    if (!HAN_ONLY.test(surface)) continue;
    let list = byCanonical.get(canonical);
    if (!list) byCanonical.set(canonical, (list = []));
    list.push(surface);
  }
  const pairs: Array<readonly [string, string]> = [];
  for (const forms of byCanonical.values()) {
    for (const from of forms) {
      // one-character surfaces would match inside unrelated words
      if ([...from].length < 2) continue;
      for (const to of forms) if (to !== from) pairs.push([from, to]);
    }
  }
  return pairs;
}

/**
 * Perturbs a phrasing the way people type it: one or two of drop a character, swap in a
 * synonym-ish word, add a trailing particle, add a polite prefix.
 */
export function perturb(text: string, rng: Rng, swaps: ReadonlyArray<readonly [string, string]>): string {
  let out = text;
  const ops = 1 + (rng() < 0.4 ? 1 : 0);
  for (let k = 0; k < ops; k++) {
    const r = rng();
    if (r < 0.3) out = dropChar(out, rng) ?? swap(out, rng, swaps) ?? addParticle(out, rng);
    else if (r < 0.6) out = swap(out, rng, swaps) ?? dropChar(out, rng) ?? addParticle(out, rng);
    else if (r < 0.8) out = addParticle(out, rng);
    else out = pick(rng, PREFIXES) + out;
  }
  return out;
}

function dropChar(text: string, rng: Rng): string | null {
  const chars = [...text];
  const han = chars.map((c, i) => (HAN.test(c) ? i : -1)).filter((i) => i >= 0);
  // short phrasings lose their meaning with one character less; a real user would not type that
  if (han.length < 5) return null;
  const at = pick(rng, han);
  return chars.filter((_, i) => i !== at).join("");
}

function swap(text: string, rng: Rng, swaps: ReadonlyArray<readonly [string, string]>): string | null {
  const fits = swaps.filter(([from]) => text.includes(from));
  if (fits.length === 0) return null;
  const [from, to] = pick(rng, fits);
  return text.replace(from, to);
}

function addParticle(text: string, rng: Rng): string {
  const p = pick(rng, PARTICLES.filter((x) => !text.endsWith(x)));
  return text + p;
}

/**
 * Generates `count` FAQ intents of eight phrasings each: a topic noun × a verb × an aspect
 * (how / can / time / why / cost / terms). Nouns and verbs the lexicon reads as the same term,
 * or as a named entity, are left out so that every intent is answerable on its own.
 */
export function generateIntents(count: number, lexicon: Lexicon, rng: Rng): IndexableIntent[] {
  const canonical = (w: string): string => tokenize(w, lexicon).map((t) => t.text).join(" ");
  const distinct = (words: string[]): string[] => {
    const seen = new Set<string>();
    return words.filter((w) => {
      const toks = tokenize(w, lexicon);
      if (toks.some((t) => lexicon.entityOf.has(t.text))) return false;
      const key = canonical(w);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };
  const nounPool: string[] = [];
  for (const base of BASE_NOUNS) {
    nounPool.push(base);
    const mods = shuffle([...MODIFIERS], rng).slice(0, 4);
    for (const m of mods) nounPool.push(m + base);
  }
  const nouns = distinct(nounPool);
  const verbs = distinct(VERBS);
  const aspects = Object.keys(ASPECT_FRAMES);
  const combos = nouns.length * verbs.length * aspects.length;
  if (count > combos) throw new Error(`only ${combos} distinct intents can be generated`);

  const used = new Set<number>();
  const intents: IndexableIntent[] = [];
  while (intents.length < count) {
    const code = Math.floor(rng() * combos);
    if (used.has(code)) continue;
    used.add(code);
    const n = nouns[code % nouns.length]!;
    const v = verbs[Math.floor(code / nouns.length) % verbs.length]!;
    const aspect = aspects[Math.floor(code / (nouns.length * verbs.length))]!;
    const examples = ASPECT_FRAMES[aspect]!.map((f) => f.replaceAll("{n}", n).replaceAll("{v}", v));
    // the title is the first phrasing, so an index that also reads titles sees the same eight
    const intent = { id: `gen-${intents.length}`, type: "faq", title: examples[0]!, examples, keywords: [] };
    intents.push(intent);
  }
  return intents;
}
