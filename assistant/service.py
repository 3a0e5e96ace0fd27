"""The one `answer()` behind every edge, plus ingestion; built once per process from Settings."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

from assistant.compose import abstain, compose
from assistant.config import Settings
from assistant.query import Query, analyse
from assistant.retrieval import Retriever
from assistant.types import Answer, Hit
from indexing.embedding import Embedder, make_embedder
from indexing.errors import BadRequest
from indexing.pipeline import Indexer, IngestReport
from indexing.store import Store
from indexing.types import Chunk

MAX_QUESTION_CHARS = 2000


class Assistant:
    """Holds the store, embedder and retriever; models load on first use and are shared by threads."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(settings.embedder, settings.st_model)
        self.store = Store(settings.store_dir, self.embedder.name)
        self.retriever = Retriever(self.store, self.embedder)
        self.indexer = Indexer(self.store, self.embedder, max_bytes=settings.upload_limit_bytes * 4)
        self._ingest_lock = threading.Lock()

    def ensure_corpus(self, progress: bool = False) -> IngestReport | None:
        """Index the bundled corpus when the store is empty."""
        if self.store.stats()["documents"]:
            return None
        return self.ingest([Path(self.settings.corpus_dir)], progress=progress)

    def ingest(self, paths: list[Path], prune: bool = False, progress: bool = False) -> IngestReport:
        """Index files and directories incrementally."""
        with self._ingest_lock:
            return self.indexer.ingest(paths, prune=prune, progress=progress)

    def search(self, question: str, history: Sequence[str] = ()) -> tuple[Query, list[Hit]]:
        """Analyse a question and retrieve the passages for it."""
        hist = tuple(h.strip() for h in history if h and h.strip())[-6:]
        index = self.retriever.keyword_index()
        query = analyse(question.strip(), hist, index.vocab)
        hits = self.retriever.search(query, k=self.settings.top_k) if index.chunks else []
        return query, hits

    def _following(self, chunk: Chunk) -> Chunk | None:
        nxt = [c for c in self.store.neighbours(chunk, 0, 1) if c.position == chunk.position + 1]
        return nxt[0] if nxt else None

    def answer(self, question: str, history: Sequence[str] = ()) -> Answer:
        """Answer a question (with earlier questions of the conversation) from the indexed documents."""
        started = time.perf_counter()
        question = (question or "").strip()
        if not question:
            raise BadRequest("The question is empty. Ask something about the plan documents.")
        if len(question) > MAX_QUESTION_CHARS:
            raise BadRequest(f"The question is longer than {MAX_QUESTION_CHARS} characters. Shorten it.")
        query, hits = self.search(question, history)
        index = self.retriever.keyword_index()
        result = (
            compose(query, hits, index, self.settings.max_citations, self._following) if hits else abstain(query)
        )
        result.extra["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return result
