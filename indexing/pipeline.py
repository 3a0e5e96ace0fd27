"""Ingestion: load, clean, chunk, embed (cached) and store documents incrementally."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexing.chunking import chunk_document
from indexing.embedding import Embedder
from indexing.errors import DocumentError
from indexing.loaders import DEFAULT_MAX_BYTES, discover, load_bytes, read_manifest
from indexing.store import Store
from indexing.types import Chunk, Document

DerivedHook = Callable[[sqlite3.Connection, Document | None, str], None]


@dataclass
class IngestReport:
    """What an ingest run did, file by file."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    chunks: int = 0

    @property
    def documents(self) -> int:
        """Return the number of documents added or updated."""
        return len(self.added) + len(self.updated)

    def summary(self) -> str:
        """Return a one-paragraph human summary."""
        lines = [
            f"Documents indexed: {self.documents} ({len(self.added)} new, {len(self.updated)} changed), "
            f"chunks: {self.chunks}, skipped (unchanged): {len(self.skipped)}, removed: {len(self.removed)}, "
            f"failed: {len(self.failed)}"
        ]
        lines += [f"  FAILED {name}: {reason}" for name, _, reason in self.failed]
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        """Return the report as JSON-ready data."""
        return {
            "added": self.added,
            "updated": self.updated,
            "skipped": self.skipped,
            "removed": self.removed,
            "failed": [{"source": n, "code": c, "reason": r} for n, c, r in self.failed],
            "chunks": self.chunks,
        }


def embed_chunks(store: Store, embedder: Embedder, chunks: list[Chunk]) -> np.ndarray:
    """Embed every unit of the chunks (in order), reusing cached vectors for unchanged content."""
    texts = [t for c in chunks for t in c.unit_texts()]
    keys = [store.cache_key(t) for t in texts]
    cached = store.cached_vectors(keys)
    missing = [i for i, k in enumerate(keys) if k not in cached]
    if missing:
        vectors = embedder.embed_passages([texts[i] for i in missing])
        fresh = {keys[i]: vectors[j] for j, i in enumerate(missing)}
        store.cache_vectors(fresh)
        cached.update(fresh)
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    return np.vstack([cached[k] for k in keys])


class Indexer:
    """Ingests files or uploaded bytes into one store."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        max_bytes: int = DEFAULT_MAX_BYTES,
        derived: DerivedHook | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.max_bytes = max_bytes
        self.derived = derived

    def index_document(self, doc: Document, original: bytes | None = None) -> int:
        """Chunk, embed and store one loaded document; return its chunk count."""
        chunks = chunk_document(doc)
        vectors = embed_chunks(self.store, self.embedder, chunks)
        hook = self.derived
        extra = (lambda conn: hook(conn, doc, doc.source)) if hook else None
        self.store.replace_document(doc, chunks, vectors, original=original, extra=extra)
        return len(chunks)

    def ingest_bytes(self, name: str, data: bytes, metadata: dict[str, str] | None = None) -> tuple[str, int]:
        """Index one uploaded file; return ('added'|'updated'|'skipped', chunks). Raises DocumentError."""
        self.store.check_embedder()
        doc = load_bytes(data, name, metadata, self.max_bytes)
        previous = self.store.document_sha(name)
        if previous == doc.sha256:
            return "skipped", 0
        n = self.index_document(doc, original=data)
        return ("updated" if previous else "added"), n

    def remove(self, source: str) -> None:
        """Remove one document and what was derived from it."""
        hook = self.derived
        self.store.delete_document(source, extra=(lambda conn: hook(conn, None, source)) if hook else None)

    def ingest(self, paths: list[Path], prune: bool = False, progress: bool = False) -> IngestReport:
        """Index files and directories incrementally; a bad file is reported and skipped."""
        self.store.check_embedder()
        report = IngestReport()
        files = discover(paths)
        seen: set[str] = set()
        manifests: dict[Path, dict[str, dict[str, str]]] = {}
        bar = None
        if progress and len(files) > 1:
            from tqdm import tqdm

            bar = tqdm(total=len(files), unit="file", desc="Indexing")
        for path in files:
            if bar is not None:
                bar.set_postfix_str(path.name[:30])
            seen.add(path.name)
            try:
                if path.parent not in manifests:
                    manifests[path.parent] = read_manifest(path.parent)
                if not path.is_file():
                    raise DocumentError(f"{path}: no such file.")
                data = path.read_bytes()
                status, n = self.ingest_bytes(path.name, data, manifests[path.parent].get(path.name))
                {"added": report.added, "updated": report.updated, "skipped": report.skipped}[status].append(path.name)
                report.chunks += n
            except DocumentError as exc:
                report.failed.append((path.name, exc.code, exc.message))
            except OSError as exc:
                report.failed.append((path.name, "unreadable_document", f"{path.name}: {exc.strerror}"))
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        if prune:
            for doc in self.store.documents():
                if doc["source"] not in seen:
                    self.remove(doc["source"])
                    report.removed.append(doc["source"])
        return report
