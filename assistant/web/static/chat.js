// The conversation: asks through /api/chat, streams answers in, keeps the turns in localStorage.

import { el, icon, postJson, streamChat } from "./api.js";
import { getLang, t } from "./i18n.js";
import { closeSources, showSources } from "./sources.js";

const KEY = "plan-assistant.conversation.v1";
const MAX_HISTORY = 10;
let state = load();
let controller = null;
let log, form, input, sendButton, announcer;

function load() {
  try {
    const data = JSON.parse(localStorage.getItem(KEY) || "null");
    if (data && Array.isArray(data.turns)) return data;
  } catch {
    /* start afresh */
  }
  return { turns: [] };
}

function save() {
  try {
    localStorage.setItem(KEY, JSON.stringify(state));
  } catch {
    /* storage full or disabled: the conversation just is not kept */
  }
}

export function announce(text) {
  announcer.textContent = "";
  window.setTimeout(() => (announcer.textContent = text), 50);
}

export function errorText(err) {
  if (!err || err.code === "network") return t("networkError");
  if (err.code === "internal_error") return t("internalError");
  return t("answerError", { message: err.message });
}

function citeButton(n, citations, turn) {
  const c = citations.find((x) => x.n === n);
  if (!c) return el("span", { class: "cite", text: String(n) });
  return el("button", {
    type: "button",
    class: "cite",
    text: String(n),
    "aria-label": t("citationLabel", { n, title: c.title }),
    onclick: (e) => showSources(turn, n, e.currentTarget),
  });
}

function inline(line, citations, turn) {
  const parts = line.split(/\[(\d+)\]/);
  return parts.map((part, i) => (i % 2 ? citeButton(Number(part), citations, turn) : part));
}

// Render answer text: lines starting with "- " become a list; [n] markers become citation buttons.
export function answerBody(text, citations = [], turn = null) {
  const body = el("div", { class: "answer-text" });
  let list = null;
  for (const line of text.split("\n")) {
    if (line.startsWith("- ")) {
      if (!list) body.append((list = el("ul")));
      list.append(el("li", {}, inline(line.slice(2), citations, turn)));
    } else if (line.trim()) {
      list = null;
      body.append(el("p", {}, inline(line, citations, turn)));
    }
  }
  return body;
}

function chips(turn) {
  const pageText = (c) => (c.page ? ` · ${t("page", { page: c.page })}` : "");
  return el(
    "div",
    { class: "chips", role: "group", "aria-label": t("sourcesFor") },
    turn.answer.citations.map((c) =>
      el(
        "button",
        {
          type: "button",
          class: "chip",
          title: c.title,
          "aria-label": t("citationLabel", { n: c.n, title: c.title }) + pageText(c),
          onclick: (e) => showSources(turn, c.n, e.currentTarget),
        },
        el("span", { class: "chip-n", text: String(c.n) }),
        el("span", { class: "chip-title", text: c.title + pageText(c) }),
      ),
    ),
  );
}

function plainAnswer(answer) {
  const lines = [answer.answer];
  if (answer.completeness) lines.push("", answer.completeness);
  if (answer.citations.length) {
    lines.push("", t("sources") + ":");
    for (const c of answer.citations) {
      const where = c.page ? `, ${t("page", { page: c.page })}` : "";
      lines.push(`[${c.n}] ${c.title} (${c.source}${where}): «${c.text.replace(/\s+/g, " ").trim()}»`);
    }
  }
  return lines.join("\n");
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = el("textarea", { class: "sr-only", readonly: true });
  area.value = text;
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy failed");
}

function feedbackForm(turn, rating, tools) {
  const history = state.turns.slice(0, state.turns.indexOf(turn)).map((x) => x.question);
  const id = `comment-${turn.id}`;
  const area = el("textarea", { id, rows: "2", maxlength: "2000", placeholder: t("commentPlaceholder") });
  const status = el("p", { class: "form-status", role: "status" });
  const box = el(
    "form",
    {
      class: "feedback-form",
      onsubmit: async (e) => {
        e.preventDefault();
        box.querySelector("button[type=submit]").disabled = true;
        try {
          await postJson("/api/feedback", {
            question: turn.question,
            answer: turn.answer.answer,
            rating,
            comment: area.value.trim() || null,
            history,
            citations: turn.answer.citations,
            abstained: turn.answer.abstained,
          });
          turn.feedback = rating;
          turn.feedbackSent = true;
          save();
          const thanks = el("p", { class: "thanks", tabindex: "-1", text: t("thanks") });
          tools.replaceWith(thanks);
          thanks.focus();
        } catch {
          status.textContent = t("feedbackFailed");
          box.querySelector("button[type=submit]").disabled = false;
        }
      },
    },
    el("label", { for: id, text: t("commentLabel") }),
    area,
    el(
      "div",
      { class: "row" },
      el("button", { type: "submit", class: "btn primary small", text: t("sendFeedback") }),
      el("button", {
        type: "button",
        class: "btn ghost small",
        text: t("cancel"),
        onclick: () => {
          box.remove();
          tools.querySelectorAll("[aria-pressed]").forEach((b) => b.setAttribute("aria-pressed", "false"));
          tools.querySelector(`[data-rating=${rating}]`).focus();
        },
      }),
    ),
    status,
  );
  return box;
}

function thumb(rating, name, rate) {
  const attrs = { type: "button", class: "btn ghost small thumb", "data-rating": rating, "aria-pressed": "false" };
  return el("button", { ...attrs, "aria-label": name, title: name, onclick: rate(rating) }, icon(rating));
}

function toolbar(turn) {
  if (turn.feedbackSent) return el("p", { class: "thanks", text: t("thanks") });
  const tools = el("div", { class: "tools" });
  const copied = el("span", { class: "tool-status", role: "status" });
  const rate = (rating) => (e) => {
    tools.querySelectorAll("[aria-pressed]").forEach((b) => b.setAttribute("aria-pressed", "false"));
    e.currentTarget.setAttribute("aria-pressed", "true");
    tools.querySelector(".feedback-form")?.remove();
    const formNode = feedbackForm(turn, rating, tools);
    tools.append(formNode);
    formNode.querySelector("textarea").focus();
  };
  tools.append(
    el("button", {
      type: "button",
      class: "btn ghost small",
      onclick: async () => {
        try {
          await copyText(plainAnswer(turn.answer));
          copied.textContent = t("copied");
        } catch {
          copied.textContent = t("copyFailed");
        }
        window.setTimeout(() => (copied.textContent = ""), 2500);
      },
    }, icon("copy"), t("copy")),
    thumb("up", t("helpful"), rate),
    thumb("down", t("notHelpful"), rate),
    copied,
  );
  return tools;
}

function renderTurn(turn, streaming = false) {
  const question = el("div", { class: "msg user" }, el("p", { class: "who sr-only", text: t("you") }), el("div", { class: "bubble", text: turn.question }));
  const bot = el("article", { class: "msg bot", "aria-busy": streaming ? "true" : "false", "data-turn": turn.id });
  bot.append(el("p", { class: "who sr-only", text: t("assistant") }));
  if (streaming) {
    bot.append(el("p", { class: "typing", text: t("searching") }));
  } else if (turn.answer) {
    const a = turn.answer;
    if (a.abstained) bot.classList.add("abstained");
    bot.append(answerBody(a.answer, a.citations, turn));
    if (a.completeness && !a.answer.includes(a.completeness)) bot.append(el("p", { class: "completeness", text: a.completeness }));
    if (a.citations.length) bot.append(chips(turn));
    bot.append(toolbar(turn));
  } else {
    bot.classList.add("failed");
    bot.append(el("p", { class: "error", text: errorText(turn.error) }));
  }
  return el("div", { class: "turn", "data-turn": turn.id }, question, bot);
}

function welcome() {
  return el(
    "div",
    { class: "welcome" },
    el("h1", { text: t("welcomeTitle") }),
    el("p", { text: t("welcomeText") }),
    el("p", { class: "examples-label", text: t("examplesLabel") }),
    el(
      "ul",
      { class: "examples" },
      t("examples").map((q) => el("li", {}, el("button", { type: "button", class: "example", text: q, onclick: () => ask(q) }))),
    ),
  );
}

export function renderLog() {
  log.replaceChildren();
  if (!state.turns.length) log.append(welcome());
  state.turns.forEach((turn) => log.append(renderTurn(turn, controller !== null && turn === state.turns.at(-1))));
}

function scrollToEnd() {
  log.scrollTop = log.scrollHeight;
}

export async function ask(text) {
  const question = text.trim();
  if (!question || controller) return;
  const history = state.turns.map((x) => x.question).slice(-MAX_HISTORY);
  const turn = { id: Date.now().toString(36), question, answer: null, error: null, feedback: null, lang: getLang() };
  state.turns.push(turn);
  save();
  log.querySelector(".welcome")?.remove();
  const node = renderTurn(turn, true);
  log.append(node);
  scrollToEnd();
  const mine = new AbortController();
  controller = mine;
  sendButton.disabled = true;
  announce(t("searching"));
  const liveBot = () => log.querySelector(`.msg.bot[data-turn="${turn.id}"]`) || node.querySelector(".msg.bot");
  let streamed = "";
  try {
    await streamChat(
      { question, history },
      {
        answer: (delta) => {
          streamed += delta;
          const bot = liveBot();
          bot.querySelector(".typing")?.remove();
          bot.querySelector(".answer-text")?.remove();
          bot.append(answerBody(streamed));
          scrollToEnd();
        },
        citations: () => {},
        done: (answer) => (turn.answer = answer),
      },
      mine.signal,
    );
  } catch (err) {
    turn.error = { code: err.code || "network", message: err.message };
  }
  if (mine.signal.aborted || !state.turns.includes(turn)) return;
  controller = null;
  sendButton.disabled = false;
  if (!turn.answer && !turn.error) turn.error = { code: "network", message: "" };
  save();
  const shown = log.querySelector(`.turn[data-turn="${turn.id}"]`);
  if (shown) shown.replaceWith(renderTurn(turn));
  else renderLog();
  scrollToEnd();
  announce(turn.answer ? `${t("answerReady")} ${turn.answer.answer.replace(/\[\d+\]/g, "")}` : errorText(turn.error));
}

export function newChat() {
  if (state.turns.length && !window.confirm(t("confirmNewChat"))) return;
  controller?.abort();
  controller = null;
  state = { turns: [] };
  save();
  closeSources(true);
  renderLog();
  sendButton.disabled = false;
  input.value = "";
  input.focus();
}

export function initChat() {
  log = document.getElementById("log");
  form = document.getElementById("ask-form");
  input = document.getElementById("question");
  sendButton = document.getElementById("send");
  announcer = document.getElementById("announcer");
  const grow = () => {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!input.value.trim() || controller) return;
    const text = input.value;
    input.value = "";
    grow();
    ask(text);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", grow);
  renderLog();
  scrollToEnd();
}
