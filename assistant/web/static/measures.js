// The measure register view: status summary, filters (status, reason, plan, area, words) and a table.

import { documentUrl, el, request } from "./api.js";
import { label, t } from "./i18n.js";

const STATUS_ORDER = ["delayed", "postponed", "not_started", "planned", "in_progress", "completed", "reported"];
let all = null;
let titles = {};
let shown = [];
let seq = 0;
let timer = 0;
let form, summary, count, table;

function field(name) {
  return form.elements.namedItem(name);
}

function sortedValues(key, order = null) {
  const values = [...new Set(all.map((m) => m[key]).filter(Boolean))];
  return order ? values.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99)) : values.sort();
}

function fillSelect(name, values, group) {
  const select = field(name);
  const keep = select.value;
  select.replaceChildren(
    el("option", { value: "", text: t("all") }),
    ...values.map((v) => el("option", { value: v, text: group ? label(group, v) : v })),
  );
  select.value = values.includes(keep) ? keep : "";
}

function renderSummary() {
  const counts = {};
  for (const m of all) counts[m.status || ""] = (counts[m.status || ""] || 0) + 1;
  const active = field("status").value;
  summary.replaceChildren(
    ...sortedValues("status", STATUS_ORDER).map((s) =>
      el(
        "button",
        {
          type: "button",
          class: `stat status-${s}`,
          "aria-pressed": active === s ? "true" : "false",
          onclick: () => {
            field("status").value = active === s ? "" : s;
            apply();
          },
        },
        el("span", { class: "stat-n", text: String(counts[s]) }),
        el("span", { class: "stat-label", text: label("statuses", s) }),
      ),
    ),
  );
}

function badge(status) {
  return el("span", { class: `badge status-${status || "none"}`, text: label("statuses", status) });
}

function row(m) {
  const where = m.page ? ` · ${t("page", { page: m.page })}` : "";
  return el(
    "tr",
    {},
    el("td", { "data-label": t("plan"), class: "half", text: m.plan || "–" }),
    el("td", { "data-label": t("area"), class: "half", text: m.area || "–" }),
    el("td", { "data-label": t("colNumber"), class: "num half", text: m.number || "" }),
    el("td", { "data-label": t("colMeasure"), class: "measure" }, el("span", { class: "measure-title", text: m.title }), m.status_text ? el("span", { class: "muted small block", text: m.status_text }) : null),
    el("td", { "data-label": t("status"), class: "half" }, badge(m.status)),
    el("td", { "data-label": t("reason"), class: "half", text: m.reason ? label("reasons", m.reason) : "–" }),
    el("td", { "data-label": t("colSource") }, el("a", { href: documentUrl(m.source, m.page), target: "_blank", rel: "noopener", class: "small", title: m.source, text: `${titles[m.source] || m.source}${where}` })),
  );
}

function renderTable() {
  const tbody = table.querySelector("tbody");
  if (!all || !all.length) {
    count.textContent = "";
    tbody.replaceChildren(el("tr", {}, el("td", { colspan: "7", class: "empty", text: all ? t("noMeasures") : t("measuresFailed") })));
    return;
  }
  count.textContent = t("showing", { n: shown.length, total: all.length });
  if (!shown.length) {
    tbody.replaceChildren(el("tr", {}, el("td", { colspan: "7", class: "empty", text: t("noMatch") })));
    return;
  }
  tbody.replaceChildren(...shown.map(row));
}

async function apply() {
  const params = new URLSearchParams();
  for (const name of ["status", "reason", "plan", "area", "q"]) {
    const value = field(name).value.trim();
    if (value) params.set(name, value);
  }
  const mine = ++seq;
  if (all && ![...params.keys()].length) {
    shown = all; // no filter: the whole register is already loaded
    renderSummary();
    renderTable();
    return;
  }
  try {
    const found = await request(`/api/measures?${params}`);
    if (mine !== seq) return;
    shown = found;
  } catch {
    if (mine !== seq) return;
    shown = [];
  }
  renderSummary();
  renderTable();
}

export async function loadMeasures() {
  try {
    const [found, docs] = await Promise.all([request("/api/measures"), request("/api/documents").catch(() => null)]);
    all = found;
    shown = found;
    titles = Object.fromEntries((docs ? docs.documents : []).map((d) => [d.source, d.title]));
  } catch {
    all = null;
    renderTable();
    return;
  }
  rerenderMeasures();
  await apply();
}

export function rerenderMeasures() {
  if (!all) {
    renderTable();
    return;
  }
  fillSelect("status", sortedValues("status", STATUS_ORDER), "statuses");
  fillSelect("reason", sortedValues("reason"), "reasons");
  fillSelect("plan", sortedValues("plan"), null);
  fillSelect("area", sortedValues("area"), null);
  renderSummary();
  renderTable();
}

export function initMeasures() {
  form = document.getElementById("measure-filters");
  summary = document.getElementById("measure-summary");
  count = document.getElementById("measure-count");
  table = document.getElementById("measure-table");
  form.addEventListener("change", (e) => {
    if (e.target.name !== "q") apply();
  });
  form.addEventListener("input", (e) => {
    if (e.target.name !== "q") return;
    window.clearTimeout(timer);
    timer = window.setTimeout(apply, 250);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    apply();
  });
  form.addEventListener("reset", () => window.setTimeout(apply, 0));
}
