// The agent console: queue, ticket view, replies. Live updates over SSE. Every piece of user text is
// put in the page with textContent, never parsed as HTML.
const $ = (id) => document.getElementById(id);
const REASONS = { asked: "用户要求", "repeated-misses": "多次未理解", "negative-feedback": "差评" };
const STATUS = { waiting: "等待中", assigned: "服务中", closed: "已关闭" };
const CLOSED = { closed: "客服结束", released: "交回机器人", cancelled: "用户取消" };
const KINDS = { answer: "已回答", clarify: "澄清", fallback: "未理解", handoff: "转人工", human: "人工中" };

const state = { view: "waiting", me: "", current: null, ticket: null, feed: 0, source: null };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const time = (at) => new Date(at).toLocaleString("zh-CN", { hour12: false });

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { "x-requested-with": "fetch", ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status === 401) {
    location.reload();
    throw new Error("not signed in");
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.error ?? `HTTP ${res.status}`), { status: res.status });
  return data;
}

async function loadQueue() {
  const data = await api("GET", `/api/agent/tickets?view=${state.view}`);
  if (!state.source) connect(data.feed);
  $("count-waiting").textContent = String(data.counts.waiting);
  $("count-mine").textContent = String(data.counts.mine);
  // a waiting user shows in the tab title, for agents working in another tab
  document.title = data.counts.waiting > 0 ? `(${data.counts.waiting}) 客服工作台` : "客服工作台";
  const list = $("queue");
  list.replaceChildren(
    ...data.tickets.map((t) => {
      const li = el("li", `ticket-item${t.id === state.current ? " current" : ""}`);
      li.dataset.id = t.id;
      const button = el("button");
      button.type = "button";
      button.append(el("span", "user", `用户 ${t.userId}`), el("span", "badge", t.channel), el("span", "badge reason", REASONS[t.reason] ?? t.reason));
      const lastIn = [...t.lastMessages].reverse().find((m) => m.direction === "in");
      button.append(el("span", "preview", lastIn ? lastIn.text : ""));
      const status = t.status === "closed" ? `${CLOSED[t.closeReason] ?? "已关闭"} · ${t.agent ?? ""}` : t.status === "assigned" ? `服务中 · ${t.agent}` : `等待自 ${time(t.openedAt)}`;
      button.append(el("span", "muted small", status));
      button.addEventListener("click", () => openTicket(t.id));
      li.append(button);
      return li;
    }),
  );
  $("queue-empty").hidden = data.tickets.length > 0;
}

function timelineItem(item) {
  if (item.source === "transcript") {
    const who = item.direction === "in" ? "用户" : "机器人";
    const li = el("li", `msg ${item.direction === "in" ? "from-user" : "from-bot"}`);
    const meta = [time(item.at)];
    if (item.kind) meta.push(KINDS[item.kind] ?? item.kind);
    if (item.direction === "out" && item.intent) meta.push(`意图 ${item.intent}`);
    if (item.direction === "out" && typeof item.confidence === "number") meta.push(`置信度 ${item.confidence.toFixed(2)}`);
    li.append(el("div", "who", who), el("div", "text", item.text), el("div", "meta", meta.join(" · ")));
    return li;
  }
  const who = item.from === "agent" ? `客服 ${item.author ?? ""}` : "系统";
  const li = el("li", `msg from-${item.from}`);
  li.append(el("div", "who", who), el("div", "text", item.text), el("div", "meta", time(item.at)));
  return li;
}

async function openTicket(id) {
  state.current = id;
  $("ticket-error").textContent = "";
  const data = await api("GET", `/api/agent/tickets/${encodeURIComponent(id)}`);
  if (state.current !== id) return;
  const t = data.ticket;
  state.ticket = t;
  $("placeholder").hidden = true;
  $("ticket").hidden = false;
  $("ticket-title").textContent = `用户 ${t.userId}（${t.channel}）`;
  const parts = [STATUS[t.status] ?? t.status, `原因：${REASONS[t.reason] ?? t.reason}`, `开始：${time(t.openedAt)}`];
  if (t.agent) parts.push(`客服：${t.agent}`);
  if (t.closeReason) parts.push(CLOSED[t.closeReason] ?? t.closeReason);
  $("ticket-meta").textContent = parts.join(" · ");
  const timeline = $("timeline");
  timeline.replaceChildren(...data.timeline.map(timelineItem));
  timeline.scrollTop = timeline.scrollHeight;
  const open = t.status !== "closed";
  const mineOrFree = t.status === "waiting" || t.agent === state.me;
  $("claim").hidden = t.status !== "waiting";
  $("release").hidden = !open || !mineOrFree;
  $("close").hidden = !open || !mineOrFree;
  $("reply").disabled = !open || !mineOrFree;
  $("send").disabled = !open || !mineOrFree;
  for (const li of $("queue").children) li.classList.toggle("current", li.dataset.id === id);
}

async function act(path, body) {
  if (!state.current) return;
  $("ticket-error").textContent = "";
  try {
    await api("POST", `/api/agent/tickets/${encodeURIComponent(state.current)}/${path}`, body);
    await Promise.all([openTicket(state.current), loadQueue()]);
    return true;
  } catch (err) {
    $("ticket-error").textContent = err.status === 403 ? `无法操作：${err.message}` : `操作失败：${err.message}`;
    return false;
  }
}

let refreshTimer;
function scheduleRefresh(ticketId) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    loadQueue().catch(() => {});
    if (state.current && (!ticketId || ticketId === state.current)) openTicket(state.current).catch(() => {});
  }, 120);
}

function connect(after) {
  const source = new EventSource(`/api/agent/events?after=${Number(after) || 0}`);
  state.source = source;
  source.addEventListener("open", () => {
    $("live").textContent = "实时更新：已连接";
    // after a reconnect, catch up on whatever happened while disconnected
    scheduleRefresh();
  });
  source.addEventListener("error", () => ($("live").textContent = "实时更新：重新连接中…"));
  source.addEventListener("ticket", (e) => scheduleRefresh(JSON.parse(e.data).ticket?.id));
  source.addEventListener("message", (e) => scheduleRefresh(JSON.parse(e.data).ticketId));
}

for (const tab of document.querySelectorAll(".tabs button")) {
  tab.addEventListener("click", () => {
    state.view = tab.dataset.view;
    for (const t of document.querySelectorAll(".tabs button")) t.classList.toggle("active", t === tab);
    loadQueue().catch((err) => ($("ticket-error").textContent = err.message));
  });
}
$("claim").addEventListener("click", () => act("claim"));
$("release").addEventListener("click", () => act("release"));
$("close").addEventListener("click", () => act("close"));
$("reply-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("reply").value.trim();
  if (!text) return;
  if (await act("reply", { text })) $("reply").value = "";
});
// tell the user the agent is typing, at most every 3 seconds, only on a ticket the agent may answer
let typingSentAt = 0;
$("reply").addEventListener("input", () => {
  if (!state.current || $("reply").disabled || Date.now() - typingSentAt < 3000) return;
  typingSentAt = Date.now();
  api("POST", `/api/agent/tickets/${encodeURIComponent(state.current)}/typing`).catch(() => {});
});
$("reply").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("reply-form").requestSubmit();
});
$("logout").addEventListener("click", async () => {
  await api("POST", "/api/agent/logout").catch(() => {});
  location.href = "/agent";
});

const me = await api("GET", "/api/agent/me");
state.me = me.agent;
$("me").textContent = me.agent;
await loadQueue();
