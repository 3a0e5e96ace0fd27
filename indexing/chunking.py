"""Chunks cleaned documents by structure: headings, list items, table rows and records stay whole."""

from __future__ import annotations

import re
from collections.abc import Iterable

from indexing.cleaning import is_lead_in
from indexing.types import Chunk, Document, Page, Unit

MAX_CHUNK_CHARS = 650
_RECORD_START = re.compile(r"^\d{1,3}\s+[A-ZÆØÅ«\"]")
_LONE_VALUE = re.compile(r"^[\d.,%\s–-]{1,12}$")


def _blocks(text: str) -> list[list[str]]:
    return [[ln for ln in b.split("\n") if ln.strip()] for b in text.split("\n\n") if b.strip()]


def _short_block(block: list[str]) -> bool:
    return len(block) <= 3 and all(len(line) <= 160 for line in block) and not block[0].startswith("#")


_OPEN_ENDINGS = frozenset({"i", "og", "for", "av", "med", "til", "som", "på", "om", "the", "of"})


def _lone_line(block: list[str]) -> bool:
    """A block of one short line without sentence punctuation (a glyph-less bullet or a label)."""
    return len(block) == 1 and len(block[0]) <= 60 and not block[0].endswith((".", ":", ";"))


def _is_slide_heading(block: list[str], following: list[str] | None, previous: list[str] | None = None) -> bool:
    """A lone short line with no sentence punctuation, followed by real content, titles a section.

    Not when it continues a run of such lines: that is a list drawn without bullet glyphs.
    """
    if len(block) != 1 or following is None:
        return False
    if previous is not None and _lone_line(previous) and not previous[0].startswith("#"):
        return False
    line = block[0]
    if len(line) > 60 or line.endswith((".", "!", "?", ",", ";")) or _LONE_VALUE.match(line):
        return False
    if line.startswith(("-", "|", "#")) or _RECORD_START.match(line):
        return False
    if is_lead_in(line):
        return False  # a lead-in sentence belongs with what it leads into
    if line.rsplit(" ", 1)[-1].lower() in _OPEN_ENDINGS:
        return False
    return len(following) >= 2 or len(following[0]) > 60 or following[0].startswith("- ")


def units_of_page(page: Page) -> Iterable[Unit]:
    """Split a page into whole units, tracking the current section heading."""
    heading: str | None = None
    blocks = _blocks(page.text)
    i = 0
    while i < len(blocks):
        block = blocks[i]
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if _RECORD_START.match(block[0]):
            parts = [" ".join(block)]
            j = i + 1
            texts = 0
            while j < len(blocks) and _short_block(blocks[j]) and not _RECORD_START.match(blocks[j][0]):
                lone = bool(_LONE_VALUE.match(" ".join(blocks[j])))
                if not lone and texts:
                    break
                parts.append(" ".join(blocks[j]))
                j += 1
                if lone:
                    break
                texts += 1
            yield Unit("record", " ".join(parts), page.number, heading)
            i = j
            continue
        if _is_slide_heading(block, following, blocks[i - 1] if i else None):
            heading = block[0]
            yield Unit("heading", block[0], page.number, heading)
            i += 1
            continue
        for k, line in enumerate(block):
            if k == 0 and len(block) > 1 and block[1].startswith("- ") and _is_slide_heading([line], block[1:]):
                line = f"# {line}"
            if line.startswith("# "):
                text = line[2:].strip()
                heading = text.rstrip(":").strip()
                yield Unit("heading", text, page.number, heading)
            elif line.startswith("- "):
                yield Unit("list_item", line, page.number, heading)
            elif line.startswith("|"):
                yield Unit("table_row", line, page.number, heading)
            else:
                yield Unit("text", line, page.number, heading)
        i += 1


def _split_long(text: str, limit: int) -> list[str]:
    """Split an over-long text unit at sentence ends, never inside a sentence unless it must."""
    if len(text) <= limit:
        return [text]
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9«\"])", text)
    out: list[str] = []
    for sentence in sentences:
        if out and len(out[-1]) + len(sentence) + 1 <= limit:
            out[-1] = f"{out[-1]} {sentence}"
        else:
            out.append(sentence)
    return out


def _groups(units: list[Unit]) -> list[list[Unit]]:
    """Group a lead-in line with the list items that follow it, so a list stays with its intro."""
    groups: list[list[Unit]] = []
    for unit in units:
        if (
            unit.kind == "list_item"
            and groups
            and groups[-1][-1].kind in ("text", "list_item")
            and groups[-1][-1].heading == unit.heading
            and groups[-1][-1].page == unit.page
        ):
            groups[-1].append(unit)
        else:
            groups.append([unit])
    return groups


def chunk_document(doc: Document, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    """Pack a document's units into chunks that never cross a heading or a page."""
    chunks: list[Chunk] = []
    buf: list[str] = []
    kinds: set[str] = set()
    state: tuple[int | None, str | None] = (None, None)

    def flush() -> None:
        if buf and kinds:
            kind = next(iter(kinds)) if len(kinds) == 1 else "mixed"
            chunks.append(Chunk(doc.source, doc.title, state[0], state[1], "\n".join(buf), len(chunks), kind))
        buf.clear()
        kinds.clear()

    def size() -> int:
        return sum(len(b) + 1 for b in buf)

    units = [u for page in doc.pages for u in units_of_page(page)]
    for group in _groups(units):
        first = group[0]
        if (first.page, first.heading) != state or first.kind == "heading":
            flush()
            state = (first.page, first.heading)
        if first.kind == "heading":
            buf.append(first.text)
            continue
        pieces = [(u.kind, p) for u in group for p in _split_long(u.text, max_chars)]
        if buf and size() + sum(len(p) + 1 for _, p in pieces) > max_chars:
            flush()
        for kind, piece in pieces:
            if buf and size() + len(piece) > max_chars:
                flush()
            buf.append(piece)
            kinds.add(kind)
    flush()
    return chunks
