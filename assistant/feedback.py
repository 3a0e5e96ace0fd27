"""Thumbs up/down and comments on answers, stored in SQLite; exported as draft evaluation cases."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.text import detect_language
from indexing.errors import BadRequest

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    question TEXT NOT NULL, history TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), comment TEXT, channel TEXT NOT NULL, abstained INTEGER
);
"""


@dataclass(frozen=True)
class Feedback:
    """One user's verdict on one answer."""

    question: str
    answer: str
    rating: str
    history: tuple[str, ...] = ()
    citations: tuple[dict[str, Any], ...] = ()
    comment: str | None = None
    channel: str = "web"
    abstained: bool | None = None


class FeedbackStore:
    """Feedback rows in `feedback.sqlite` inside the store directory."""

    def __init__(self, store_dir: Path) -> None:
        self.path = Path(store_dir) / "feedback.sqlite"

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            conn.executescript(_SCHEMA)
            with conn:
                yield conn
        finally:
            conn.close()

    def add(self, item: Feedback) -> int:
        """Store feedback and return its id."""
        if item.rating not in ("up", "down"):
            raise BadRequest("rating must be 'up' or 'down'.")
        if not item.question.strip():
            raise BadRequest("Feedback needs the question it is about.")
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO feedback(question, history, answer, citations, rating, comment, channel, abstained) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    item.question,
                    json.dumps(list(item.history), ensure_ascii=False),
                    item.answer,
                    json.dumps(list(item.citations), ensure_ascii=False),
                    item.rating,
                    item.comment,
                    item.channel,
                    None if item.abstained is None else int(item.abstained),
                ),
            )
            return int(cur.lastrowid or 0)

    def all(self) -> list[dict[str, Any]]:
        """Return every feedback row, oldest first."""
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        out = []
        for r in rows:
            d = dict(r)
            d["history"] = json.loads(d["history"])
            d["citations"] = json.loads(d["citations"])
            out.append(d)
        return out


def draft_case(row: dict[str, Any]) -> dict[str, Any]:
    """Turn one feedback row into a draft case (FORMAT.md) for an evaluator to complete."""
    sources = sorted({c.get("source") for c in row["citations"] if c.get("source")})
    case: dict[str, Any] = {
        "id": f"fb{row['id']:04d}",
        "question": row["question"],
        "lang": detect_language(row["question"]),
        "kind": "followup" if row["history"] else ("unanswerable" if row.get("abstained") else "lookup"),
        "facts": [],
        "sources": sources if row["rating"] == "up" else [],
        "draft": {
            "rating": row["rating"],
            "comment": row.get("comment"),
            "channel": row["channel"],
            "answer": row["answer"],
            "todo": "fill in facts (and fix kind/sources) before adding to the suite",
        },
    }
    if row["history"]:
        case["history"] = row["history"]
    return case


def export_cases(store_dir: Path, output: Path) -> int:
    """Write draft evaluation cases from all feedback; return how many."""
    rows = FeedbackStore(store_dir).all()
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(draft_case(row), ensure_ascii=False) + "\n")
    return len(rows)
