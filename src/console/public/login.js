// Sign-in form of the agent console. No data from the server is ever parsed as HTML.
const form = document.getElementById("signin");
const error = document.getElementById("signin-error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.textContent = "";
  const name = document.getElementById("name").value.trim();
  const password = document.getElementById("password").value;
  let res;
  try {
    res = await fetch("/api/agent/login", {
      method: "POST",
      headers: { "content-type": "application/json", "x-requested-with": "fetch" },
      body: JSON.stringify({ name, password }),
    });
  } catch {
    error.textContent = "无法连接服务器，请稍后再试";
    return;
  }
  if (res.ok) {
    location.reload();
    return;
  }
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) error.textContent = "客服名或密码错误";
  else if (res.status === 429) error.textContent = `尝试次数过多，请 ${res.headers.get("retry-after") ?? "稍后"} 秒后再试`;
  else if (res.status === 400) error.textContent = "请填写客服名（字母、数字、中文、_ . -）和密码";
  else error.textContent = `登录失败：${body.error ?? res.status}`;
});
