"""The extractive composer's pure parts: spans, lead-ins, labels, hard constraints and abstention."""

from __future__ import annotations

import pytest

from assistant.compose import (
    Span,
    absent_concepts,
    citation_text,
    compose,
    counts,
    covers_all,
    extend_leads,
    is_item,
    is_label,
    is_lead,
    merge_spans,
    support,
    weakly_supported,
    widen,
)
from assistant.query import analyse
from assistant.retrieval import KeywordIndex
from assistant.types import Hit
from indexing.types import Chunk


def chunk(text: str, position: int = 0, heading: str | None = None, title: str = "Plan") -> Chunk:
    return Chunk("plan.txt", title, None, heading, text, position, "mixed")


def hits_of(*chunks: Chunk) -> list[Hit]:
    return [Hit(c, 1.0 / (n + 1), n, n, 0.9, tuple(0.9 for _ in c.units)) for n, c in enumerate(chunks)]


MEASURES = chunk(
    "Tiltak i årsplanen:\n- Etablere simuleringssenter\n- Kutte årsverk\nHele fire tildelinger til fakultetet.",
    0,
    "Årsplan",
)
STRATEGY = chunk(
    "Strategien gjelder for perioden 2018 - 2025.\nInstituttet skal ha 25 nyetableringer hvert år.", 1, "Strategi"
)
SURVEY = chunk("I arbeidsmiljøundersøkelser skal minst 80 % av de ansatte være fornøyd.", 2, "Arbeidsmiljø")


@pytest.fixture(scope="module")
def index() -> KeywordIndex:
    return KeywordIndex.build([MEASURES, STRATEGY, SURVEY])


# --- units and spans ---------------------------------------------------------------------------------


def test_citation_text_drops_our_list_and_table_markers() -> None:
    assert citation_text("- Kutte årsverk") == "Kutte årsverk"
    assert citation_text("| 12 | Kutte årsverk |") == "12 Kutte årsverk"
    assert citation_text("Plain line.") == "Plain line."


@pytest.mark.parametrize(
    ("unit", "lead"),
    [("Tema:", True), ("Hva skjer nå?", True), ("Strategisamling HUNT5", True), ("En hel setning.", False)],
)
def test_is_lead(unit: str, lead: bool) -> None:
    assert is_lead(unit) is lead


@pytest.mark.parametrize(
    ("unit", "item"), [("- punkt", True), ("2. Ledergruppesamling", True), ("2021-2025", False), ("Tekst", False)]
)
def test_is_item_knows_bullets_and_numbers(unit: str, item: bool) -> None:
    assert is_item(unit) is item


@pytest.mark.parametrize(
    ("unit", "label"),
    [("August 2021", True), ("Heidi Libæk Wold", True), ("- punkt", False), ("Tema:", False), ("Slutt.", False)],
)
def test_is_label(unit: str, label: bool) -> None:
    assert is_label(unit) is label


def test_widen_adds_the_next_unit_and_a_label_before() -> None:
    c = chunk("LEDEROPPLÆRING\nAugust 2021\nFelles opplæringsdag for alle ledere\nKick-off ny lederperiode")
    wide = widen(Span(c, 2, 2))
    assert (wide.start, wide.end) == (1, 3)


def test_widen_respects_its_budget_and_the_chunk_end() -> None:
    c = chunk("Kort linje\n" + "x" * 500)
    assert (widen(Span(c, 0, 0)).start, widen(Span(c, 0, 0)).end) == (0, 0)
    last = widen(Span(c, 1, 1))
    assert last.end == 1


def test_merge_spans_joins_touching_spans_of_one_chunk_only() -> None:
    a, b = chunk("a\nb\nc\nd", 0), chunk("e\nf", 1)
    merged = merge_spans([Span(a, 0, 0), Span(b, 0, 0), Span(a, 1, 2)])
    assert [(m.chunk.position, m.start, m.end) for m in merged] == [(0, 0, 2), (1, 0, 0)]


def test_extend_leads_follows_a_lead_into_the_next_chunk_and_through_numbered_items() -> None:
    first = chunk("Hovedsøyle 1 og 2 i programmet:\n1. Instituttledersamlinger", 0)
    second = chunk("2. Ledergruppesamling med dekanat\nNeste tema:", 1)
    spans = extend_leads([Span(first, 0, 0)], lambda c: second if c is first else None)
    assert [(s.chunk.position, s.start, s.end) for s in spans] == [(0, 0, 1), (1, 0, 0)]


# --- hard constraints ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "ok"),
    [
        ("Hele fire tildelinger til fakultetet.", True),
        ("To kombinasjonsstillinger over to år.", True),
        ("Tildelinger i 2023 og 2024.", False),  # years are not counts
        ("Det ble 12 møter, og senere noen flere om helt andre saker enn tildelinger.", False),  # too far apart
    ],
)
def test_counts_wants_a_number_next_to_the_counted_thing(index: KeywordIndex, unit: str, ok: bool) -> None:
    assert counts(frozenset({"tildeling", "kombinasjonsstilling"}), unit, index) is ok


def test_a_count_question_needs_a_number_next_to_what_it_counts(index: KeywordIndex) -> None:
    hits = hits_of(MEASURES, STRATEGY)
    assert support(analyse("Hvor mange tildelinger fikk fakultetet?", (), index.vocab), hits, index) > 0.5
    assert support(analyse("Hvor mange simuleringssentre fikk fakultetet?", (), index.vocab), hits, index) == 0.0


def test_a_year_in_the_question_must_stand_in_the_passage(index: KeywordIndex) -> None:
    hits = hits_of(STRATEGY)
    assert support(analyse("Hvor lenge gjelder strategien etter 2018?", (), index.vocab), hits, index) > 0.3
    assert support(analyse("Hvor lenge gjelder strategien etter 2022?", (), index.vocab), hits, index) == 0.0


# --- abstention ------------------------------------------------------------------------------------------


def test_frame_words_are_never_absent_topics(index: KeywordIndex) -> None:
    q = analyse("Hva heter og omtales som strategien?", (), index.vocab)
    assert absent_concepts(q, index) == []
    assert absent_concepts(analyse("Hva koster kantinemat?", (), index.vocab), index) == ["koster", "kantinemat"]


def test_short_fragments_and_number_words_are_not_absent_topics(index: KeywordIndex) -> None:
    q = analyse("Which two-year co-located measures?", (), index.vocab)
    assert "co" not in absent_concepts(q, index) and "two" not in absent_concepts(q, index)


def test_covers_all_accepts_a_compound_part(index: KeywordIndex) -> None:
    q = analyse("simuleringssenter årsverk", (), index.vocab)
    assert covers_all(list(q.concepts), hits_of(MEASURES), index)
    q = analyse("simuleringssenter nyetableringer", (), index.vocab)
    assert not covers_all(list(q.concepts), hits_of(MEASURES), index)


def test_results_asked_of_a_target_passage_about_something_absent_abstain(index: KeywordIndex) -> None:
    q = analyse("What is the tuition fee for the survey?", (), index.vocab)
    assert weakly_supported(q, hits_of(SURVEY), index)


def test_compose_quotes_the_lead_in_with_its_list(index: KeywordIndex) -> None:
    q = analyse("Hvilke tiltak står i årsplanen?", (), index.vocab)
    answer = compose(q, hits_of(MEASURES, STRATEGY), index, following=lambda c: None)
    assert not answer.abstained
    assert "Etablere simuleringssenter" in answer.answer and "Kutte årsverk" in answer.answer
    assert all(c.source == "plan.txt" for c in answer.citations)


def test_compose_abstains_without_hits(index: KeywordIndex) -> None:
    assert compose(analyse("Hva er været i morgen?", (), index.vocab), [], index).abstained
