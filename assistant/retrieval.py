"""Hybrid retrieval: Chroma dense search and BM25 keyword search fused by reciprocal rank fusion."""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.query import Query
from assistant.text import Vocabulary, content_words, index_terms
from assistant.types import Hit
from indexing.embedding import Embedder
from indexing.store import Store
from indexing.types import Chunk


def rrf(
    rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Fuse ranked id lists by reciprocal rank fusion; return (id, score) best first."""
    scores: dict[str, float] = {}
    for r, ranking in enumerate(rankings):
        w = 1.0 if weights is None else weights[r]
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + w / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def keep_leaders(
    fused: list[tuple[str, float]], rankings: Sequence[Sequence[str]], k: int, leaders: int = 2
) -> list[tuple[str, float]]:
    """Keep each ranking's best items in the top k, so one retriever's clear winner is never fused away."""
    must = [item for ranking in rankings for item in ranking[:leaders]]
    must = list(dict.fromkeys(must))[:k]
    rest = [item for item, _ in fused if item not in must][: k - len(must)]
    chosen = set(must) | set(rest)
    best_rank = {item: min((r.index(item) for r in rankings if item in r), default=len(fused)) for item in chosen}
    kept = [(item, score) for item, score in fused if item in chosen]
    return sorted(kept, key=lambda kv: (min(best_rank[kv[0]], 2), -kv[1]))


@dataclass
class KeywordIndex:
    """BM25 over stemmed chunk terms (bm25s), plus document frequencies for coverage checks."""

    chunks: list[Chunk]
    vocab: Vocabulary
    idf: dict[str, float]
    bm25: object
    median_idf: float = 3.0
    unit_terms: dict[str, list[frozenset[str]]] = field(default_factory=dict)
    context_terms: dict[str, frozenset[str]] = field(default_factory=dict)

    def terms_of(self, chunk: Chunk) -> tuple[list[frozenset[str]], frozenset[str]]:
        """Return the stemmed terms of each unit of a chunk and of its title and heading."""
        units = self.unit_terms.get(chunk.id)
        if units is None:
            units = [frozenset(index_terms(u, self.vocab)) for u in chunk.units]
        context = self.context_terms.get(chunk.id)
        if context is None:
            context = frozenset(index_terms(f"{chunk.title} {chunk.heading or ''}", self.vocab))
        return units, context

    @classmethod
    def build(cls, chunks: list[Chunk]) -> KeywordIndex:
        """Index chunks (title, heading and text)."""
        import bm25s

        words = frozenset(w for c in chunks for w in content_words(c.text) if len(w) >= 4)
        word_vocab = Vocabulary(words)
        token_lists = [index_terms(c.embedding_text(), word_vocab) or ["∅"] for c in chunks]
        stems = {t for toks in token_lists for t in toks}
        vocab = Vocabulary(words, tuple(sorted(stems)), frozenset(stems))
        unit_terms = {c.id: [frozenset(index_terms(u, vocab)) for u in c.units] for c in chunks}
        context_terms = {c.id: frozenset(index_terms(f"{c.title} {c.heading or ''}", vocab)) for c in chunks}
        retriever = bm25s.BM25()
        if chunks:
            retriever.index(token_lists, show_progress=False)
        df = Counter(t for toks in token_lists for t in set(toks))
        n = max(len(chunks), 1)
        idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        median = sorted(idf.values())[len(idf) // 2] if idf else 3.0
        return cls(chunks, vocab, idf, retriever, median, unit_terms, context_terms)

    def idf_of(self, term: str) -> float:
        """Return a term's IDF (unseen terms get the maximum)."""
        return self.idf.get(term, math.log(1 + (len(self.chunks) + 0.5) / 0.5))

    def scores(self, query: Query) -> np.ndarray:
        """Score every chunk: per concept the best-matching alternative, weighted and summed."""
        total = np.zeros(len(self.chunks), dtype=np.float32)
        if not self.chunks:
            return total
        for concept in query.concepts:
            known = [s for s in concept.stems if s in self.idf]
            if not known:
                continue
            per_alt = np.vstack([self.bm25.get_scores([s]) for s in known])  # type: ignore[attr-defined]
            total += concept.weight * per_alt.max(axis=0)
        return total


class Retriever:
    """Searches one store; the keyword index is rebuilt when the store changes."""

    def __init__(self, store: Store, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder
        self._index: KeywordIndex | None = None
        self._generation = -1
        self._lock = threading.Lock()

    def keyword_index(self) -> KeywordIndex:
        """Return the current keyword index, rebuilding it after changes."""
        gen = self.store.generation()
        with self._lock:
            if self._index is None or gen != self._generation:
                self._index = KeywordIndex.build(self.store.chunks())
                self._generation = gen
            return self._index

    def search(self, query: Query, k: int = 8, pool: int = 30) -> list[Hit]:
        """Return the k best chunks for a query; dense scores come from each chunk's best unit."""
        index = self.keyword_index()
        if not index.chunks:
            return []
        by_id = {c.id: c for c in index.chunks}
        kw = index.scores(query)
        kw_order = [index.chunks[i].id for i in np.argsort(-kw)[:pool] if kw[i] > 0]
        texts = [query.dense_text] + ([query.dense_nb] if query.dense_nb else [])
        qvecs = self.embedder.embed_queries(texts)
        qvec = qvecs[0]
        unit_scores: dict[str, float] = {}
        rankings: list[list[tuple[str, float]]] = []
        for n, vec in enumerate(qvecs):
            ranking: list[tuple[str, float]] = []
            ranked: set[str] = set()
            for unit_id, sim in self.store.dense_search(vec, pool * 3):
                cid = unit_id.rsplit(":", 1)[0]
                if n == 0:
                    unit_scores[unit_id] = sim
                if cid in by_id and cid not in ranked:
                    ranked.add(cid)
                    ranking.append((cid, sim))
            rankings.append(ranking[:pool])
        dense = rankings[0]
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense)}
        dense_score = dict(dense)
        kw_rank = {cid: r for r, cid in enumerate(kw_order)}
        orders = [[cid for cid, _ in r] for r in rankings] + [kw_order]
        fused = keep_leaders(rrf(orders), orders, k)
        missing = [u for cid, _ in fused[:k] for u in by_id[cid].unit_ids() if u not in unit_scores]
        unit_scores.update(self.store.similarities(qvec, missing))
        floor = min(unit_scores.values(), default=0.0)
        return [
            Hit(
                by_id[cid],
                score,
                dense_rank.get(cid),
                kw_rank.get(cid),
                dense_score.get(cid),
                tuple(unit_scores.get(u, floor) for u in by_id[cid].unit_ids()),
            )
            for cid, score in fused[:k]
        ]
