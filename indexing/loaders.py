"""Loads PDF, DOCX, PPTX, TXT and MD files into Documents with pages or slides."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from indexing.cleaning import clean_text
from indexing.errors import (
    CorruptDocument,
    DocumentError,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    UnsupportedFileType,
)
from indexing.types import Document, Page

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".pptx", ".txt", ".md")
MANIFEST_NAME = "manifest.json"
DEFAULT_MAX_BYTES = 100 * 1024 * 1024


def file_sha256(data: bytes) -> str:
    """Return the hex sha256 of file content."""
    return hashlib.sha256(data).hexdigest()


def read_manifest(directory: Path) -> dict[str, dict[str, str]]:
    """Read titles and dates from a directory's manifest.json, if there is one."""
    path = directory / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CorruptDocument(f"{name}: the UTF-16 text is damaged ({exc.reason}).") from exc
    if b"\x00" in data[:4096]:
        raise CorruptDocument(
            f"{name}: this is a binary file, not text. Save it as UTF-8 text, PDF, DOCX or PPTX and try again."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        if text.count("\ufffd") > max(3, len(text) // 200):
            raise CorruptDocument(
                f"{name}: the text is neither UTF-8 nor Windows-1252. Save it as UTF-8 and try again."
            ) from None
        return text


def _load_text(data: bytes, name: str) -> list[Page]:
    return [Page(None, clean_text(decode_text(data, name)))]


def _load_markdown(data: bytes, name: str) -> list[Page]:
    text = decode_text(data, name)
    text = re.sub(r"^(#{1,6})\s*", "# ", text, flags=re.M)
    text = re.sub(r"^\s*[*+]\s+", "- ", text, flags=re.M)
    text = re.sub(r"^\s*\|?\s*:?-{3,}.*$", "", text, flags=re.M)
    return [Page(None, clean_text(text))]


def _load_pdf(data: bytes, name: str) -> list[Page]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = bool(reader.decrypt(""))
            except Exception:  # noqa: BLE001 - pypdf raises several types for unknown ciphers
                ok = False
            if not ok:
                raise EncryptedDocument(
                    f"{name}: the PDF is password protected. Remove the password and upload it again."
                )
        pages = [Page(i + 1, clean_text(p.extract_text() or "")) for i, p in enumerate(reader.pages)]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError, IndexError) as exc:
        raise CorruptDocument(f"{name}: the PDF is damaged and cannot be read ({exc}).") from exc
    return pages


def _cell_text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().replace("|", "/")


def _table_rows(rows: list[list[tuple[object, str]]]) -> list[str]:
    """Render table rows as '| a | b |' lines; a merged cell (same element repeated) appears once."""
    out = []
    for cells in rows:
        kept = [text for i, (key, text) in enumerate(cells) if i == 0 or key is not cells[i - 1][0]]
        if any(kept):
            out.append("| " + " | ".join(kept) + " |")
    return out


def _load_docx(data: bytes, name: str) -> list[Page]:
    import io

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptDocument(f"{name}: the DOCX file is damaged or not a Word document ({exc}).") from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text.strip()
            style = (block.style.name or "").lower() if block.style is not None else ""
            if not text:
                lines.append("")
            elif style.startswith(("heading", "title", "overskrift")):
                lines += ["", f"# {text}"]
            elif "list" in style or block._p.pPr is not None and block._p.pPr.numPr is not None:
                lines.append(f"- {text}")
            else:
                lines += [text, ""]
        elif isinstance(block, Table):
            rows = [[(c._tc, _cell_text(c.text)) for c in r.cells] for r in block.rows]
            lines += ["", *_table_rows(rows), ""]
    return [Page(None, clean_text("\n".join(lines)))]


def _load_pptx(data: bytes, name: str) -> list[Page]:
    import io

    from pptx import Presentation

    try:
        deck = Presentation(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptDocument(f"{name}: the PPTX file is damaged or not a PowerPoint deck ({exc}).") from exc
    pages = []
    for number, slide in enumerate(deck.slides, start=1):
        lines: list[str] = []
        title_shape = slide.shapes.title
        if title_shape is not None and title_shape.has_text_frame and title_shape.text_frame.text.strip():
            lines += [f"# {title_shape.text_frame.text.strip()}", ""]
        for shape in slide.shapes:
            if title_shape is not None and shape.shape_id == title_shape.shape_id:
                continue
            if getattr(shape, "has_table", False) and shape.has_table:
                rows = [[(object(), _cell_text(c.text)) for c in r.cells] for r in shape.table.rows]
                lines += ["", *_table_rows(rows), ""]
            elif shape.has_text_frame:
                for para in shape.text_frame.paragraphs:
                    text = "".join(run.text for run in para.runs).strip()
                    if text:
                        lines.append(f"- {text}" if para.level > 0 else text)
                lines.append("")
        pages.append(Page(number, clean_text("\n".join(lines))))
    return pages


_LOADERS: dict[str, Callable[[bytes, str], list[Page]]] = {
    ".pdf": _load_pdf,
    ".docx": _load_docx,
    ".pptx": _load_pptx,
    ".txt": _load_text,
    ".md": _load_markdown,
}


def derive_title(pages: list[Page], fallback: str) -> str:
    """Use the first heading or short first line as the title."""
    for page in pages:
        for line in page.text.split("\n"):
            line = line.lstrip("#-| ").strip()
            if 3 <= len(line) <= 120:
                return line
    return fallback


def load_bytes(
    data: bytes, name: str, metadata: dict[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document:
    """Load one document from its bytes; raise a DocumentError saying what is wrong."""
    suffix = Path(name).suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise UnsupportedFileType(
            f"{name}: '{suffix or 'no extension'}' files are not supported. Use one of {', '.join(SUPPORTED_SUFFIXES)}."
        )
    if len(data) > max_bytes:
        raise DocumentTooLarge(
            f"{name}: the file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB. "
            "Split it or raise PLAN_MAX_UPLOAD_MB."
        )
    if not data.strip():
        raise EmptyDocument(f"{name}: the file is empty.")
    pages = [p for p in loader(data, name) if p.text.strip()]
    if not pages:
        hint = " (a scanned PDF needs OCR first)" if suffix == ".pdf" else ""
        raise EmptyDocument(f"{name}: the document has no extractable text{hint}.")
    meta = metadata or {}
    return Document(
        source=name,
        title=meta.get("title") or derive_title(pages, Path(name).stem),
        date=meta.get("date"),
        sha256=file_sha256(data),
        kind=suffix.lstrip("."),
        pages=tuple(pages),
    )


def load_document(path: Path, metadata: dict[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Load one file; metadata defaults to its directory's manifest entry."""
    if metadata is None:
        metadata = read_manifest(path.parent).get(path.name)
    try:
        if path.stat().st_size > max_bytes:
            raise DocumentTooLarge(
                f"{path.name}: the file is {path.stat().st_size / 1e6:.1f} MB; the limit is "
                f"{max_bytes / 1e6:.1f} MB. Split it or raise PLAN_MAX_UPLOAD_MB."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path.name}: cannot read the file ({exc.strerror}).") from exc
    return load_bytes(data, path.name, metadata, max_bytes)


def discover(paths: list[Path]) -> list[Path]:
    """Expand directories into the files inside them (manifest excluded), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.name != MANIFEST_NAME
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found.append(path)
    return found
