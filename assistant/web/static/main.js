// Starts the page: tabs, language switch, new chat, and the three views.

import { initChat, newChat, renderLog } from "./chat.js";
import { initDocuments, loadDocuments, rerenderDocuments } from "./documents.js";
import { applyStrings, getLang, onLangChange, setLang, t } from "./i18n.js";
import { initMeasures, loadMeasures, rerenderMeasures } from "./measures.js";
import { initSources, rerenderSources } from "./sources.js";

const VIEWS = ["chat", "measures", "documents"];
const loaded = new Set();

function showView(name, focus = false) {
  const view = VIEWS.includes(name) ? name : "chat";
  for (const v of VIEWS) {
    const tab = document.getElementById(`tab-${v}`);
    const selected = v === view;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    document.getElementById(`view-${v}`).hidden = !selected;
    if (selected && focus) tab.focus();
  }
  document.body.dataset.view = view;
  document.getElementById("new-chat").hidden = view !== "chat";
  if (view !== "chat" && !loaded.has(view)) {
    loaded.add(view);
    (view === "measures" ? loadMeasures : loadDocuments)();
  }
  if (location.hash.slice(1) !== view) history.replaceState(null, "", view === "chat" ? location.pathname : `#${view}`);
  if (view === "chat" && !focus) document.getElementById("question").focus();
}

function initTabs() {
  const tabs = VIEWS.map((v) => document.getElementById(`tab-${v}`));
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => showView(VIEWS[i]));
    tab.addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (step) showView(VIEWS[(i + step + VIEWS.length) % VIEWS.length], true);
      else if (e.key === "Home") showView(VIEWS[0], true);
      else if (e.key === "End") showView(VIEWS.at(-1), true);
      else return;
      e.preventDefault();
    });
  });
  window.addEventListener("hashchange", () => showView(location.hash.slice(1)));
}

function updateLangButton() {
  const button = document.getElementById("lang");
  button.textContent = t("langSwitch");
  button.setAttribute("aria-label", t("langSwitchLabel"));
  button.lang = getLang() === "nb" ? "en" : "nb";
}

document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.lang = getLang();
  applyStrings();
  updateLangButton();
  initSources();
  initChat();
  initMeasures();
  initDocuments();
  initTabs();
  document.getElementById("lang").addEventListener("click", () => setLang(getLang() === "nb" ? "en" : "nb"));
  document.getElementById("new-chat").addEventListener("click", newChat);
  onLangChange(() => {
    updateLangButton();
    renderLog();
    rerenderSources();
    rerenderMeasures();
    rerenderDocuments();
  });
  showView(location.hash.slice(1));
});
