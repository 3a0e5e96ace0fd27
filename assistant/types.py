"""Frozen dataclasses passed between the answering stages and to the edges."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from indexing.types import Chunk


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the ranks that produced it."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None
    dense_score: float | None = None
    unit_scores: tuple[float, ...] = ()


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer: the exact passage and where it stands."""

    n: int
    source: str
    title: str
    page: int | None
    text: str
    passage_id: str | None = None
    heading: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the result-format shape (see shared/eval/FORMAT.md)."""
        return {
            "n": self.n,
            "source": self.source,
            "title": self.title,
            "page": self.page,
            "text": self.text,
            "passage_id": self.passage_id,
            "heading": self.heading,
        }


@dataclass(frozen=True)
class Answer:
    """An answer: text with [n] markers, its citations, and whether it abstained."""

    question: str
    answer: str
    citations: tuple[Citation, ...]
    abstained: bool
    lang: str
    mode: str = "passages"
    completeness: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the JSON shape shared by the CLI, API, bots and eval results."""
        data = asdict(self)
        data["citations"] = [c.to_json() for c in self.citations]
        return data
