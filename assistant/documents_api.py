"""Routes for the indexed documents (list, upload, download, delete) and cited passages in context."""

from __future__ import annotations

import logging
import re
from pathlib import PurePath
from typing import Any, Literal
from urllib.parse import quote as urlquote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from assistant.compose import citation_text
from assistant.schemas import ErrorDetail, error_body, errors
from assistant.service import Assistant
from assistant.uploads import (
    INLINE,
    MAX_FILES,
    MEDIA_TYPES,
    MULTIPART_OVERHEAD,
    check_content_length,
    check_type,
    limited_receive,
    read_limited,
    safe_name,
)
from indexing.errors import BadRequest, NotFound, PlanAssistantError
from indexing.loaders import SUPPORTED_SUFFIXES
from indexing.types import Chunk

log = logging.getLogger("plan_assistant.documents")
router = APIRouter()


class DocumentOut(BaseModel):
    """One indexed document."""

    source: str = Field(description="File name; the document's id in every other route")
    title: str
    date: str | None = None
    kind: str = Field(examples=["pdf"])
    pages: int
    chunks: int
    ingested_at: str | None = None
    url: str = Field(description="Where the stored original can be opened")


class DocumentList(BaseModel):
    """The indexed documents and the upload rules."""

    documents: list[DocumentOut]
    max_upload_bytes: int
    accepted: list[str] = Field(examples=[list(SUPPORTED_SUFFIXES)])


class UploadResult(BaseModel):
    """What happened to one uploaded file."""

    name: str
    status: Literal["added", "updated", "skipped", "failed"]
    chunks: int = 0
    error: ErrorDetail | None = None


class UploadReport(BaseModel):
    """Per-file results of an upload."""

    results: list[UploadResult]
    documents: int = Field(description="Documents indexed after the upload")


class Removed(BaseModel):
    """The document that was removed."""

    removed: str


class PassageLine(BaseModel):
    """One whole unit of a passage as it stands in the document; `highlight` marks the quoted ones."""

    text: str
    kind: Literal["text", "item", "row"]
    highlight: bool


class PassageBlock(BaseModel):
    """One chunk of the surrounding text."""

    id: str
    position: int
    page: int | None
    heading: str | None
    current: bool
    lines: list[PassageLine]


class PassageOut(BaseModel):
    """A passage with the text around it and where it stands."""

    id: str
    source: str
    title: str
    page: int | None
    heading: str | None
    text: str
    url: str = Field(description="Opens the document at the passage's page")
    context: list[PassageBlock]


MULTIPART_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": f"Up to {MAX_FILES} files ({', '.join(SUPPORTED_SUFFIXES)})",
                        }
                    },
                }
            }
        },
    }
}


UPLOAD_DOC = (
    "Upload one or more files (multipart field `files`, at most 10); each is indexed incrementally and a "
    "file with an indexed name replaces that document. Returns per-file results. The size limit "
    "(PLAN_MAX_UPLOAD_MB) applies per request, so send large files one at a time. When every file fails, the "
    "status is the first failure's (400 bad name, 413 too large, 415 wrong type, 422 corrupt, encrypted or "
    "empty) and the body is the error shape with the results beside it. A failed file leaves what is already "
    "indexed untouched."
)


def _assistant(request: Request) -> Assistant:
    return request.app.state.assistant  # type: ignore[no-any-return]


def document_url(source: str, page: int | None = None) -> str:
    """Return the path that opens a stored original (at a page for PDFs)."""
    base = f"/api/documents/{urlquote(source, safe='')}"
    return f"{base}#page={page}" if page and source.lower().endswith(".pdf") else base


@router.get("/api/documents", tags=["documents"], summary="List the indexed documents", response_model=DocumentList)
def list_documents(request: Request) -> dict[str, Any]:
    """List every indexed document with title, date, kind, pages and chunks, and the upload rules."""
    docs = _assistant(request).store.documents()
    return {
        "documents": [{**d, "url": document_url(d["source"])} for d in docs],
        "max_upload_bytes": request.app.state.settings.upload_limit_bytes,
        "accepted": list(SUPPORTED_SUFFIXES),
    }


async def _ingest_one(request: Request, upload: UploadFile, limit: int) -> tuple[UploadResult, int]:
    name = upload.filename or ""
    try:
        name = safe_name(upload.filename)
        check_type(name)
        data = await read_limited(upload, name, limit)
        assistant = _assistant(request)

        status, chunks = await run_in_threadpool(assistant.ingest_bytes, name, data)
        return UploadResult(name=name, status=status, chunks=chunks), 200  # type: ignore[arg-type]
    except PlanAssistantError as exc:
        log.info("upload of %r refused: %s", name, exc.message)
        error = ErrorDetail(code=exc.code, message=exc.message)
        return UploadResult(name=name, status="failed", error=error), exc.status


@router.post(
    "/api/documents",
    tags=["documents"],
    summary="Upload documents",
    response_model=UploadReport,
    responses=errors(400, 413, 415, 422),
    openapi_extra=MULTIPART_BODY,
    description=UPLOAD_DOC,
)
async def upload_documents(request: Request) -> JSONResponse:
    """Upload one or more files (multipart field `files`); each is indexed incrementally."""
    limit = request.app.state.settings.upload_limit_bytes
    check_content_length(request.headers.get("content-length"), limit)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise BadRequest("Send the files as multipart/form-data in a field named 'files'.")
    limited = Request(request.scope, limited_receive(request.receive, limit + MULTIPART_OVERHEAD))
    form = await limited.form(max_files=MAX_FILES, max_fields=MAX_FILES)
    try:
        uploads = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
        if not uploads:
            raise BadRequest("The upload has no file. Send one or more files in the form field 'files'.")
        outcomes = [await _ingest_one(request, u, limit) for u in uploads]
    finally:
        await form.close()
    results = [r for r, _ in outcomes]
    body: dict[str, Any] = {
        "results": [r.model_dump() for r in results],
        "documents": _assistant(request).store.stats()["documents"],
    }
    if all(r.status == "failed" for r in results):
        first = results[0].error
        assert first is not None
        return JSONResponse({**error_body(first.code, first.message), **body}, status_code=outcomes[0][1])
    return JSONResponse(body)


@router.delete(
    "/api/documents/{name}",
    tags=["documents"],
    summary="Remove a document",
    response_model=Removed,
    responses=errors(404),
)
def delete_document(name: str, request: Request) -> dict[str, str]:
    """Remove a document, its passages, vectors, derived register rows and stored original."""
    _assistant(request).remove(name)
    return {"removed": name}


@router.get(
    "/api/documents/{name}",
    tags=["documents"],
    summary="Download or open the original",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The stored original with its content type; PDFs and text are served inline "
            "so a browser can open `…#page=N`.",
            "content": {t.split(";")[0]: {} for t in MEDIA_TYPES.values()},
        },
        **errors(404),
    },
)
def get_document(name: str, request: Request) -> FileResponse:
    """Return the stored original of an indexed document."""
    store = _assistant(request).store
    source = store.document(name)["source"]
    folder = store.originals_dir.resolve()
    path = (folder / source).resolve()
    if path.parent != folder or not path.is_file():
        raise NotFound(f"The original file of '{name}' is not stored. Upload it again to open it.")
    suffix = PurePath(source).suffix.lower()
    return FileResponse(
        path,
        media_type=MEDIA_TYPES.get(suffix, "application/octet-stream"),
        filename=source,
        content_disposition_type="inline" if suffix in INLINE else "attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
    )


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _lines(chunk: Chunk, quote: str | None) -> list[PassageLine]:
    quote_lines = {_norm(q) for q in (quote or "").split("\n") if q.strip()}
    whole = _norm(quote or "")
    out = []
    for unit in chunk.units:
        shown = citation_text(unit.strip())
        norm = _norm(shown)
        lit = (
            bool(quote_lines)
            and bool(norm)
            and (
                norm in quote_lines
                or (len(norm) >= 12 and norm in whole)
                or any(len(q) >= 12 and q in norm for q in quote_lines)
            )
        )
        kind: Literal["text", "item", "row"] = (
            "item" if unit.startswith("- ") else "row" if unit.startswith("|") else "text"
        )
        out.append(PassageLine(text=shown, kind=kind, highlight=lit))
    return out


def _passage(store: Any, chunk: Chunk, quote: str | None, context: int) -> PassageOut:
    blocks = [
        PassageBlock(
            id=c.id,
            position=c.position,
            page=c.page,
            heading=c.heading,
            current=c.id == chunk.id,
            lines=_lines(c, quote),
        )
        for c in store.neighbours(chunk, context, context)
    ]
    return PassageOut(
        id=chunk.id,
        source=chunk.source,
        title=chunk.title,
        page=chunk.page,
        heading=chunk.heading,
        text=chunk.text,
        url=document_url(chunk.source, chunk.page),
        context=blocks,
    )


QUOTE_QUERY = Query(None, max_length=8000, description="The cited text, to highlight its lines")
CONTEXT_QUERY = Query(1, ge=0, le=3, description="Neighbouring passages on each side")


@router.get(
    "/api/passages/{passage_id}",
    tags=["passages"],
    summary="A cited passage in its context",
    response_model=PassageOut,
    responses=errors(404, 422),
)
def get_passage(
    passage_id: str, request: Request, quote: str | None = QUOTE_QUERY, context: int = CONTEXT_QUERY
) -> PassageOut:
    """Return a passage with its neighbouring passages, source, title, page and heading."""
    store = _assistant(request).store
    return _passage(store, store.chunk(passage_id), quote, context)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


@router.get(
    "/api/passages",
    tags=["passages"],
    summary="Find the passage that contains a quote",
    response_model=PassageOut,
    responses=errors(404, 422),
)
def find_passage(
    request: Request,
    source: str = Query(max_length=300, description="The document's file name"),
    quote: str = Query(min_length=1, max_length=8000, description="The cited text"),
    context: int = CONTEXT_QUERY,
) -> PassageOut:
    """Return the passage of a document that best contains a quote (for citations without a passage id)."""
    store = _assistant(request).store
    store.document(source)
    with store.connect() as conn:
        rows = conn.execute("SELECT id, text FROM chunks WHERE source = ? ORDER BY position", (source,)).fetchall()
    wanted, flat = _words(quote), _norm(quote)

    def score(row: Any) -> tuple[bool, float]:
        return flat in _norm(row["text"]), len(wanted & _words(row["text"])) / max(len(wanted), 1)

    best = max(rows, key=score, default=None)
    if best is None or score(best)[1] < 0.6:
        raise NotFound(f"The quoted text was not found in '{source}'.")
    return _passage(store, store.chunk(best["id"]), quote, context)
