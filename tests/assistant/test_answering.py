"""Answers over the real corpus store: complete register lists, counts, abstention, follow-ups, exact citations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.compose import ABSTAIN, citation_text
from assistant.config import Settings
from assistant.service import MAX_QUESTION_CHARS, Assistant
from assistant.types import Answer
from indexing.chunking import chunk_document
from indexing.cleaning import normalise_for_match, strip_bullet
from indexing.errors import BadRequest
from indexing.loaders import discover, load_document
from tests.conftest import SHARED

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
DEV_CASES = SHARED / "eval" / "dev-cases.jsonl"
REPORT_2019 = "000_5f06fb9d6daa8801.txt"
BOARD_2023 = "001_66690341c0f364d0.txt"
# The measures the budget held back, by a phrase of their row and their document.
BUDGET_ROWS = {
    "stimuleringsmidler mot utvalgte partnere": REPORT_2019,  # HP 30, 2019
    "global helsesatsing": REPORT_2019,  # HP 31, 2019
    "pga økonomi": BOARD_2023,  # simulation centre, Årsplan 2023
    "økonomisk handlingsrom": BOARD_2023,  # simulation centre, proposals 2024
}


def norm(text: str) -> str:
    """normalise_for_match with bullet glyphs (also dashes opening a line) removed first."""
    return normalise_for_match("\n".join(strip_bullet(line)[1] for line in text.split("\n")))


def lenient(text: str) -> str:
    """Also ignore colons, hyphens and spaces: what the known cleaning bugs change (see the xfail below)."""
    return re.sub(r"[\s:\-–]", "", norm(text))


def raw_source(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def cited(answer: Answer, phrase: str) -> list[int]:
    return [c.n for c in answer.citations if phrase in c.text.lower()]


def markers(answer: Answer) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}


def assert_well_cited(answer: Answer) -> None:
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert markers(answer) == {c.n for c in answer.citations}


# --- complete lists from the register ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Which measures are delayed due to budget?", "en"),
        ("Hvilke tiltak er forsinket på grunn av budsjett?", "nb"),
    ],
)
def test_budget_delayed_measures_are_listed_completely(shared_assistant: Assistant, question: str, lang: str) -> None:
    answer = shared_assistant.answer(question)
    assert not answer.abstained and answer.lang == lang
    assert_well_cited(answer)
    for phrase, source in BUDGET_ROWS.items():
        numbers = cited(answer, phrase)
        assert numbers, f"no citation for the budget-limited measure '{phrase}'"
        assert all(answer.citations[n - 1].source == source for n in numbers)
        line = next(ln for ln in answer.answer.split("\n") if any(f"[{n}]" in ln for n in numbers))
        assert line.strip(), phrase
    assert answer.completeness, "a complete list says how complete it is"
    assert answer.completeness in answer.answer
    assert "2019" in answer.completeness and "2023" in answer.completeness and "2024" in answer.completeness


def test_started_measures_2019_are_counted(shared_assistant: Assistant) -> None:
    answer = shared_assistant.answer("Hvor mange tiltak var igangsatt i 2019?")
    assert not answer.abstained and answer.lang == "nb"
    assert re.search(r"(?<![\d.,])19(?![\d.,])", answer.answer), answer.answer[:300]
    assert_well_cited(answer)
    assert {c.source for c in answer.citations} == {REPORT_2019}


def test_followup_uses_the_conversation(shared_assistant: Assistant) -> None:
    first = "Hvilke tiltak er forsinket på grunn av budsjett?"
    answer = shared_assistant.answer("Og i 2023?", [first])
    assert not answer.abstained and answer.lang == "nb"
    assert_well_cited(answer)
    assert cited(answer, "pga økonomi"), "the 2023 simulation-centre row is the budget-limited measure of 2023"
    assert not cited(answer, "stimuleringsmidler") and not cited(answer, "global helsesatsing")
    assert {c.source for c in answer.citations} == {BOARD_2023}

    alone = shared_assistant.answer("Og i 2023?")
    assert not cited(alone, "pga økonomi")


def test_followup_about_measures_in_a_plan(shared_assistant: Assistant) -> None:
    answer = shared_assistant.answer(
        "Hvilke av dem ble utsatt?", ["Hvilke tiltak i årsplanen 2023 gjelder innovasjon?"]
    )
    assert not answer.abstained
    assert "helseteknologi" in answer.answer.lower()
    assert {c.source for c in answer.citations} == {BOARD_2023}


# --- abstention --------------------------------------------------------------------------------------


def test_unanswerable_english_question_abstains(shared_assistant: Assistant) -> None:
    answer = shared_assistant.answer("What did NTNU spend on cafeteria renovations in 2021?")
    assert answer.abstained is True
    assert answer.citations == ()
    assert answer.lang == "en"
    assert answer.answer == ABSTAIN["en"]


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Hva brukte NTNU på oppussing av kantinene i 2021?", "nb"),
        ("Hvor mye koster parkering for studenter ved Gløshaugen?", "nb"),
        ("What is the price of a parking permit for students at Gløshaugen?", "en"),
    ],
)
def test_unanswerable_question_abstains_in_its_language(shared_assistant: Assistant, question: str, lang: str) -> None:
    answer = shared_assistant.answer(question)
    assert answer.abstained is True
    assert answer.citations == ()
    assert answer.lang == lang
    assert answer.answer == ABSTAIN[lang]
    assert answer.to_json()["citations"] == []


# --- requests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_a_bad_request(shared_assistant: Assistant, question: str) -> None:
    with pytest.raises(BadRequest) as info:
        shared_assistant.answer(question)
    assert info.value.status == 400 and "empty" in info.value.message


def test_oversized_question_is_a_bad_request(shared_assistant: Assistant) -> None:
    with pytest.raises(BadRequest) as info:
        shared_assistant.answer("budsjett " * (MAX_QUESTION_CHARS // 9 + 1))
    assert str(MAX_QUESTION_CHARS) in info.value.message


def test_answer_json_shape(shared_assistant: Assistant) -> None:
    answer = shared_assistant.answer("Hvor mange nyetableringer per år skal IØT bidra med?")
    data = json.loads(json.dumps(answer.to_json()))
    assert {"question", "answer", "citations", "abstained", "lang", "mode", "completeness", "extra"} <= set(data)
    assert data["extra"]["latency_ms"] >= 0
    for c in data["citations"]:
        assert {"n", "source", "title", "page", "text"} <= set(c)


# --- citations are exact and complete ----------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_answers(shared_assistant: Assistant) -> list[tuple[dict[str, object], Answer]]:
    cases = [json.loads(line) for line in DEV_CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(c, shared_assistant.answer(str(c["question"]), list(c.get("history", [])))) for c in cases]  # type: ignore[arg-type]


def test_dev_case_citations_have_source_title_page_and_text(
    dev_answers: list[tuple[dict[str, object], Answer]], shared_assistant: Assistant
) -> None:
    titles = {d["source"]: d["title"] for d in shared_assistant.store.documents()}
    for case, answer in dev_answers:
        if answer.abstained:
            assert answer.citations == (), case["id"]
            continue
        assert answer.citations, case["id"]
        assert_well_cited(answer)
        for c in answer.citations:
            assert c.source in titles, (case["id"], c.source)
            assert c.title == titles[c.source]
            assert c.page is None  # the corpus is .txt
            assert c.text.strip()


def test_dev_case_citations_occur_in_their_source_documents(
    dev_answers: list[tuple[dict[str, object], Answer]],
) -> None:
    sources = {name: raw_source(name) for name in {c.source for _, a in dev_answers for c in a.citations}}
    exact = {name: norm(text) for name, text in sources.items()}
    loose = {name: lenient(text) for name, text in sources.items()}
    known: list[str] = []
    for case, answer in dev_answers:
        for c in answer.citations:
            if norm(c.text) in exact[c.source]:
                continue
            assert lenient(c.text) in loose[c.source], f"{case['id']}: citation not in {c.source}: {c.text!r}"
            known.append(f"{case['id']}: {c.text[:60]!r}")
    if known:
        pytest.xfail(
            "citations differ from their source only by the known cleaning bugs (heading colon dropped, "
            f"suspended hyphen, hyphen across a blank line): {known}"
        )


def citable_spans(path: Path) -> list[tuple[int, str]]:
    """Every passage a citation can quote from a document: one unit, or two consecutive units of a chunk."""
    spans = []
    for chunk in chunk_document(load_document(path)):
        texts = [citation_text(u) for u in chunk.units]
        spans += [(chunk.position, "\n".join(texts[i : i + n])) for i in range(len(texts)) for n in (1, 2)]
    return spans


def test_every_citable_passage_occurs_in_its_source_ignoring_punctuation_changes() -> None:
    for path in discover([CORPUS]):
        source = lenient(path.read_text(encoding="utf-8"))
        for position, text in citable_spans(path):
            assert lenient(text) in source, (path.name, position, text)


@pytest.mark.xfail(
    reason="BUG (indexing/cleaning.py): stored passages are not verbatim, so citations quoting them do not occur in "
    "the source (70 of the corpus' one- and two-unit passages): (1) clean_block drops the colon of label headings "
    "('Tema:' + '• Fortsatt behov …' is cited as 'Tema\\nFortsatt behov …', dev cases d02/d05/d09); (2) a word "
    "hyphenated across a blank line is not rejoined ('Omstillings-\\n\\nsamtaler' in 001, 'udgangs-\\n\\npunkt' "
    "in 004); (3) normalise_for_match joins a suspended hyphen before 'og' across a line break ('mottaks- \\nog' → "
    "'mottaksog' in 000, 'nærings-\\nog' in 003).",
    strict=False,
)
def test_every_citable_passage_occurs_verbatim_in_its_source() -> None:
    misses = []
    for path in discover([CORPUS]):
        source = norm(path.read_text(encoding="utf-8"))
        misses += [(path.name, p, t) for p, t in citable_spans(path) if norm(t) not in source]
    assert not misses


def test_pdf_citations_carry_their_page(shared_assistant: Assistant, tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pages = (
        "Instituttet skal styrke undervisningen i statistikk for alle bachelorstudenter.",
        "Instituttet skal bygge et nytt laboratorium for robotikk innen utgangen av 2026.",
    )
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 7, text)
    path = tmp_path / "plan-2026.pdf"
    pdf.output(str(path))
    small = Assistant(Settings(store_dir=tmp_path / "store"), embedder=shared_assistant.embedder)
    assert small.ingest([path]).added == ["plan-2026.pdf"]
    answer = small.answer("Når skal instituttet bygge laboratoriet for robotikk?")
    assert not answer.abstained
    hit = next(c for c in answer.citations if "robotikk" in c.text)
    assert (hit.source, hit.page) == ("plan-2026.pdf", 2)
    assert hit.text in pages[1]
