"""The FastAPI application: thin routes over the one Assistant; one JSON error shape everywhere."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant import __version__
from assistant.config import Settings
from assistant.service import Assistant
from indexing.errors import PlanAssistantError

log = logging.getLogger("plan_assistant.api")


def error_body(code: str, message: str) -> dict[str, Any]:
    """Return the one error shape."""
    return {"error": {"code": code, "message": message}}


class AskRequest(BaseModel):
    """A question with the earlier questions of the conversation."""

    question: str = Field(min_length=1, max_length=2000, examples=["Hvilke tiltak er forsinket på grunn av budsjett?"])
    history: list[str] = Field(default_factory=list, max_length=20)


def install_error_handlers(app: FastAPI) -> None:
    """Translate domain errors, validation errors and HTTP errors into one JSON shape."""

    @app.exception_handler(PlanAssistantError)
    async def _domain(_: Request, exc: PlanAssistantError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()]
        return JSONResponse(error_body("invalid_request", "; ".join(parts) or "Invalid request."), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal_error", "Something went wrong on our side. Try again."), 500)


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    """Build the app; the Assistant (and its models) is created once per process."""
    settings = settings or Settings()
    assistant = assistant or Assistant(settings)
    app = FastAPI(
        title="Plan Assistant",
        version=__version__,
        description="Answers questions about plan documents with cited passages, or says it finds no support.",
    )
    app.state.settings = settings
    app.state.assistant = assistant
    install_error_handlers(app)

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, Any]:
        """Report that the service is up, with index counts."""
        return {"status": "ok", "version": __version__, **assistant.store.stats()}

    @app.post("/api/ask", tags=["answers"])
    def ask(body: AskRequest) -> dict[str, Any]:
        """Answer a question; the same JSON as `plan-assistant ask --json`."""
        return assistant.answer(body.question, body.history).to_json()

    from assistant.bots import mount_bots

    mount_bots(app, assistant, settings)
    return app
