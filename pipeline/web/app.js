// speechcast serve: the page's behaviour. Every string from a manuscript goes into the page as text
// (textContent), never as markup.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { draft: null, mine: new Set(), shown: null, edits: 0, jobs: [], labels: {}, engines: {}, edge: null };

const KIND = { notes: "编者按与注释", publication: "出版信息与广告", markup: "标记", furniture: "页眉页脚",
  appendix: "附件", stage: "现场提示" };
const STATE = { queued: "排队中", running: "合成中", finishing: "正在写入文件", done: "完成", failed: "失败",
  cancelled: "已取消" };
const ENGINE = { edge: "Edge 在线", espeak: "离线" };
const GENDER = { Female: "女声", Male: "男声" };

async function api(path, { json, form, method } = {}) {
  const init = { method: method || (json || form ? "POST" : "GET"), headers: { "X-Speechcast": "1" } };
  if (json) { init.body = JSON.stringify(json); init.headers["Content-Type"] = "application/json"; }
  if (form) init.body = form;
  let response;
  try { response = await fetch(path, init); } catch (e) {
    throw new Error("连不上 speechcast：它还在运行吗？(The app cannot be reached: is it still running?)");
  }
  const type = response.headers.get("content-type") || "";
  if (!response.ok) {
    const data = type.includes("json") ? await response.json() : { error: response.statusText };
    const problem = new Error(data.error || `HTTP ${response.status}`);
    problem.english = data.english;
    throw problem;
  }
  return type.includes("json") ? response.json() : response;
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

// A message in Chinese, with its English (when the server sent one) beside it in small.
function say(id, text, bad, english) {
  const node = $(id);
  node.textContent = text || "";
  if (english && english !== text) node.append(" ", el("small", english, "english"));
  node.classList.toggle("bad", !!bad);
}

function sayProblem(id, problem) {
  say(id, problem.message, true, problem.english);
}

function minutes(seconds) {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)} 分 ${String(s % 60).padStart(2, "0")} 秒`;
}

// ① the manuscript ------------------------------------------------------------------------------

async function upload(form, label) {
  say("upload-message", `正在读取 ${label}…`);
  try {
    const draft = await api("/api/drafts", { form });
    say("upload-message", `已读取 ${draft.name}`);
    showDraft(draft, true);
  } catch (e) {
    sayProblem("upload-message", e);
  }
}

function uploadFile(file) {
  if (state.maxUpload && file.size > state.maxUpload) {
    const mb = Math.round(state.maxUpload / 1048576);
    return say("upload-message", `${file.name} 太大了：最多 ${mb} MB。The file is too large: speechcast takes manuscripts up to ${mb} MB.`, true);
  }
  const form = new FormData();
  form.append("file", file, file.name);
  upload(form, file.name);
}

// ② what speechcast understood ------------------------------------------------------------------

function showDraft(draft, withScript) {
  state.draft = draft;
  for (const id of ["step-understood", "step-voice", "step-render"]) $(id).hidden = false;
  if (withScript) $("script").value = draft.script;
  showUnderstood(draft.understood);
}

function showUnderstood(u) {
  $("o-title").textContent = u.title || "（未找到标题）";
  $("o-speaker").textContent = [u.speaker, u.date].filter(Boolean).join(" · ") || "（无）";
  $("o-salutation").textContent = u.salutation || "（无）";
  $("o-length").textContent = `${u.chars} 字，约 ${minutes(u.estimate_s)}`;
  const list = $("o-sections");
  list.replaceChildren();
  for (const s of u.sections) {
    const name = s.title || (s.kind === "opening" ? "（开场）" : s.kind === "closing" ? "（结束语）" : "");
    const item = el("li", null, `level-${s.level} kind-${s.kind}`);
    item.append(el("span", name, "section-title"), el("span", ` ${s.paragraphs} 段 · ${s.sentences} 句`, "figures"));
    if (s.note) item.append(el("div", s.note, "note"));
    list.append(item);
  }
  const warnings = $("o-warnings");
  warnings.replaceChildren(...u.warnings.map((w, i) => {
    const item = el("li", w);
    const english = (u.warnings_en || [])[i];
    if (english && english !== w) item.append(" ", el("small", english, "english"));
    return item;
  }));
  for (const a of u.appendices) warnings.append(el("li", `附件「${a.title}」不朗读（${a.paragraphs} 段）`, "appendix"));
  showRemoved(u.removed);
  showUnsure(u.unsure || []);
}

function showUnsure(unsure) {
  // Spoken, but the evidence doubts they are the speech: highlighted, one click takes one out.
  const list = $("unsure");
  $("unsure-box").hidden = !unsure.length;
  list.replaceChildren();
  for (const r of unsure) {
    const item = el("li", null, "removed-line unsure");
    const button = el("button", "删除 remove", "remove");
    button.type = "button";
    button.dataset.testid = "remove";
    button.addEventListener("click", () => lineAction("remove", r));
    item.append(el("span", `第 ${r.line} 行`, "why"), el("q", r.text), button);
    list.append(item);
  }
}

function showRemoved(removed) {
  $("removed-count").textContent = `（${removed.length} 行）`;
  const list = $("removed");
  list.replaceChildren();
  for (const r of removed) {
    const item = el("li", null, "removed-line");
    const why = el("span", `第 ${r.line} 行 · ${KIND[r.kind] || r.kind} · ${r.description}`, "why");
    if (r.description_en && r.description_en !== r.description) why.append(" ", el("small", r.description_en, "english"));
    const text = el("q", r.text);
    const button = el("button", "恢复 restore", "restore");
    button.type = "button";
    button.dataset.testid = "restore";
    button.addEventListener("click", () => lineAction("restore", r));
    item.append(why, text, button);
    list.append(item);
  }
}

// Restore a removed line, or take out one kept in doubt: either way the manuscript is read again.
const LINE_ACTIONS = {
  restore: { verb: "恢复", done: "已恢复", en: "Restoring" },
  remove: { verb: "删除", done: "已删除", en: "Removing" },
};

async function lineAction(action, r) {
  const { verb, done, en } = LINE_ACTIONS[action];
  if (state.draft.edited && !confirm(`${verb}会重新读取原稿，您对讲稿的修改将被替换。继续吗？\n${en} reads the manuscript again: your edits to the script will be replaced.`)) return;
  try {
    showDraft(await api(`/api/drafts/${state.draft.id}/${action}`, { json: { line: r.line, text: r.text } }), true);
    say("upload-message", `${done}：${r.text}`);
  } catch (e) {
    sayProblem("upload-message", e);
  }
}

// Readings: how names and words are read (the script's 读音 lines), checked when the box is opened.
async function showReadings() {
  if (!$("readings-box").open || !state.draft) return;
  const list = $("readings");
  list.replaceChildren(el("li", "正在核对…", "figures"));
  try {
    const { readings } = await api(`/api/drafts/${state.draft.id}/readings`);
    list.replaceChildren(...readings.map(readingRow));
    if (!readings.length) list.append(el("li", "没有需要核对的名字。", "figures"));
  } catch (e) {
    sayProblem("reading-message", e);
  }
}

function readingRow(r) {
  const item = el("li", null, r.set ? "reading set" : "reading doubt");
  const input = el("input");
  input.value = r.reading;
  input.setAttribute("aria-label", `${r.word} 的读音`);
  const button = el("button", "设定");
  button.type = "button";
  button.addEventListener("click", () => setReading(r.word, input.value));
  item.append(el("strong", r.word), " ", input, " ", button, el("span", r.set ? " 已设定" : " 请核对", "figures"));
  return item;
}

async function setReading(word, reading) {
  try {
    const draft = await api(`/api/drafts/${state.draft.id}/reading`, { json: { word, reading } });
    showDraft(draft, true);
    say("reading-message", `已设定：${word} = ${reading}（下次生成时，只重新合成用到它的句子）`);
    showReadings();
  } catch (e) {
    sayProblem("reading-message", e);
  }
}

let editTimer = null;
function scriptEdited() {
  clearTimeout(editTimer);
  const edit = ++state.edits;
  editTimer = setTimeout(async () => {
    try {
      const draft = await api(`/api/drafts/${state.draft.id}/script`, { json: { script: $("script").value } });
      if (edit !== state.edits) return; // a later edit is on its way
      state.draft.edited = draft.edited;
      showUnderstood(draft.understood);
    } catch (e) {
      sayProblem("upload-message", e);
    }
  }, 350);
}

// ③ voices ----------------------------------------------------------------------------------------

// A voice by its Chinese name, its id in small print after it; an Edge voice says whether Edge answers.
function voiceBox(voice, detail, checked) {
  const item = el("label", null, "voice");
  item.dataset.engine = voice.engine;
  const box = el("input");
  box.type = "checkbox";
  box.value = voice.name;
  box.checked = checked;
  box.name = "voice";
  item.append(box, el("span", voice.label, "voice-name"), el("code", voice.name, "voice-id"));
  if (voice.offline) item.append(el("span", "离线 offline", "tag"));
  if (voice.engine === "edge") item.append(el("span", "", "reach"));
  if (detail) item.append(el("small", detail));
  return item;
}

async function loadVoices() {
  const data = await api("/api/voices");
  for (const v of [...data.presets, ...data.edge_voices]) {
    state.labels[v.name] = v.label;
    state.engines[v.name] = v.engine;
  }
  const box = $("voices");
  box.replaceChildren(...data.presets.map((p, i) =>
    voiceBox(p, p.offline ? `${p.about}（无需网络，机器音）` : p.about, i === 0)));
  $("edge-voices").replaceChildren(...data.edge_voices.map((v) =>
    voiceBox(v, [GENDER[v.gender] || v.gender, v.description].filter(Boolean).join(" · "), false)));
  showEdge();
}

// Whether the Edge service answers, asked once the page loads: before a voice is picked, the Edge
// voices say so when it does not, and the notice above them says what a render does then.
async function checkEdge() {
  try {
    state.edge = (await api("/api/edge")).reachable ? "reachable" : "unreachable";
  } catch (e) {
    state.edge = "unknown";
  }
  showEdge();
}

const REACH = { checking: "正在检查…", unreachable: "无法连接（将改用离线声音）" };

function showEdge() {
  const now = state.edge || "checking";
  $("voices").dataset.edge = now;
  $("edge-notice").hidden = now !== "unreachable";
  for (const mark of document.querySelectorAll(".voice .reach")) {
    mark.textContent = REACH[now] || "";
    mark.hidden = !REACH[now];
    mark.classList.toggle("down", now === "unreachable");
  }
}

function label(name) {
  return state.labels[name] || name;
}

function chosenVoices() {
  return [...document.querySelectorAll('input[name="voice"]:checked')].map((b) => b.value);
}

function rate() {
  const v = Number($("rate").value);
  return `${v >= 0 ? "+" : ""}${v}%`;
}

async function preview() {
  const voice = chosenVoices()[0];
  if (!voice) return say("preview-message", "请先选择一个声音。", true, "Choose a voice first.");
  say("preview-message", `正在合成${label(voice)}的试听…`);
  try {
    const response = await api("/api/preview", { json: { draft: state.draft.id, voice, rate: rate() } });
    const audio = $("preview-audio");
    if (audio.src) URL.revokeObjectURL(audio.src);
    audio.src = URL.createObjectURL(await response.blob());
    audio.hidden = false;
    const engine = response.headers.get("x-speechcast-engine");
    const fellBack = engine === "espeak" && state.engines[voice] === "edge";
    say("preview-message", fellBack ? `${label(voice)}：连接不上 Edge，这是离线声音的试听` : `${label(voice)}的试听`);
    audio.play().catch(() => {});
  } catch (e) {
    sayProblem("preview-message", e);
  }
}

// ④ render and progress -----------------------------------------------------------------------------

async function startRender(body) {
  say("render-message", "");
  try {
    const data = await api(body.render ? "/api/library/rerender" : "/api/renders", { json: body });
    for (const id of data.jobs) state.mine.add(id);
    state.shown = null;
  } catch (e) {
    sayProblem("render-message", e);
  }
}

function format() {
  return $("m4b").checked ? "both" : "mp3";
}

function renderClicked() {
  const voices = chosenVoices();
  if (!voices.length) return say("render-message", "请至少选择一个声音。", true, "Choose at least one voice.");
  startRender({ draft: state.draft.id, voices, rate: rate(), pace: Number($("pace").value), format: format() });
}

// How a render was made, where it differs from the usual: two renders of one speech told apart.
function made(settings) {
  if (!settings) return "";
  const parts = [];
  if (settings.rate && settings.rate !== "+0%") parts.push(`语速 ${settings.rate}`);
  if (settings.pitch && settings.pitch !== "+0Hz") parts.push(`音调 ${settings.pitch}`);
  if (settings.formats && settings.formats.join("+") !== "mp3") parts.push(settings.formats.map((f) => f.toUpperCase()).join("+"));
  if (settings.loudness !== undefined && settings.loudness !== -16) parts.push(`响度 ${settings.loudness} LUFS`);
  if (settings.cover) parts.push("带封面");
  return parts.length ? ` · ${parts.join(" · ")}` : "";
}

function figures(job) {
  if (job.state === "queued") return `排在第 ${job.queue_position} 位，前面还有 ${job.queue_position - 1} 个`;
  const all = job.total + job.cached;
  const parts = job.state === "finishing"
    ? [`已写入 ${job.written}%`]
    : [`${job.done + job.cached}/${all} 段`, `缓存 ${job.cached}`, `请求 ${job.requests} 次`];
  if (job.seconds_left !== null) parts.push(`剩余约 ${minutes(job.seconds_left)}`);
  return parts.join(" · ");
}

function showJobs(jobs) {
  state.jobs = jobs;
  const list = $("progress");
  const rows = new Map([...list.children].map((li) => [li.dataset.job, li]));
  for (const job of jobs) {
    let row = rows.get(job.id);
    if (!row) {
      row = $("job-row").content.firstElementChild.cloneNode(true);
      row.dataset.job = job.id;
      row.querySelector(".cancel").addEventListener("click", () => api(`/api/jobs/${job.id}/cancel`, { json: {} }).catch(() => {}));
      list.prepend(row);
    }
    row.dataset.state = job.state;
    row.querySelector(".job-title").textContent = job.title;
    row.querySelector(".job-voice").textContent = [label(job.voice), ENGINE[job.engine] || job.engine].filter(Boolean).join(" · ");
    row.querySelector(".job-state").textContent = STATE[job.state] || job.state;
    const all = job.total + job.cached;
    const bar = row.querySelector("progress");
    // Synthesis fills the bar to 90 %, writing the files the rest (a cached render is mostly writing).
    if (job.state === "done") bar.value = 1;
    else if (job.state === "finishing") bar.value = 0.9 + 0.1 * (job.written / 100);
    else bar.value = all ? 0.9 * ((job.done + job.cached) / all) : 0;
    const text = job.message || (job.state === "done" ? "" : figures(job));
    const figuresNode = row.querySelector(".job-figures");
    figuresNode.textContent = [text, ...job.warnings].filter(Boolean).join(" · ");
    if (job.message_en && job.message_en !== job.message) figuresNode.append(" ", el("small", job.message_en, "english"));
    row.querySelector(".cancel").hidden = ["done", "failed", "cancelled"].includes(job.state);
  }
  if (jobs.some((j) => j.state === "done" && !state.seenDone?.has(j.id))) {
    state.seenDone = new Set(jobs.filter((j) => j.state === "done").map((j) => j.id));
    loadLibrary().then(() => {
      const finished = jobs.filter((j) => j.state === "done" && state.mine.has(j.id));
      if (finished.length && state.shown !== finished[finished.length - 1].render) showResult(finished[finished.length - 1].render);
    });
  }
}

function watch() {
  const source = new EventSource("/api/events");
  source.onmessage = (event) => showJobs(JSON.parse(event.data).jobs);
}

// ⑤ result and ⑥ library ------------------------------------------------------------------------------

let library = [];

function link(text, url) {
  const a = el("a", text);
  a.href = url;
  a.setAttribute("download", "");
  return a;
}

function showResult(key) {
  const entry = library.find((e) => e.id === key);
  if (!entry) return;
  state.shown = key;
  $("step-result").hidden = false;
  $("result-title").textContent = `${entry.title} · ${label(entry.voice)} · ${minutes(entry.duration_ms / 1000)}`;
  if (entry.player) $("player").src = entry.player;
  const box = $("downloads");
  box.replaceChildren();
  const main = el("p", null, "main-downloads");
  main.append(link(entry.full.endsWith(".m4b") ? "有声书 M4B" : "完整 MP3", entry.full), link("全部打包 ZIP", entry.zip));
  if (entry.m4b && entry.m4b !== entry.full) main.append(link("有声书 M4B", entry.m4b));
  if (entry.srt) main.append(link("字幕 SRT", entry.srt));
  if (entry.lrc) main.append(link("歌词 LRC", entry.lrc));
  const tracks = el("ol", null, "tracks");
  for (const t of entry.tracks) {
    const item = el("li");
    item.append(link(t.title, t.url));
    tracks.append(item);
  }
  box.append(main, tracks);
}

async function loadLibrary() {
  try {
    library = (await api("/api/library")).renders;
  } catch (e) {
    return;
  }
  $("library-empty").hidden = library.length > 0;
  const names = [...document.querySelectorAll('#voices input[name="voice"]')].map((b) => b.value);
  const list = $("library");
  list.replaceChildren();
  for (const entry of library) {
    const item = el("li", null, "render");
    item.dataset.render = entry.id;
    const from = entry.source ? ` · ${entry.source}` : "";
    item.append(el("strong", entry.title), el("span", ` ${label(entry.voice)} · ${minutes(entry.duration_ms / 1000)} · ${entry.date}${from}${made(entry.settings)}`, "figures"));
    const actions = el("div", null, "actions");
    const play = el("button", "播放 play");
    play.type = "button";
    play.addEventListener("click", () => { showResult(entry.id); $("step-result").scrollIntoView(); });
    const pick = el("select");
    pick.setAttribute("aria-label", "换一个声音 another voice");
    for (const name of names.filter((n) => n !== entry.voice)) {
      const option = el("option", label(name));
      option.value = name;
      pick.append(option);
    }
    const again = el("button", "换声音重新生成 re-render");
    again.type = "button";
    again.className = "rerender";
    again.addEventListener("click", () => startRender({ render: entry.id, voices: [pick.value], rate: rate(), pace: Number($("pace").value), format: format() }));
    actions.append(play, link("下载 MP3", entry.full), link("打包 ZIP", entry.zip), pick, again);
    item.append(actions);
    list.append(item);
  }
}

function showSettings(settings) {
  state.maxUpload = settings.max_upload;
  // The live feed: a podcast app subscribed to it hears each render as soon as it is done.
  $("feed").replaceChildren("手机播客订阅地址（随生成随更新）：", el("code", location.origin + settings.feed), " ",
    el("small", "podcast feed, always current", "english"));
}

// wiring ------------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("file").addEventListener("change", (e) => { if (e.target.files[0]) uploadFile(e.target.files[0]); e.target.value = ""; });
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files[0]) uploadFile(e.dataTransfer.files[0]);
  });
  $("paste-go").addEventListener("click", () => {
    const form = new FormData();
    form.append("text", $("paste").value);
    upload(form, "粘贴的文字");
  });
  $("script").addEventListener("input", scriptEdited);
  $("readings-box").addEventListener("toggle", showReadings);
  $("reading-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setReading($("reading-word").value.trim(), $("reading-value").value.trim());
  });
  $("rate").addEventListener("input", () => { $("rate-out").textContent = rate(); });
  $("pace").addEventListener("input", () => { $("pace-out").textContent = `${Number($("pace").value).toFixed(1)}×`; });
  $("preview").addEventListener("click", preview);
  $("render").addEventListener("click", renderClicked);
  api("/api/settings").then(showSettings).catch(() => {});
  loadVoices().then(loadLibrary).catch((e) => sayProblem("upload-message", e));
  checkEdge();
  watch();
  window.speechcastApp = state; // for tests and the curious: what the page holds
});
