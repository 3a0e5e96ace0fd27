"""The OpenAI-compatible endpoints, used in-process and by the official `openai` client over 127.0.0.1."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from openai import BadRequestError, OpenAI

from assistant.openai_compat import ChatMessage, conversation
from tests.assistant.conftest import sse_events
from tests.assistant.test_api import QUESTION, assert_error


def test_models_lists_the_assistant(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert body["object"] == "list" and [m["id"] for m in body["data"]] == ["plan-assistant"]


def test_completion_cites_with_markers_and_a_sources_list(client: TestClient) -> None:
    body = client.post(
        "/v1/chat/completions",
        json={"model": "plan-assistant", "messages": [{"role": "user", "content": QUESTION}], "temperature": 0.2},
    ).json()
    assert body["object"] == "chat.completion" and body["choices"][0]["finish_reason"] == "stop"
    content = body["choices"][0]["message"]["content"]
    assert "[1]" in content and "\n\nKilder:\n- [1] " in content
    assert "](http://testserver/api/documents/" in content and "«" in content


def test_streamed_completion_sends_chunks_then_done(client: TestClient) -> None:
    response = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}], "stream": True}
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [data for _, data in sse_events(response.text)]
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "Kilder:" in text and "[1]" in text


def test_a_conversation_without_a_user_message_is_refused(client: TestClient) -> None:
    body = {"messages": [{"role": "system", "content": "Be brief."}]}
    assert_error(client.post("/v1/chat/completions", json=body), 400, "bad_request")
    assert_error(client.post("/v1/chat/completions", json={"messages": []}), 422, "invalid_request")


def test_conversation_takes_the_last_user_message_and_earlier_ones_as_history() -> None:
    messages = [
        ChatMessage(role="system", content="Svar kort."),
        ChatMessage(role="user", content="Hvilke tiltak er forsinket?"),
        ChatMessage(role="assistant", content="…"),
        ChatMessage.model_validate(
            {"role": "user", "content": [{"type": "text", "text": "Og hvilke"}, {"type": "text", "text": "er utsatt?"}]}
        ),
    ]
    assert conversation(messages) == ("Og hvilke\ner utsatt?", ["Hvilke tiltak er forsinket?"])


def test_official_openai_client_plain_and_streamed(live_url: str) -> None:
    client = OpenAI(base_url=f"{live_url}/v1", api_key="not-needed", max_retries=0, timeout=120)
    assert [m.id for m in client.models.list()] == ["plan-assistant"]

    question = "Which measures are delayed because of the budget?"
    completion = client.chat.completions.create(
        model="plan-assistant", messages=[{"role": "user", "content": question}]
    )
    content = completion.choices[0].message.content or ""
    assert "[1]" in content and ("Sources:" in content or "Kilder:" in content)
    assert f"]({live_url}/api/documents/" in content

    stream = client.chat.completions.create(
        model="plan-assistant",
        messages=[
            {"role": "user", "content": "Hvilke tiltak er forsinket?"},
            {"role": "assistant", "content": "…"},
            {"role": "user", "content": QUESTION},
        ],
        stream=True,
    )
    pieces = [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
    assert len(pieces) > 3 and "Kilder:" in "".join(pieces)

    with pytest.raises(BadRequestError) as caught:
        client.chat.completions.create(model="plan-assistant", messages=[{"role": "system", "content": "Hei"}])
    assert "user" in str(caught.value)
