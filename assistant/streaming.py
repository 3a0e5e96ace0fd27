"""Server-sent events: frame formatting and cutting an answer's text into small deltas."""

from __future__ import annotations

import json
import re
from typing import Any

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_TOKEN = re.compile(r"\S+\s*|\s+")


def sse(event: str | None, data: Any) -> str:
    """Return one SSE frame; `data` is sent as JSON unless it is already a string."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n"


def text_pieces(text: str, size: int = 24) -> list[str]:
    """Cut text into pieces of whole words of about `size` characters; joined they give the text back."""
    pieces: list[str] = []
    current = ""
    for token in _TOKEN.findall(text):
        current += token
        if len(current) >= size or "\n" in token:
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces
