"""Accuracy gates over the real corpus store: the shared dev cases and the project's own suite."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from assistant.evaluation import Summary, answerer, load_cases, run
from assistant.service import Assistant
from tests.conftest import SHARED

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEV_CASES = SHARED / "eval" / "dev-cases.jsonl"
PROJECT_CASES = ROOT / "evals" / "cases.jsonl"
DEV_MIN_PASSED = 12  # of the 14 shared dev cases


def evaluate(assistant: Assistant, path: Path) -> tuple[Summary, list[dict[str, Any]]]:
    """Run a case file the way `plan-assistant eval` does: the answer, plus the retrieved sources for hit@k."""
    summary, results = run(load_cases(path), answerer(assistant))
    print(f"\n{path.name}:", *summary.lines(), sep="\n")
    return summary, results


def failures(results: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {r['id']}: {r['question']!r} -> {json.dumps(r['details'], ensure_ascii=False)}"
        for r in results
        if not r["passed"]
    )


def test_dev_cases_pass(shared_assistant: Assistant) -> None:
    summary, results = evaluate(shared_assistant, DEV_CASES)
    assert summary.total == 14
    passed = summary.passed
    assert passed >= DEV_MIN_PASSED, (
        f"{passed}/{summary.total} dev cases passed, need {DEV_MIN_PASSED}; failing:\n{failures(results)}"
    )


def test_project_cases_pass(shared_assistant: Assistant) -> None:
    threshold = float(os.environ.get("PLAN_EVAL_MIN_PASS", "0.82"))
    summary, results = evaluate(shared_assistant, PROJECT_CASES)
    assert summary.total >= 100
    rate = summary.pass_rate
    assert rate >= threshold, (
        f"pass rate {summary.passed}/{summary.total} = {summary.pass_rate:.1%} is below PLAN_EVAL_MIN_PASS "
        f"{threshold:.0%}; failing:\n{failures(results)}"
    )
