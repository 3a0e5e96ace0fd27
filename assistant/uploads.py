"""Upload guards: safe file names, accepted types, and size limits checked early and while reading."""

from __future__ import annotations

import unicodedata
from pathlib import PurePath

from starlette.datastructures import UploadFile
from starlette.types import Message, Receive

from indexing.errors import BadRequest, DocumentTooLarge, UnsupportedFileType
from indexing.loaders import SUPPORTED_SUFFIXES

MULTIPART_OVERHEAD = 64 * 1024
MAX_FILES = 10
MAX_NAME_CHARS = 150
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
}
INLINE = (".pdf", ".txt", ".md")


class InvalidName(BadRequest):
    """The file name is empty or only dots once unsafe characters are removed."""

    code = "invalid_name"


def safe_name(raw: str | None) -> str:
    """Return the file's base name without control characters or separators; raise InvalidName if none is left."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/")).rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in ':*?"<>|')
    name = " ".join(name.split()).lstrip(". ").rstrip(" ")
    if not name.strip("."):
        raise InvalidName(
            f"'{raw or ''}' is not a usable file name. Give the file a name such as 'handlingsplan-2024.pdf'."
        )
    if len(name) > MAX_NAME_CHARS:
        suffix = PurePath(name).suffix[:10]
        name = name[: MAX_NAME_CHARS - len(suffix)].rstrip(". ") + suffix
    return name


def check_type(name: str) -> None:
    """Raise UnsupportedFileType (415) unless the name has a supported extension."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileType(
            f"{name}: '{suffix or 'no extension'}' files are not supported. Use one of {', '.join(SUPPORTED_SUFFIXES)}."
        )


def size_text(n: int) -> str:
    """Return a size as people read it (MB = 1024 × 1024 bytes, as PLAN_MAX_UPLOAD_MB)."""
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, round(n / 1024))} kB"


def too_large(what: str, size: int, limit: int) -> DocumentTooLarge:
    """Return the 413 error for something over the limit."""
    return DocumentTooLarge(
        f"{what} is {size_text(size)}; the limit is {size_text(limit)} per upload. "
        "Split the document or ask the administrator to raise PLAN_MAX_UPLOAD_MB."
    )


def check_content_length(header: str | None, limit: int) -> None:
    """Refuse a request whose declared size is over the limit before reading its body."""
    if header is None:
        return
    try:
        size = int(header)
    except ValueError:
        raise BadRequest("The Content-Length header is not a number.") from None
    if size > limit + MULTIPART_OVERHEAD:
        raise too_large("The upload", size, limit)


def limited_receive(receive: Receive, limit: int) -> Receive:
    """Wrap an ASGI receive so that a body larger than `limit` (however it is sent) raises 413."""
    seen = 0

    async def _receive() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise too_large("The upload", seen, limit - MULTIPART_OVERHEAD)
        return message

    return _receive


async def read_limited(upload: UploadFile, name: str, limit: int) -> bytes:
    """Read an uploaded file, raising 413 if it is larger than the limit."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise too_large(name, upload.size or len(data), limit)
    return data
