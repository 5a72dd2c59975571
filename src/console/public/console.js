// The agent console: queue, ticket view, replies. Live updates over SSE are applied to what is on the
// page (one ticket, one message at a time); lists are read a page at a time. Every piece of user text
// is put in the page with textContent, never parsed as HTML.
const $ = (id) => document.getElementById(id);
const REASONS = { asked: "用户要求", "repeated-misses": "多次未理解", "negative-feedback": "差评" };
const STATUS = { waiting: "等待中", assigned: "服务中", closed: "已关闭" };
const CLOSED = { closed: "客服结束", released: "交回机器人", cancelled: "用户取消" };
const KINDS = { answer: "已回答", clarify: "澄清", fallback: "未理解", handoff: "转人工", human: "人工中" };
const CHANNELS = { api: "API", web: "网页", wechaty: "微信", "wechat-mp": "公众号", terminal: "终端" };
const PAGE = 50;

const state = {
  view: "waiting",
  me: "",
  current: null,
  ticket: null,
  /** The tickets of the view loaded so far, in queue order, and where the next page starts. */
  list: [],
  next: null,
  /** Events up to these ids are already in the list / the open ticket's timeline. */
  listFeed: 0,
  viewFeed: 0,
  source: null,
  /** Server clock minus this browser's, for wait times. */
  clockOffset: 0,
  /** Waiting tickets already announced (a replayed event must not ring twice). */
  announced: new Set(),
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const time = (at) => new Date(at).toLocaleString("zh-CN", { hour12: false });
const serverNow = () => Date.now() + state.clockOffset;

/** A short name for a user: the channel and a nickname, or the end of the id (the whole id is the tooltip). */
function userLabel(t) {
  const channel = CHANNELS[t.channel] ?? t.channel;
  const name = t.userName || (t.userId.length <= 12 ? t.userId : `…${t.userId.slice(-6)}`);
  return `${channel} · ${name}`;
}

function waitText(openedAt) {
  const minutes = Math.floor((serverNow() - openedAt) / 60_000);
  return minutes < 1 ? "等待不到 1 分钟" : minutes < 60 ? `等待 ${minutes} 分钟` : `等待 ${Math.floor(minutes / 60)} 小时 ${minutes % 60} 分钟`;
}

/** A span whose text is the wait so far, kept current by the clock below. */
function waitSpan(className, openedAt) {
  const span = el("span", className, waitText(openedAt));
  span.dataset.waitingSince = String(openedAt);
  return span;
}

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

// --- the queue ---

const belongs = (t) => (state.view === "waiting" ? t.status === "waiting" : state.view === "mine" ? t.status === "assigned" && t.agent === state.me : t.status === "closed");

/** Queue order, as the server pages it: open tickets oldest first, closed ones most recently closed first. */
function compare(a, b) {
  const closed = state.view === "closed";
  const ka = closed ? (a.closedAt ?? 0) : a.openedAt;
  const kb = closed ? (b.closedAt ?? 0) : b.openedAt;
  const ascending = ka - kb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return closed ? -ascending : ascending;
}

function showCounts(counts) {
  $("count-waiting").textContent = String(counts.waiting);
  $("count-mine").textContent = String(counts.mine);
  // a waiting user shows in the tab title, for agents working in another tab
  document.title = counts.waiting > 0 ? `(${counts.waiting}) 客服工作台` : "客服工作台";
}

function queueItem(t) {
  const li = el("li", `ticket-item${t.id === state.current ? " current" : ""}`);
  li.dataset.id = t.id;
  const button = el("button");
  button.type = "button";
  const user = el("span", "user", userLabel(t));
  user.title = `${t.channel} ${t.userId}`;
  button.append(user, el("span", "badge reason", REASONS[t.reason] ?? t.reason));
  const lastIn = [...t.lastMessages].reverse().find((m) => m.direction === "in");
  button.append(el("span", "preview", lastIn ? lastIn.text : ""));
  if (t.status === "waiting") button.append(waitSpan("muted small", t.openedAt));
  else button.append(el("span", "muted small", t.status === "closed" ? `${CLOSED[t.closeReason] ?? "已关闭"} · ${t.agent ?? ""}` : `服务中 · ${t.agent}`));
  button.addEventListener("click", () => openTicket(t.id));
  li.append(button);
  return li;
}

function renderQueue() {
  $("queue").replaceChildren(...state.list.map(queueItem));
  $("queue-empty").hidden = state.list.length > 0;
  $("more").hidden = !state.next;
}

async function loadQueue() {
  const view = state.view;
  const data = await api("GET", `/api/agent/tickets?view=${view}&limit=${PAGE}`);
  if (view !== state.view) return;
  state.clockOffset = data.now - Date.now();
  state.list = data.tickets;
  state.next = data.next;
  state.listFeed = data.feed;
  if (view === "waiting") for (const t of data.tickets) state.announced.add(t.id);
  showCounts(data.counts);
  renderQueue();
  if (!state.source) connect(data.feed);
}

async function loadMore() {
  if (!state.next) return;
  const view = state.view;
  const data = await api("GET", `/api/agent/tickets?view=${view}&limit=${PAGE}&cursor=${encodeURIComponent(state.next)}`);
  if (view !== state.view) return;
  const have = new Set(state.list.map((t) => t.id));
  state.list.push(...data.tickets.filter((t) => !have.has(t.id)));
  state.next = data.next;
  state.listFeed = Math.max(state.listFeed, data.feed);
  showCounts(data.counts);
  renderQueue();
}

/** A ticket changed: move it in, within or out of the loaded list; later pages bring the rest. */
function applyTicket(t, eventId) {
  if (t.status === "waiting" && t.timeoutNotifiedAt === null && !state.announced.has(t.id)) {
    state.announced.add(t.id);
    announce(t);
  }
  if (state.current === t.id) {
    state.ticket = t;
    renderHead(t);
  }
  scheduleCounts();
  if (eventId <= state.listFeed) return;
  const list = state.list.filter((x) => x.id !== t.id);
  const last = list.at(-1);
  if (belongs(t) && (!state.next || !last || compare(t, last) < 0)) {
    const at = list.findIndex((x) => compare(t, x) < 0);
    list.splice(at < 0 ? list.length : at, 0, t);
  }
  state.list = list;
  renderQueue();
}

let countsTimer;
/** Counts are read again (two counts, not the lists) at most a few times a second. */
function scheduleCounts() {
  clearTimeout(countsTimer);
  countsTimer = setTimeout(async () => {
    try {
      const data = await api("GET", "/api/agent/counts");
      state.clockOffset = data.now - Date.now();
      showCounts(data.counts);
    } catch {
      // the next event or reconnect tries again
    }
  }, 250);
}

// --- alerts for a new waiting user (opt-in, remembered in this browser) ---

let audio = null;
function beep() {
  audio ??= new AudioContext();
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.frequency.value = 880;
  gain.gain.setValueAtTime(0.2, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
  osc.connect(gain).connect(audio.destination);
  osc.start();
  osc.stop(audio.currentTime + 0.4);
}

function announce(t) {
  if ($("alert-sound").checked) {
    try {
      beep();
    } catch {
      // no audio device: the desktop notice and the tab title still say it
    }
  }
  if ($("alert-desktop").checked && "Notification" in window && Notification.permission === "granted") {
    const lastIn = [...t.lastMessages].reverse().find((m) => m.direction === "in");
    const notice = new Notification(`新的等待用户：${userLabel(t)}`, { body: lastIn ? lastIn.text : REASONS[t.reason] ?? "", tag: t.id });
    notice.onclick = () => {
      window.focus();
      openTicket(t.id);
    };
  }
}

function setupAlerts() {
  for (const id of ["alert-sound", "alert-desktop"]) $(id).checked = localStorage.getItem(id) === "on";
  $("alert-sound").addEventListener("change", (e) => {
    localStorage.setItem("alert-sound", e.target.checked ? "on" : "off");
    // browsers start audio only from a click: create it now
    if (e.target.checked) {
      try {
        audio ??= new AudioContext();
        void audio.resume();
      } catch {
        $("alert-note").textContent = "此浏览器无法播放提示音";
      }
    }
  });
  $("alert-desktop").addEventListener("change", async (e) => {
    const box = e.target;
    $("alert-note").textContent = "";
    if (box.checked) {
      const permission = "Notification" in window ? await Notification.requestPermission() : "denied";
      if (permission !== "granted") {
        box.checked = false;
        $("alert-note").textContent = "浏览器未允许通知：请在地址栏的网站设置里允许通知";
      }
    }
    localStorage.setItem("alert-desktop", box.checked ? "on" : "off");
  });
}

// --- the open ticket ---

function timelineItem(item) {
  if (item.source === "transcript") {
    const who = item.direction === "in" ? "用户" : "机器人";
    const li = el("li", `msg ${item.direction === "in" ? "from-user" : "from-bot"}`);
    const meta = [time(item.at)];
    if (item.kind) meta.push(KINDS[item.kind] ?? item.kind);
    if (item.direction === "out" && item.intent) meta.push(`意图 ${item.intent}`);
    if (item.direction === "out" && typeof item.confidence === "number") meta.push(`置信度 ${item.confidence.toFixed(2)}`);
    li.append(el("div", "who", who), el("div", "text", item.text));
    if (item.quickReplies?.length) {
      const chips = el("div", "chips");
      chips.setAttribute("aria-label", "快捷回复按钮");
      chips.append(...item.quickReplies.map((q) => el("span", "chip", q)));
      li.append(chips);
    }
    li.append(el("div", "meta", meta.join(" · ")));
    li.dataset.key = `${item.direction === "in" ? "user" : "bot"}|${item.at}|${item.text}`;
    return li;
  }
  const who = item.from === "agent" ? `客服 ${item.author ?? ""}` : item.from === "user" ? "用户" : "系统";
  const li = el("li", `msg from-${item.from}`);
  li.append(el("div", "who", who), el("div", "text", item.text), el("div", "meta", time(item.at)));
  li.dataset.key = `${item.from}|${item.at}|${item.text}`;
  return li;
}

function renderHead(t) {
  $("ticket-title").textContent = userLabel(t);
  $("ticket-title").title = `${t.channel} ${t.userId}`;
  const parts = [STATUS[t.status] ?? t.status, `原因：${REASONS[t.reason] ?? t.reason}`, `开始：${time(t.openedAt)}`];
  if (t.agent) parts.push(`客服：${t.agent}`);
  if (t.closeReason) parts.push(CLOSED[t.closeReason] ?? t.closeReason);
  const meta = $("ticket-meta");
  meta.replaceChildren(parts.join(" · "));
  if (t.status === "waiting") meta.append(" · ", waitSpan("", t.openedAt));
  const open = t.status !== "closed";
  const mineOrFree = t.status === "waiting" || t.agent === state.me;
  $("claim").hidden = t.status !== "waiting";
  $("release").hidden = !open || !mineOrFree;
  $("close").hidden = !open || !mineOrFree;
  $("reply").disabled = !open || !mineOrFree;
  $("send").disabled = !open || !mineOrFree;
  for (const button of $("canned").querySelectorAll("button")) button.disabled = !open || !mineOrFree;
}

async function openTicket(id) {
  state.current = id;
  $("ticket-error").textContent = "";
  const data = await api("GET", `/api/agent/tickets/${encodeURIComponent(id)}`);
  if (state.current !== id) return;
  state.ticket = data.ticket;
  state.viewFeed = data.feed;
  $("placeholder").hidden = true;
  $("ticket").hidden = false;
  const timeline = $("timeline");
  timeline.replaceChildren(...data.timeline.map(timelineItem));
  timeline.scrollTop = timeline.scrollHeight;
  renderHead(data.ticket);
  for (const li of $("queue").children) li.classList.toggle("current", li.dataset.id === id);
  // on a phone the ticket is below the queue: bring it into view
  if (matchMedia("(max-width: 720px)").matches) $("ticket").scrollIntoView({ block: "start" });
}

/** A message of a ticket: added to its timeline when open, and to its preview in the list. */
function applyMessage({ ticketId, message }, eventId) {
  const listed = state.list.find((t) => t.id === ticketId);
  if (listed && message.from === "user") {
    listed.lastMessages = [...listed.lastMessages, { direction: "in", text: message.text, at: message.at }];
    renderQueue();
  }
  if (ticketId !== state.current || eventId <= state.viewFeed) return;
  const item = timelineItem({ source: "ticket", ...message });
  const timeline = $("timeline");
  // the view may have read it already, just before the event came
  if ([...timeline.children].some((li) => li.dataset.key === item.dataset.key)) return;
  const stick = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 40;
  timeline.append(item);
  if (stick) timeline.scrollTop = timeline.scrollHeight;
}

async function act(path, body) {
  if (!state.current) return false;
  $("ticket-error").textContent = "";
  try {
    const data = await api("POST", `/api/agent/tickets/${encodeURIComponent(state.current)}/${path}`, body);
    // the ticket's events bring the messages; the head follows the answer at once
    if (data.ticket && data.ticket.id === state.current) {
      state.ticket = data.ticket;
      renderHead(data.ticket);
    }
    return true;
  } catch (err) {
    $("ticket-error").textContent = err.status === 403 ? `无法操作：${err.message}` : `操作失败：${err.message}`;
    return false;
  }
}

async function loadCanned() {
  const data = await api("GET", "/api/agent/canned-replies").catch(() => ({ replies: [] }));
  const box = $("canned");
  box.replaceChildren(
    ...data.replies.map((r) => {
      const button = el("button", "chip", r.title);
      button.type = "button";
      button.title = r.text;
      button.addEventListener("click", () => {
        // inserted, not sent: the agent reads and adapts it first
        const reply = $("reply");
        const start = reply.selectionStart ?? reply.value.length;
        reply.setRangeText(r.text, start, reply.selectionEnd ?? start, "end");
        reply.focus();
      });
      return button;
    }),
  );
  box.hidden = data.replies.length === 0;
  if (state.ticket) renderHead(state.ticket);
}

// --- live updates ---

function connect(after) {
  const source = new EventSource(`/api/agent/events?after=${Number(after) || 0}`);
  state.source = source;
  let opened = false;
  source.addEventListener("open", () => {
    $("live").textContent = "实时更新：已连接";
    // after a reconnect, catch up on whatever happened while disconnected
    if (opened) refreshAll();
    opened = true;
  });
  source.addEventListener("error", () => ($("live").textContent = "实时更新：重新连接中…"));
  source.addEventListener("ticket", (e) => applyTicket(JSON.parse(e.data).ticket, Number(e.lastEventId)));
  source.addEventListener("message", (e) => applyMessage(JSON.parse(e.data), Number(e.lastEventId)));
}

function refreshAll() {
  loadQueue().catch(() => {});
  if (state.current) openTicket(state.current).catch(() => {});
}

// the wait times move on by themselves
setInterval(() => {
  for (const span of document.querySelectorAll("[data-waiting-since]")) span.textContent = waitText(Number(span.dataset.waitingSince));
}, 15_000);

for (const tab of document.querySelectorAll(".tabs button")) {
  tab.addEventListener("click", () => {
    state.view = tab.dataset.view;
    for (const t of document.querySelectorAll(".tabs button")) t.classList.toggle("active", t === tab);
    loadQueue().catch((err) => ($("ticket-error").textContent = err.message));
  });
}
$("more").addEventListener("click", () => loadMore().catch((err) => ($("ticket-error").textContent = err.message)));
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

setupAlerts();
const me = await api("GET", "/api/agent/me");
state.me = me.agent;
$("me").textContent = me.agent;
await Promise.all([loadQueue(), loadCanned()]);
