"""Route for the measure register (tiltak and their reported status), filtered like the CLI."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from assistant.schemas import errors
from indexing.register import ensure_schema, query_measures

router = APIRouter()


class MeasureOut(BaseModel):
    """One measure as read from one row of one document."""

    model_config = ConfigDict(extra="allow")

    id: str
    key: str
    source: str
    page: int | None = None
    plan: str | None = None
    year: int | None = None
    area: str | None = None
    number: str | None = None
    title: str
    status_text: str | None = None
    status_score: int | None = None
    status: str | None = None
    reason: str | None = None
    text: str


def _given(value: str | None) -> str | None:
    return (value or "").strip() or None


@router.get(
    "/api/measures",
    tags=["measures"],
    summary="The measure register",
    response_model=list[MeasureOut],
    responses=errors(422),
)
def list_measures(
    request: Request,
    status: str | None = Query(
        None, description="not_started, planned, in_progress, delayed, postponed, completed, reported"
    ),
    reason: str | None = Query(None, description="budget, capacity, awaiting_decision, pandemic, other"),
    area: str | None = Query(None, description="e.g. Forskning, Utdanning"),
    plan: str | None = Query(None, max_length=200, description="part of the plan's name, e.g. 'Handlingsplan 2019'"),
    year: int | None = Query(None, ge=1900, le=2200, description="the plan's year"),
    q: str | None = Query(None, max_length=200, description="words in the measure's title, status or text"),
) -> list[dict[str, Any]]:
    """List measures matching every given filter (empty while the register is not built)."""
    with request.app.state.assistant.store.connect() as conn:
        ensure_schema(conn)
        found = query_measures(
            conn,
            status=_given(status),
            reason=_given(reason),
            area=_given(area),
            plan=_given(plan),
            year=year,
            text=_given(q),
        )
    return [{**dataclasses.asdict(m), "year": m.year} for m in found]
