"""Route for thumbs up/down and comments on answers; `plan-assistant feedback export` drafts cases from them."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from assistant.feedback import Feedback, FeedbackStore
from assistant.schemas import errors

router = APIRouter()


class FeedbackIn(BaseModel):
    """A user's verdict on one answer, with the question and answer it is about."""

    question: str = Field(min_length=1, max_length=2000, examples=["Hvilke tiltak er forsinket?"])
    answer: str = Field(max_length=50_000)
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=2000, examples=["Mangler tiltaket om simulering."])
    history: list[str] = Field(default_factory=list, max_length=20)
    citations: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    abstained: bool | None = None


class FeedbackSaved(BaseModel):
    """The stored feedback's id."""

    id: int
    status: Literal["stored"] = "stored"


@router.post(
    "/api/feedback",
    tags=["feedback"],
    summary="Rate an answer",
    status_code=201,
    response_model=FeedbackSaved,
    responses=errors(400, 422),
)
def post_feedback(body: FeedbackIn, request: Request) -> FeedbackSaved:
    """Store thumbs up/down and an optional comment on an answer."""
    comment = (body.comment or "").strip() or None
    item = Feedback(
        question=body.question,
        answer=body.answer,
        rating=body.rating,
        history=tuple(body.history),
        citations=tuple(body.citations),
        comment=comment,
        channel="web",
        abstained=body.abstained,
    )
    return FeedbackSaved(id=FeedbackStore(request.app.state.settings.store_dir).add(item))
