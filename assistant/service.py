"""The one `answer()` behind every edge, plus ingestion; built once per process from Settings."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from assistant.compose import abstain, compose
from assistant.config import Settings
from assistant.measures import (
    LOOKUP,
    all_measures,
    best_title_match,
    history_answer,
    matches,
    measure_series,
    parse,
    register_answer,
)
from assistant.query import Query, analyse
from assistant.retrieval import Retriever
from assistant.types import Answer, Hit
from indexing.embedding import Embedder, make_embedder
from indexing.errors import BadRequest
from indexing.measures import Measure, extract_measures
from indexing.pipeline import Indexer, IngestReport
from indexing.register import delete_source, ensure_schema, relink, replace_measures
from indexing.store import Store
from indexing.types import Chunk, Document

MAX_QUESTION_CHARS = 2000
SUPPORT = {"nb": "Fra dokumentene:", "en": "From the documents:"}


def update_register(conn: sqlite3.Connection, doc: Document | None, source: str) -> None:
    """Keep the measure register in step with the index (called inside the store's transaction)."""
    ensure_schema(conn)
    if doc is None:
        delete_source(conn, source)
    else:
        replace_measures(conn, source, extract_measures(doc))
    relink(conn)


def merge_answers(primary: Answer, extra: Answer, keep: int = 2) -> Answer:
    """Append a passage answer's first cited lines to a register answer, renumbering its citations."""
    offset = len(primary.citations)
    cites = [dataclasses.replace(c, n=c.n + offset) for c in extra.citations[:keep]]
    lines = extra.answer.split("\n")[1 : keep + 1]
    body = re.sub(r"\[(\d+)\]", lambda m: f"[{int(m.group(1)) + offset}]", "\n".join(lines))
    text = f"{primary.answer}\n\n{SUPPORT[primary.lang]}\n{body}"
    return dataclasses.replace(primary, answer=text, citations=primary.citations + tuple(cites))


class Assistant:
    """Holds the store, embedder and retriever; models load on first use and are shared by threads."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(settings.embedder, settings.st_model)
        self.store = Store(settings.store_dir, self.embedder.name)
        self.retriever = Retriever(self.store, self.embedder)
        self.indexer = Indexer(
            self.store, self.embedder, max_bytes=settings.upload_limit_bytes * 4, derived=update_register
        )
        self._register: tuple[int, list[Measure]] = (-1, [])
        self._source_cache: tuple[int, dict[str, list[str]], dict[str, str]] = (-1, {}, {})
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

    def ingest_bytes(self, name: str, data: bytes) -> tuple[str, int]:
        """Index one uploaded file; return its status and chunk count."""
        with self._ingest_lock:
            return self.indexer.ingest_bytes(name, data)

    def remove(self, source: str) -> None:
        """Remove one document and what was derived from it."""
        with self._ingest_lock:
            self.indexer.remove(source)

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

    def measures(self) -> list[Measure]:
        """Return the whole measure register (cached until the store changes)."""
        gen = self.store.generation()
        if self._register[0] != gen:
            self._register = (gen, all_measures(self.store))
        return self._register[1]

    def _sources(self) -> tuple[dict[str, list[str]], dict[str, str]]:
        """Return each document's units and title (cached until the store changes)."""
        gen = self.store.generation()
        if self._source_cache[0] != gen:
            units: dict[str, list[str]] = {}
            for c in self.retriever.keyword_index().chunks:
                units.setdefault(c.source, []).extend(c.units)
            titles = {d["source"]: d["title"] for d in self.store.documents()}
            self._source_cache = (gen, units, titles)
        return self._source_cache[1], self._source_cache[2]

    def _from_register(self, query: Query) -> Answer | None:
        """Answer list, count and status questions about measures from the register, if they are such."""
        measures = self.measures()
        if not measures:
            return None
        areas = sorted({m.area for m in measures if m.area})
        mq = parse(query.question, areas, query)
        if query.followup and query.history:
            mq = mq.merged(parse(query.history[-1], areas))
        units, titles = self._sources()
        listing = query.intent in ("list", "count") and mq.mentions_measures
        scoped = mq.filters or (query.intent == "count" and bool(mq.years or mq.plan_kind))
        if listing and scoped and any(matches(m, mq) for m in measures):
            return register_answer(query.question, query.lang, mq, measures, units, titles)
        if LOOKUP.search(query.question):
            target = best_title_match(query.question, query, measures)
            if target is not None:
                return history_answer(
                    query.question, query.lang, target, measure_series(self.store, target.id), units, titles
                )
        return None

    def answer(self, question: str, history: Sequence[str] = ()) -> Answer:
        """Answer a question (with earlier questions of the conversation) from the indexed documents."""
        return self.answer_with_hits(question, history)[0]

    def answer_with_hits(self, question: str, history: Sequence[str] = ()) -> tuple[Answer, list[Hit]]:
        """Answer a question and also return the passages retrieved for it (evaluation's hit@k)."""
        started = time.perf_counter()
        question = (question or "").strip()
        if not question:
            raise BadRequest("The question is empty. Ask something about the plan documents.")
        if len(question) > MAX_QUESTION_CHARS:
            raise BadRequest(f"The question is longer than {MAX_QUESTION_CHARS} characters. Shorten it.")
        query, hits = self.search(question, history)
        index = self.retriever.keyword_index()
        register = self._from_register(query)
        if register is not None and query.intent != "count":
            result = register
        else:
            passages = (
                compose(query, hits, index, self.settings.max_citations, self._following) if hits else abstain(query)
            )
            if register is None:
                result = passages
            else:  # a count: the register's list, plus the documents' own statement of the number
                result = register if passages.abstained else merge_answers(register, passages, keep=2)
        result.extra["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return result, hits
