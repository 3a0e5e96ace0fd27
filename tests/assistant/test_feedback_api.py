"""Feedback on answers: stored from the web, exported as draft evaluation cases by the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from assistant.cli import main
from assistant.config import Settings
from assistant.feedback import FeedbackStore
from tests.assistant.test_api import assert_error


def test_feedback_is_stored_and_exported_as_draft_cases(client: TestClient, settings: Settings, tmp_path: Path) -> None:
    answer = client.post("/api/ask", json={"question": "Hvilke tiltak er forsinket?"}).json()
    up = {
        "question": answer["question"],
        "answer": answer["answer"],
        "rating": "up",
        "comment": "  Presist og med kilder.  ",
        "citations": answer["citations"],
        "abstained": answer["abstained"],
    }
    first = client.post("/api/feedback", json=up)
    assert first.status_code == 201 and first.json()["status"] == "stored"
    down = {"question": "Og i 2024?", "answer": "…", "rating": "down", "history": ["Hvilke tiltak er forsinket?"]}
    second = client.post("/api/feedback", json=down).json()
    assert second["id"] > first.json()["id"]

    rows = FeedbackStore(settings.store_dir).all()
    assert [r["rating"] for r in rows] == ["up", "down"]
    assert rows[0]["comment"] == "Presist og med kilder." and rows[0]["channel"] == "web"
    assert rows[1]["comment"] is None and rows[1]["history"] == ["Hvilke tiltak er forsinket?"]

    output = tmp_path / "cases.jsonl"
    assert main(["feedback", "export", "--store", str(settings.store_dir), "--output", str(output)]) == 0
    cases = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert cases[0]["question"] == answer["question"] and cases[0]["sources"]
    assert cases[1]["kind"] == "followup" and cases[1]["draft"]["rating"] == "down"


def test_invalid_feedback_gets_the_error_shape(client: TestClient) -> None:
    assert_error(client.post("/api/feedback", json={"question": "Hei", "answer": "x", "rating": "meh"}), 422)
    assert_error(client.post("/api/feedback", json={"question": "", "answer": "x", "rating": "up"}), 422)
    assert_error(client.post("/api/feedback", json={"answer": "x", "rating": "up"}), 422, "invalid_request")
    too_long = {"question": "Hei", "answer": "x", "rating": "up", "comment": "x" * 2001}
    assert_error(client.post("/api/feedback", json=too_long), 422)
