// The web chat page: talks to POST /web/messages, reloads the conversation from GET /web/history,
// and hears a human agent (replies, typing, the queue) live from GET /web/events (Server-Sent Events).
// Everything the page shows is set with textContent: no HTML from the server or the user is parsed.
"use strict";

(() => {
  const KEY = "faq-bot.web.id";
  /** A new time label when this long passed since the last one (WeChat groups messages the same way). */
  const TIME_GAP_MS = 5 * 60_000;
  /** An agent's typing shows this long after the console last said so. */
  const AGENT_TYPING_MS = 6000;
  const log = document.getElementById("log");
  const form = document.getElementById("compose");
  const input = document.getElementById("text");
  const typing = document.getElementById("typing");
  const typingWho = document.getElementById("typing-who");
  const status = document.getElementById("status");
  const banner = document.getElementById("banner");
  let id = readId();
  let events = null;
  /** Messages typed while a reply is pending wait here, shown already, and go out in order. */
  const outbox = [];
  let sending = false;
  let toldHuman = false;
  /** The conversation with the handoff desk: null, or { status: "waiting" | "assigned", position, agent }. */
  let handoff = null;
  let lastTimeAt = 0;
  let agentTypingUntil = 0;
  let agentTypingTimer;
  /** Bumped on 新对话, so answers to the old conversation still in flight are dropped. */
  let generation = 0;

  /** A random id kept in localStorage, so a reload continues the same conversation. */
  function readId() {
    try {
      const saved = localStorage.getItem(KEY);
      if (saved && /^[\w-]{8,64}$/.test(saved)) return saved;
    } catch {
      // storage blocked (private mode, sandboxed iframe): the conversation lasts until the page closes
    }
    return newId();
  }

  function newId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    const fresh = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    try {
      localStorage.setItem(KEY, fresh);
    } catch {
      // see readId
    }
    return fresh;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  /** Everything goes above the typing indicator, which stays under the last bubble. */
  function append(node) {
    log.insertBefore(node, typing);
    scrollDown();
    return node;
  }

  const pad = (n) => String(n).padStart(2, "0");

  /** The time the way WeChat shows it: 14:05, 昨天 14:05, 星期二 14:05, 3月5日 14:05, 2025年3月5日 14:05. */
  function timeLabel(at, now) {
    const d = new Date(at);
    const n = new Date(now);
    const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    const midnight = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
    const days = Math.round((midnight(n) - midnight(d)) / 86_400_000);
    if (days <= 0) return hm;
    if (days === 1) return `昨天 ${hm}`;
    if (days < 7) return `星期${"日一二三四五六"[d.getDay()]} ${hm}`;
    if (d.getFullYear() === n.getFullYear()) return `${d.getMonth() + 1}月${d.getDate()}日 ${hm}`;
    return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日 ${hm}`;
  }

  /** A time label above a message when it is the first, or the last label is more than a few minutes old. */
  function stamp(at) {
    if (lastTimeAt && at - lastTimeAt <= TIME_GAP_MS) return;
    lastTimeAt = at;
    const label = append(el("div", "time", timeLabel(at, Date.now())));
    label.dataset.at = String(at);
  }

  // an address ends at a space, markup characters, CJK punctuation or a Chinese character
  const URL_PATTERN = /https?:\/\/[^\s<>"'\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+/g;

  /** Puts text into a bubble with http(s) addresses as links; nothing else becomes a link (no javascript:). */
  function fillText(node, text) {
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      // a sentence's closing punctuation is not part of the address
      const raw = match[0].replace(/[.,;:!?)\]}'"]+$/, "");
      let url;
      try {
        url = new URL(raw);
      } catch {
        continue;
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") continue;
      node.append(text.slice(last, match.index));
      const link = el("a", "", raw);
      link.href = url.href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      node.append(link);
      last = match.index + raw.length;
    }
    node.append(text.slice(last));
  }

  /** Adds one bubble: from "user", "bot" or "agent" (a human agent, by name when known). */
  function addBubble({ from, author, text, at, quickReplies }) {
    stamp(at);
    const side = from === "user" ? "in" : from === "agent" ? "agent" : "out";
    const row = el("div", `row ${side}`);
    row.dataset.at = String(at);
    row.title = new Date(at).toLocaleString("zh-CN", { hour12: false });
    row.appendChild(el("div", "avatar", from === "user" ? "我" : from === "agent" ? "客服" : "助手"));
    const body = el("div", "body");
    if (from === "agent") body.appendChild(el("div", "who", author ? `人工客服 ${author}` : "人工客服"));
    const bubble = el("div", "bubble");
    fillText(bubble, text);
    body.appendChild(bubble);
    if (quickReplies && quickReplies.length) {
      const quick = el("div", "quick");
      for (const option of quickReplies) {
        const button = el("button", "", option);
        button.type = "button";
        button.addEventListener("click", () => {
          send(option);
          input.focus();
        });
        quick.appendChild(button);
      }
      body.appendChild(quick);
    }
    row.appendChild(body);
    return append(row);
  }

  function addNote(text, isError) {
    const note = el("div", isError ? "note error" : "note");
    note.appendChild(el("span", "", text));
    return append(note);
  }

  /** What the page says after the bot hands the conversation over, or passes a message on to the agent. */
  function noteAfter(kind) {
    if (kind === "handoff") {
      toldHuman = false;
      addNote("已为你转接人工客服，客服回复会显示在这里");
    } else if (kind === "human" && !toldHuman) {
      // with a human agent the bot stays silent: say once where the message went
      toldHuman = true;
      addNote("消息已转给人工客服，请稍候");
    }
  }

  /** Retires the quick replies on screen (the conversation moves on); returns them, so a failed send can give them back. */
  function retireQuickReplies() {
    const live = [...log.querySelectorAll(".quick button:not(:disabled)")];
    for (const button of live) button.disabled = true;
    return live;
  }

  function showTyping() {
    const agentTyping = Date.now() < agentTypingUntil;
    typing.hidden = !sending && !agentTyping;
    typingWho.textContent = agentTyping && !sending ? "客服正在输入…" : "";
    typing.setAttribute("aria-label", agentTyping && !sending ? "客服正在输入" : "对方正在输入");
    if (!typing.hidden) scrollDown();
  }

  function showBanner() {
    banner.hidden = handoff === null;
    if (!handoff) return;
    if (handoff.status === "assigned") {
      banner.textContent = handoff.agent ? `人工客服「${handoff.agent}」正在为你服务` : "人工客服正在为你服务";
    } else if (handoff.position === 1) {
      banner.textContent = "正在为你转接人工客服：你是下一位";
    } else if (typeof handoff.position === "number") {
      banner.textContent = `正在为你转接人工客服：前面还有 ${handoff.position - 1} 位`;
    } else {
      banner.textContent = "正在为你转接人工客服…";
    }
  }

  /** Shows the text at once and queues it; the queue sends one message at a time, in order. */
  function send(text, row) {
    text = text.trim();
    if (!text) return;
    if (row) {
      // a retry goes to the end, where its answer will appear
      row.querySelector(".fail")?.remove();
      row.classList.remove("failed");
      append(row);
    } else {
      row = addBubble({ from: "user", text, at: Date.now() });
    }
    row.classList.add("pending");
    outbox.push({ text, row, retired: retireQuickReplies(), generation });
    void pump();
  }

  async function pump() {
    if (sending) return;
    sending = true;
    showTyping();
    try {
      while (outbox.length > 0) await deliver(outbox.shift());
    } finally {
      sending = false;
      showTyping();
    }
  }

  async function deliver(item) {
    let error;
    try {
      const res = await fetch("/web/messages", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id, text: item.text }),
      });
      const body = await res.json().catch(() => ({}));
      if (item.generation !== generation) return;
      if (res.ok) {
        item.row.classList.remove("pending");
        const at = Date.now();
        for (const reply of body.replies || []) addBubble({ from: "bot", text: reply.text, at, quickReplies: reply.quickReplies });
        noteAfter(body.kind);
        if ((body.kind === "handoff" || body.kind === "human") && handoff === null) {
          // the desk pushes the place in the queue; until then say that a human is on the way
          handoff = { status: "waiting", position: null, agent: null };
          showBanner();
        } else if (body.kind !== "handoff" && body.kind !== "human" && handoff !== null) {
          // the bot answered: no human has the conversation any more (e.g. after 取消人工)
          handoff = null;
          showBanner();
        }
        return;
      }
      error = body.error ? `发送失败：${body.error}` : `发送失败（${res.status}），请重试`;
    } catch {
      if (item.generation !== generation) return;
      error = "发送失败：网络连接出错，请重试";
    }
    failed(item, error);
  }

  /** A message that did not go out keeps its bubble and text, says why, and offers to send it again. */
  function failed(item, error) {
    item.row.classList.remove("pending");
    item.row.classList.add("failed");
    // the quick replies this message retired are still the way forward
    for (const button of item.retired) button.disabled = false;
    const fail = el("div", "fail");
    fail.appendChild(el("span", "", error));
    const retry = el("button", "", "重发");
    retry.type = "button";
    retry.setAttribute("aria-label", `重发：${item.text}`);
    retry.addEventListener("click", () => {
      send(item.text, item.row);
      input.focus();
    });
    fail.appendChild(retry);
    item.row.querySelector(".body").appendChild(fail);
    scrollDown();
  }

  function onReply(data) {
    const replies = Array.isArray(data.replies) ? data.replies : [];
    const at = Date.now();
    if (data.from === "system") {
      for (const reply of replies) addNote(reply.text);
      return;
    }
    retireQuickReplies();
    if (data.from === "agent") {
      agentTypingUntil = 0;
      showTyping();
    }
    for (const reply of replies) {
      addBubble({ from: data.from === "bot" ? "bot" : "agent", author: data.author, text: reply.text, at, quickReplies: reply.quickReplies });
    }
  }

  function listen(afterId) {
    if (events) events.close();
    events = new EventSource(`/web/events?id=${encodeURIComponent(id)}&after=${afterId}`);
    const parse = (e) => {
      try {
        return JSON.parse(e.data);
      } catch {
        return null;
      }
    };
    events.addEventListener("open", () => {
      status.textContent = "";
    });
    events.addEventListener("error", () => {
      status.textContent = "重连中…";
    });
    events.addEventListener("reply", (e) => {
      const data = parse(e);
      if (data) onReply(data);
    });
    events.addEventListener("typing", () => {
      agentTypingUntil = Date.now() + AGENT_TYPING_MS;
      showTyping();
      clearTimeout(agentTypingTimer);
      agentTypingTimer = setTimeout(showTyping, AGENT_TYPING_MS + 50);
    });
    events.addEventListener("handoff", (e) => {
      const data = parse(e);
      if (!data) return;
      handoff = data.handoff || null;
      showBanner();
    });
  }

  /** Shows one line of the stored conversation; the desk's notices are notes, as they were live. */
  function showHistory(m, next, isLast) {
    if (m.from === "system") addNote(m.text);
    else addBubble({ from: m.from, author: m.author, text: m.text, at: m.at, quickReplies: isLast ? m.quickReplies : undefined });
    // the page's own notes come back after the lines they followed
    const handoffContinues = next && next.from === "bot" && next.kind === "handoff";
    if (m.kind === "handoff" && m.from !== "system" && !handoffContinues) noteAfter("handoff");
    if (m.kind === "human" && m.from === "user") noteAfter("human");
  }

  async function load() {
    log.replaceChildren(typing);
    lastTimeAt = 0;
    toldHuman = false;
    handoff = null;
    agentTypingUntil = 0;
    showBanner();
    showTyping();
    let lastEventId = 0;
    try {
      const res = await fetch(`/web/history?id=${encodeURIComponent(id)}`);
      const body = await res.json();
      if (!res.ok) throw new Error(body.error || String(res.status));
      lastEventId = body.lastEventId || 0;
      // the bot's name is the knowledge base's: the page itself names no topic
      if (body.name) {
        document.title = body.name;
        document.getElementById("title").textContent = body.name;
      }
      const messages = body.messages;
      // the welcome opens every conversation, reloaded ones too
      addBubble({ from: "bot", text: body.welcome, at: messages.length > 0 ? messages[0].at : Date.now() });
      messages.forEach((m, i) => showHistory(m, messages[i + 1], i === messages.length - 1));
      handoff = body.handoff || null;
      showBanner();
    } catch {
      addNote("聊天记录加载失败，请刷新页面重试", true);
    }
    listen(lastEventId);
    input.focus();
    document.body.dataset.ready = "1";
  }

  /** 新对话: while a human has (or is about to have) the conversation, ask first and leave the queue. */
  async function startOver() {
    if (handoff) {
      const question =
        handoff.status === "assigned" ? "人工客服正在为你服务。开始新对话会结束这次人工服务，确定吗？" : "你正在排队等待人工客服。开始新对话会取消排队，确定吗？";
      if (!window.confirm(question)) return;
      try {
        const res = await fetch("/web/cancel", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id }) });
        if (!res.ok) throw new Error(String(res.status));
      } catch {
        addNote("取消人工排队失败，请检查网络后重试", true);
        return;
      }
    }
    generation += 1;
    outbox.length = 0;
    delete document.body.dataset.ready;
    id = newId();
    await load();
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value;
    input.value = "";
    input.style.height = "";
    send(text);
  });
  input.addEventListener("keydown", (e) => {
    // Enter sends, Shift+Enter starts a new line; not while an input method is composing Chinese
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    input.style.height = "";
    input.style.height = `${Math.min(input.scrollHeight, 120)}px`;
  });
  document.getElementById("reset").addEventListener("click", () => void startOver());

  void load();
})();
