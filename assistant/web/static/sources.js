// The sources panel: an answer's numbered citations, and the chosen one highlighted in its context.

import { documentUrl, el, request } from "./api.js";
import { t } from "./i18n.js";

const cache = new Map();
const NEIGHBOUR_LINES = 3;
let panel, body, title, backdrop;
let current = null; // { turn, n }
let opener = null;
const narrow = window.matchMedia("(max-width: 900px)");

function passage(citation) {
  const key = `${citation.passage_id}\u0000${citation.text}`;
  if (!cache.has(key)) {
    const query = new URLSearchParams({ quote: citation.text, context: "1" });
    if (!citation.passage_id) query.set("source", citation.source);
    const path = citation.passage_id ? `/api/passages/${encodeURIComponent(citation.passage_id)}` : "/api/passages";
    const promise = request(`${path}?${query}`);
    promise.catch(() => cache.delete(key));
    cache.set(key, promise);
  }
  return cache.get(key);
}

function meta(citation, heading) {
  const items = [[t("file"), citation.source]];
  if (citation.page) items.push([t("pageLabel"), String(citation.page)]);
  if (heading) items.push([t("heading"), heading]);
  return el("dl", { class: "meta" }, items.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
}

function contextView(data) {
  const box = el("div", { class: "context" });
  const at = data.context.findIndex((b) => b.current);
  data.context.forEach((block, i) => {
    const part = el("div", { class: block.current ? "block current" : "block" });
    let lines = block.lines;
    if (i < at && lines.length > NEIGHBOUR_LINES) lines = lines.slice(-NEIGHBOUR_LINES);
    if (i > at && lines.length > NEIGHBOUR_LINES) lines = lines.slice(0, NEIGHBOUR_LINES);
    if (i < at && lines !== block.lines) part.append(el("p", { class: "line gap", text: "…" }));
    for (const line of lines) {
      const cls = `line ${line.kind}`;
      const content = line.highlight ? el("mark", { text: line.text }) : line.text;
      part.append(el("p", { class: cls }, content));
    }
    if (i > at && lines !== block.lines) part.append(el("p", { class: "line gap", text: "…" }));
    box.append(part);
  });
  return box;
}

function openLink(citation) {
  const text = citation.page ? t("openDocumentAt", { page: citation.page }) : t("openDocument");
  return el("a", {
    class: "btn secondary open-doc",
    href: documentUrl(citation.source, citation.page),
    target: "_blank",
    rel: "noopener",
    text: `${text} ↗`,
  });
}

async function detail(citation) {
  const box = el(
    "section",
    { class: "detail", "aria-labelledby": "detail-title" },
    el("h3", { id: "detail-title" }, el("span", { class: "chip-n", text: String(citation.n) }), ` ${citation.title}`),
  );
  const status = el("p", { class: "muted", role: "status", text: t("loadingPassage") });
  box.append(meta(citation, citation.heading), status);
  try {
    const data = await passage(citation);
    status.textContent = t("quoted");
    status.className = "muted small";
    box.append(contextView(data), openLink(citation));
  } catch {
    status.textContent = t("passageFailed");
    box.append(el("blockquote", { text: citation.text }), openLink(citation));
  }
  return box;
}

function list(turn, active) {
  return el(
    "ol",
    { class: "source-list" },
    turn.answer.citations.map((c) =>
      el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            class: "source-item",
            "aria-current": c.n === active ? "true" : "false",
            onclick: () => showSources(turn, c.n, opener),
          },
          el("span", { class: "chip-n", text: String(c.n) }),
          el(
            "span",
            { class: "source-text" },
            el("strong", { text: c.title }),
            el("span", { class: "muted", text: c.page ? ` · ${t("page", { page: c.page })}` : "" }),
            el("span", { class: "snippet", text: c.text.replace(/\s+/g, " ").slice(0, 140) }),
          ),
        ),
      ),
    ),
  );
}

export async function showSources(turn, n, trigger, focus = true) {
  const citation = turn.answer && turn.answer.citations.find((c) => c.n === n);
  if (!citation) return;
  current = { turn, n };
  if (trigger) opener = trigger;
  panel.classList.add("open");
  backdrop.hidden = !narrow.matches;
  document.querySelectorAll(".chip[aria-current], .cite[aria-current]").forEach((b) => b.removeAttribute("aria-current"));
  const answerNode = document.querySelector(`.msg.bot[data-turn="${turn.id}"]`);
  answerNode?.querySelectorAll(".chip, .cite").forEach((b) => {
    if (b.querySelector?.(".chip-n")?.textContent === String(n) || b.textContent === String(n)) b.setAttribute("aria-current", "true");
  });
  const loading = el("div", { class: "detail" }, el("p", { class: "muted", text: t("loadingPassage") }));
  body.replaceChildren(loading, list(turn, n));
  if (focus) title.focus();
  const view = await detail(citation);
  if (!current || current.turn !== turn || current.n !== n) return;
  loading.replaceWith(view);
  view.querySelector("mark")?.scrollIntoView({ block: "nearest" });
}

export function closeSources(reset = false) {
  panel.classList.remove("open");
  backdrop.hidden = true;
  if (reset) {
    current = null;
    body.replaceChildren(el("p", { class: "muted", text: t("sourcesEmpty") }));
    return;
  }
  if (opener && document.contains(opener)) opener.focus();
}

export function rerenderSources() {
  if (current) showSources(current.turn, current.n, null, false);
  else closeSources(true);
}

export function initSources() {
  panel = document.getElementById("sources");
  body = document.getElementById("sources-body");
  title = document.getElementById("sources-title");
  backdrop = document.getElementById("backdrop");
  document.getElementById("close-sources").addEventListener("click", () => closeSources());
  backdrop.addEventListener("click", () => closeSources());
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") closeSources();
  });
  narrow.addEventListener("change", () => (backdrop.hidden = !(narrow.matches && panel.classList.contains("open"))));
  closeSources(true);
}
