"""The app: ask, the chat event stream, the error shape, the OpenAPI schema, the page and concurrency."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from assistant.api import STATIC_DIR
from assistant.streaming import text_pieces
from tests.assistant.conftest import sse_events

QUESTION = "Hvilke tiltak er forsinket på grunn av budsjett?"


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body["error"]) == {"code", "message"} and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_healthz_reports_the_index(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["documents"] >= 5 and body["chunks"] > 0


def test_ask_returns_the_cli_answer_json_with_citations(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": QUESTION}).json()
    assert {"question", "answer", "citations", "abstained", "lang", "mode"} <= set(body)
    assert not body["abstained"] and body["lang"] == "nb" and body["citations"]
    for c in body["citations"]:
        assert f"[{c['n']}]" in body["answer"]
        assert {"source", "title", "page", "text", "passage_id", "heading"} <= set(c)


def test_chat_streams_text_deltas_then_citations_then_done(client: TestClient) -> None:
    response = client.post("/api/chat", json={"question": QUESTION, "history": []})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    kinds = [k for k, _ in events]
    assert kinds[-2:] == ["citations", "done"] and set(kinds[:-2]) == {"answer"} and len(kinds) > 4
    done = events[-1][1]
    assert "".join(d["text"] for k, d in events if k == "answer") == done["answer"]
    assert events[-2][1]["citations"] == done["citations"] and done["citations"]
    assert all(len(d["text"]) < 80 for k, d in events if k == "answer")


def test_chat_reports_a_failing_question_as_an_error_event(client: TestClient) -> None:
    events = sse_events(client.post("/api/chat", json={"question": "   "}).text)
    assert [k for k, _ in events] == ["error"]
    assert events[0][1]["error"]["code"] == "bad_request"


def test_follow_up_uses_the_history(client: TestClient) -> None:
    body = client.post(
        "/api/ask", json={"question": "Og hvilke er utsatt?", "history": ["Hvilke tiltak er forsinket?"]}
    ).json()
    assert body["question"] == "Og hvilke er utsatt?" and "answer" in body


def test_text_pieces_rebuild_the_text() -> None:
    text = "Dette står i dokumentene:\n- Første tiltak [1]\n\n- Andre  tiltak [2]"
    pieces = text_pieces(text, size=8)
    assert "".join(pieces) == text and len(pieces) > 3


def test_malformed_requests_get_the_error_shape(client: TestClient) -> None:
    assert_error(client.post("/api/ask", json={}), 422, "invalid_request")
    assert_error(client.post("/api/ask", json={"question": ""}), 422, "invalid_request")
    assert_error(client.post("/api/ask", json={"question": "x" * 2001}), 422, "invalid_request")
    assert_error(client.post("/api/ask", json={"question": "Hei", "history": "nei"}), 422, "invalid_request")
    bad_json = client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert_error(bad_json, 422, "invalid_request")
    assert_error(client.post("/api/chat", json={"history": []}), 422, "invalid_request")
    assert_error(client.post("/api/ask", json={"question": "   "}), 400, "bad_request")


def test_unknown_routes_and_methods_get_the_error_shape(client: TestClient) -> None:
    assert_error(client.get("/api/nothing-here"), 404, "not_found")
    assert_error(client.get("/api/ask"), 405, "method_not_allowed")


def test_openapi_schema_documents_every_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    expected = {
        ("/api/ask", "post"),
        ("/api/chat", "post"),
        ("/api/documents", "get"),
        ("/api/documents", "post"),
        ("/api/documents/{name}", "get"),
        ("/api/documents/{name}", "delete"),
        ("/api/passages/{passage_id}", "get"),
        ("/api/passages", "get"),
        ("/api/measures", "get"),
        ("/api/feedback", "post"),
        ("/healthz", "get"),
        ("/v1/models", "get"),
        ("/v1/chat/completions", "post"),
    }
    for path, method in expected:
        op = schema["paths"][path][method]
        assert op.get("summary") and op.get("tags"), (path, method)
    assert "text/event-stream" in schema["paths"]["/api/chat"]["post"]["responses"]["200"]["content"]
    upload = schema["paths"]["/api/documents"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"413", "415", "422"} <= set(upload["responses"])
    assert "ErrorBody" in schema["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_page_is_served_with_a_strict_policy(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert '<html lang="nb">' in page.text and "{{version}}" not in page.text
    for asset in re.findall(r'(?:src|href)="(/static/[^"?]+)', page.text):
        response = client.get(asset)
        assert response.status_code == 200, asset


def test_page_assets_load_nothing_from_outside() -> None:
    files = list(Path(STATIC_DIR).iterdir())
    assert {"index.html", "app.css", "main.js", "chat.js", "i18n.js"} <= {f.name for f in files}
    for path in files:
        text = path.read_text(encoding="utf-8")
        urls = re.findall(r"https?://[^\s\"'<>)]+", text)
        assert all(u.startswith("http://www.w3.org/") for u in urls), (path.name, urls)
        assert "@import" not in text and "fonts.g" not in text
    for js in Path(STATIC_DIR).glob("*.js"):
        for target in re.findall(r'from "\./([^"]+)"', js.read_text(encoding="utf-8")):
            assert (Path(STATIC_DIR) / target).is_file(), (js.name, target)


def test_every_ui_string_exists_in_both_languages() -> None:
    text = (Path(STATIC_DIR) / "i18n.js").read_text(encoding="utf-8")
    nb, en = text.split("\n  en: {\n")
    keys = lambda block: set(re.findall(r"^ {4}(\w+):", block, flags=re.M))  # noqa: E731
    assert keys(nb) == keys(en) and len(keys(nb)) > 60
    used = set()
    for path in Path(STATIC_DIR).glob("*"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\bt\("(\w+)', source)) | set(re.findall(r'data-i18n(?:-\w+)?="(\w+)"', source))
    assert used <= keys(nb), used - keys(nb)


def test_twenty_concurrent_asks_all_succeed(live_url: str) -> None:
    questions = [
        QUESTION,
        "Hva er status for arbeidet med likestilling og mangfold?",
        "Hvilke mål har strategien for forskning?",
        "Why had some of the measures in the 2019 action plan not been started yet?",
    ]
    with httpx.Client(base_url=live_url, timeout=120) as warm:
        assert warm.post("/api/ask", json={"question": QUESTION}).status_code == 200

    def ask(i: int) -> tuple[int, dict[str, object], float]:
        started = time.perf_counter()
        with httpx.Client(base_url=live_url, timeout=120) as http:
            r = http.post("/api/ask", json={"question": questions[i % len(questions)]})
        return r.status_code, r.json(), time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(ask, range(20)))
    assert [status for status, _, _ in results] == [200] * 20
    assert all(body["answer"] for _, body, _ in results)
    same = [body["answer"] for i, (_, body, _) in enumerate(results) if i % len(questions) == 0]
    assert len(set(same)) == 1
