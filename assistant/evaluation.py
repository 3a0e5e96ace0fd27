"""Answer-accuracy evaluation: reads cases, checks answers, writes results and a report."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.types import Hit
from indexing.errors import BadRequest

KINDS = ("lookup", "numeric", "list", "followup", "unanswerable")


@dataclass(frozen=True)
class Case:
    """One evaluation case (see shared/eval/FORMAT.md)."""

    id: str
    question: str
    lang: str
    kind: str
    facts: tuple[tuple[str, ...], ...]
    sources: tuple[str, ...]
    history: tuple[str, ...] = ()
    min_recall: float = 1.0
    sources_all: bool = False
    evidence: tuple[str, ...] = ()


def parse_case(data: dict[str, Any], where: str) -> Case:
    """Validate one case object, saying exactly what is wrong."""
    missing = [k for k in ("id", "question", "kind") if not isinstance(data.get(k), str) or not data.get(k)]
    if missing:
        raise BadRequest(f"{where}: missing or non-string field(s) {', '.join(missing)}.")
    if data["kind"] not in KINDS:
        raise BadRequest(f"{where}: kind '{data['kind']}' is not one of {', '.join(KINDS)}.")
    facts = data.get("facts", [])
    if not isinstance(facts, list) or not all(
        isinstance(f, list) and all(isinstance(a, str) for a in f) for f in facts
    ):
        raise BadRequest(f"{where}: 'facts' must be a list of lists of strings.")
    return Case(
        id=data["id"],
        question=data["question"],
        lang=data.get("lang") or "nb",
        kind=data["kind"],
        facts=tuple(tuple(f) for f in facts),
        sources=tuple(data.get("sources") or ()),
        history=tuple(data.get("history") or ()),
        min_recall=float(data.get("min_recall", 1.0)),
        sources_all=bool(data.get("sources_all", False)),
        evidence=tuple(data.get("evidence") or ()),
    )


def load_cases(path: Path) -> list[Case]:
    """Read a JSON Lines case file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadRequest(f"Cannot read the case file {path}: {exc}") from exc
    cases = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadRequest(f"{path}:{n}: not valid JSON ({exc.msg}).") from exc
        if not isinstance(data, dict):
            raise BadRequest(f"{path}:{n}: each line must be a JSON object.")
        cases.append(parse_case(data, f"{path}:{n}"))
    if not cases:
        raise BadRequest(f"{path} has no cases.")
    return cases


def _norm(text: str) -> str:
    text = text.lower().replace("\u00a0", " ")
    return re.sub(r"(?<=\d)[ .](?=\d)", "", text)


def fact_present(alternatives: Iterable[str], answer: str) -> bool:
    """True when any alternative occurs in the answer (case-insensitive; digit-group separators ignored)."""
    norm = _norm(answer)
    return any(_norm(a) in norm for a in alternatives if a)


def check(case: Case, result: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Decide whether a result passes its case; return the verdict and why."""
    abstained = bool(result.get("abstained"))
    if case.kind == "unanswerable":
        return abstained, {"abstained": abstained}
    answer = result.get("answer") or ""
    cited = [c.get("source") for c in result.get("citations", [])]
    present = [fact_present(f, answer) for f in case.facts]
    recall = sum(present) / len(present) if present else 1.0
    if case.sources:
        src_ok = set(case.sources) <= set(cited) if case.sources_all else bool(set(case.sources) & set(cited))
    else:
        src_ok = True
    passages = [c.get("text") or "" for c in result.get("citations", [])]
    ev_ok = not case.evidence or any(e.lower() in p.lower() for e in case.evidence for p in passages)
    passed = not abstained and recall >= case.min_recall - 1e-9 and src_ok and ev_ok
    return passed, {
        "abstained": abstained,
        "fact_recall": round(recall, 3),
        "missing_facts": [f[0] for f, ok in zip(case.facts, present, strict=True) if not ok],
        "sources_ok": src_ok,
        "evidence_ok": ev_ok,
    }


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0–100) by linear interpolation."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass
class Summary:
    """Aggregate figures of one evaluation run."""

    total: int = 0
    passed: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    by_lang: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    hits: dict[int, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    cited: list[int] = field(default_factory=lambda: [0, 0])
    abstention: list[int] = field(default_factory=lambda: [0, 0])
    latencies: list[float] = field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        """Return the share of cases passed."""
        return self.passed / self.total if self.total else 0.0

    def add(self, case: Case, result: dict[str, Any], retrieved_sources: list[str]) -> None:
        """Fold one result into the figures."""
        ok = int(bool(result["passed"]))
        self.total += 1
        self.passed += ok
        for table, key in ((self.by_kind, case.kind), (self.by_lang, case.lang)):
            table[key][0] += ok
            table[key][1] += 1
        self.latencies.append(float(result.get("latency_ms", 0.0)))
        self.abstention[0] += int(bool(result.get("abstained")) == (case.kind == "unanswerable"))
        self.abstention[1] += 1
        if case.kind != "unanswerable" and case.sources:
            for k in (1, 3, 5, 10):
                self.hits[k][0] += int(bool(set(retrieved_sources[:k]) & set(case.sources)))
                self.hits[k][1] += 1
            for c in result.get("citations", []):
                self.cited[0] += int(c.get("source") in case.sources)
                self.cited[1] += 1

    def lines(self) -> list[str]:
        """Return the report as Markdown lines."""

        def rate(p: list[int]) -> str:
            return f"{p[0]}/{p[1]} ({100 * p[0] / p[1]:.1f}%)" if p[1] else "n/a"

        out = [f"**Pass rate: {rate([self.passed, self.total])}**", "", "| kind | passed |", "|---|---|"]
        out += [f"| {k} | {rate(v)} |" for k, v in sorted(self.by_kind.items())]
        out += ["", "| language | passed |", "|---|---|"]
        out += [f"| {k} | {rate(v)} |" for k, v in sorted(self.by_lang.items())]
        out += ["", "| metric | value |", "|---|---|"]
        out += [
            f"| retrieval hit@{k} (expected document in top {k}) | {rate(v)} |" for k, v in sorted(self.hits.items())
        ]
        out += [
            f"| citation precision (cited passages from an expected document) | {rate(self.cited)} |",
            f"| abstention accuracy | {rate(self.abstention)} |",
            f"| latency p50 | {percentile(self.latencies, 50):.0f} ms |",
            f"| latency p95 | {percentile(self.latencies, 95):.0f} ms |",
        ]
        return out


def answerer(
    assistant: Any, seen: Callable[[Case, list[Hit]], None] | None = None
) -> Callable[[Case], tuple[dict[str, Any], list[str]]]:
    """Answer cases with an Assistant: the result JSON with its latency, and the retrieved sources for hit@k."""

    def answer(case: Case) -> tuple[dict[str, Any], list[str]]:
        result, hits = assistant.answer_with_hits(case.question, case.history)
        if seen is not None:
            seen(case, hits)
        data = result.to_json()
        data["latency_ms"] = result.extra.get("latency_ms", 0)
        return data, [h.chunk.source for h in hits]

    return answer


def run(
    cases: list[Case], answer: Callable[[Case], tuple[dict[str, Any], list[str]]], out: Any | None = None
) -> tuple[Summary, list[dict[str, Any]]]:
    """Run every case through `answer` (result JSON, retrieved sources) and check it."""
    summary = Summary()
    results = []
    for case in cases:
        data, retrieved = answer(case)
        passed, details = check(case, data)
        result = {
            "id": case.id,
            "question": case.question,
            "answer": data.get("answer", ""),
            "abstained": bool(data.get("abstained")),
            "latency_ms": data.get("latency_ms", 0),
            "citations": [
                {"source": c["source"], "title": c.get("title"), "page": c.get("page"), "text": c.get("text")}
                for c in data.get("citations", [])
            ],
            "passed": passed,
            "details": {**details, "kind": case.kind, "lang": case.lang},
        }
        summary.add(case, result, retrieved)
        results.append(result)
        if out is not None:
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
    return summary, results
