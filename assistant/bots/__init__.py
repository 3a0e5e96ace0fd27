"""Chat-platform adapters (Slack, Teams): thin edges over the same Assistant.answer() as the CLI and web."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from assistant.config import Settings
from assistant.service import Assistant

log = logging.getLogger("plan_assistant.bots")


def mount_bots(app: FastAPI, assistant: Assistant, settings: Settings) -> None:
    """Mount /slack/events and /api/messages; a bot that cannot start answers 503, the app still runs."""
    from assistant.bots.common import mount_unavailable
    from assistant.bots.slack import EVENTS_PATH, mount_slack
    from assistant.bots.teams import MESSAGES_PATH, mount_teams

    for name, path, mount in (("Slack", EVENTS_PATH, mount_slack), ("Teams", MESSAGES_PATH, mount_teams)):
        try:
            mount(app, assistant, settings)
        except Exception as exc:
            log.exception("%s bot could not start", name)
            mount_unavailable(app, path, name, f"The {name} bot could not start: {exc}")
