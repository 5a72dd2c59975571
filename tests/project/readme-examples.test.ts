import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The README's API examples, run as documented (with curl) against a started server; each response
// is compared with the sample the README shows, so the README cannot drift from what the bot does.

const root = resolve(import.meta.dirname, "../..");
const README_BASE = "http://127.0.0.1:3000";
const TOKEN = "readme-examples-token-0123";
const AGENT_REPLY = "你好，我是客服小王，请问还有什么问题？";

/** A documented request: the curl command line and the response the README shows for it. */
interface DocumentedRequest {
  command: string;
  expected: string | null;
}

/**
 * The curl commands of the README's `sh` blocks that call the API, each with its sample response:
 * a `# → {...}` line right under it, or else the `json` block that follows its `sh` block.
 */
function documentedRequests(markdown: string): DocumentedRequest[] {
  const blocks = [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, body: m[2]! }));
  const out: DocumentedRequest[] = [];
  blocks.forEach((block, i) => {
    if (block.lang !== "sh") return;
    const lines = block.body.replace(/\\\n\s*/g, "").split("\n");
    const found: DocumentedRequest[] = [];
    lines.forEach((line, j) => {
      if (!line.startsWith("curl ") || !line.includes(`${README_BASE}/api/messages`)) return;
      const arrow = lines[j + 1]?.match(/^# → (.*)$/);
      found.push({ command: line.replace(/\s+#.*$/, ""), expected: arrow ? arrow[1]! : null });
    });
    const next = blocks[i + 1];
    if (found.length === 1 && found[0]!.expected === null && next?.lang === "json") found[0]!.expected = next.body;
    out.push(...found);
  });
  return out;
}

/** Parses a sample response: `…` outside a string stands for any value (or, as an array item, "and more"). */
function parseSample(sample: string): unknown {
  let json = "";
  let inString = false;
  for (let i = 0; i < sample.length; i++) {
    const ch = sample[i]!;
    if (inString) {
      json += ch;
      if (ch === "\\") json += sample[++i] ?? "";
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      json += ch;
    } else json += ch === "…" ? "null" : ch;
  }
  return JSON.parse(json);
}

/**
 * Where `actual` differs from the README's sample. A string with "…" matches on the text around it;
 * numbers match by type, except `confidence` (to two decimals); the README's keys must all be in the
 * response, and at the top level the response has no others; an array's items each match one item.
 */
function shapeProblems(sample: unknown, actual: unknown, path = "", key = ""): string[] {
  const at = path || "the response";
  if (sample === null) return [];
  if (typeof sample === "string") {
    if (typeof actual !== "string") return [`${at}: expected a string, got ${JSON.stringify(actual)}`];
    const cut = sample.indexOf("…");
    const ok = cut < 0 ? actual === sample : actual.startsWith(sample.slice(0, cut)) && actual.endsWith(sample.slice(cut + 1));
    return ok ? [] : [`${at}: the README shows ${JSON.stringify(sample)}, the server sent ${JSON.stringify(actual)}`];
  }
  if (typeof sample === "number") {
    if (typeof actual !== "number") return [`${at}: expected a number, got ${JSON.stringify(actual)}`];
    return key === "confidence" && sample.toFixed(2) !== actual.toFixed(2) ? [`${at}: the README shows ${sample}, the server sent ${actual}`] : [];
  }
  if (typeof sample === "boolean") return sample === actual ? [] : [`${at}: the README shows ${sample}, the server sent ${JSON.stringify(actual)}`];
  if (Array.isArray(sample)) {
    if (!Array.isArray(actual)) return [`${at}: expected an array, got ${JSON.stringify(actual)}`];
    const more = sample.includes(null);
    const items = sample.filter((s) => s !== null);
    const problems = items.flatMap((item, i) =>
      actual.some((a) => shapeProblems(item, a, `${at}[${i}]`).length === 0)
        ? []
        : [`${at}: no item is like the README's ${JSON.stringify(item)} (${shapeProblems(item, actual[i], `${at}[${i}]`).join("; ") || "missing"})`],
    );
    if (!more && actual.length !== items.length) problems.push(`${at}: the README shows ${items.length} item(s), the server sent ${actual.length}`);
    return problems;
  }
  if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return [`${at}: expected an object, got ${JSON.stringify(actual)}`];
  const obj = actual as Record<string, unknown>;
  const problems = Object.entries(sample as Record<string, unknown>).flatMap(([k, v]) =>
    k in obj ? shapeProblems(v, obj[k], path ? `${path}.${k}` : k, k) : [`${path ? `${path}.${k}` : k}: in the README, not in the response`],
  );
  if (!path) for (const k of Object.keys(obj)) if (!(k in (sample as object))) problems.push(`${k}: in the response, not in the README`);
  return problems;
}

let server: ChildProcess;
let base = "";
const dir = mkdtempSync(join(tmpdir(), "readme-examples-"));

beforeAll(async () => {
  server = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: root,
    env: { ...process.env, STORE: "memory", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", DATA_DIR: dir, AGENT_TOKEN: TOKEN, KB_WATCH: "0", INTENTS_DIR: "intents", KNOWLEDGE_DIR: "knowledge" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  for await (const line of createInterface({ input: server.stdout! })) {
    const m = line.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    if (m) {
      base = m[1]!;
      break;
    }
  }
  if (!base) throw new Error("the server did not start");
}, 60_000);
afterAll(() => {
  server?.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a README command as written, against this test's server. */
function run(command: string): unknown {
  const out = execFileSync("sh", ["-c", command.replaceAll(README_BASE, base)], { encoding: "utf8", timeout: 30_000 });
  return JSON.parse(out);
}

/** An agent takes the conversation and replies, so that there are agent replies to read. */
async function agentReplies(userId: string, text: string): Promise<void> {
  const post = (path: string, body: unknown, cookie = ""): Promise<Response> =>
    fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-requested-with": "fetch", cookie }, body: JSON.stringify(body) });
  expect((await (await post("/api/messages", { userId, text: "转人工" })).json()).kind).toBe("handoff");
  const login = await post("/api/agent/login", { name: "xiaowang", password: TOKEN });
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  const { tickets } = (await (await fetch(`${base}/api/agent/tickets?view=waiting`, { headers: { cookie } })).json()) as { tickets: Array<{ id: string; userId: string }> };
  const ticket = tickets.find((t) => t.userId === userId)!;
  expect((await post(`/api/agent/tickets/${ticket.id}/reply`, { text }, cookie)).status).toBe(200);
}

const readme = readFileSync(join(root, "README.md"), "utf8");
const requests = documentedRequests(readme);
const documented = (route: string): DocumentedRequest => {
  const found = requests.find((r) => r.command.includes(route) && r.expected !== null);
  if (!found) throw new Error(`the README shows no curl example of ${route} with its response`);
  return found;
};

describe("the README's API examples", () => {
  it("are found in the README, each with the response it shows", () => {
    expect(documented("/api/messages -H").command).toContain(`-d '{"userId":"u-42","text":"视频号怎么关"}'`);
    expect(documented("/api/messages/poll").expected).toContain('"events"');
    expect(documented("/api/messages/history").expected).toContain('"messages"');
  });

  it("POST /api/messages answers as the README shows", () => {
    const example = documented("/api/messages -H");
    expect(shapeProblems(parseSample(example.expected!), run(example.command))).toEqual([]);
  });

  it("the long-poll and the history answer as the README shows, agent replies included", async () => {
    await agentReplies("u-42", AGENT_REPLY);
    const poll = documented("/api/messages/poll");
    expect(shapeProblems(parseSample(poll.expected!), run(poll.command))).toEqual([]);
    const history = documented("/api/messages/history");
    const body = run(history.command);
    expect(shapeProblems(parseSample(history.expected!), body)).toEqual([]);
    expect(JSON.stringify(body)).toContain(AGENT_REPLY);
  });
});

describe("comparing a response with the README's sample", () => {
  it("catches the shape of another route, a wrong value, a missing key and a wrong confidence", () => {
    const sample = parseSample('{"conversationId":"api:u-42","messages":[{"direction":"in","text":"视频号…","at":…}, …]}');
    expect(shapeProblems(sample, { conversationId: "api:u-42", messages: [{ direction: "in", text: "视频号怎么关", at: 1 }, { direction: "out" }] })).toEqual([]);
    expect(shapeProblems(sample, { conversationId: "api:u-42", events: [], last: 3 })).toEqual([
      "messages: in the README, not in the response",
      "events: in the response, not in the README",
      "last: in the response, not in the README",
    ]);
    expect(shapeProblems(sample, { conversationId: "api:u-42", messages: [{ direction: "in", text: "公众号", at: 1 }] })).toHaveLength(1);
    expect(shapeProblems(parseSample('{"confidence":0.93}'), { confidence: 1 })).toEqual(["confidence: the README shows 0.93, the server sent 1"]);
    expect(shapeProblems(parseSample('{"confidence":1}'), { confidence: 1 })).toEqual([]);
  });

  it("reads a curl with its # → response line, and a curl followed by a json block", () => {
    const md = [
      "```sh",
      "curl -s http://127.0.0.1:3000/api/messages \\",
      "  -d '{}'",
      "```",
      "",
      "```json",
      '{"kind":"answer"}',
      "```",
      "```sh",
      "curl -s 'http://127.0.0.1:3000/api/messages/history?userId=u'   # comment",
      '# → {"messages":[]}',
      "```",
      "",
    ].join("\n");
    expect(documentedRequests(md)).toEqual([
      { command: "curl -s http://127.0.0.1:3000/api/messages -d '{}'", expected: '{"kind":"answer"}\n' },
      { command: "curl -s 'http://127.0.0.1:3000/api/messages/history?userId=u'", expected: '{"messages":[]}' },
    ]);
  });
});
