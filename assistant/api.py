"""The FastAPI application: thin routes over the one Assistant; one JSON error shape everywhere."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Scope

from assistant import __version__
from assistant.config import Settings
from assistant.schemas import error_body, errors
from assistant.service import Assistant
from assistant.streaming import SSE_HEADERS, sse, text_pieces
from indexing.errors import PlanAssistantError

log = logging.getLogger("plan_assistant.api")
STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
TAGS = [
    {"name": "answers", "description": "Ask questions; answers quote the documents with numbered citations."},
    {"name": "documents", "description": "List, upload, download and remove the indexed documents."},
    {"name": "passages", "description": "Cited passages with their surrounding text."},
    {"name": "measures", "description": "The measure register (tiltak and their reported status)."},
    {"name": "feedback", "description": "Thumbs up/down and comments on answers."},
    {"name": "openai", "description": "OpenAI-compatible endpoints for existing chat front ends."},
    {"name": "service", "description": "Health and version."},
]
__all__ = ["AskRequest", "create_app", "error_body"]


class AskRequest(BaseModel):
    """A question with the earlier questions of the conversation."""

    question: str = Field(min_length=1, max_length=2000, examples=["Hvilke tiltak er forsinket på grunn av budsjett?"])
    history: list[str] = Field(default_factory=list, max_length=20)


class CitationOut(BaseModel):
    """One numbered source: the exact quoted passage and where it stands."""

    n: int
    source: str
    title: str
    page: int | None
    text: str
    passage_id: str | None = None
    heading: str | None = None


class AnswerOut(BaseModel):
    """An answer with [n] markers, its citations, and whether it abstained (same JSON as the CLI)."""

    model_config = ConfigDict(extra="allow")

    question: str
    answer: str
    citations: list[CitationOut]
    abstained: bool
    lang: str
    mode: str
    completeness: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class Health(BaseModel):
    """Service status and index counts."""

    model_config = ConfigDict(extra="allow")

    status: str = Field(examples=["ok"])
    version: str
    documents: int
    chunks: int
    embedder: str | None = None


CHAT_EXAMPLE = (
    ": answering\n\n"
    'event: answer\ndata: {"text": "Dette står i dokumentene:\\n"}\n\n'
    'event: answer\ndata: {"text": "- Reetablere årlig opplæringstilbud [1]"}\n\n'
    'event: citations\ndata: {"citations": [{"n": 1, "source": "001.txt", "title": "…", "page": null, '
    '"text": "…", "passage_id": "fcd7…", "heading": "FORSKNING"}]}\n\n'
    'event: done\ndata: {"question": "…", "answer": "…", "citations": [], "abstained": false, "lang": "nb"}\n\n'
)


class PageAssets(StaticFiles):
    """The page's static files, revalidated on every load so a new version shows at once."""

    def file_response(self, full_path: Any, stat_result: Any, scope: Scope, status_code: int = 200) -> Response:
        """Serve a file with no-cache and nosniff headers."""
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


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
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}.get(
            exc.status_code, "http_error"
        )
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"Nothing here: {request.method} {request.url.path}. The API is described at /docs."
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal_error", "Something went wrong on our side. Try again."), 500)


async def chat_events(assistant: Assistant, question: str, history: Sequence[str]) -> AsyncIterator[str]:
    """Yield the SSE frames of one answer: text deltas, then citations, then the full answer (or an error)."""
    yield ": answering\n\n"
    try:
        answer = await run_in_threadpool(assistant.answer, question, list(history))
    except PlanAssistantError as exc:
        yield sse("error", error_body(exc.code, exc.message))
        return
    except Exception as exc:  # noqa: BLE001 - the stream has started; report in-band
        log.exception("chat failed", exc_info=exc)
        yield sse("error", error_body("internal_error", "Something went wrong on our side. Try again."))
        return
    pieces = text_pieces(answer.answer)
    delay = min(0.015, 1.0 / max(len(pieces), 1))
    for piece in pieces:
        yield sse("answer", {"text": piece})
        await asyncio.sleep(delay)
    yield sse("citations", {"citations": [c.to_json() for c in answer.citations]})
    yield sse("done", answer.to_json())


def _page(version: str) -> HTMLResponse:
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8").replace("{{version}}", version)
    headers = {"Content-Security-Policy": PAGE_CSP, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
    return HTMLResponse(html, headers=headers)


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    """Build the app; the Assistant (and its models) is created once per process."""
    settings = settings or Settings()
    assistant = assistant or Assistant(settings)
    app = FastAPI(
        title="Plan Assistant",
        version=__version__,
        description=(
            "Answers questions about plan documents with cited passages, or says it finds no support. "
            'Every error has the shape `{"error": {"code": …, "message": …}}`.'
        ),
        openapi_tags=TAGS,
    )
    app.state.settings = settings
    app.state.assistant = assistant
    install_error_handlers(app)

    @app.get("/healthz", tags=["service"], summary="Health check", response_model=Health)
    def healthz() -> dict[str, Any]:
        """Report that the service is up, with index counts."""
        return {"status": "ok", "version": __version__, **assistant.store.stats()}

    @app.post(
        "/api/ask", tags=["answers"], summary="Answer a question", response_model=AnswerOut,
        responses=errors(400, 422),
    )  # fmt: skip
    def ask(body: AskRequest) -> dict[str, Any]:
        """Answer a question; the same JSON as `plan-assistant ask --json`."""
        return assistant.answer(body.question, body.history).to_json()

    @app.post(
        "/api/chat",
        tags=["answers"],
        summary="Answer a question as a stream of server-sent events",
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "Events `answer` ({text}: a delta), `citations` ({citations}), `done` (the full "
                "answer JSON, as /api/ask) or `error` (the error shape).",
                "content": {"text/event-stream": {"example": CHAT_EXAMPLE}},
            },
            **errors(422),
        },
    )
    async def chat(body: AskRequest) -> StreamingResponse:
        """Stream the answer text in small pieces, then its citations, then the full answer."""
        return StreamingResponse(
            chat_events(assistant, body.question, body.history), media_type="text/event-stream", headers=SSE_HEADERS
        )

    from assistant.documents_api import router as documents_router
    from assistant.feedback_api import router as feedback_router
    from assistant.measures_api import router as measures_router
    from assistant.openai_compat import router as openai_router

    for router in (documents_router, measures_router, feedback_router, openai_router):
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        """Serve the web chat."""
        return _page(__version__)

    app.mount("/static", PageAssets(directory=STATIC_DIR), name="static")

    from assistant.bots import mount_bots

    mount_bots(app, assistant, settings)
    return app
