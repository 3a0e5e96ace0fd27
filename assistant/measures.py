"""Answers list, count and filter questions about measures (tiltak) completely, from the register."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.query import Query
from assistant.text import stem, words
from assistant.types import Answer, Citation
from indexing.cleaning import normalise_for_match
from indexing.measures import Measure
from indexing.register import ensure_schema, query_measures, series

_MEASURE = re.compile(r"\b(tiltak\w*|measures?|actions?|initiatives?|activities|aktivitet(?:er|ene)?)\b", re.I)
_STATUS_WORDS: list[tuple[str, frozenset[str]]] = [
    (
        r"ikke (?:er )?(?:igangsatt|startet|påbegynt|iverksatt)|not (?:yet )?(?:been )?(?:started|begun|initiated)",
        frozenset({"not_started"}),
    ),
    (r"forsink\w*|delay\w*|behind schedule|late\b", frozenset({"delayed", "postponed"})),
    (r"utsatt|postpon\w*|on hold|på vent|satt på vent|paused|deferred|avvent\w*", frozenset({"postponed"})),
    (r"rapportert|reported", frozenset({"reported"})),
    (
        r"gjennomført|fullført|ferdig\w*|completed?|finished|done|accomplished|implemented",
        frozenset({"completed", "reported"}),
    ),
    (
        r"under arbeid|pågå\w*|in progress|ongoing|underway|under way|under gjennomføring",
        frozenset({"in_progress"}),
    ),
    (r"under planlegging|planlagt|planned|being planned", frozenset({"planned"})),
    (
        r"igangsatt|startet|started|begun|initiated|iverksatt",
        frozenset({"in_progress", "delayed", "completed", "reported"}),
    ),
    (r"\bnye\b|\bnew\b", frozenset({"planned"})),
]
_REASON_WORDS: list[tuple[str, str]] = [
    (r"budsjett\w*|økonomi\w*|finansier\w*|midler|penger|budget\w*|fund\w*|financ\w*|money|cost", "budget"),
    (r"kapasitet\w*|ressurs\w*|capacity|resources?", "capacity"),
    (r"beslutning|vedtak|avklaring|decision", "awaiting_decision"),
    (r"pandemi\w*|korona\w*|covid\w*|corona\w*|pandemic", "pandemic"),
]
_PLAN_KIND = [
    (r"forslag\w*|propos\w*|suggest\w*", "forslag"),
    (r"handlingsplan\w*|action plan", "handlingsplan"),
    (r"årsplan\w*|annual plan", "årsplan"),
    (r"tiltaksplan\w*", "tiltaksplan"),
]
_SCORE = re.compile(r"\b(?:status|score|nivå|level)\s*([0-5])\b", re.I)
LOOKUP = re.compile(
    r"\b(status|what happened|hva skjedde|hvordan gikk|hvor langt|how far|progress|history|historikk)\b", re.I
)
_LABELS = {
    "nb": {
        "not_started": "ikke igangsatt",
        "planned": "planlagt",
        "in_progress": "under arbeid",
        "delayed": "forsinket",
        "postponed": "utsatt",
        "completed": "gjennomført",
        "reported": "rapportert",
        "budget": "budsjett/økonomi",
        "capacity": "kapasitet",
        "awaiting_decision": "avventer beslutning",
        "pandemic": "pandemi",
        "other": "annet",
    },
    "en": {
        "not_started": "not started",
        "planned": "planned",
        "in_progress": "in progress",
        "delayed": "delayed",
        "postponed": "postponed",
        "completed": "completed",
        "reported": "reported",
        "budget": "budget/funding",
        "capacity": "capacity",
        "awaiting_decision": "awaiting a decision",
        "pandemic": "pandemic",
        "other": "other",
    },
}


@dataclass(frozen=True)
class MeasureQuery:
    """Filters a question puts on the register."""

    statuses: frozenset[str] = frozenset()
    reason: str | None = None
    area: str | None = None
    plan_kind: str | None = None
    years: frozenset[int] = frozenset()
    score: int | None = None
    mentions_measures: bool = False

    @property
    def filters(self) -> bool:
        """True when the question narrows the register by status, reason or score."""
        return bool(self.statuses or self.reason or self.score is not None)

    def merged(self, earlier: MeasureQuery) -> MeasureQuery:
        """Fill what this (follow-up) question leaves open from the earlier one."""
        return MeasureQuery(
            self.statuses or earlier.statuses,
            self.reason or earlier.reason,
            self.area or earlier.area,
            self.plan_kind or earlier.plan_kind,
            self.years or earlier.years,
            self.score if self.score is not None else earlier.score,
            self.mentions_measures or earlier.mentions_measures,
        )


def _first(patterns: list[tuple[str, Any]], text: str) -> tuple[Any, str]:
    for pattern, value in patterns:
        m = re.search(pattern, text, re.I)
        if m:
            return value, text[: m.start()] + " " + text[m.end() :]
    return None, text


def parse(question: str, areas: list[str], query: Query | None = None) -> MeasureQuery:
    """Read register filters from one question."""
    text = question.lower()
    score_match = _SCORE.search(text)
    score = int(score_match.group(1)) if score_match else None
    if score_match:
        text = text.replace(score_match.group(0), " ")
    statuses, text = _first(_STATUS_WORDS, text)
    reason, _ = _first(_REASON_WORDS, text)
    plan_kind, _ = _first(_PLAN_KIND, text)
    years = frozenset(int(y) for y in re.findall(r"\b(20\d\d)\b", question))
    stems = {stem(w) for w in words(question)} | (query.all_stems if query else set())
    area = next((a for a in areas if {stem(w) for w in words(a)} <= stems), None)
    statuses = statuses or frozenset()
    if reason and statuses <= {"delayed", "postponed", "not_started"}:
        statuses = frozenset()  # "delayed due to budget" means every measure the budget held back
    return MeasureQuery(statuses, reason, area, plan_kind, years, score, bool(_MEASURE.search(question)))


def matches(m: Measure, mq: MeasureQuery) -> bool:
    """True when a measure passes every filter of the query."""
    plan = (m.plan or "").lower()
    return (
        (not mq.statuses or m.status in mq.statuses)
        and (mq.reason is None or m.reason == mq.reason)
        and (mq.score is None or m.status_score == mq.score)
        and (mq.area is None or (m.area or "").lower() == mq.area.lower())
        and (mq.plan_kind is None or mq.plan_kind in plan)
        and (not mq.years or m.year in mq.years)
    )


def in_scope(m: Measure, mq: MeasureQuery) -> bool:
    """True when a measure belongs to the plans and area the question is about (status aside)."""
    return matches(m, MeasureQuery(area=mq.area, plan_kind=mq.plan_kind, years=mq.years))


def cite_text(m: Measure, units: dict[str, list[str]]) -> str:
    """Return the measure's row as it stands in its document (falls back to the unit holding its title)."""
    source_units = units.get(m.source, [])
    text = normalise_for_match(m.text)
    if any(text in _norm(u) for u in source_units):
        return m.text
    head = normalise_for_match(m.title)[:40]
    return next((u.removeprefix("- ") for u in source_units if head in _norm(u)), m.title)


@lru_cache(maxsize=50_000)
def _norm(unit: str) -> str:
    return normalise_for_match(unit)


def _citation(n: int, m: Measure, units: dict[str, list[str]], titles: dict[str, str]) -> Citation:
    """Cite one measure by its row as it stands in the document."""
    return Citation(n, m.source, titles.get(m.source, m.source), m.page, cite_text(m, units), None, m.area)


def _describe(mq: MeasureQuery, lang: str) -> str:
    labels = _LABELS[lang]
    parts = []
    if mq.statuses:
        parts.append("/".join(labels[s] for s in sorted(mq.statuses)))
    if mq.score is not None:
        parts.append(f"status {mq.score}")
    if mq.reason:
        parts.append(("årsak: " if lang == "nb" else "reason: ") + labels[mq.reason])
    if mq.area:
        parts.append(mq.area)
    return ", ".join(parts)


def register_answer(
    question: str,
    lang: str,
    mq: MeasureQuery,
    measures: list[Measure],
    units: dict[str, list[str]],
    titles: dict[str, str],
    limit: int = 40,
) -> Answer:
    """List every matching measure with one citation each, and say how complete the list is."""
    hits = [m for m in measures if matches(m, mq)]
    desc = _describe(mq, lang)
    if not hits:
        text = (
            f"Ingen tiltak i tiltaksregisteret passer ({desc})."
            if lang == "nb"
            else f"No measure in the measure register matches ({desc})."
        )
        return Answer(question, text, (), False, lang, mode="register", completeness=text)
    head = f"{len(hits)} tiltak passer ({desc}):" if lang == "nb" else f"{len(hits)} measure(s) match ({desc}):"
    lines: list[str] = [head]
    citations: list[Citation] = []
    for m in hits[:limit]:
        n = len(citations) + 1
        citations.append(_citation(n, m, units, titles))
        status = m.status_text or _LABELS[lang].get(m.status or "", "")
        lines.append(f"- {m.title} — {m.plan or ''}{', ' + m.area if m.area else ''}: {status} [{n}]")
    per_plan = Counter(m.plan for m in hits)
    totals = Counter(m.plan for m in measures if in_scope(m, mq))
    if lang == "nb":
        parts = [f"{per_plan[p]} av {totals[p]} tiltak i {p}" for p in per_plan]
        done = "Fullstendig liste fra tiltaksregisteret: " + "; ".join(parts) + (f" ({desc})." if desc else ".")
    else:
        parts = [f"{per_plan[p]} of {totals[p]} measures in {p}" for p in per_plan]
        done = "Complete list from the measure register: " + "; ".join(parts) + (f" ({desc})." if desc else ".")
    if len(hits) > limit:
        done += f" Viser de første {limit}." if lang == "nb" else f" Showing the first {limit}."
    return Answer(question, "\n".join([*lines, "", done]), tuple(citations), False, lang, "register", done)


def best_title_match(question: str, query: Query | None, measures: list[Measure]) -> Measure | None:
    """Find the measure a 'what is the status of X' question names, by stemmed title overlap."""
    q = {stem(w) for w in words(question)} | (query.all_stems if query else set())
    best, best_score = None, 0.0
    for m in measures:
        t = {stem(w) for w in words(m.title) if len(w) > 3}
        if len(t) < 2:
            continue
        overlap = len(t & q)
        score = overlap / len(t)
        if overlap >= 2 and score > best_score:
            best, best_score = m, score
    return best if best_score >= 0.5 else None


def history_answer(
    question: str,
    lang: str,
    measure: Measure,
    history: list[Measure],
    units: dict[str, list[str]],
    titles: dict[str, str],
) -> Answer:
    """Show a measure's status in every plan it appears in, oldest first."""
    rows = history or [measure]
    lines = [f"«{measure.title}»:" if lang == "nb" else f"“{measure.title}”:"]
    citations: list[Citation] = []
    for m in rows:
        n = len(citations) + 1
        citations.append(_citation(n, m, units, titles))
        score = f" ({m.status_score})" if m.status_score is not None else ""
        lines.append(f"- {m.plan or ''}: {m.status_text or _LABELS[lang].get(m.status or '', '')}{score} [{n}]")
    return Answer(question, "\n".join(lines), tuple(citations), False, lang, mode="register")


def all_measures(store: Any) -> list[Measure]:
    """Read the whole register."""
    with store.connect() as conn:
        ensure_schema(conn)
        return query_measures(conn)


def measure_series(store: Any, measure_id: str) -> list[Measure]:
    """Return a measure's history across documents."""
    with store.connect() as conn:
        ensure_schema(conn)
        return series(conn, measure_id)


def print_measures(assistant: Any, **filters: Any) -> int:
    """Print the register as a table, or as JSON records with --json."""
    as_json = filters.pop("as_json", False)
    with assistant.store.connect() as conn:
        ensure_schema(conn)
        rows = query_measures(conn, **{k: v for k, v in filters.items() if v})
    fields = (
        "source",
        "page",
        "plan",
        "area",
        "number",
        "title",
        "status_text",
        "status_score",
        "status",
        "reason",
        "text",
    )
    if as_json:
        records = [{f: getattr(m, f) for f in fields} for m in rows]
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    for m in rows:
        score = "" if m.status_score is None else str(m.status_score)
        print(
            f"{(m.plan or '')[:22]:22} {(m.area or '')[:14]:14} {(m.number or ''):>3} {m.title[:58]:58} "
            f"{(m.status or ''):12} {(m.reason or ''):8} {score:>2}  {(m.status_text or '')[:40]}"
        )
    print(f"{len(rows)} measure(s).")
    return 0
