"""Chat-platform adapters (Slack, Teams) over the same Assistant.answer()."""

from __future__ import annotations

from typing import Any


def mount_bots(app: Any, assistant: Any, settings: Any) -> None:
    """Mount the bot endpoints on the FastAPI app (filled in by the bots issue)."""
    return None
