// The insights page: charts drawn as inline SVG by this script (no chart library). Text from the
// store (questions, intent titles) only ever goes into textContent.
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);
const COLORS = { answer: "#2f9e44", clarify: "#74b816", fallback: "#f08c00", handoff: "#e03131", human: "#868e96", helpful: "#2f9e44", unhelpful: "#e03131", bar: "#1c7ed6" };
const LABELS = { answer: "已回答", clarify: "澄清", fallback: "未理解", handoff: "转人工", human: "人工中" };

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function empty(container) {
  const p = document.createElement("p");
  p.className = "muted";
  p.textContent = "暂无数据";
  container.replaceChildren(p);
}

function legend(keys) {
  const div = document.createElement("div");
  div.className = "legend";
  for (const k of keys) {
    const item = document.createElement("span");
    const dot = document.createElement("i");
    dot.style.background = COLORS[k];
    item.append(dot, document.createTextNode(LABELS[k] ?? (k === "helpful" ? "有用" : k === "unhelpful" ? "没用" : k)));
    div.append(item);
  }
  return div;
}

/** Vertical stacked bars: one per day. */
function stackedColumns(container, rows, keys) {
  if (rows.every((r) => keys.every((k) => r[k] === 0))) return empty(container);
  // as wide as the card: the bars share its width, and dates are thinned out when they would overlap
  const width = Math.max(280, Math.floor(container.clientWidth));
  const height = 240;
  const top = 16, bottom = 40, left = 40;
  const step = (width - left - 8) / rows.length;
  const barWidth = Math.max(2, Math.min(36, step * 0.64));
  const labelEvery = Math.ceil(40 / step);
  const max = Math.max(1, ...rows.map((r) => keys.reduce((n, k) => n + r[k], 0)));
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": "每日提问量" });
  const plot = height - top - bottom;
  for (const f of [0, 0.5, 1]) {
    const y = top + plot * (1 - f);
    chart.append(svg("line", { x1: left, x2: width - 8, y1: y, y2: y, stroke: "#dee2e6" }));
    chart.append(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", "font-size": 11 }, String(Math.round(max * f))));
  }
  rows.forEach((r, i) => {
    const x = left + 4 + i * step + (step - barWidth) / 2;
    const middle = x + barWidth / 2;
    let y = top + plot;
    for (const k of keys) {
      const h = (r[k] / max) * plot;
      if (h > 0) {
        y -= h;
        const rect = svg("rect", { x, y, width: barWidth, height: h, fill: COLORS[k] });
        rect.append(svg("title", {}, `${r.date} ${LABELS[k]}：${r[k]}`));
        chart.append(rect);
      }
    }
    const last = i === rows.length - 1;
    if ((rows.length - 1 - i) % labelEvery === 0 || last) {
      chart.append(svg("text", { x: middle, y: height - bottom + 16, "text-anchor": "middle", "font-size": 10 }, r.date.slice(5)));
    }
    if (step >= 22) chart.append(svg("text", { x: middle, y: y - 4, "text-anchor": "middle", "font-size": 10 }, String(r.total || "")));
  });
  container.replaceChildren(chart, legend(keys));
}

/** Horizontal bars; each row may stack several parts. */
function horizontalBars(container, rows, parts, { percent = false, label = (r) => r.label } = {}) {
  if (rows.length === 0) return empty(container);
  const width = Math.max(280, Math.floor(container.clientWidth));
  const labelWidth = Math.min(220, Math.round(width * 0.38)), rowHeight = 26;
  const barWidth = width - labelWidth - 56;
  const maxChars = Math.max(4, Math.floor((labelWidth - 8) / 12));
  const height = rows.length * rowHeight + 8;
  const max = percent ? 1 : Math.max(1, ...rows.map((r) => parts.reduce((n, p) => n + r[p], 0)));
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img" });
  rows.forEach((r, i) => {
    const y = 4 + i * rowHeight;
    const name = label(r);
    const text = svg("text", { x: labelWidth - 8, y: y + 15, "text-anchor": "end", "font-size": 12 }, name.length > maxChars ? `${name.slice(0, maxChars - 1)}…` : name);
    text.append(svg("title", {}, name));
    chart.append(text);
    let x = labelWidth;
    let total = 0;
    for (const p of parts) {
      const w = (r[p] / max) * barWidth;
      total += r[p];
      if (w > 0) {
        const rect = svg("rect", { x, y: y + 3, width: w, height: rowHeight - 8, fill: COLORS[p] ?? COLORS.bar, rx: 2 });
        rect.append(svg("title", {}, `${name}：${percent ? `${Math.round(r[p] * 100)}%` : r[p]}`));
        chart.append(rect);
        x += w;
      }
    }
    chart.append(svg("text", { x: x + 6, y: y + 15, "font-size": 12 }, percent ? `${Math.round(total * 100)}%` : String(total)));
  });
  container.replaceChildren(chart);
  if (parts.length > 1) container.append(legend(parts));
}

function examples(container, groups) {
  const list = document.createElement("ol");
  list.className = "groups";
  for (const g of groups) {
    const li = document.createElement("li");
    const head = document.createElement("strong");
    head.textContent = `${g.label}（${g.count} 次）`;
    const ex = document.createElement("span");
    ex.className = "muted";
    ex.textContent = g.examples.length > 1 ? ` 相似说法：${g.examples.slice(1, 6).join(" / ")}` : "";
    li.append(head, ex);
    list.append(li);
  }
  container.append(list);
}

let shown = null;

async function load() {
  const days = $("days").value;
  const res = await fetch(`/api/agent/insights?days=${days}`, { headers: { "x-requested-with": "fetch" } });
  if (res.status === 401) return location.reload();
  shown = await res.json();
  draw(shown);
}

function draw(data) {
  // the total is what the daily bars stack; the rates have their own base, named beside them
  $("range").textContent = `${data.from} 至 ${data.to}，用户共发来 ${data.total} 条消息`;
  $("rates-base").textContent = `（机器人处理的 ${data.rates.total} 条中）`;
  stackedColumns($("chart-days"), data.days, ["answer", "clarify", "fallback", "handoff", "human"]);
  horizontalBars(
    $("chart-rates"),
    data.rates.total === 0
      ? []
      : [
          { label: "已回答（含澄清）", value: data.rates.answered, key: "answer" },
          { label: "未理解", value: data.rates.fallback, key: "fallback" },
          { label: "转人工", value: data.rates.handoff, key: "handoff" },
        ].map((r) => ({ label: r.label, answer: r.key === "answer" ? r.value : 0, fallback: r.key === "fallback" ? r.value : 0, handoff: r.key === "handoff" ? r.value : 0 })),
    ["answer", "fallback", "handoff"],
    { percent: true },
  );
  horizontalBars($("chart-intents"), data.topIntents.map((t) => ({ label: t.title, bar: t.count })), ["bar"]);
  horizontalBars($("chart-unanswered"), data.unanswered.map((g) => ({ label: g.label, fallback: g.count })), ["fallback"]);
  examples($("chart-unanswered"), data.unanswered);
  horizontalBars($("chart-feedback"), data.feedback.map((f) => ({ label: f.title, helpful: f.helpful, unhelpful: f.unhelpful })), ["helpful", "unhelpful"]);
}

$("days").addEventListener("change", () => load());
let resizing;
window.addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => shown && draw(shown), 150);
});
$("logout").addEventListener("click", async () => {
  await fetch("/api/agent/logout", { method: "POST", headers: { "x-requested-with": "fetch" } }).catch(() => {});
  location.href = "/agent";
});
const me = await (await fetch("/api/agent/me")).json();
$("me").textContent = me.agent ?? "";
await load();
