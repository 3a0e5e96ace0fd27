"""Validate evals/cases.jsonl against shared/eval/FORMAT.md and check that every fact occurs in its cited corpus documents."""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASES = ROOT / "evals" / "cases.jsonl"
DEFAULT_CORPUS = ROOT / "corpus"

KINDS = {"lookup", "numeric", "list", "followup", "unanswerable"}
LANGS = {"nb", "en"}
REQUIRED = {"id": str, "question": str, "lang": str, "kind": str, "facts": list, "sources": list}
OPTIONAL = {"history": list, "min_recall": (int, float), "sources_all": bool, "evidence": list}


def normalise(text: str, nbsp_as_space: bool = True) -> str:
    """Lowercase, rejoin words hyphenated across line breaks, collapse whitespace, drop spaces/dots between digit groups.

    With nbsp_as_space=False, non-breaking spaces are kept literally (as a checker that does not normalise them would).
    """
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)
    if nbsp_as_space:
        text = re.sub(r"[\u00a0\u2009\u202f]", " ", text)
    text = re.sub(r"[ \t\n\r\f\v]+", " ", text.lower()).strip()
    prev = None
    while prev != text:  # repeat: "1 283 147" needs two passes for overlapping groups
        prev = text
        text = re.sub(r"(?<=\d)[ .](?=\d)", "", text)
    return text


def load_corpus(corpus_dir: Path) -> dict[str, tuple[str, list[str], str]]:
    """Map file name -> (normalised text, raw lines, normalised text with non-breaking spaces kept)."""
    docs = {}
    for p in sorted(corpus_dir.glob("*.txt")):
        raw = p.read_text(encoding="utf-8")
        docs[p.name] = (normalise(raw), raw.splitlines(), normalise(raw, nbsp_as_space=False))
    return docs


def check_case(case: dict, lineno: int, docs: dict, errors: list[str], warnings: list[str]) -> None:
    where = f"line {lineno} ({case.get('id', '?')})"
    n_errors = len(errors)
    for key, typ in REQUIRED.items():
        if key not in case:
            errors.append(f"{where}: missing field {key!r}")
        elif not isinstance(case[key], typ):
            errors.append(f"{where}: field {key!r} must be {typ.__name__}")
    required_ok = len(errors) == n_errors
    for key, val in case.items():
        if key in REQUIRED:
            continue
        if key not in OPTIONAL:
            errors.append(f"{where}: unknown field {key!r}")
        elif not isinstance(val, OPTIONAL[key]) or (key == "min_recall" and isinstance(val, bool)):
            errors.append(f"{where}: field {key!r} has wrong type")
    if not required_ok:
        return
    if case["lang"] not in LANGS:
        errors.append(f"{where}: lang must be one of {sorted(LANGS)}")
    if case["kind"] not in KINDS:
        errors.append(f"{where}: kind must be one of {sorted(KINDS)}")
    if not case["question"].strip():
        errors.append(f"{where}: empty question")
    if "history" in case and not (case["history"] and all(isinstance(h, str) and h.strip() for h in case["history"])):
        errors.append(f"{where}: history must be a non-empty list of strings")
    if case["kind"] == "followup" and "history" not in case:
        errors.append(f"{where}: followup case without history")
    if "min_recall" in case and not 0 < case["min_recall"] <= 1:
        errors.append(f"{where}: min_recall must be in (0, 1]")
    for fact in case["facts"]:
        if not (isinstance(fact, list) and fact and all(isinstance(a, str) and a.strip() for a in fact)):
            errors.append(f"{where}: each fact must be a non-empty list of non-empty strings")
    if not all(isinstance(s, str) for s in case["sources"]):
        errors.append(f"{where}: sources must be strings")
    if case["kind"] == "unanswerable":
        if case["facts"] or case["sources"]:
            errors.append(f"{where}: unanswerable case must have empty facts and sources")
        return
    if not case["facts"]:
        errors.append(f"{where}: answerable case without facts")
    if not case["sources"]:
        errors.append(f"{where}: answerable case without sources")
    unknown = [s for s in case["sources"] if s not in docs]
    if unknown:
        errors.append(f"{where}: unknown source(s) {unknown}")
        return
    texts = [docs[s][0] for s in case["sources"]]
    for fact in case["facts"]:
        if not any(normalise(alt) in t for alt in fact for t in texts):
            errors.append(f"{where}: no alternative of fact {fact} occurs in {case['sources']}")
        elif not any(normalise(alt, False) in docs[s][2] for alt in fact for s in case["sources"]):
            warnings.append(f"{where}: fact {fact} matches only if non-breaking spaces count as spaces")
    for ev in case.get("evidence", []):
        if not any(normalise(ev) in t for t in texts):
            errors.append(f"{where}: evidence {ev!r} not found in {case['sources']}")
        elif not any(ev in line for s in case["sources"] for line in docs[s][1]):
            warnings.append(f"{where}: evidence {ev!r} spans a line break in the raw text")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("cases", nargs="?", type=Path, default=DEFAULT_CASES)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = ap.parse_args(argv)

    docs = load_corpus(args.corpus)
    errors: list[str] = []
    warnings: list[str] = []
    cases = []
    seen: set[str] = set()
    for lineno, line in enumerate(args.cases.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {lineno}: invalid JSON: {exc}")
            continue
        if not isinstance(case, dict):
            errors.append(f"line {lineno}: not a JSON object")
            continue
        if case.get("id") in seen:
            errors.append(f"line {lineno}: duplicate id {case.get('id')!r}")
        seen.add(case.get("id"))
        check_case(case, lineno, docs, errors, warnings)
        cases.append(case)

    print(f"{len(cases)} cases")
    print("by kind:", dict(sorted(Counter(c.get("kind") for c in cases).items())))
    print("by lang:", dict(sorted(Counter(c.get("lang") for c in cases).items())))
    by_doc = Counter(s for c in cases for s in c.get("sources", []))
    by_doc["(unanswerable)"] = sum(c.get("kind") == "unanswerable" for c in cases)
    print("by document:", dict(sorted(by_doc.items())))
    for w in warnings:
        print("WARNING:", w)
    for e in errors:
        print("ERROR:", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
