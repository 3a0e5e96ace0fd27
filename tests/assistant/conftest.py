"""Fixtures for the HTTP API: an app over a private copy of the corpus store, in-process or on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.config import Settings
from assistant.server import serve_in_thread


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A TestClient on the real app over the private store copy."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def live_url(settings: Settings) -> Iterator[str]:
    """The real app served by uvicorn on 127.0.0.1 (a free port)."""
    with serve_in_thread(create_app(settings)) as url:
        yield url


def sse_events(text: str) -> list[tuple[str, Any]]:
    """Parse a server-sent event stream into (event, data) pairs; comments are dropped."""
    import json

    events = []
    for frame in text.replace("\r\n", "\n").split("\n\n"):
        event, data = "message", []
        for line in frame.split("\n"):
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            payload = "\n".join(data)
            events.append((event, payload if payload == "[DONE]" else json.loads(payload)))
    return events
