import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import {
  calibrate,
  evaluatePhrasings,
  explainMiss,
  formatConfidence,
  leaveOneOut,
  missLegend,
  reliability,
  selfMatch,
  type Report,
} from "../knowledge/evaluate.js";
import { loadKnowledge } from "../knowledge/load.js";

// npm run kb:test [-- --tests FILE] [--threshold 0.5] [--margin 0.05] [--floor 0.85] [--show 20]
// The operator's check of the knowledge base: every phrasing against its own intent, a
// leave-one-out run, and an optional file of extra phrasings (intent id → list of phrasings).
const { values } = parseArgs({
  options: {
    tests: { type: "string" },
    threshold: { type: "string", default: process.env.MATCH_THRESHOLD ?? "0.45" },
    margin: { type: "string", default: process.env.CLARIFY_MARGIN ?? "0.05" },
    floor: { type: "string", default: process.env.KB_TEST_FLOOR ?? "0.85" },
    show: { type: "string", default: "20" },
    intents: { type: "string", default: process.env.INTENTS_DIR ?? "intents" },
    knowledge: { type: "string", default: process.env.KNOWLEDGE_DIR ?? "knowledge" },
  },
});
const threshold = Number(values.threshold);
const margin = Number(values.margin);
const floor = Number(values.floor);
const show = Number(values.show);
for (const [name, v] of [["--threshold", threshold], ["--floor", floor], ["--margin", margin]] as const) {
  if (!(v >= 0 && v < 1) || (name !== "--margin" && v === 0)) {
    console.error(`kb:test: ${name} must be a number between 0 and 1`);
    process.exit(2);
  }
}

const loaded = loadKnowledge({ intentsDir: resolve(values.intents), knowledgeDir: resolve(values.knowledge) });
if (!loaded.ok) {
  for (const e of loaded.errors) console.error(e);
  process.exit(1);
}
const kb = loaded.kb;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function print(title: string, r: Report): void {
  console.log(`\n${title}: ${pct(r.accuracy)} (${r.correct}/${r.total})`);
  if (r.confusions.length) {
    console.log("  most confused:");
    for (const c of r.confusions.slice(0, 8)) console.log(`    ${c.count} × ${c.pair}`);
  }
  if (r.misses.length && show > 0) {
    console.log("  failed phrasings:");
    for (const m of r.misses.slice(0, show)) {
      const got = `${m.got ?? "(no answer)"} @ ${formatConfidence(m.confidence, threshold)}`;
      console.log(`    "${m.text}" — expected ${m.expected}, got ${got} ${explainMiss(m, threshold)}`);
    }
    if (r.misses.length > show) console.log(`    … and ${r.misses.length - show} more (--show N)`);
  }
}

console.log(`knowledge base: ${kb.intents.size} intents, ${kb.index.examples.length} indexed phrasings; threshold ${threshold}, clarify margin ${margin}`);
if (show > 0) console.log(`\n${missLegend(threshold).join("\n")}`);
const self = selfMatch(kb, threshold, margin);
print("every phrasing against its own intent", self);
const loo = leaveOneOut(kb, threshold, margin);
print("leave-one-out (each phrasing held out)", loo);

let extra: Report | null = null;
if (values.tests) {
  let data: unknown;
  try {
    data = parse(readFileSync(resolve(values.tests), "utf8"));
  } catch (e) {
    console.error(`kb:test: cannot read ${values.tests}: ${(e as Error).message}`);
    process.exit(2);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    console.error(`kb:test: ${values.tests} must map intent ids to lists of phrasings`);
    process.exit(2);
  }
  const cases: Array<{ text: string; expected: string }> = [];
  for (const [intent, list] of Object.entries(data as Record<string, unknown>)) {
    if (intent !== "out-of-scope" && !kb.intents.has(intent)) {
      console.error(`kb:test: ${values.tests}: unknown intent "${intent}"`);
      process.exit(2);
    }
    for (const text of Array.isArray(list) ? list : []) cases.push({ text: String(text), expected: intent });
  }
  extra = evaluatePhrasings(kb, cases, threshold, margin);
  print(`extra phrasings from ${values.tests}`, extra);
  const cal = calibrate(extra.scores);
  console.log(
    `\ncalibration on that file: threshold ${cal.threshold} keeps ${pct(cal.inScopeKept)} of answerable phrasings and rejects ${pct(cal.outOfScopeRejected)} of out-of-scope ones`,
  );
} else {
  const cal = calibrate(loo.scores);
  console.log(
    `\ncalibration (leave-one-out): threshold ${cal.threshold} keeps ${pct(cal.inScopeKept)} of answerable phrasings and rejects ${pct(cal.outOfScopeRejected)} of out-of-scope ones`,
  );
}

// can a confidence be read as the chance of being right? observed accuracy per confidence bucket
const rel = reliability((extra ?? loo).points);
console.log(`\nreliability (${extra ? "that file" : "leave-one-out"}): confidence → share whose top reading was right`);
for (const b of rel.table) {
  const bar = "#".repeat(Math.round(b.accuracy * 20));
  console.log(`  ${b.from.toFixed(1)}–${b.to.toFixed(1)}  n=${String(b.count).padStart(4)}  mean ${b.meanConfidence.toFixed(2)}  right ${pct(b.accuracy).padStart(6)}  ${bar}`);
}
console.log(`  expected calibration error: ${rel.ece.toFixed(3)}`);

const failing = [loo, ...(extra ? [extra] : [])].filter((r) => r.accuracy < floor);
if (failing.length) {
  console.error(`\nkb:test: accuracy under the floor ${pct(floor)} (set with --floor or KB_TEST_FLOOR)`);
  process.exit(1);
}
console.log(`\nkb:test: OK (floor ${pct(floor)})`);
