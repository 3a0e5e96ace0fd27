"""Evaluation: fact matching, the pass rules of FORMAT.md, case-file validation, percentiles and the summary."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from assistant.evaluation import Case, check, fact_present, load_cases, parse_case, percentile, run
from indexing.errors import BadRequest
from tests.conftest import SHARED

# --- fact_present ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alternative", "answer"),
    [
        ("1283147", "Budsjettet var 1 283 147 kroner."),
        ("1 283 147", "Budsjettet var 1283147 kroner."),
        ("1283147", "Budsjettet var 1.283.147 kroner."),
        ("1 283 147", "Budsjettet var 1\u00a0283\u00a0147 kroner."),
        ("SHIC", "Senteret shic er etablert."),
        ("driv", "DRIV er etablert og i drift."),
        ("Helse for en bedre verden", "Visjonen er «helse for en bedre verden»."),
    ],
)
def test_fact_present_ignores_case_and_digit_separators(alternative: str, answer: str) -> None:
    assert fact_present([alternative], answer)


def test_fact_present_needs_one_alternative() -> None:
    assert fact_present(["ansettelsesstopp", "hiring freeze"], "A hiring freeze continues.")
    assert not fact_present(["ansettelsesstopp", "hiring freeze"], "Arealet reduseres.")
    assert not fact_present([], "anything")
    assert not fact_present([""], "anything")


def test_fact_present_does_not_match_other_numbers() -> None:
    assert not fact_present(["175"], "Det gjelder 17 eller 5 kvadratmeter.")
    assert not fact_present(["28"], "Handlingsplanen har 29 mål.")


# --- check -------------------------------------------------------------------------------------------


def case(**fields: Any) -> Case:
    base: dict[str, Any] = {"id": "t1", "question": "Spørsmål?", "lang": "nb", "kind": "lookup", "facts": []}
    return parse_case({**base, **fields}, "test")


def result(answer: str = "", abstained: bool = False, citations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"answer": answer, "abstained": abstained, "citations": citations or []}


def cite(source: str, text: str = "passasjen") -> dict[str, Any]:
    return {"source": source, "title": "T", "page": None, "text": text}


def test_unanswerable_passes_only_when_abstaining() -> None:
    c = case(kind="unanswerable")
    assert check(c, result("Jeg finner ikke støtte for dette i dokumentene.", abstained=True)) == (
        True,
        {"abstained": True},
    )
    assert check(c, result("Her er et svar.", abstained=False))[0] is False


def test_answerable_case_fails_when_abstaining_even_with_facts() -> None:
    c = case(facts=[["28"]])
    passed, details = check(c, result("28", abstained=True))
    assert not passed and details["abstained"] is True


def test_min_recall_rule() -> None:
    facts = [["instituttledere"], ["dekaner"], ["studieprogramledere"], ["forskningsgruppeledere"]]
    three = "instituttledere, dekaner og studieprogramledere"
    passed, details = check(case(facts=facts, min_recall=0.75), result(three))
    assert passed and details["fact_recall"] == 0.75 and details["missing_facts"] == ["forskningsgruppeledere"]
    assert not check(case(facts=facts), result(three))[0]  # default min_recall is 1.0
    assert not check(case(facts=facts, min_recall=0.8), result(three))[0]


def test_no_facts_means_full_recall() -> None:
    passed, details = check(case(facts=[]), result("Noe."))
    assert passed and details["fact_recall"] == 1.0


def test_sources_rule_needs_one_expected_document_cited() -> None:
    c = case(facts=[["25"]], sources=["003.txt", "004.txt"])
    assert check(c, result("25 nyetableringer", citations=[cite("004.txt"), cite("001.txt")]))[0]
    passed, details = check(c, result("25 nyetableringer", citations=[cite("001.txt")]))
    assert not passed and details["sources_ok"] is False
    assert not check(c, result("25 nyetableringer"))[0]


def test_sources_all_rule_needs_every_document_cited() -> None:
    c = case(facts=[], sources=["a.txt", "b.txt"], sources_all=True)
    assert check(c, result("x", citations=[cite("a.txt"), cite("b.txt")]))[0]
    passed, details = check(c, result("x", citations=[cite("a.txt")]))
    assert not passed and details["sources_ok"] is False


def test_evidence_rule_looks_in_cited_passages_not_in_the_answer() -> None:
    c = case(facts=[["fire"]], evidence=["publikasjonspoeng"])
    good = result("fire", citations=[cite("x.txt", "fire Publikasjonspoeng per år")])
    assert check(c, good)[0]
    passed, details = check(c, result("fire publikasjonspoeng", citations=[cite("x.txt", "fire per år")]))
    assert not passed and details["evidence_ok"] is False


def test_check_details_shape() -> None:
    _, details = check(case(facts=[["a"]], sources=["s.txt"]), result("a", citations=[cite("s.txt")]))
    assert set(details) == {"abstained", "fact_recall", "missing_facts", "sources_ok", "evidence_ok"}


# --- load_cases --------------------------------------------------------------------------------------


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps({"id": "a", "question": "Hva?", "lang": "nb", "kind": "lookup", "facts": [["x"]], "sources": []})


def test_load_cases_reads_the_shared_dev_cases() -> None:
    cases = load_cases(SHARED / "eval" / "dev-cases.jsonl")
    assert len(cases) == 14
    assert {c.kind for c in cases} == {"lookup", "numeric", "list", "followup", "unanswerable"}
    followup = next(c for c in cases if c.kind == "followup")
    assert followup.history and isinstance(followup.history, tuple)
    assert next(c for c in cases if c.id == "d03").min_recall == pytest.approx(0.66)
    assert next(c for c in cases if c.id == "d11").evidence == ("publikasjonspoeng",)


def test_load_cases_defaults_and_blank_lines(tmp_path: Path) -> None:
    minimal = json.dumps({"id": "b", "question": "What?", "kind": "numeric"})
    cases = load_cases(write(tmp_path, GOOD, "", "   ", minimal))
    assert [c.id for c in cases] == ["a", "b"]
    b = cases[1]
    assert (b.lang, b.facts, b.sources, b.history, b.min_recall, b.sources_all, b.evidence) == (
        "nb",
        (),
        (),
        (),
        1.0,
        False,
        (),
    )


def expect_error(path: Path, *needles: str) -> str:
    with pytest.raises(BadRequest) as info:
        load_cases(path)
    for needle in needles:
        assert needle in info.value.message, info.value.message
    return info.value.message


def test_bad_json_line_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, GOOD, '{"id": "c", "question": ')
    expect_error(path, f"{path}:3:", "not valid JSON")


def test_non_object_line_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, '["a", "b"]')
    expect_error(path, f"{path}:2:", "JSON object")


@pytest.mark.parametrize("missing", ["id", "question", "kind"])
def test_missing_field_names_the_field_and_line(tmp_path: Path, missing: str) -> None:
    data = json.loads(GOOD)
    del data[missing]
    path = write(tmp_path, GOOD, json.dumps(data))
    expect_error(path, f"{path}:2:", missing)


def test_non_string_field_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({**json.loads(GOOD), "id": 7}))
    expect_error(path, f"{path}:1:", "id")


def test_wrong_kind_lists_the_valid_kinds(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({**json.loads(GOOD), "kind": "trivia"}))
    expect_error(path, f"{path}:1:", "trivia", "lookup", "unanswerable")


@pytest.mark.parametrize("facts", [["x"], "x", [[1]], [["x"], "y"]])
def test_facts_must_be_lists_of_strings(tmp_path: Path, facts: object) -> None:
    path = write(tmp_path, json.dumps({**json.loads(GOOD), "facts": facts}))
    expect_error(path, f"{path}:1:", "facts")


def test_empty_and_missing_case_files(tmp_path: Path) -> None:
    expect_error(write(tmp_path, "", ""), "no cases")
    expect_error(tmp_path / "finnes-ikke.jsonl", "Cannot read")


# --- percentile --------------------------------------------------------------------------------------


def test_percentile() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert percentile([5.0, 1.0, 9.0], 0) == 1.0
    assert percentile([5.0, 1.0, 9.0], 100) == 9.0
    assert percentile(list(map(float, range(101))), 95) == pytest.approx(95.0)


# --- run and the summary -----------------------------------------------------------------------------


def test_run_writes_results_and_sums_up() -> None:
    cases = [
        case(id="n1", kind="numeric", facts=[["25"]], sources=["003.txt"]),
        case(id="u1", kind="unanswerable", lang="en"),
        case(id="l1", kind="list", facts=[["a"], ["b"]], sources=["004.txt"]),
    ]
    canned = {
        "n1": (
            {"answer": "25 per år [1]", "abstained": False, "latency_ms": 10, "citations": [cite("003.txt")]},
            ["003.txt"],
        ),
        "u1": ({"answer": "I can't find support.", "abstained": True, "latency_ms": 30, "citations": []}, ["001.txt"]),
        "l1": (
            {"answer": "a [1]", "abstained": False, "latency_ms": 20, "citations": [cite("002.txt")]},
            ["002.txt", "004.txt"],
        ),
    }
    out = io.StringIO()
    summary, results = run(cases, lambda c: canned[c.id], out)
    assert [r["passed"] for r in results] == [True, True, False]
    written = [json.loads(line) for line in out.getvalue().splitlines()]
    assert written == results
    for r in written:
        assert set(r) == {"id", "question", "answer", "abstained", "latency_ms", "citations", "passed", "details"}
        for c in r["citations"]:
            assert set(c) == {"source", "title", "page", "text"}
    assert (summary.total, summary.passed) == (3, 2)
    assert summary.pass_rate == pytest.approx(2 / 3)
    assert summary.by_kind["list"] == [0, 1] and summary.by_lang["en"] == [1, 1]
    assert summary.hits[1] == [1, 2] and summary.hits[3] == [2, 2]
    assert summary.cited == [1, 2]
    assert summary.abstention == [3, 3]
    report = "\n".join(summary.lines())
    for needle in ("Pass rate: 2/3", "| list | 0/1", "hit@1", "hit@5", "citation precision", "abstention accuracy"):
        assert needle in report
    assert "latency p50 | 20 ms" in report and "latency p95 | 29 ms" in report
