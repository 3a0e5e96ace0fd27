"""SQLite persistence of the measure register, stored beside the index; every function takes a connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from indexing.measures import Measure, link_measures

_FIELDS = (
    "id", "source", "page", "plan", "area", "number", "title", "key", "status_text", "status_score",
    "status", "reason", "text",
)  # fmt: skip
_SCHEMA = """
CREATE TABLE IF NOT EXISTS measures (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    page INTEGER,
    plan TEXT,
    area TEXT,
    number TEXT,
    title TEXT NOT NULL,
    key TEXT NOT NULL,
    status_text TEXT,
    status_score INTEGER,
    status TEXT,
    reason TEXT,
    text TEXT NOT NULL,
    year INTEGER,
    position INTEGER NOT NULL,
    series_id TEXT
);
CREATE INDEX IF NOT EXISTS measures_source ON measures (source);
CREATE INDEX IF NOT EXISTS measures_series ON measures (series_id);
CREATE INDEX IF NOT EXISTS measures_status ON measures (status);
"""
_ORDER = "ORDER BY year IS NULL, year, plan, source, position"


@dataclass(frozen=True)
class PlanSummary:
    """One plan in the register: its name, year, how many measures and from which sources."""

    plan: str | None
    year: int | None
    measures: int
    sources: tuple[str, ...]


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the measures table and its indexes if they are missing, inside the caller's transaction."""
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def _row(m: Measure, position: int) -> tuple[object, ...]:
    return (*(getattr(m, f) for f in _FIELDS), m.year, position, m.id)


def _measure(row: sqlite3.Row | tuple[object, ...]) -> Measure:
    return Measure(**dict(zip(_FIELDS, row, strict=True)))  # type: ignore[arg-type]


def replace_measures(conn: sqlite3.Connection, source: str, measures: Iterable[Measure]) -> int:
    """Replace one source's measures (each starts as its own series until relink); the caller commits."""
    items = list(measures)
    if any(m.source != source for m in items):
        raise ValueError(f"replace_measures({source!r}) was given measures of another source")
    rows = [_row(m, i) for i, m in enumerate(items)]
    placeholders = ", ".join("?" * (len(_FIELDS) + 3))
    columns = ", ".join((*_FIELDS, "year", "position", "series_id"))
    conn.execute("DELETE FROM measures WHERE source = ?", (source,))
    conn.executemany(f"INSERT OR REPLACE INTO measures ({columns}) VALUES ({placeholders})", rows)
    return len(rows)


def delete_source(conn: sqlite3.Connection, source: str) -> int:
    """Delete one source's measures; return how many were removed (the caller commits)."""
    return conn.execute("DELETE FROM measures WHERE source = ?", (source,)).rowcount


def _select(conn: sqlite3.Connection, where: str = "", args: tuple[object, ...] = ()) -> list[Measure]:
    sql = f"SELECT {', '.join(_FIELDS)} FROM measures {where} {_ORDER}"
    return [_measure(r) for r in conn.execute(sql, args)]


def _contains(value: str | None, needle: str | None) -> bool:
    return needle is None or needle.casefold() in (value or "").casefold()


def query_measures(
    conn: sqlite3.Connection,
    status: str | None = None,
    reason: str | None = None,
    area: str | None = None,
    plan: str | None = None,
    year: int | None = None,
    text: str | None = None,
) -> list[Measure]:
    """Return measures matching every given filter (case-insensitive; plan and text match substrings)."""
    clauses, args = [], []
    if year is not None:
        clauses.append("year = ?")
        args.append(year)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    found = []
    for m in _select(conn, where, tuple(args)):
        exact = all(
            want is None or (have or "").casefold() == want.casefold()
            for have, want in ((m.status, status), (m.reason, reason), (m.area, area))
        )
        haystack = " ".join(p for p in (m.title, m.status_text, m.text) if p)
        if exact and _contains(m.plan, plan) and _contains(haystack, text):
            found.append(m)
    return found


def series(conn: sqlite3.Connection, measure_id: str) -> list[Measure]:
    """Return the measure's history: every linked measure across documents, ordered by plan year."""
    row = conn.execute("SELECT series_id FROM measures WHERE id = ?", (measure_id,)).fetchone()
    if row is None:
        return []
    return _select(conn, "WHERE series_id = ?", (row[0] or measure_id,))


def series_ids(conn: sqlite3.Connection) -> dict[str, str]:
    """Return measure id → series id for the whole register."""
    return dict(conn.execute("SELECT id, series_id FROM measures"))


def plans(conn: sqlite3.Connection) -> list[PlanSummary]:
    """Return the plans in the register with their measure counts, ordered by year."""
    found: dict[tuple[str | None, int | None], list[str]] = {}
    for plan, year, source in conn.execute(f"SELECT plan, year, source FROM measures {_ORDER}"):
        found.setdefault((plan, year), []).append(source)
    return [PlanSummary(p, y, len(s), tuple(sorted(set(s)))) for (p, y), s in found.items()]


def relink(conn: sqlite3.Connection) -> int:
    """Recompute series ids over all measures (run after an ingest); return how many series span >1 plan."""
    mapping = link_measures(_select(conn))
    conn.executemany("UPDATE measures SET series_id = ? WHERE id = ?", [(s, i) for i, s in mapping.items()])
    sizes: dict[str, int] = {}
    for s in mapping.values():
        sizes[s] = sizes.get(s, 0) + 1
    return sum(1 for n in sizes.values() if n > 1)
