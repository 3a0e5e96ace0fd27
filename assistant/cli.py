"""The `plan-assistant` command: ingest, ask, eval, measures, serve, slack, feedback."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.types import Answer
from indexing.errors import PlanAssistantError


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "store", None):
        overrides["store_dir"] = Path(args.store)
    return Settings(**overrides)


def _assistant(args: argparse.Namespace, ensure: bool = True) -> Any:
    from assistant.service import Assistant

    assistant = Assistant(_settings(args))
    if ensure:
        report = assistant.ensure_corpus(progress=sys.stderr.isatty())
        if report is not None:
            print(f"Indexed the bundled corpus: {report.summary()}", file=sys.stderr)
    return assistant


def format_answer(answer: Answer) -> str:
    """Render an answer and its sources for the terminal."""
    lines = [answer.answer]
    if answer.citations:
        lines += ["", "Kilder:" if answer.lang == "nb" else "Sources:"]
        for c in answer.citations:
            where = f", {'s.' if answer.lang == 'nb' else 'p.'} {c.page}" if c.page else ""
            quote = " ".join(c.text.split())
            lines.append(f"[{c.n}] {c.title} ({c.source}{where}): «{quote}»")
    return "\n".join(lines)


def cmd_ingest(args: argparse.Namespace) -> int:
    """Index files and directories."""
    assistant = _assistant(args, ensure=False)
    report = assistant.ingest([Path(p) for p in args.paths], prune=args.prune, progress=not args.quiet)
    print(json.dumps(report.to_json(), ensure_ascii=False, indent=2) if args.json else report.summary())
    return 1 if report.failed and not (report.added or report.updated or report.skipped) else 0


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question."""
    answer = _assistant(args).answer(args.question, args.history or [])
    print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2) if args.json else format_answer(answer))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Run an accuracy case file and report."""
    from assistant.evaluation import answerer, load_cases, run

    cases = load_cases(Path(args.cases))
    answer = answerer(_assistant(args))
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as out:
        summary, results = run(cases, answer, out)
    lines = [f"# Evaluation of {args.cases}", "", *summary.lines()]
    failed = [r for r in results if not r["passed"]]
    if failed:
        lines += ["", "## Failed cases", ""]
        lines += [f"- `{r['id']}` {r['question']} — {json.dumps(r['details'], ensure_ascii=False)}" for r in failed]
    text = "\n".join(lines)
    print("\n".join(summary.lines()))
    if args.report:
        Path(args.report).write_text(text + "\n", encoding="utf-8")
    if summary.pass_rate < args.min_pass:
        print(
            f"FAIL: pass rate {summary.pass_rate:.1%} is below --min-pass {args.min_pass:.0%}",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web page, API and bots."""
    from assistant.server import run_server

    run_server(_settings(args), host=args.host, port=args.port)
    return 0


def cmd_measures(args: argparse.Namespace) -> int:
    """Print the measure register."""
    from assistant.measures import print_measures

    assistant = _assistant(args)
    return print_measures(
        assistant, status=args.status, reason=args.reason, area=args.area, plan=args.plan, as_json=args.json
    )


def cmd_slack(args: argparse.Namespace) -> int:
    """Run the Slack bot over Socket Mode."""
    from assistant.bots.slack import run_socket_mode

    run_socket_mode(_assistant(args), _settings(args))
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """Export feedback as draft evaluation cases."""
    from assistant.feedback import export_cases

    n = export_cases(_settings(args).store_dir, Path(args.output))
    print(f"Wrote {n} draft case(s) to {args.output}. Fill in their facts before adding them to a suite.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser."""
    parser = argparse.ArgumentParser(prog="plan-assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func: Any, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--store", help="store directory (default: PLAN_STORE_DIR or .plan-assistant)")
        p.set_defaults(func=func)
        return p

    p = add("ingest", cmd_ingest, "Index documents (.pdf .docx .pptx .txt .md) incrementally.")
    p.add_argument("paths", nargs="+", help="files or directories")
    p.add_argument("--prune", action="store_true", help="drop indexed documents that are no longer there")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = add("ask", cmd_ask, "Answer a question with cited passages.")
    p.add_argument("question")
    p.add_argument("--history", action="append", help="an earlier question of the conversation (repeatable)")
    p.add_argument("--json", action="store_true", help="print the answer JSON")

    p = add("eval", cmd_eval, "Run an accuracy case file (JSON Lines) and report.")
    p.add_argument("cases")
    p.add_argument("--output", required=True, help="results file (JSON Lines)")
    p.add_argument("--report", help="write a Markdown report here")
    p.add_argument("--min-pass", type=float, default=0.0, help="exit non-zero below this pass rate (0–1)")

    p = add("serve", cmd_serve, "Serve the web chat, HTTP API and bots (indexes the bundled corpus if needed).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)

    p = add("measures", cmd_measures, "List the measure register (tiltak and their status).")
    p.add_argument("--status", help="not_started, planned, in_progress, delayed, postponed, completed, reported")
    p.add_argument("--reason", help="budget, capacity, awaiting_decision, pandemic, other")
    p.add_argument("--area", help="e.g. Forskning, Utdanning")
    p.add_argument("--plan", help="e.g. 'Handlingsplan 2019' (substring)")
    p.add_argument("--json", action="store_true", help="print an array of records")

    p = add("slack", cmd_slack, "Run the Slack bot.")
    p.add_argument("--socket-mode", action="store_true", required=True, help="connect over Socket Mode")

    p = add("feedback", cmd_feedback, "Work with user feedback.")
    p.add_argument("action", choices=["export"])
    p.add_argument("--output", default="feedback-cases.jsonl", help="draft cases file (JSON Lines)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except PlanAssistantError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
