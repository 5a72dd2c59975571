import { randomUUID } from "node:crypto";
import { userInfo } from "node:os";
import { createInterface } from "node:readline";
import pino from "pino";
import { createBot } from "../bot.js";
import { ConfigError, loadConfigOrExit, type Config } from "../config.js";
import { initialState } from "../dialog/decide.js";
import { numberedChoices, optionNumbered } from "../dialog/numbered.js";
import { respond } from "../dialog/responses.js";
import { loadKnowledge } from "../knowledge/load.js";
import { openStore } from "../store/open.js";
import type { Outcome } from "../types.js";

// npm run chat: talk to the bot as one user in the terminal, with the server's knowledge and store.
// Reads lines until /quit or the end of input (so it also works with piped stdin).

const config: Config = loadConfigOrExit();

const loaded = loadKnowledge({ intentsDir: config.intentsDir, knowledgeDir: config.knowledgeDir });
if (!loaded.ok) {
  for (const err of loaded.errors) console.error(err);
  console.error(`\nthe knowledge base is invalid (${loaded.errors.length} problem(s)): fix the files above, then run npm run chat again`);
  process.exit(1);
}
const kb = loaded.kb;

// the bot's own log goes to stderr, quiet unless LOG_LEVEL asks for more, so it does not mix with the chat
const log = pino({ level: process.env.LOG_LEVEL ? config.LOG_LEVEL : "warn" }, pino.destination(2));
const store = (() => {
  try {
    return openStore(config);
  } catch (e) {
    // an unusable DATA_DIR or database file: its one-line message, not a stack trace
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
})();
const bot = createBot({
  knowledge: () => kb,
  store,
  log,
  // no agent can answer in a terminal: the bot says so instead of queueing the user for a human
  settings: { threshold: config.MATCH_THRESHOLD, clarifyMargin: config.CLARIFY_MARGIN, feedbackEvery: config.FEEDBACK_EVERY, humans: false },
  idleMs: config.CONVERSATION_IDLE_MINUTES * 60_000,
  logText: config.LOG_MESSAGE_TEXT,
});

const userId = `terminal-${safeUserName()}`;
const conversationId = `terminal:${userId}`;
const interactive = Boolean(process.stdin.isTTY);
const dim = (s: string): string => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[22m` : s);
const say = (s: string): void => void process.stdout.write(`${s}\n`);

say(`${respond(kb.responses, "bot.name")}（终端，${config.STORE === "memory" ? "内存存储" : "SQLite 存储"}）`);
say(dim("直接输入问题；输入数字选择快捷回复；/reset 重新开始，/quit 退出。终端里没有人工客服，只有机器人。"));

const rl = createInterface({ input: process.stdin, terminal: interactive, ...(interactive ? { output: process.stdout } : {}) });
const prompt = (): void => {
  if (interactive) rl.prompt();
};
rl.setPrompt("你> ");

let quickReplies: string[] = [];
prompt();
for await (const line of rl) {
  const typed = line.trim();
  if (typed === "/quit" || typed === "/exit") break;
  if (typed === "/reset") {
    // a fresh state; the transcript stays as the record of what was said
    await store.write(conversationId, initialState(Date.now()));
    quickReplies = [];
    say(dim("（已重新开始对话）"));
  } else if (typed.length > config.MAX_TEXT_LENGTH) {
    say(dim(`（消息太长：最多 ${config.MAX_TEXT_LENGTH} 个字符）`));
  } else if (typed) {
    const text = optionNumbered(typed, quickReplies) ?? typed;
    if (text !== typed) say(dim(`→ ${text}`));
    const outcome = await bot.handle({ channel: "terminal", conversationId, userId, text, messageId: randomUUID(), at: Date.now() });
    quickReplies = show(outcome);
  }
  prompt();
}
rl.close();
await store.close();
process.exit(0);

/** Prints an outcome; returns the quick replies a number picks, as the dialog and the other channels number them. */
function show(outcome: Outcome): string[] {
  // only the last message's quick replies are picked by number; those of an earlier one are typed
  const numbered = [...outcome.replies].reverse().find((r) => r.quickReplies?.length);
  for (const reply of outcome.replies) {
    say(`机器人> ${reply.text.replace(/\n/g, "\n        ")}`);
    (reply.quickReplies ?? []).forEach((q, i) => say(reply === numbered ? `  [${i + 1}] ${q}` : `  [·] ${q}`));
  }
  say(dim(`(${outcome.kind} · ${outcome.intent ?? "—"} · ${outcome.confidence.toFixed(2)})`));
  return numberedChoices(outcome.replies);
}

function safeUserName(): string {
  try {
    return userInfo().username || "local";
  } catch {
    return "local";
  }
}
