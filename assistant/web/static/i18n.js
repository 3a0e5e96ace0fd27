// All user-facing strings, Norwegian (default) and English; t(key, vars) fills {placeholders}.

const STRINGS = {
  nb: {
    appName: "Planassistent",
    skip: "Hopp til spørsmålsfeltet",
    tabs: "Visninger",
    tabChat: "Spør",
    tabMeasures: "Tiltaksregister",
    tabDocuments: "Dokumenter",
    newChat: "Ny samtale",
    langSwitch: "English",
    langSwitchLabel: "Switch to English",
    welcomeTitle: "Spør om planene",
    welcomeText:
      "Still spørsmål om strategier, handlingsplaner og statusrapporter. Svarene siterer dokumentene med nummererte kilder – eller sier fra når dokumentene ikke gir svar.",
    examplesLabel: "Eksempler",
    examples: [
      "Hvilke tiltak er forsinket på grunn av budsjett?",
      "Hva er status for arbeidet med likestilling og mangfold?",
      "Hvilke mål har strategien for forskning?",
    ],
    questionLabel: "Spørsmål",
    questionPlaceholder: "Skriv et spørsmål om planene …",
    send: "Send",
    hint: "Enter sender, Shift+Enter gir ny linje.",
    you: "Du",
    assistant: "Planassistent",
    searching: "Leter i dokumentene …",
    answerReady: "Svar klart.",
    noSupport: "Fant ikke støtte i dokumentene",
    sourcesFor: "Kilder",
    citationLabel: "Kilde {n}: {title}",
    page: "s. {page}",
    pageLabel: "Side",
    copy: "Kopier svar",
    copied: "Kopiert",
    copyFailed: "Kunne ikke kopiere",
    helpful: "Nyttig svar",
    notHelpful: "Ikke nyttig svar",
    commentLabel: "Kommentar (valgfritt)",
    commentPlaceholder: "Hva var bra, eller hva manglet?",
    sendFeedback: "Send tilbakemelding",
    cancel: "Avbryt",
    thanks: "Takk for tilbakemeldingen!",
    feedbackFailed: "Tilbakemeldingen ble ikke lagret. Prøv igjen.",
    sources: "Kilder",
    closeSources: "Lukk kilder",
    sourcesEmpty: "Velg et kildenummer i et svar for å se det siterte avsnittet i sammenhengen.",
    loadingPassage: "Henter avsnittet …",
    passageFailed: "Fant ikke avsnittet. Dokumentet kan ha blitt endret eller fjernet.",
    openDocument: "Åpne dokumentet",
    openDocumentAt: "Åpne dokumentet på side {page}",
    quoted: "Sitert tekst er uthevet.",
    file: "Fil",
    heading: "Avsnitt",
    networkError: "Kunne ikke nå tjenesten. Sjekk nettverket og prøv igjen.",
    answerError: "Spørsmålet kunne ikke besvares: {message}",
    internalError: "Noe gikk galt hos oss. Prøv igjen om litt.",
    confirmNewChat: "Starte en ny samtale? Den nåværende blir slettet fra denne nettleseren.",
    measuresTitle: "Tiltaksregister",
    measuresLead: "Tiltakene i planene og siste rapporterte status. Filtrer på status, årsak, plan eller område.",
    status: "Status",
    reason: "Årsak",
    plan: "Plan",
    area: "Område",
    search: "Søk",
    searchPlaceholder: "Ord i tiltak eller status",
    all: "Alle",
    resetFilters: "Nullstill",
    colNumber: "Nr.",
    colMeasure: "Tiltak",
    colSource: "Kilde",
    showing: "Viser {n} av {total} tiltak",
    noMeasures: "Registeret er tomt. Det bygges når dokumenter med tiltakstabeller indekseres.",
    noMatch: "Ingen tiltak passer filtrene.",
    measuresFailed: "Kunne ikke hente tiltaksregisteret.",
    statusSummary: "Antall tiltak per status",
    statuses: {
      not_started: "Ikke startet",
      planned: "Planlagt",
      in_progress: "Pågår",
      delayed: "Forsinket",
      postponed: "Utsatt",
      completed: "Fullført",
      reported: "Rapportert",
    },
    reasons: {
      budget: "Budsjett",
      capacity: "Kapasitet",
      awaiting_decision: "Venter på beslutning",
      pandemic: "Pandemi",
      other: "Annet",
    },
    documentsTitle: "Dokumenter",
    documentsLead: "Dokumentene assistenten svarer fra. Last opp nye eller oppdaterte versjoner; de indekseres med en gang.",
    uploadTitle: "Last opp dokumenter",
    chooseFiles: "Velg filer",
    dropHere: "eller slipp dem her",
    uploadHint: "PDF, DOCX, PPTX, TXT eller MD, inntil {max} per fil.",
    upload: "Last opp",
    noFilesChosen: "Velg minst én fil først.",
    uploading: "{name}: indekserer …",
    added: "{name}: lagt til ({chunks} avsnitt).",
    updated: "{name}: oppdatert ({chunks} avsnitt).",
    skipped: "{name}: uendret, allerede indeksert.",
    colTitle: "Tittel",
    colDate: "Dato",
    colKind: "Type",
    colPages: "Sider",
    colChunks: "Avsnitt",
    colActions: "Handlinger",
    open: "Åpne",
    remove: "Fjern",
    removeLabel: "Fjern {title}",
    confirmRemove: "Fjerne «{title}» fra assistenten? Svarene vil ikke lenger bygge på dokumentet.",
    removed: "{name}: fjernet.",
    noDocuments: "Ingen dokumenter er indeksert ennå.",
    documentsFailed: "Kunne ikke hente dokumentlisten.",
    errors: {
      unsupported_file_type: "{name}: filtypen støttes ikke. Bruk PDF, DOCX, PPTX, TXT eller MD.",
      document_too_large: "{name}: filen er for stor. Grensen er {max} per fil.",
      request_too_large: "{name}: filen er for stor. Grensen er {max} per fil.",
      encrypted_document: "{name}: PDF-en er passordbeskyttet. Fjern passordet og last opp på nytt.",
      corrupt_document: "{name}: filen er skadet eller er ikke det filendelsen sier.",
      empty_document: "{name}: fant ingen tekst i dokumentet (en skannet PDF må tekstgjenkjennes først).",
      invalid_name: "Filnavnet «{name}» kan ikke brukes. Gi filen et vanlig navn og prøv igjen.",
      unreadable_document: "{name}: filen kunne ikke leses.",
      not_found: "{name}: finnes ikke (lenger).",
    },
  },
  en: {
    appName: "Plan Assistant",
    skip: "Skip to the question box",
    tabs: "Views",
    tabChat: "Ask",
    tabMeasures: "Measure register",
    tabDocuments: "Documents",
    newChat: "New chat",
    langSwitch: "Norsk",
    langSwitchLabel: "Bytt til norsk",
    welcomeTitle: "Ask about the plans",
    welcomeText:
      "Ask about strategies, action plans and status reports. Answers quote the documents with numbered sources – or say so when the documents do not answer.",
    examplesLabel: "Examples",
    examples: [
      "Which measures are delayed because of the budget?",
      "What is the status of the work on gender equality and diversity?",
      "What are the strategy's goals for research?",
    ],
    questionLabel: "Question",
    questionPlaceholder: "Ask a question about the plans …",
    send: "Send",
    hint: "Enter sends, Shift+Enter adds a line.",
    you: "You",
    assistant: "Plan Assistant",
    searching: "Searching the documents …",
    answerReady: "Answer ready.",
    noSupport: "No support found in the documents",
    sourcesFor: "Sources",
    citationLabel: "Source {n}: {title}",
    page: "p. {page}",
    pageLabel: "Page",
    copy: "Copy answer",
    copied: "Copied",
    copyFailed: "Could not copy",
    helpful: "Helpful answer",
    notHelpful: "Unhelpful answer",
    commentLabel: "Comment (optional)",
    commentPlaceholder: "What was good, or what was missing?",
    sendFeedback: "Send feedback",
    cancel: "Cancel",
    thanks: "Thank you for the feedback!",
    feedbackFailed: "The feedback was not saved. Try again.",
    sources: "Sources",
    closeSources: "Close sources",
    sourcesEmpty: "Choose a source number in an answer to see the quoted passage in its context.",
    loadingPassage: "Loading the passage …",
    passageFailed: "The passage was not found. The document may have been changed or removed.",
    openDocument: "Open the document",
    openDocumentAt: "Open the document at page {page}",
    quoted: "The quoted text is highlighted.",
    file: "File",
    heading: "Section",
    networkError: "Could not reach the service. Check the network and try again.",
    answerError: "The question could not be answered: {message}",
    internalError: "Something went wrong on our side. Try again shortly.",
    confirmNewChat: "Start a new chat? The current one is deleted from this browser.",
    measuresTitle: "Measure register",
    measuresLead: "The measures in the plans and their latest reported status. Filter by status, reason, plan or area.",
    status: "Status",
    reason: "Reason",
    plan: "Plan",
    area: "Area",
    search: "Search",
    searchPlaceholder: "Words in measure or status",
    all: "All",
    resetFilters: "Reset",
    colNumber: "No.",
    colMeasure: "Measure",
    colSource: "Source",
    showing: "Showing {n} of {total} measures",
    noMeasures: "The register is empty. It is built when documents with measure tables are indexed.",
    noMatch: "No measures match the filters.",
    measuresFailed: "Could not load the measure register.",
    statusSummary: "Measures per status",
    statuses: {
      not_started: "Not started",
      planned: "Planned",
      in_progress: "In progress",
      delayed: "Delayed",
      postponed: "Postponed",
      completed: "Completed",
      reported: "Reported",
    },
    reasons: {
      budget: "Budget",
      capacity: "Capacity",
      awaiting_decision: "Awaiting decision",
      pandemic: "Pandemic",
      other: "Other",
    },
    documentsTitle: "Documents",
    documentsLead: "The documents the assistant answers from. Upload new or updated versions; they are indexed at once.",
    uploadTitle: "Upload documents",
    chooseFiles: "Choose files",
    dropHere: "or drop them here",
    uploadHint: "PDF, DOCX, PPTX, TXT or MD, up to {max} per file.",
    upload: "Upload",
    noFilesChosen: "Choose at least one file first.",
    uploading: "{name}: indexing …",
    added: "{name}: added ({chunks} passages).",
    updated: "{name}: updated ({chunks} passages).",
    skipped: "{name}: unchanged, already indexed.",
    colTitle: "Title",
    colDate: "Date",
    colKind: "Type",
    colPages: "Pages",
    colChunks: "Passages",
    colActions: "Actions",
    open: "Open",
    remove: "Remove",
    removeLabel: "Remove {title}",
    confirmRemove: "Remove “{title}” from the assistant? Answers will no longer draw on it.",
    removed: "{name}: removed.",
    noDocuments: "No documents are indexed yet.",
    documentsFailed: "Could not load the document list.",
    errors: {
      unsupported_file_type: "{name}: this file type is not supported. Use PDF, DOCX, PPTX, TXT or MD.",
      document_too_large: "{name}: the file is too large. The limit is {max} per file.",
      request_too_large: "{name}: the file is too large. The limit is {max} per file.",
      encrypted_document: "{name}: the PDF is password protected. Remove the password and upload it again.",
      corrupt_document: "{name}: the file is damaged or not what its extension says.",
      empty_document: "{name}: no text found in the document (a scanned PDF needs text recognition first).",
      invalid_name: "The file name “{name}” cannot be used. Give the file an ordinary name and try again.",
      unreadable_document: "{name}: the file could not be read.",
      not_found: "{name}: does not exist (any more).",
    },
  },
};

const LANG_KEY = "plan-assistant.lang";
let lang = localStorage.getItem(LANG_KEY) === "en" ? "en" : "nb";
const listeners = [];

export function getLang() {
  return lang;
}

export function setLang(next) {
  lang = next === "en" ? "en" : "nb";
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
  applyStrings();
  listeners.forEach((fn) => fn(lang));
}

export function onLangChange(fn) {
  listeners.push(fn);
}

function lookup(key) {
  return key.split(".").reduce((obj, part) => (obj == null ? undefined : obj[part]), STRINGS[lang]);
}

export function t(key, vars = {}) {
  const value = lookup(key);
  if (typeof value !== "string") return value === undefined ? key : value;
  return value.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

export function has(key) {
  return typeof lookup(key) === "string";
}

export function label(group, value) {
  if (!value) return "–";
  const found = lookup(`${group}.${value}`);
  return typeof found === "string" ? found : value.replace(/_/g, " ");
}

export function applyStrings(root = document) {
  root.querySelectorAll("[data-i18n]").forEach((el) => (el.textContent = t(el.dataset.i18n)));
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => (el.placeholder = t(el.dataset.i18nPlaceholder)));
  root.querySelectorAll("[data-i18n-label]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.i18nLabel)));
  document.title = t("appName");
}

export function megabytes(bytes) {
  const mb = bytes / (1024 * 1024);
  return `${mb >= 10 ? Math.round(mb) : mb.toFixed(1).replace(/\.0$/, "")} MB`;
}
