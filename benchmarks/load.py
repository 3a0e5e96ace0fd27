"""Load benchmark for /api/ask: p50/p95 latency under concurrent users next to a single-user baseline.

Run by hand (never in a test); it serves the app on 127.0.0.1 (a free port) and talks only to it:

    python benchmarks/load.py [--store DIR] [--workers 20] [--per-worker 3] [--baseline 20] [--json out.json]

The baseline (sequential, one user, an even sample of the same questions) and the loaded run are measured in
the same process against the same server, and reported side by side with their ratios. Requests are bounded in
count and in time.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.api import create_app  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.server import serve_in_thread  # noqa: E402
from assistant.service import Assistant  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    """Return the nearest-rank percentile (q in 0..1) of the values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def load_questions(path: Path) -> list[dict[str, Any]]:
    """Read the questions (and histories) of an evaluation case file."""
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"question": c["question"], "history": c.get("history", [])} for c in cases]


def timed_ask(http: httpx.Client, body: dict[str, Any]) -> tuple[float, int]:
    """POST one question; return (seconds, status code)."""
    started = time.perf_counter()
    try:
        status = http.post("/api/ask", json=body).status_code
    except httpx.HTTPError:
        status = 0
    return time.perf_counter() - started, status


def run(url: str, questions: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    """Measure the sequential baseline, then the concurrent load, against one server."""
    deadline = time.monotonic() + args.max_seconds
    asked = [questions[i % len(questions)] for i in range(args.workers * args.per_worker)]
    sample = asked[:: max(1, len(asked) // max(args.baseline, 1))][: args.baseline]
    with httpx.Client(base_url=url, timeout=args.timeout) as http:
        for body in questions[:2]:
            timed_ask(http, body)
        baseline = [timed_ask(http, body) for body in sample]

    def worker(w: int) -> list[tuple[float, int]]:
        out = []
        with httpx.Client(base_url=url, timeout=args.timeout) as http:
            for i in range(args.per_worker):
                if time.monotonic() > deadline:
                    break
                out.append(timed_ask(http, asked[w * args.per_worker + i]))
        return out

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        loaded = [r for rs in pool.map(worker, range(args.workers)) for r in rs]
    wall = time.perf_counter() - started

    def summary(rows: list[tuple[float, int]]) -> dict[str, Any]:
        ok = [s for s, status in rows if status == 200]
        return {
            "requests": len(rows),
            "errors": sum(1 for _, status in rows if status != 200),
            "p50_ms": round(percentile(ok, 0.50) * 1000, 1),
            "p95_ms": round(percentile(ok, 0.95) * 1000, 1),
        }

    single, many = summary(baseline), summary(loaded)
    many["throughput_rps"] = round(len(loaded) / wall, 2) if wall else None
    return {
        "workers": args.workers,
        "baseline": single,
        "load": many,
        "ratio_p50": round(many["p50_ms"] / single["p50_ms"], 2) if single["p50_ms"] else None,
        "ratio_p95": round(many["p95_ms"] / single["p95_ms"], 2) if single["p95_ms"] else None,
    }


def report(result: dict[str, Any]) -> str:
    """Format the result as a small table."""
    b, load = result["baseline"], result["load"]
    rows = [
        f"{'run':<24}{'requests':>9}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}",
        f"{'single user (baseline)':<24}{b['requests']:>9}{b['errors']:>8}{b['p50_ms']:>10}{b['p95_ms']:>10}",
        f"{str(result['workers']) + ' concurrent users':<24}{load['requests']:>9}{load['errors']:>8}"
        f"{load['p50_ms']:>10}{load['p95_ms']:>10}",
        f"ratio under load: p50 ×{result['ratio_p50']}, p95 ×{result['ratio_p95']}; "
        f"throughput {load['throughput_rps']} requests/s",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print (and optionally save) the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", help="store directory (default: PLAN_STORE_DIR or .plan-assistant)")
    parser.add_argument("--cases", default=str(ROOT / "evals" / "cases.jsonl"), help="questions (JSON Lines)")
    parser.add_argument("--workers", type=int, default=20, help="concurrent users")
    parser.add_argument("--per-worker", type=int, default=3, help="questions each user asks")
    parser.add_argument(
        "--baseline", type=int, default=20, help="sequential single-user requests (a sample of the same questions)"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="stop starting requests after this")
    parser.add_argument("--json", help="also write the result here")
    args = parser.parse_args(argv)

    settings = Settings(store_dir=Path(args.store)) if args.store else Settings()
    assistant = Assistant(settings)
    if assistant.ensure_corpus(progress=True) is not None:
        print("Indexed the bundled corpus.", file=sys.stderr)
    questions = load_questions(Path(args.cases))
    with serve_in_thread(create_app(settings, assistant)) as url:
        print(f"Serving on {url}; {args.workers} users × {args.per_worker} questions", file=sys.stderr)
        result = run(url, questions, args)
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 1 if result["load"]["errors"] or result["baseline"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
