// The web chat page: talks to POST /web/messages, reloads the conversation from GET /web/history,
// and shows a human agent's replies live from GET /web/events (Server-Sent Events).
// Everything the page shows is set with textContent: no HTML from the server or the user is parsed.
"use strict";

(() => {
  const KEY = "faq-bot.web.id";
  const log = document.getElementById("log");
  const form = document.getElementById("compose");
  const input = document.getElementById("text");
  const sendButton = document.getElementById("send");
  const typing = document.getElementById("typing");
  const status = document.getElementById("status");
  let id = readId();
  let events = null;
  let busy = false;
  let toldHuman = false;

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

  /** Adds one bubble: from "in" (the user), "out" (the bot) or "agent" (a human agent). */
  function addBubble(from, text, quickReplies) {
    const row = el("div", `row ${from}`);
    row.appendChild(el("div", "avatar", from === "in" ? "我" : from === "agent" ? "客服" : "助手"));
    const body = el("div", "body");
    if (from === "agent") body.appendChild(el("div", "who", "人工客服"));
    body.appendChild(el("div", "bubble", text));
    if (quickReplies && quickReplies.length) {
      const quick = el("div", "quick");
      for (const option of quickReplies) {
        const button = el("button", "", option);
        button.type = "button";
        button.addEventListener("click", () => send(option));
        quick.appendChild(button);
      }
      body.appendChild(quick);
    }
    row.appendChild(body);
    log.appendChild(row);
    scrollDown();
  }

  function addNote(text, isError) {
    const note = el("div", isError ? "note error" : "note");
    note.appendChild(el("span", "", text));
    log.appendChild(note);
    scrollDown();
  }

  /** Quick replies of earlier messages no longer apply once the conversation moves on. */
  function retireQuickReplies() {
    for (const button of log.querySelectorAll(".quick button")) button.disabled = true;
  }

  function showReplies(from, replies) {
    for (const reply of replies) addBubble(from, reply.text, reply.quickReplies);
  }

  async function send(text) {
    text = text.trim();
    if (!text || busy) return;
    busy = true;
    sendButton.disabled = true;
    retireQuickReplies();
    addBubble("in", text);
    typing.hidden = false;
    scrollDown();
    try {
      const res = await fetch("/web/messages", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id, text }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        addNote(body.error ? `发送失败：${body.error}` : `发送失败（${res.status}），请稍后再试`, true);
        return;
      }
      showReplies("out", body.replies || []);
      if (body.kind === "handoff") addNote("已为你转接人工客服，客服回复会显示在这里");
      // with a human agent the bot stays silent: say once where the message went
      if (body.kind === "human" && !toldHuman) {
        toldHuman = true;
        addNote("消息已转给人工客服，请稍候");
      }
    } catch {
      addNote("网络连接失败，请检查网络后重试", true);
    } finally {
      typing.hidden = true;
      busy = false;
      sendButton.disabled = false;
    }
  }

  function listen(afterId) {
    if (events) events.close();
    events = new EventSource(`/web/events?id=${encodeURIComponent(id)}&after=${afterId}`);
    events.addEventListener("open", () => {
      status.textContent = "";
    });
    events.addEventListener("error", () => {
      status.textContent = "重连中…";
    });
    events.addEventListener("reply", (e) => {
      let data;
      try {
        data = JSON.parse(e.data);
      } catch {
        return;
      }
      retireQuickReplies();
      showReplies(data.from === "bot" ? "out" : "agent", Array.isArray(data.replies) ? data.replies : []);
    });
  }

  async function load() {
    log.textContent = "";
    let lastEventId = 0;
    try {
      const res = await fetch(`/web/history?id=${encodeURIComponent(id)}`);
      const body = await res.json();
      if (!res.ok) throw new Error(body.error || String(res.status));
      lastEventId = body.lastEventId || 0;
      if (body.messages.length === 0) addBubble("out", body.welcome);
      const last = body.messages.length - 1;
      body.messages.forEach((m, i) => addBubble(m.direction === "in" ? "in" : "out", m.text, i === last ? m.quickReplies : undefined));
    } catch {
      addNote("聊天记录加载失败，请刷新页面重试", true);
    }
    listen(lastEventId);
    document.body.dataset.ready = "1";
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value;
    input.value = "";
    input.style.height = "";
    void send(text);
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
  document.getElementById("reset").addEventListener("click", () => {
    id = newId();
    void load();
  });

  void load();
})();
