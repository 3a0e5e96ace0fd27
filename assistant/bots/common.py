"""What both bots share: answering off the event loop, apologies, feedback, and the not-configured route."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from assistant.api import error_body
from assistant.bots import cards
from assistant.config import Settings
from assistant.feedback import Feedback, FeedbackStore
from assistant.service import Assistant
from assistant.text import detect_language
from assistant.types import Answer
from indexing.errors import PlanAssistantError

log = logging.getLogger("plan_assistant.bots")

APOLOGY = {
    "nb": "Beklager, jeg klarte ikke å svare på det. Prøv igjen, eller still spørsmålet på en annen måte.",
    "en": "Sorry, I could not answer that. Try again, or ask the question another way.",
}


class BotNotConfigured(PlanAssistantError):
    """A bot was asked for but its settings are missing."""

    code = "bot_not_configured"
    status = 503


def apology(question: str) -> str:
    """A short apology in the question's language."""
    return APOLOGY[detect_language(question or "")]


async def try_answer(assistant: Assistant, question: str, history: Sequence[str], channel: str) -> Answer | None:
    """Answer in a worker thread; log and return None when answering fails."""
    try:
        return await asyncio.to_thread(assistant.answer, question, list(history))
    except PlanAssistantError as exc:
        log.warning("%s bot: could not answer (%s): %s", channel, exc.code, exc.message)
    except Exception:
        log.exception("%s bot: answering failed", channel)
    return None


def store_feedback(
    assistant: Assistant,
    settings: Settings,
    *,
    channel: str,
    rating: str,
    question: str,
    history: Sequence[str],
    shown_answer: str = "",
) -> int:
    """Store a 👍/👎 like the web page does; the (extractive) answer is recomputed for its citations."""
    try:
        answer = assistant.answer(question, list(history))
        text, abstained = answer.answer, answer.abstained
        citations = tuple(c.to_json() for c in answer.citations)
    except PlanAssistantError:
        text, citations, abstained = shown_answer, (), None
    item = Feedback(
        question=question,
        answer=text,
        rating=rating,
        history=tuple(history),
        citations=citations,
        channel=channel,
        abstained=abstained,
    )
    return FeedbackStore(settings.store_dir).add(item)


async def record_feedback(
    assistant: Assistant,
    settings: Settings,
    *,
    channel: str,
    ref: object,
    rating: object,
    shown_answer: str = "",
) -> str:
    """Store a 👍/👎 from a bot's button off the event loop; return the thanks (or not-saved) line to show."""
    question = ""
    try:
        question, history = cards.parse_ref(ref)
        if rating not in ("up", "down"):
            raise ValueError(f"unknown rating {rating!r}")
        await asyncio.to_thread(
            store_feedback,
            assistant,
            settings,
            channel=channel,
            rating=str(rating),
            question=question,
            history=history,
            shown_answer=shown_answer,
        )
        return cards.label(detect_language(question), "thanks")
    except Exception:
        log.exception("%s bot: could not store feedback", channel)
        return cards.label(detect_language(question), "not_saved")


def missing_message(bot: str, missing: Sequence[str], hint: str = "") -> str:
    """Say which settings a bot needs."""
    return f"The {bot} bot is not configured: set {', '.join(missing)}.{' ' + hint if hint else ''}"


def mount_unavailable(app: FastAPI, path: str, bot: str, message: str) -> None:
    """Mount a route that answers 503 with the one error shape, saying what is missing."""

    async def unavailable() -> JSONResponse:
        return JSONResponse(error_body(BotNotConfigured.code, message), status_code=503)

    app.add_api_route(path, unavailable, methods=["POST"], tags=["bots"], summary=f"{bot} bot (not set up)")
