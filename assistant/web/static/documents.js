// The documents view: the indexed documents, upload (one request per file) and removal.

import { ApiError, el, request } from "./api.js";
import { has, megabytes, t } from "./i18n.js";

let info = null;
let table, statusList, input, zone, hint;

function uploadError(err, name) {
  if (err.code === "network") return t("networkError");
  const max = megabytes(info ? info.max_upload_bytes : 0);
  if (has(`errors.${err.code}`)) return t(`errors.${err.code}`, { name, max });
  return `${name}: ${err.message}`;
}

function report(text, kind) {
  const item = el("li", { class: `upload-item ${kind}` }, el("span", { class: "dot", "aria-hidden": "true" }), el("span", { text }));
  statusList.prepend(item);
  return item;
}

function setReport(item, text, kind) {
  item.className = `upload-item ${kind}`;
  item.lastChild.textContent = text;
}

function row(doc) {
  const removeButton = el("button", {
    type: "button",
    class: "btn ghost small danger",
    text: t("remove"),
    "aria-label": t("removeLabel", { title: doc.title }),
    onclick: () => removeDocument(doc),
  });
  return el(
    "tr",
    {},
    el("td", { "data-label": t("colTitle") }, el("span", { class: "doc-title", text: doc.title }), el("span", { class: "muted small block", text: doc.source })),
    el("td", { "data-label": t("colDate"), class: "half", text: doc.date || "–" }),
    el("td", { "data-label": t("colKind"), class: "half", text: doc.kind.toUpperCase() }),
    el("td", { "data-label": t("colPages"), class: "num half", text: String(doc.pages) }),
    el("td", { "data-label": t("colChunks"), class: "num half", text: String(doc.chunks) }),
    el(
      "td",
      { class: "actions" },
      el("a", { class: "btn ghost small", href: doc.url, target: "_blank", rel: "noopener", text: t("open"), "aria-label": `${t("open")} ${doc.title}` }),
      removeButton,
    ),
  );
}

function render() {
  hint.textContent = t("uploadHint", { max: megabytes(info ? info.max_upload_bytes : 25 * 1024 * 1024) });
  const tbody = table.querySelector("tbody");
  if (!info) return;
  if (!info.documents.length) {
    tbody.replaceChildren(el("tr", {}, el("td", { colspan: "6", class: "empty", text: t("noDocuments") })));
    return;
  }
  tbody.replaceChildren(...info.documents.map(row));
}

export async function loadDocuments() {
  try {
    info = await request("/api/documents");
    if (input) input.accept = info.accepted.join(",");
  } catch {
    table.querySelector("tbody").replaceChildren(el("tr", {}, el("td", { colspan: "6", class: "empty error", text: t("documentsFailed") })));
    return;
  }
  render();
}

async function removeDocument(doc) {
  if (!window.confirm(t("confirmRemove", { title: doc.title }))) return;
  try {
    await request(`/api/documents/${encodeURIComponent(doc.source)}`, { method: "DELETE" });
    report(t("removed", { name: doc.source }), "ok");
  } catch (err) {
    report(uploadError(err, doc.source), "error");
  }
  await loadDocuments();
  input.focus();
}

function precheck(file) {
  const ext = (file.name.match(/\.[^.]+$/) || [""])[0].toLowerCase();
  if (info && !info.accepted.includes(ext)) return new ApiError("unsupported_file_type", "", 415);
  if (info && file.size > info.max_upload_bytes) return new ApiError("document_too_large", "", 413);
  return null;
}

export async function uploadFiles(files) {
  if (!files.length) {
    report(t("noFilesChosen"), "error");
    return;
  }
  if (!info) await loadDocuments();
  for (const file of files) {
    const item = report(t("uploading", { name: file.name }), "pending");
    const refused = precheck(file);
    if (refused) {
      setReport(item, uploadError(refused, file.name), "error");
      continue;
    }
    const data = new FormData();
    data.append("files", file, file.name);
    try {
      const result = (await request("/api/documents", { method: "POST", body: data })).results[0];
      setReport(item, t(result.status, { name: result.name, chunks: result.chunks }), "ok");
    } catch (err) {
      setReport(item, uploadError(err, file.name), "error");
    }
  }
  input.value = "";
  await loadDocuments();
}

export function rerenderDocuments() {
  render();
}

export function initDocuments() {
  table = document.getElementById("documents-table");
  statusList = document.getElementById("upload-status");
  input = document.getElementById("files");
  zone = document.getElementById("dropzone");
  hint = document.getElementById("upload-hint");
  document.getElementById("upload-form").addEventListener("submit", (e) => {
    e.preventDefault();
    uploadFiles([...input.files]);
  });
  input.addEventListener("change", () => {
    if (input.files.length) uploadFiles([...input.files]);
  });
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    uploadFiles([...e.dataTransfer.files]);
  });
  render();
}
