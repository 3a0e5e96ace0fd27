"""Vocabulary for the measure register: status and reason phrases, plan names and table headers (nb/en)."""

from __future__ import annotations

import re

STATUSES = ("not_started", "planned", "in_progress", "delayed", "postponed", "completed", "reported")
REASONS = ("budget", "capacity", "awaiting_decision", "pandemic", "other")

_W = r"(?<![\wæøåÆØÅ])"  # word start that also respects Norwegian letters
_E = r"(?![\wæøåÆØÅ])"  # word end

# Longest and negated phrases first: a span taken by one phrase is not matched again.
_STATUS_PHRASES: tuple[tuple[str, str], ...] = (
    ("not_started", r"ikke (?:igangsatt|startet|påbegynt|iverksatt|gjennomført|begynt)"),
    ("not_started", r"not (?:yet )?(?:started|begun|initiated)"),
    ("in_progress", r"ikke (?:ferdigstilt|fullført|avsluttet|ferdig)|not (?:yet )?(?:completed|finished)"),
    ("in_progress", r"delvis (?:gjennomført|fullført|ferdigstilt|etablert)|partially (?:completed|done)"),
    ("in_progress", r"forventes (?:ferdigstilt|fullført|gjennomført)"),
    ("postponed", r"satt på vent|på vent|stilt i bero|lagt på is|utsatt|avvent\w*"),
    ("postponed", r"postponed|on hold|deferred|paused|awaiting|put on ice"),
    ("delayed", r"forsinke\w*|delayed|behind schedule"),
    ("planned", r"under planlegging|i planleggingsfase\w*|planleggingsfase\w*|planlagt\w*|tiltaksplan vedtatt"),
    ("planned", r"planned|planning stage|scheduled|proposed|foreslått"),
    ("in_progress", r"under (?:arbeid|gjennomføring|utvikling|etablering|utarbeidelse|implementering)"),
    ("in_progress", r"pågår|pågående|igangsatt|iverksatt|i gang|startet opp|påbegynt"),
    ("in_progress", r"in progress|ongoing|underway|under way|started|work has begun"),
    ("reported", r"rapportert|reported"),
    ("completed", r"gjennomført|fullført|ferdigstilt|er etablert|etablert|avsluttet|levert|implementert"),
    ("completed", r"utarbeidet|publisert|vedtatt"),
    ("completed", r"completed|done|finished|delivered|implemented|established|published|achieved"),
    ("completed", r"[✓✔]"),
)
_CONTINUE_RE = re.compile(_W + r"(?:videreføres|videreført|videreutvikling|continue[sd]?|continuation)" + _E, re.I)
_PRECEDENCE = ("postponed", "delayed", "not_started", "in_progress", "reported", "completed", "planned")

_REASON_PHRASES: tuple[tuple[str, str], ...] = (
    ("pandemic", r"korona\w*|covid\w*|pandemi\w*|smittevern\w*|corona\w*|pandemic"),
    ("awaiting_decision", r"avvent\w* (?:\w+ )?(?:beslutning|vedtak|avklaring|ny|nye|nytt|etablering)\w*"),
    ("awaiting_decision", r"når (?:ny|nye|nytt) .{1,40}? (?:er )?(?:etablert|vedtatt|på plass)"),
    ("awaiting_decision", r"(?:avhenger|avhengig) av (?:\w+ )?(?:vedtak|beslutning|avklaring)\w*"),
    ("awaiting_decision", r"(?:awaiting|pending|waiting for) (?:a |the )?(?:\w+ )?(?:decision|approval)"),
    ("budget", r"budsjett\w*|økonomisk\w* handlingsrom|(?:pga\.?|grunnet|på grunn av) (?:\w+ )?økonomi\w*"),
    ("budget", r"(?:manglende|mangel på|uten|ikke) (?:\w+ )?(?:finansiering|midler|dekning)"),
    ("budget", r"budget\w*|funding|financial\w*|lack of funds"),
    ("capacity", r"kapasitet\w*|ressurs\w*|bemanning\w*|personell\w*|sykefravær\w*"),
    ("capacity", r"capacity|resources?|staff(?:ing)? shortage|lack of staff"),
)
_OTHER_REASON_RE = re.compile(_W + r"(?:pga\.?|grunnet|på grunn av|due to|because of)" + _E, re.I)
STOP_REASONS = ("postponed", "delayed", "not_started")

_PLAN_WORDS = (
    r"handlingsplan|årsplan|tiltaksplan|virksomhetsplan|utviklingsplan|aktivitetsplan"
    r"|action plan|annual plan|work plan|operational plan"
)
_YEAR = r"(?:19|20)\d{2}"
_PLAN_RE = re.compile(
    _W + rf"({_PLAN_WORDS})(?:en|et)?{_E}[^.\n:]{{0,40}}?({_YEAR}(?:\s*[–-]\s*{_YEAR})?)", re.I
)
_PROPOSAL_PLAN_RE = re.compile(
    rf"forslag\w*\s+(?:på|til|om)\s+(?:nye\s+)?tiltak\w*\s+(?:for|i)\s+({_YEAR})"
    rf"|propos\w*\s+(?:new\s+)?(?:measures|actions)\s+(?:for|in)\s+({_YEAR})",
    re.I,
)
YEAR_RE = re.compile(_W + _YEAR + _E)

TITLE_COLUMN = re.compile(
    r"^(?:tiltak|tiltaket|measures?|actions?|aktivitet\w*|activit\w*|tittel|title|oppgave|tasks?|initiativ\w*)"
    r"(?:\s|$)",
    re.I,
)
STATUS_COLUMN = re.compile(r"^(?:status\w*|state|fremdrift|progress)(?:\s|$|\()", re.I)
NUMBER_COLUMN = re.compile(r"^(?:(?:hp\s*)?nr\.?|no\.?|#|id|number|nummer)$", re.I)
SCORE_COLUMN = re.compile(r"^(?:score|poeng|skår|grad|karakter|\(?0\s*[–-]\s*\d\)?)", re.I)
COMMENT_COLUMN = re.compile(r"^(?:kommentar\w*|comments?|merknad\w*|notes?|begrunnelse|årsak|reason)", re.I)
AREA_COLUMN = re.compile(r"^(?:område|area|innsatsområde|satsingsområde|domain|tema|theme)$", re.I)
OWNER_COLUMN = re.compile(r"^(?:ansvar\w*|eier|owner|responsible|lead)$", re.I)
DEADLINE_COLUMN = re.compile(r"^(?:frist|deadline|due|tidsfrist|periode|opprinnelig periode|period|timeline)$", re.I)

TEXT_HEADER_RE = re.compile(
    r"^(?:HP\s*nr\.?\s+|nr\.?\s+|no\.?\s+)?(?:Tiltak|Measures?|Actions?|Aktivitet\w*|Activit\w*)\b(?P<mid>.*?)"
    r"\bStatus\b(?P<after>.*)$"
)
HEADER_AFTER_COLUMN_RE = re.compile(r"[A-ZÆØÅ]\w+")
DEADLINE_WORD_RE = re.compile(r"\b(?:Frist|Deadline|Due|periode|Periode|Period|Tidsfrist)\b")
OWNER_WORD_RE = re.compile(r"\b(?:Ansvar\w*|Eier|Owner|Responsible)\b")
LEGEND_ITEM_RE = re.compile(r"(?<![\d.])([0-9])\s*=\s*([^=]+?)(?=\s*[0-9]\s*=|$)")
CONTINUATION_SECTION_RE = re.compile(
    r"videreføring|videreførte tiltak|continued (?:measures|actions)|carried over", re.I
)
PROPOSAL_SECTION_RE = re.compile(r"(?:forslag\w* (?:til|på) )?nye tiltak|new (?:measures|actions)", re.I)

DATE = r"\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})"
DATE_RANGE_RE = re.compile(rf"(?<![\d.]){DATE}(?:\s*[–-]\s*{DATE})?(?![\d.])")
TRAILING_YEARS_RE = re.compile(rf"\s+{_YEAR}(?:\s*[+–-]\s*{_YEAR})+\s*$")

STOPWORDS = frozenset(
    "og i for av til med på om en et ei den det de som å at fra ved mellom under etter innen samt "
    "the and or of to in for with a an on at by from".split()
)


def _compile(phrases: tuple[tuple[str, str], ...]) -> list[tuple[str, re.Pattern[str]]]:
    return [(label, re.compile(_W + f"(?:{p})" + _E, re.I)) for label, p in phrases]


STATUS_PATTERNS = _compile(_STATUS_PHRASES)
REASON_PATTERNS = _compile(_REASON_PHRASES)


def status_matches(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, status) for each status phrase in text, without overlaps."""
    taken: list[tuple[int, int, str]] = []
    for label, pattern in STATUS_PATTERNS:
        for m in pattern.finditer(text):
            if all(m.end() <= s or m.start() >= e for s, e, _ in taken):
                taken.append((m.start(), m.end(), label))
    return sorted(taken)


def status_from_text(text: str | None) -> str | None:
    """Normalise a status text to one of STATUSES, or None when it states none."""
    if not text:
        return None
    found = {label for _, _, label in status_matches(text)}
    if "completed" in found and _CONTINUE_RE.search(text):
        found.add("in_progress")
    return next((s for s in _PRECEDENCE if s in found), None)


def status_from_score(score: int | None, legend: dict[int, str]) -> str | None:
    """Map a scale score to a status through the document's legend."""
    if score is None or score not in legend:
        return None
    return status_from_text(legend[score])


def normalise_status(text: str | None, score: int | None = None, legend: dict[int, str] | None = None) -> str | None:
    """Combine text and score: the legend decides progress, the text still says delayed or postponed."""
    from_text = status_from_text(text)
    from_score = status_from_score(score, legend or {})
    if from_score is None or from_text in ("postponed", "delayed"):
        return from_text
    return from_score


def normalise_reason(text: str | None, status: str | None = None) -> str | None:
    """Return the reason a status text gives (budget, capacity, …), or None."""
    if not text:
        return None
    hits = [(m.start(), label) for label, pattern in REASON_PATTERNS for m in pattern.finditer(text)]
    if hits:
        return min(hits)[1]
    if status in STOP_REASONS and _OTHER_REASON_RE.search(text):
        return "other"
    return None


def plan_name(text: str) -> str | None:
    """Return a normalised plan name ('Handlingsplan 2019', 'Forslag til tiltak 2024') named in text."""
    proposal = _PROPOSAL_PLAN_RE.search(text)
    if proposal:
        year = proposal.group(1) or proposal.group(2)
        return f"Forslag til tiltak {year}" if proposal.group(1) else f"Proposed measures {year}"
    m = _PLAN_RE.search(text)
    if not m:
        return None
    years = re.sub(r"\s*[–-]\s*", "–", m.group(2))
    return f"{m.group(1)[0].upper()}{m.group(1)[1:].lower()} {years}"


def plan_year(plan: str | None) -> int | None:
    """Return the first year in a plan name."""
    m = YEAR_RE.search(plan or "")
    return int(m.group(0)) if m else None


def parse_legend(text: str) -> dict[int, str]:
    """Parse a score legend like '0= ikke igangsatt 1= tiltaksplan vedtatt …'."""
    return {int(n): label.strip() for n, label in LEGEND_ITEM_RE.findall(text)}
