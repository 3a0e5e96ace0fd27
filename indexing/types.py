"""Frozen dataclasses passed between the indexing stages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property


def content_hash(*parts: object) -> str:
    """Return a short stable hash of the given parts."""
    h = hashlib.sha256()
    for part in parts:
        h.update(str(part).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:32]


@dataclass(frozen=True)
class Page:
    """Text of one page or slide (number is None for documents without pages)."""

    number: int | None
    text: str


@dataclass(frozen=True)
class Document:
    """A loaded source document before chunking."""

    source: str
    title: str
    date: str | None
    sha256: str
    kind: str
    pages: tuple[Page, ...]


@dataclass(frozen=True)
class Unit:
    """A piece that must stay whole: heading, paragraph sentence group, list item or table row."""

    kind: str
    text: str
    page: int | None
    heading: str | None


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage; its id is a hash of its source, position and content."""

    source: str
    title: str
    page: int | None
    heading: str | None
    text: str
    position: int
    kind: str = "text"
    id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", content_hash(self.source, self.position, self.page, self.text))

    @cached_property
    def units(self) -> list[str]:
        """Return the chunk's whole pieces (one per line), split once."""
        return [line for line in self.text.split("\n") if line.strip()]

    def embedding_text(self) -> str:
        """Return the text that is keyword-indexed: title and heading give context."""
        head = f"{self.heading}: " if self.heading else ""
        return f"{self.title}. {head}{self.text}"

    def unit_texts(self) -> list[str]:
        """Return what is embedded for each unit: the unit with its title and heading as context."""
        head = f"{self.heading}: " if self.heading else ""
        return [f"{self.title}. {head}{unit.removeprefix('- ')}" for unit in self.units]

    def unit_ids(self) -> list[str]:
        """Return the vector ids of the chunk's units."""
        return [f"{self.id}:{i}" for i in range(len(self.units))]
