"""The SQLite measure register: schema, replace/delete per source, filtered queries, series and plans."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexing import register
from indexing.loaders import load_document
from indexing.measures import extract_measures
from tests.fixtures import status_reports as fx

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
REPORT_2019 = "000_5f06fb9d6daa8801.txt"
BOARD_2023 = "001_66690341c0f364d0.txt"
FOLLOW_UP = """# Årsplan 2025 – status

## Forskning

- Opprette støtteordning for EU-søknader: gjennomført
"""


def ingest(conn: sqlite3.Connection, path: Path) -> int:
    count = register.replace_measures(conn, path.name, extract_measures(load_document(path)))
    register.relink(conn)
    return count


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(tmp_path / "register.sqlite3")
    register.ensure_schema(connection)
    yield connection
    connection.close()


@pytest.fixture
def corpus_conn(conn: sqlite3.Connection) -> sqlite3.Connection:
    for path in sorted(CORPUS.glob("*.txt")):
        register.replace_measures(conn, path.name, extract_measures(load_document(path)))
    register.relink(conn)
    return conn


def test_schema_is_idempotent_and_has_the_register_columns(conn: sqlite3.Connection) -> None:
    register.ensure_schema(conn)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(measures)")}
    assert {
        "id",
        "source",
        "page",
        "plan",
        "area",
        "number",
        "title",
        "key",
        "status_text",
        "status_score",
    } <= columns
    assert {"status", "reason", "text", "year", "series_id"} <= columns


def test_corpus_register_holds_the_2019_and_2023_measures(corpus_conn: sqlite3.Connection) -> None:
    assert len(register.query_measures(corpus_conn, plan="Handlingsplan 2019")) == 32
    assert len(register.query_measures(corpus_conn, plan="årsplan 2023")) == 14
    scores = [m.status_score for m in register.query_measures(corpus_conn, year=2019)]
    assert scores.count(None) == 3 and scores.count(0) == 8 and scores.count(5) == 3
    assert [(p.plan, p.year, p.measures) for p in register.plans(corpus_conn)] == [
        ("Handlingsplan 2019", 2019, 32),
        ("Årsplan 2023", 2023, 14),
        ("Forslag til tiltak 2024", 2024, 15),
    ]
    assert register.plans(corpus_conn)[1].sources == (BOARD_2023,)


def test_filters_are_case_insensitive_and_combine(corpus_conn: sqlite3.Connection) -> None:
    delayed = register.query_measures(corpus_conn, status="DELAYED")
    assert len(delayed) == 7 and {m.status for m in delayed} == {"delayed"}
    budget = register.query_measures(corpus_conn, reason="Budget", year=2023)
    assert [m.title for m in budget] == ["Samle simuleringsaktiviteten på Øya i ett felles senter"]
    proposals = register.query_measures(corpus_conn, plan="FORSLAG", area="utdanning", status="planned")
    assert [m.title for m in proposals][-3:] == [
        "Etablere pilotsamarbeid med Trondheim kommune om klinisk undervisningsenhet",
        "Forberede oppstart av medisinutdanning i Gjøvik",
        "Utarbeide helhetlig plan for etter- og videreutdanningstilbud (EVU)",
    ]
    ethics = register.query_measures(corpus_conn, text="FORSKNINGSETIKK")
    assert {m.plan for m in ethics} == {"Handlingsplan 2019", "Årsplan 2023", "Forslag til tiltak 2024"}
    assert register.query_measures(corpus_conn, area="Organisasjon", status="not_started", year=2019)
    assert register.query_measures(corpus_conn, year=2031) == []


def test_series_shows_a_measures_history_in_plan_order(corpus_conn: sqlite3.Connection) -> None:
    later = register.query_measures(corpus_conn, plan="Forslag til tiltak 2024", text="Helseteknologi")[0]
    history = register.series(corpus_conn, later.id)
    assert [(m.plan, m.status, m.reason) for m in history] == [
        ("Årsplan 2023", "postponed", "awaiting_decision"),
        ("Forslag til tiltak 2024", "postponed", "awaiting_decision"),
    ]
    assert register.series(corpus_conn, history[0].id) == history
    alone = register.query_measures(corpus_conn, text="arbeidsmiljøpris")[0]
    assert register.series(corpus_conn, alone.id) == [alone]
    assert register.series(corpus_conn, "no-such-id") == []


def test_relink_counts_series_that_span_plans(corpus_conn: sqlite3.Connection) -> None:
    assert register.relink(corpus_conn) == 11


def test_measures_round_trip_unchanged(conn: sqlite3.Connection) -> None:
    measures = extract_measures(load_document(CORPUS / REPORT_2019))
    register.replace_measures(conn, REPORT_2019, measures)
    assert register.query_measures(conn) == measures


def test_replace_is_per_source_and_delete_removes_it(conn: sqlite3.Connection) -> None:
    path = CORPUS / BOARD_2023
    assert ingest(conn, path) == 29
    assert ingest(conn, path) == 29
    assert len(register.query_measures(conn)) == 29
    register.replace_measures(conn, REPORT_2019, extract_measures(load_document(CORPUS / REPORT_2019)))
    assert register.delete_source(conn, BOARD_2023) == 29
    assert {m.source for m in register.query_measures(conn)} == {REPORT_2019}
    with pytest.raises(ValueError):
        register.replace_measures(conn, "other.txt", register.query_measures(conn))


def test_relink_joins_a_measure_across_documents_and_years(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ingest(conn, fx.build_markdown(tmp_path))
    follow_up = tmp_path / "arsplan-2025-status.md"
    follow_up.write_text(FOLLOW_UP, encoding="utf-8")
    ingest(conn, follow_up)
    latest = register.query_measures(conn, year=2025)[0]
    history = register.series(conn, latest.id)
    assert [(m.source, m.plan, m.status, m.reason) for m in history] == [
        (fx.MD_NAME, "Årsplan 2024", "postponed", "budget"),
        (follow_up.name, "Årsplan 2025", "completed", None),
    ]
    register.delete_source(conn, fx.MD_NAME)
    register.relink(conn)
    assert register.series(conn, latest.id) == [latest]


def test_register_persists_beside_the_index(tmp_path: Path) -> None:
    path = tmp_path / "index" / "measures.sqlite3"
    path.parent.mkdir()
    with sqlite3.connect(path) as first:
        register.ensure_schema(first)
        ingest(first, fx.build_pptx(tmp_path))
    first.close()
    second = sqlite3.connect(path)
    try:
        found = register.query_measures(second, reason="awaiting_decision")
        assert [(m.page, m.title) for m in found] == [(2, "Open an innovation lab with the hospital")]
    finally:
        second.close()


def test_register_writes_are_part_of_the_callers_transaction(conn: sqlite3.Connection) -> None:
    conn.commit()
    with pytest.raises(RuntimeError), conn:
        register.ensure_schema(conn)
        register.replace_measures(conn, REPORT_2019, extract_measures(load_document(CORPUS / REPORT_2019)))
        register.relink(conn)
        raise RuntimeError("the document's ingest failed after the register was written")
    assert register.query_measures(conn) == []
