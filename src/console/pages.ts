// The console's HTML shells. They carry no data: scripts fetch it and build the DOM with textContent.

const head = (title: string) => `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" type="image/svg+xml" href="/agent/assets/favicon.svg">
<link rel="stylesheet" href="/agent/assets/console.css">
</head>`;

const nav = (current: "console" | "insights") => `<header class="top">
  <strong>客服工作台</strong>
  <nav>
    <a href="/agent"${current === "console" ? ' aria-current="page"' : ""}>会话队列</a>
    <a href="/agent/insights"${current === "insights" ? ' aria-current="page"' : ""}>数据洞察</a>
  </nav>
  <span class="who">当前客服：<b id="me"></b></span>
  <button type="button" id="logout">退出</button>
</header>`;

/** The sign-in form; says how to create an agent when there is none. */
export function signInPage(configured: boolean): string {
  const notice = configured
    ? ""
    : `<p class="notice" id="no-agents">还没有配置客服账号。请在服务器上运行 <code>npm run agent:add -- 名字</code> 创建账号（或设置 AGENT_TOKEN），然后刷新本页。</p>`;
  return `${head("客服登录")}
<body class="signin">
<main>
  <h1>客服工作台登录</h1>
  ${notice}
  <form id="signin" autocomplete="on">
    <label>客服名<input name="name" id="name" autocomplete="username" required maxlength="32"></label>
    <label>密码<input name="password" id="password" type="password" autocomplete="current-password" required></label>
    <button type="submit">登录</button>
    <p class="error" id="signin-error" role="alert"></p>
  </form>
</main>
<script type="module" src="/agent/assets/login.js"></script>
</body>
</html>`;
}

/** The queue, the ticket view and the reply box. */
export function consolePage(): string {
  return `${head("客服工作台")}
<body class="console">
${nav("console")}
<div class="layout">
  <aside>
    <div class="tabs" role="tablist">
      <button type="button" data-view="waiting" class="active">等待中 <span id="count-waiting">0</span></button>
      <button type="button" data-view="mine">我的 <span id="count-mine">0</span></button>
      <button type="button" data-view="closed">已关闭</button>
    </div>
    <ul id="queue" class="queue"></ul>
    <p id="queue-empty" class="muted">暂无会话</p>
    <button type="button" id="more" class="more" hidden>加载更多</button>
    <p id="live" class="muted">实时更新：连接中…</p>
    <fieldset class="alerts">
      <legend>新用户排队时提醒我</legend>
      <label><input type="checkbox" id="alert-sound"> 提示音</label>
      <label><input type="checkbox" id="alert-desktop"> 桌面通知</label>
      <p id="alert-note" class="muted small" role="status"></p>
    </fieldset>
  </aside>
  <section id="ticket" hidden>
    <div class="ticket-head">
      <h2 id="ticket-title"></h2>
      <p id="ticket-meta" class="muted"></p>
      <div class="actions">
        <button type="button" id="claim">接入</button>
        <button type="button" id="release">交回机器人</button>
        <button type="button" id="close">结束服务</button>
      </div>
    </div>
    <ol id="timeline" class="timeline"></ol>
    <div id="canned" class="canned" aria-label="常用回复（点击插入输入框）" hidden></div>
    <form id="reply-form">
      <textarea id="reply" rows="3" placeholder="输入回复，Ctrl+Enter 发送" maxlength="4000"></textarea>
      <button type="submit" id="send">发送</button>
    </form>
    <p class="error" id="ticket-error" role="alert"></p>
  </section>
  <section id="placeholder" class="muted">在会话列表中选择一个会话</section>
</div>
<script type="module" src="/agent/assets/console.js"></script>
</body>
</html>`;
}

/** Charts for operators: volume, outcome rates, top intents, unanswered questions, feedback. */
export function insightsPage(): string {
  return `${head("数据洞察")}
<body class="insights">
${nav("insights")}
<main class="charts">
  <p class="muted">统计范围：<span id="range"></span>
    <select id="days"><option value="7">近 7 天</option><option value="14" selected>近 14 天</option><option value="30">近 30 天</option><option value="90">近 90 天</option></select>
  </p>
  <section><h2>每日提问量</h2><div id="chart-days" class="chart"></div></section>
  <section><h2>回答 / 未理解 / 转人工 比例<span id="rates-base" class="muted small"></span></h2><div id="chart-rates" class="chart"></div></section>
  <section><h2>热门意图</h2><div id="chart-intents" class="chart"></div></section>
  <section><h2>未能回答的问题（按相似度分组）</h2><p class="muted">用 <code>npm run kb:suggest</code> 导出为意图草稿</p><div id="chart-unanswered" class="chart"></div></section>
  <section><h2>各意图的反馈</h2><div id="chart-feedback" class="chart"></div></section>
</main>
<script type="module" src="/agent/assets/insights.js"></script>
</body>
</html>`;
}
