"""The real command line in-process: ask, ingest, eval and measures, with their output shapes and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from tests.conftest import SHARED
from tests.fixtures import status_reports as fx

pytestmark = pytest.mark.slow

DEV_CASES = SHARED / "eval" / "dev-cases.jsonl"
CORPUS_SOURCES = {
    "000_5f06fb9d6daa8801.txt",
    "001_66690341c0f364d0.txt",
    "002_5744595c346fd1bd.txt",
    "003_19c0c3776e7843ca.txt",
    "004_f7f57ee937eabf22.txt",
}
RESULT_FIELDS = {"id", "question", "answer", "abstained", "latency_ms", "citations", "passed", "details"}
CITATION_FIELDS = {"source", "title", "page", "text"}
MEASURE_FIELDS = [
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
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- ask ---------------------------------------------------------------------------------------------


def test_ask_json_prints_the_answer_shape(corpus_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    question = "How many square metres must be cut at NTNU level to save one full-time equivalent?"
    code, out, _ = run(capsys, "ask", question, "--json", "--store", str(corpus_store))
    assert code == 0
    data = json.loads(out)
    assert data["question"] == question
    assert isinstance(data["answer"], str) and data["answer"]
    assert data["abstained"] is False and data["lang"] == "en"
    assert data["citations"]
    for c in data["citations"]:
        assert set(c) >= CITATION_FIELDS
        assert c["source"] in CORPUS_SOURCES and c["page"] is None
        assert c["title"] and c["text"]
        assert f"[{c['n']}]" in data["answer"]
    assert "175" in data["answer"]


def test_ask_plain_lists_sources_and_follows_history(corpus_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "ask",
        "Og i 2023?",
        "--history",
        "Hvilke tiltak er forsinket på grunn av budsjett?",
        "--store",
        str(corpus_store),
    )
    assert code == 0
    assert "\nKilder:\n" in out
    sources = [line for line in out.split("\n") if re.match(r"\[\d+\] ", line)]
    assert sources and all("001_66690341c0f364d0.txt" in line and "«" in line for line in sources)


def test_ask_empty_question_is_an_error(corpus_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "ask", "   ", "--store", str(corpus_store))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and "empty" in err


# --- ingest ------------------------------------------------------------------------------------------


def test_ingest_prints_a_summary_and_each_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    docs = tmp_path / "docs"
    docs.mkdir()
    good = fx.build_markdown(docs)
    bad = docs / "skadet.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + b"garbage " * 40)
    (docs / "regneark.xlsx").write_bytes(b"PK\x03\x04")

    code, out, _ = run(capsys, "ingest", str(docs), "--store", str(store), "--quiet")
    assert code == 0  # some files were indexed
    assert out.startswith("Documents indexed: 1 (1 new, 0 changed)")
    assert "failed: 2" in out
    failures = [line.strip() for line in out.split("\n") if "FAILED" in line]
    assert len(failures) == 2
    assert any(line.startswith("FAILED skadet.pdf: ") and "damaged" in line for line in failures)
    assert any(line.startswith("FAILED regneark.xlsx: ") and "not supported" in line for line in failures)

    code, out, _ = run(capsys, "ingest", str(good), "--store", str(store), "--quiet", "--json")
    assert code == 0
    assert json.loads(out)["skipped"] == [good.name]

    code, out, _ = run(capsys, "ingest", str(bad), "--store", str(store), "--quiet", "--json")
    assert code == 1  # nothing could be indexed
    report = json.loads(out)
    assert report["failed"] == [
        {"source": "skadet.pdf", "code": "corrupt_document", "reason": report["failed"][0]["reason"]}
    ]
    assert report["added"] == report["updated"] == report["skipped"] == []


def test_ingest_prune_removes_a_vanished_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store, docs = tmp_path / "store", tmp_path / "docs"
    docs.mkdir()
    fx.build_markdown(docs)
    fx.build_text(docs)
    assert run(capsys, "ingest", str(docs), "--store", str(store), "--quiet")[0] == 0
    (docs / fx.TXT_NAME).unlink()
    code, out, _ = run(capsys, "ingest", str(docs), "--store", str(store), "--quiet", "--prune", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["removed"] == [fx.TXT_NAME] and report["skipped"] == [fx.MD_NAME]


# --- eval --------------------------------------------------------------------------------------------


def read_results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_eval_on_the_dev_cases_writes_results_and_a_report(
    corpus_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output, report = tmp_path / "out" / "results.jsonl", tmp_path / "report.md"
    code, out, err = run(
        capsys,
        "eval",
        str(DEV_CASES),
        "--store",
        str(corpus_store),
        "--output",
        str(output),
        "--report",
        str(report),
        "--min-pass",
        "1.01",
    )
    assert code == 1, "no pass rate reaches 101 %"
    assert "FAIL: pass rate" in err and "below --min-pass" in err

    results = read_results(output)
    cases = [json.loads(line) for line in DEV_CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [r["id"] for r in results] == [c["id"] for c in cases]
    for r, case in zip(results, cases, strict=True):
        assert set(r) == RESULT_FIELDS
        assert r["question"] == case["question"]
        assert isinstance(r["answer"], str) and isinstance(r["abstained"], bool) and isinstance(r["passed"], bool)
        assert r["latency_ms"] >= 0
        assert r["details"]["kind"] == case["kind"] and r["details"]["lang"] == case["lang"]
        for c in r["citations"]:
            assert set(c) == CITATION_FIELDS
            assert c["source"] in CORPUS_SOURCES and c["page"] is None and c["text"]
        if r["abstained"]:
            assert r["citations"] == []

    passed = sum(r["passed"] for r in results)
    assert f"Pass rate: {passed}/{len(results)}" in out
    for kind in ("lookup", "numeric", "list", "followup", "unanswerable"):
        assert re.search(rf"^\| {kind} \| \d+/\d+ ", out, re.M), kind
    for lang in ("en", "nb"):
        assert re.search(rf"^\| {lang} \| \d+/7 ", out, re.M), lang
    for k in (1, 3, 5, 10):
        assert re.search(rf"hit@{k} .*\| \d+/13 ", out), k
    assert re.search(r"citation precision .*\| \d+/\d+ \(\d+\.\d%\)", out)
    assert re.search(r"abstention accuracy \| \d+/14 ", out)
    assert re.search(r"latency p50 \| \d+ ms", out) and re.search(r"latency p95 \| \d+ ms", out)

    text = report.read_text(encoding="utf-8")
    assert text.startswith(f"# Evaluation of {DEV_CASES}")
    assert f"Pass rate: {passed}/{len(results)}" in text
    failed = [r["id"] for r in results if not r["passed"]]
    if failed:
        assert "## Failed cases" in text and all(f"`{i}`" in text for i in failed)
    else:
        assert "## Failed cases" not in text


def test_eval_exits_zero_at_a_low_threshold(
    corpus_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subset = tmp_path / "subset.jsonl"
    lines = [line for line in DEV_CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    subset.write_text("\n".join(line for line in lines if json.loads(line)["id"] in ("d06", "d07", "d10")) + "\n")
    output = tmp_path / "results.jsonl"
    code, out, err = run(
        capsys, "eval", str(subset), "--store", str(corpus_store), "--output", str(output), "--min-pass", "0.1"
    )
    assert code == 0, out + err
    assert "FAIL" not in err
    assert len(read_results(output)) == 3


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"id": "a", "question": "Hva?", "kind": "lookup"}\n{"id": "b", "question": ', ":2: not valid JSON"),
        ('{"id": "a", "kind": "lookup"}\n', ":1: missing or non-string field(s) question"),
        ('{"id": "a", "question": "Hva?", "kind": "quiz"}\n', ":1: kind 'quiz'"),
        ("\n\n", "has no cases"),
    ],
)
def test_malformed_case_file_exits_2_with_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, needle: str
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(content, encoding="utf-8")
    output = tmp_path / "results.jsonl"
    code, out, err = run(capsys, "eval", str(cases), "--store", str(tmp_path / "store"), "--output", str(output))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and needle in err
    assert not output.exists()
    assert not (tmp_path / "store").exists(), "a bad case file is refused before anything is indexed"


# --- measures ----------------------------------------------------------------------------------------


def test_measures_json_records_have_exactly_the_register_fields(
    corpus_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "measures", "--json", "--store", str(corpus_store))
    assert code == 0
    records = json.loads(out)
    assert len(records) >= 55
    for r in records:
        assert list(r) == MEASURE_FIELDS
        assert r["source"] in CORPUS_SOURCES and r["title"] and r["text"]
    assert {r["source"] for r in records} >= {"000_5f06fb9d6daa8801.txt", "001_66690341c0f364d0.txt"}
    assert sum(r["plan"] == "Handlingsplan 2019" for r in records) == 32


def test_measures_filters(corpus_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "measures", "--json", "--reason", "budget", "--store", str(corpus_store))
    assert code == 0
    budget = json.loads(out)
    assert len(budget) == 4 and {r["reason"] for r in budget} == {"budget"}
    assert [r["source"] for r in budget].count("000_5f06fb9d6daa8801.txt") == 2

    code, out, _ = run(
        capsys, "measures", "--status", "delayed", "--plan", "årsplan 2023", "--store", str(corpus_store)
    )
    assert code == 0
    rows = out.strip().split("\n")
    assert re.fullmatch(r"\d+ measure\(s\)\.", rows[-1])
    assert int(rows[-1].split()[0]) == len(rows) - 1 > 0
    assert all("delayed" in row for row in rows[:-1])


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["summarise"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
