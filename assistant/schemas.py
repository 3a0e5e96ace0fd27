"""Shared API models: the one error shape and the OpenAPI descriptions of error responses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    """A stable machine-readable code and a message that says what to do."""

    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["No document named 'plan.pdf' is indexed."])


class ErrorBody(BaseModel):
    """The one error shape of every endpoint."""

    error: ErrorDetail


def error_body(code: str, message: str) -> dict[str, Any]:
    """Return the one error shape."""
    return {"error": {"code": code, "message": message}}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Describe error responses (all in the one error shape) for a route's OpenAPI entry."""
    text = {
        400: "Malformed request or file name",
        404: "Not found",
        413: "Upload too large",
        415: "Unsupported file type",
        422: "Invalid request, or an unreadable document (corrupt, encrypted or empty)",
        500: "Internal error",
    }
    return {s: {"model": ErrorBody, "description": text.get(s, "Error")} for s in statuses}
