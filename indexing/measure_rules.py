"""Vocabulary and text rules for the measure register: status, reason, plan and header phrases (nb/en)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

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
    (
        "planned",
        r"under planlegging|i planleggingsfase\w*|planleggingsfase\w*|planlagt\w*|tiltaksplan vedtatt",
    ),
    ("planned", r"planned|planning stage|scheduled|proposed|foreslått"),
    ("in_progress", r"under (?:arbeid|gjennomføring|utvikling|etablering|utarbeidelse|implementering)"),
    ("in_progress", r"pågår|pågående|igangsatt|iverksatt|i gang|startet opp|påbegynt"),
    ("in_progress", r"in progress|ongoing|underway|under way|started|work has begun"),
    ("reported", r"rapportert|reported"),
    (
        "completed",
        r"gjennomført|fullført|ferdigstilt|ferdig|er etablert|etablert|avsluttet|levert|implementert",
    ),
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
    ("capacity", r"kapasitet\w*|ressurs\w*|sykefravær\w*|(?:mangel på|manglende) (?:personell|ansatte|folk)"),
    ("capacity", r"capacity|resources?|staff(?:ing)? shortage|lack of staff"),
)
_OTHER_REASON_RE = re.compile(_W + r"(?:pga\.?|grunnet|på grunn av|due to|because of)" + _E, re.I)
STOP_REASONS = ("postponed", "delayed", "not_started")

_PLAN_WORDS = (
    r"handlingsplan|årsplan|tiltaksplan|virksomhetsplan|utviklingsplan|aktivitetsplan"
    r"|action plan|annual plan|work plan|operational plan"
)
_YEAR = r"(?:19|20)\d{2}"
_GAP = r"(?:\s+(?:(?i:for|status|i|in|og|and|til|fra|per|the|of)|[–-]|[A-ZÆØÅ][\w./-]*,?)){0,6}"
_PLAN_RE = re.compile(_W + rf"((?i:{_PLAN_WORDS}))(?i:en|et)?{_GAP}\s+({_YEAR}(?:\s*[–-]\s*{_YEAR})?){_E}")
_PLAN_LINE_RE = re.compile(r"^(?:(?:status\w*|oversikt|overview)(?:\s+(?:for|på|of))?\s+)?", re.I)
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

TEXT_HEADER_RE = re.compile(
    r"^(?:(?i:hp\s*nr\.?|nr\.?|no\.?)\s+)?(?:Tiltak|Measures?|Actions?|Aktivitet\w*|Activit\w*)\b(?P<mid>.*?)"
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

ROW_START_RE = re.compile(r"^(\d{1,3})[.)]?\s+(?=[A-ZÆØÅ«\"(])(.+)$")
LONE_SCORE_RE = re.compile(r"^(\d)\.?$")
TRAILING_SCORE_RE = re.compile(r"^(.*\S)\s+(\d)$")
LIST_ITEM_RE = re.compile(r"^- (.{3,200}?)(?::|\s[–—-])\s+(.+)$")
DATE = r"\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})"
DATE_RANGE_RE = re.compile(rf"(?<![\d.]){DATE}(?:\s*[–-]\s*{DATE})?(?![\d.])")
TRAILING_YEARS_RE = re.compile(rf"\s+{_YEAR}(?:\s*[+–-]\s*{_YEAR})+\s*$")

LINK_JACCARD = 0.6
LINK_CONTAINMENT = 0.8
_LINE_SPLIT_RE = re.compile(r"\s(?=[A-ZÆØÅ✓✔])")
_STOPWORD_TEXT = (
    "og i for av til med på om en et ei den det de som å at fra ved mellom under etter innen samt "
    "the and or of to in for with a an on at by from"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


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


def normalise_status(
    text: str | None,
    score: int | None = None,
    legend: dict[int, str] | None = None,
    comment: str | None = None,
) -> str | None:
    """Combine text, score and comment: the legend decides progress; a stated delay or hold qualifies it."""
    base = status_from_score(score, legend or {}) or status_from_text(text) or status_from_text(comment)
    held = status_from_text(" ".join(p for p in (text, comment) if p))
    if held in ("postponed", "delayed") and base in (None, "not_started", "planned", "in_progress"):
        return held
    return base


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


def plan_line(text: str) -> str | None:
    """Return the plan a short line opens ('Status handlingsplan 2024', 'Forslag på tiltak for 2024')."""
    if len(text.split()) > 8 or DATE_RANGE_RE.search(text):
        return None
    rest = text[_PLAN_LINE_RE.match(text).end() :]  # type: ignore[union-attr]
    return plan_name(rest) if _PROPOSAL_PLAN_RE.match(rest) or _PLAN_RE.match(rest) else None


def opens_section(text: str) -> bool:
    """Return True for a short line opening a 'continued measures' or 'new measures' section."""
    found = CONTINUATION_SECTION_RE.search(text) or PROPOSAL_SECTION_RE.search(text)
    return bool(found) and len(text.split()) <= 10


def plan_year(plan: str | None) -> int | None:
    """Return the first year in a plan name."""
    m = YEAR_RE.search(plan or "")
    return int(m.group(0)) if m else None


def parse_legend(text: str) -> dict[int, str]:
    """Parse a score legend like '0= ikke igangsatt 1= tiltaksplan vedtatt …'."""
    return {int(n): label.strip() for n, label in LEGEND_ITEM_RE.findall(text)}


def title_key(title: str) -> str:
    """Normalise a title for matching: lower case, words only, single spaces."""
    text = unicodedata.normalize("NFC", title).lower()
    return " ".join(re.findall(r"[^\W_]+", text))


def starts_with_status(text: str) -> bool:
    """Return True when a status phrase begins within the first two words of text."""
    matches = status_matches(text)
    words = list(re.finditer(r"\S+", text))
    limit = words[1].start() if len(words) > 1 else len(text)
    return bool(matches) and matches[0][0] <= limit


def split_title_status(line: str) -> tuple[str, str] | None:
    """Split '<title> <Status phrase…>' at the first capitalised word that opens a status phrase."""
    for m in _LINE_SPLIT_RE.finditer(line):
        head, tail = line[: m.start()].strip(), line[m.end() :].strip()
        if len(head.split()) >= 2 and starts_with_status(tail):
            return head, tail
    return None


def split_known(line: str, known: Sequence[str]) -> tuple[str, str | None] | None:
    """Split a line that begins with a title already seen in the document; '(…)' stays with the title."""
    low = line.lower()
    for title in sorted(known, key=len, reverse=True):
        n = len(title)
        if low.startswith(title.lower()) and (len(line) == n or line[n] == " "):
            head, rest = line[:n], line[n:].strip()
            if rest.startswith("(") and ")" in rest:
                close = rest.index(")") + 1
                head, rest = f"{head} {rest[:close]}", rest[close:].strip()
            return head, rest or None
    return None


def split_owner(text: str) -> str:
    """Drop a trailing owner cell from '<title> <Owner …>' (the last capitalised word after the second)."""
    words = text.split()
    caps = [i for i, w in enumerate(words) if i > 1 and w[:1].isupper()]
    return " ".join(words[: caps[-1]]) if caps else text


def anchored_row(before: str, head: list[str], owner: bool) -> tuple[int, str]:
    """Read a loose row from the text before its date and the lines since the last row: (spill, title)."""
    # When `before` already holds the title (and owner), the lines continue the previous row's comment.
    if before and (not owner or len(before.split()) > 3 or not head):
        return len(head), split_owner(before) if owner else before
    spill = next((i for i, h in enumerate(head) if not starts_with_status(h)), len(head))
    rest = head[spill:]
    if owner and not before and len(rest) > 1:
        rest = rest[:-1]
    return spill, " ".join(rest if owner else [*rest, before]).strip()


def split_comment(text: str) -> tuple[str, str]:
    """Split a status cell that runs into a comment cell: the leading status phrase is the status."""
    matches = status_matches(text)
    if not matches or matches[0][0] > 0:
        return text, ""
    end = matches[0][1]
    return text[:end].strip(), text[end:].strip(" :,;–-")


def is_caps(text: str) -> bool:
    """Return True for an ALL-CAPS label."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def area_name(text: str) -> str:
    """Turn 'FORSKNING' or 'Forskning:' into 'Forskning'."""
    text = text.strip().rstrip(":").strip()
    return text.capitalize() if is_caps(text) else text


def area_like(text: str, max_words: int) -> bool:
    """Return True for a short capitalised label without digits or sentence punctuation."""
    words = text.rstrip(":").split()
    plain = not re.search(r"\d|[.=?!]$", text) and not TITLE_COLUMN.match(text)
    return 0 < len(words) <= max_words and plain and text[:1].isupper()


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import Stemmer

    return Stemmer.Stemmer("norwegian")


def link_tokens(title: str) -> frozenset[str]:
    """Return the stemmed content words of a title (PyStemmer, Norwegian)."""
    words = [w for w in title_key(title).split() if w not in STOPWORDS and not w.isdigit()]
    return frozenset(_stemmer().stemWords(words))  # type: ignore[attr-defined]


def title_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Return how alike two stemmed titles are: Jaccard, lifted when one restates the other."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    jaccard = inter / len(a | b)
    if inter >= 3 and inter / min(len(a), len(b)) >= LINK_CONTAINMENT:
        return max(jaccard, LINK_JACCARD)
    return jaccard


_ROLES = {
    "title": TITLE_COLUMN,
    "status": STATUS_COLUMN,
    "number": NUMBER_COLUMN,
    "score": SCORE_COLUMN,
    "comment": COMMENT_COLUMN,
    "area": AREA_COLUMN,
}


def header_roles(cells: list[str]) -> dict[str, int]:
    """Map column roles of a table header row; empty unless it names both a title and a status column."""
    roles: dict[str, int] = {}
    for i, c in enumerate(cells):
        role = next((r for r, p in _ROLES.items() if p.match(c) and r not in roles), None)
        if role:
            roles[role] = i
    return roles if {"title", "status"} <= roles.keys() else {}


def similar_pairs(groups: Sequence[object], tokens: Sequence[frozenset[str]]) -> list[tuple[float, int, int]]:
    """Score index pairs from different groups that share a word; best first, alike ones only."""
    index: dict[str, list[int]] = defaultdict(list)
    for i, toks in enumerate(tokens):
        for tok in toks:
            index[tok].append(i)
    pairs = []
    for i, toks in enumerate(tokens):
        for j in sorted({j for tok in toks for j in index[tok] if j > i}):
            score = title_similarity(toks, tokens[j]) if groups[i] != groups[j] else 0.0
            if score >= LINK_JACCARD:
                pairs.append((score, i, j))
    return sorted(pairs, key=lambda p: (-p[0], p[1], p[2]))
