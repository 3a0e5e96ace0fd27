"""The index on disk: SQLite for documents, chunks and the embedding cache; Chroma for vectors."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from indexing.errors import NotFound, StoreMismatch
from indexing.types import Chunk, Document, content_hash

COLLECTION = "chunks"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY, title TEXT NOT NULL, date TEXT, sha256 TEXT NOT NULL, kind TEXT NOT NULL,
    pages INTEGER NOT NULL, chunks INTEGER NOT NULL, ingested_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, position INTEGER NOT NULL, page INTEGER, heading TEXT,
    text TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source, position);
CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
"""


def _row_chunk(row: sqlite3.Row) -> Chunk:
    return Chunk(
        source=row["source"],
        title=row["title"],
        page=row["page"],
        heading=row["heading"],
        text=row["text"],
        position=row["position"],
        kind=row["kind"],
        id=row["id"],
    )


class Store:
    """A store directory; cheap to construct, opens connections per operation."""

    def __init__(self, root: Path, embedder_name: str) -> None:
        self.root = Path(root)
        self.embedder_name = embedder_name
        self._lock = threading.RLock()
        self._collection: Any = None
        self._schema_ready = False

    @property
    def db_path(self) -> Path:
        """Return the SQLite file path."""
        return self.root / "index.sqlite"

    @property
    def originals_dir(self) -> Path:
        """Return the directory that keeps a copy of every ingested file."""
        return self.root / "documents"

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """Open a connection in a transaction (committed on success, rolled back on error)."""
        self.root.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.db_path, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            if not self._schema_ready:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
                self._schema_ready = True
            with conn:
                yield conn
        finally:
            conn.close()

    def _meta(self, conn: sqlite3.Connection, key: str) -> str | None:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def built_with(self) -> str | None:
        """Return the name of the embedder that built this store, if any."""
        with self.connect() as conn:
            return self._meta(conn, "embedder")

    def check_embedder(self) -> None:
        """Refuse to mix vectors from two embedders."""
        built = self.built_with()
        if built and built != self.embedder_name:
            raise StoreMismatch(
                f"The store at {self.root} was built with '{built}', but the configured embedder is "
                f"'{self.embedder_name}'. Use another --store directory or set PLAN_EMBEDDER to match."
            )

    def collection(self) -> Any:
        """Return the Chroma collection (cosine space), created on first use."""
        if self._collection is None:
            import chromadb

            client = chromadb.PersistentClient(
                path=str(self.root / "chroma"), settings=chromadb.Settings(anonymized_telemetry=False)
            )
            self._collection = client.get_or_create_collection(
                COLLECTION,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedder": self.embedder_name},
                embedding_function=None,
            )
            built = (self._collection.metadata or {}).get("embedder")
            if built and built != self.embedder_name:
                raise StoreMismatch(f"The vectors at {self.root} come from '{built}', not '{self.embedder_name}'.")
        return self._collection

    def generation(self) -> int:
        """Return a counter that changes whenever the indexed content changes."""
        with self.connect() as conn:
            return int(self._meta(conn, "generation") or 0)

    def document_sha(self, source: str) -> str | None:
        """Return the content hash of an indexed document, or None."""
        with self.connect() as conn:
            row = conn.execute("SELECT sha256 FROM documents WHERE source = ?", (source,)).fetchone()
            return row["sha256"] if row else None

    def documents(self) -> list[dict[str, Any]]:
        """List indexed documents."""
        with self.connect() as conn:
            rows = conn.execute("SELECT * FROM documents ORDER BY source").fetchall()
            return [dict(r) for r in rows]

    def document(self, source: str) -> dict[str, Any]:
        """Return one document's record or raise NotFound."""
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM documents WHERE source = ?", (source,)).fetchone()
        if row is None:
            raise NotFound(f"No document named '{source}' is indexed.")
        return dict(row)

    def cache_key(self, text: str) -> str:
        """Return the embedding-cache key of a text for this store's embedder."""
        return content_hash(self.embedder_name, text)

    def cached_vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        """Return cached vectors for the keys that have one."""
        out: dict[str, np.ndarray] = {}
        with self.connect() as conn:
            for i in range(0, len(keys), 500):
                part = keys[i : i + 500]
                marks = ",".join("?" * len(part))
                for row in conn.execute(f"SELECT key, vector FROM embeddings WHERE key IN ({marks})", part):
                    out[row["key"]] = np.frombuffer(row["vector"], dtype=np.float32)
        return out

    def cache_vectors(self, items: dict[str, np.ndarray]) -> None:
        """Store vectors in the embedding cache."""
        with self.connect() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings(key, vector) VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def replace_document(
        self,
        doc: Document,
        chunks: list[Chunk],
        vectors: np.ndarray,
        original: bytes | None = None,
        extra: Any = None,
    ) -> None:
        """Atomically replace a document's chunks and vectors; `extra(conn)` adds derived rows."""
        with self._lock:
            self.check_embedder()
            collection = self.collection()
            old_ids = self._unit_ids(doc.source)
            new_ids = [u for c in chunks for u in c.unit_ids()]
            if new_ids:
                collection.upsert(
                    ids=new_ids,
                    embeddings=np.asarray(vectors, dtype=np.float32),
                    metadatas=[{"source": c.source, "chunk": c.id} for c in chunks for _ in c.units],
                )
            try:
                with self.connect() as conn:
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('embedder', ?)", (self.embedder_name,))
                    conn.execute("DELETE FROM chunks WHERE source = ?", (doc.source,))
                    conn.executemany(
                        "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(c.id, c.source, c.position, c.page, c.heading, c.text, c.kind, c.title) for c in chunks],
                    )
                    conn.execute(
                        "INSERT OR REPLACE INTO documents(source, title, date, sha256, kind, pages, chunks) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (doc.source, doc.title, doc.date, doc.sha256, doc.kind, len(doc.pages), len(chunks)),
                    )
                    if extra is not None:
                        extra(conn)
                    self._bump(conn)
            except BaseException:
                new_only = list(set(new_ids) - set(old_ids))
                if new_only:
                    collection.delete(ids=new_only)
                raise
            stale = list(set(old_ids) - set(new_ids))
            if stale:
                collection.delete(ids=stale)
            if original is not None:
                self.originals_dir.mkdir(parents=True, exist_ok=True)
                (self.originals_dir / doc.source).write_bytes(original)

    def delete_document(self, source: str, extra: Any = None) -> None:
        """Remove a document, its chunks, vectors and stored original."""
        with self._lock:
            self.document(source)
            ids = self._unit_ids(source)
            with self.connect() as conn:
                conn.execute("DELETE FROM chunks WHERE source = ?", (source,))
                conn.execute("DELETE FROM documents WHERE source = ?", (source,))
                if extra is not None:
                    extra(conn)
                self._bump(conn)
            if ids:
                self.collection().delete(ids=ids)
            (self.originals_dir / source).unlink(missing_ok=True)

    def _bump(self, conn: sqlite3.Connection) -> None:
        gen = int(self._meta(conn, "generation") or 0) + 1
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (str(gen),))

    def _unit_ids(self, source: str) -> list[str]:
        with self.connect() as conn:
            rows = conn.execute("SELECT * FROM chunks WHERE source = ?", (source,)).fetchall()
        return [u for r in rows for u in _row_chunk(r).unit_ids()]

    def chunks(self) -> list[Chunk]:
        """Return every chunk in document order."""
        with self.connect() as conn:
            rows = conn.execute("SELECT * FROM chunks ORDER BY source, position").fetchall()
        return [_row_chunk(r) for r in rows]

    def chunk(self, chunk_id: str) -> Chunk:
        """Return one chunk or raise NotFound."""
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
        if row is None:
            raise NotFound(f"No passage with id '{chunk_id}'.")
        return _row_chunk(row)

    def neighbours(self, chunk: Chunk, before: int = 1, after: int = 1) -> list[Chunk]:
        """Return the chunk with its neighbours in the same document."""
        with self.connect() as conn:
            rows = conn.execute(
                "SELECT * FROM chunks WHERE source = ? AND position BETWEEN ? AND ? ORDER BY position",
                (chunk.source, chunk.position - before, chunk.position + after),
            ).fetchall()
        return [_row_chunk(r) for r in rows]

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Return (unit id 'chunk:i', cosine similarity) of the k nearest units."""
        collection = self.collection()
        count = collection.count()
        if count == 0:
            return []
        res = collection.query(
            query_embeddings=np.asarray([vector], dtype=np.float32),
            n_results=min(k, count),
            include=["distances"],
        )
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def similarities(self, vector: np.ndarray, unit_ids: list[str]) -> dict[str, float]:
        """Return the cosine similarity of the given units to a vector (exact, from the stored vectors)."""
        if not unit_ids:
            return {}
        got = self.collection().get(ids=unit_ids, include=["embeddings"])
        vecs = np.asarray(got["embeddings"], dtype=np.float32)
        if vecs.size == 0:
            return {}
        sims = vecs @ np.asarray(vector, dtype=np.float32)
        return {i: float(x) for i, x in zip(got["ids"], sims, strict=True)}

    def stats(self) -> dict[str, Any]:
        """Return counts for health checks."""
        with self.connect() as conn:
            docs = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            chunks = conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
            return {"documents": docs, "chunks": chunks, "embedder": self._meta(conn, "embedder")}


def dumps(data: Any) -> str:
    """Serialise to compact JSON."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
