"""Retrieval: reciprocal rank fusion, the BM25 keyword index, and hybrid search over the real corpus store."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assistant.query import analyse
from assistant.retrieval import KeywordIndex, rrf
from assistant.service import Assistant
from assistant.text import stem
from indexing.types import Chunk

# --- rrf ---------------------------------------------------------------------------------------------


def test_rrf_single_list_keeps_its_order_with_reciprocal_scores() -> None:
    fused = rrf([["a", "b", "c"]], k=60)
    assert [i for i, _ in fused] == ["a", "b", "c"]
    assert [s for _, s in fused] == pytest.approx([1 / 61, 1 / 62, 1 / 63])


def test_rrf_sums_over_lists() -> None:
    fused = dict(rrf([["a", "b"], ["b", "c"]], k=10))
    assert fused["b"] == pytest.approx(1 / 12 + 1 / 11)
    assert fused["a"] == pytest.approx(1 / 11) and fused["c"] == pytest.approx(1 / 12)
    assert max(fused, key=fused.__getitem__) == "b"


def test_rrf_ties_break_by_id() -> None:
    fused = rrf([["b", "a"], ["a", "b"]])
    assert [i for i, _ in fused] == ["a", "b"]
    assert fused[0][1] == pytest.approx(fused[1][1])


def test_rrf_weights_scale_each_list() -> None:
    assert [i for i, _ in rrf([["a"], ["b"]])] == ["a", "b"]
    assert [i for i, _ in rrf([["a"], ["b"]], weights=[1.0, 2.0])] == ["b", "a"]
    assert dict(rrf([["a"]], weights=[0.5], k=0)) == {"a": pytest.approx(0.5)}


def test_rrf_item_in_one_list_only_and_empty_input() -> None:
    assert rrf([]) == []
    assert rrf([[], []]) == []
    fused = rrf([["x", "y", "z"], ["z"]])
    assert fused[0][0] == "z"


def test_rrf_smaller_k_favours_the_top_ranks_more() -> None:
    top, low = rrf([["a", "b", "c", "d"]], k=1)[0][1], rrf([["a", "b", "c", "d"]], k=1)[-1][1]
    top60, low60 = rrf([["a", "b", "c", "d"]], k=60)[0][1], rrf([["a", "b", "c", "d"]], k=60)[-1][1]
    assert top / low > top60 / low60


# --- KeywordIndex ------------------------------------------------------------------------------------


def chunk(source: str, title: str, heading: str, text: str, position: int) -> Chunk:
    return Chunk(source, title, None, heading, text, position)


@pytest.fixture(scope="module")
def index() -> KeywordIndex:
    return KeywordIndex.build(
        [
            chunk(
                "a.txt",
                "Årsplan 2024",
                "Økonomi",
                "Budsjettsituasjonen er krevende, og fakultetet må kutte årsverk.",
                0,
            ),
            chunk(
                "a.txt",
                "Årsplan 2024",
                "Utdanning",
                "Fakultetet skal etablere et nytt simuleringssenter for studentene.",
                1,
            ),
            chunk(
                "b.txt",
                "Strategi",
                "Forskning",
                "Instituttet skal øke antall publikasjonspoeng per ansatt til fire.",
                0,
            ),
            chunk(
                "b.txt",
                "Strategi",
                "Innovasjon",
                "Instituttet skal bidra med 25 nyetableringer hvert år. Budsjett og situasjonen vurderes årlig.",
                1,
            ),
        ]
    )


def best(index: KeywordIndex, question: str) -> tuple[int, np.ndarray]:
    scores = index.scores(analyse(question, (), index.vocab))
    return int(np.argmax(scores)), scores


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Hvor mange nyetableringer per år?", 3),
        ("publikasjonspoeng", 2),
        ("simuleringssenter", 1),
        ("Må fakultetet kutte årsverk?", 0),
    ],
)
def test_keyword_index_ranks_the_chunk_with_the_words_first(index: KeywordIndex, question: str, expected: int) -> None:
    top, scores = best(index, question)
    assert top == expected
    assert scores[top] > 0
    assert sorted(scores)[-2] < scores[top]


def test_keyword_index_matches_compound_parts(index: KeywordIndex) -> None:
    _, scores = best(index, "situasjonen")
    assert scores[0] > 0  # "Budsjettsituasjonen" holds "situasjonen"
    assert scores[1] == 0 and scores[2] == 0
    assert {"budsjett", "situasjonen"} <= index.vocab.words


def test_keyword_index_answers_english_through_the_glossary(index: KeywordIndex) -> None:
    top, scores = best(index, "How many publication points?")
    assert top == 2
    assert best(index, "What about the budget?")[0] == 0
    assert scores[1] == 0


def test_keyword_index_uses_title_and_heading(index: KeywordIndex) -> None:
    _, scores = best(index, "Strategi innovasjon")
    assert int(np.argmax(scores)) == 3
    assert scores[0] == 0


def test_keyword_index_idf(index: KeywordIndex) -> None:
    unseen = index.idf_of("finnesikke")
    assert unseen == pytest.approx(math.log(1 + 4.5 / 0.5))
    assert all(unseen > v for v in index.idf.values())
    assert index.idf_of(stem("instituttet")) < index.idf_of(stem("publikasjonspoeng"))
    assert min(index.idf.values()) <= index.median_idf <= max(index.idf.values())


def test_keyword_index_scores_nothing_for_unknown_words(index: KeywordIndex) -> None:
    _, scores = best(index, "kantine renovering")
    assert not scores.any()


def test_empty_keyword_index() -> None:
    empty = KeywordIndex.build([])
    assert empty.scores(analyse("Hva er budsjettet?")).shape == (0,)
    assert empty.idf == {} and empty.chunks == []


# --- hybrid search on the real corpus store ----------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("Hvor mange nyetableringer per år skal IØT bidra med?", "003_19c0c3776e7843ca.txt"),
        ("Hvem er målgruppene for NTNUs lederutvikling?", "004_f7f57ee937eabf22.txt"),
        ("Hva var hovedfunnene i evalueringen av tiltaksplanen 2019–2021?", "002_5744595c346fd1bd.txt"),
        ("Hvor mange søkere var det til midlene som studentrådet fordelte?", "001_66690341c0f364d0.txt"),
    ],
)
def test_norwegian_question_finds_its_document(shared_assistant: Assistant, question: str, source: str) -> None:
    query, hits = shared_assistant.search(question)
    assert query.lang == "nb"
    assert source in [h.chunk.source for h in hits[:5]]


@pytest.mark.parametrize(
    ("question", "source"),
    [
        (
            "How many square metres must be cut at NTNU level to save one full-time equivalent?",
            "001_66690341c0f364d0.txt",
        ),
        (
            "How many publication points per permanent academic staff member per year does IØT aim for?",
            "003_19c0c3776e7843ca.txt",
        ),
        ("Who are the target groups for NTNU's leadership development?", "004_f7f57ee937eabf22.txt"),
        ("What is the status of the student-driven innovation centre (SHIC)?", "000_5f06fb9d6daa8801.txt"),
    ],
)
def test_english_question_finds_its_norwegian_document(shared_assistant: Assistant, question: str, source: str) -> None:
    query, hits = shared_assistant.search(question)
    assert query.lang == "en"
    assert any(c.translated for c in query.concepts)
    assert source in [h.chunk.source for h in hits[:5]]


def test_glossary_brings_the_norwegian_passage_into_the_keyword_ranking(shared_assistant: Assistant) -> None:
    _, hits = shared_assistant.search(
        "How many square metres must be cut at NTNU level to save one full-time equivalent?"
    )
    keyword = [h for h in hits if h.keyword_rank is not None]
    assert any("årsverk" in h.chunk.text.lower() for h in keyword)


def test_hits_are_fused_best_first_with_unit_scores(shared_assistant: Assistant) -> None:
    _, hits = shared_assistant.search("Hvor mange nyetableringer per år skal IØT bidra med?")
    assert 0 < len(hits) <= shared_assistant.settings.top_k
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.chunk.id for h in hits}) == len(hits)
    for h in hits:
        assert h.dense_rank is not None or h.keyword_rank is not None
        assert len(h.unit_scores) == len(h.chunk.units)
        assert all(-1.0 <= s <= 1.0 for s in h.unit_scores)
