"""Extractive composer: picks the units that answer, cites them verbatim, or abstains."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.query import Query
from assistant.retrieval import KeywordIndex
from assistant.text import index_terms
from assistant.types import Answer, Citation, Hit

ABSTAIN = {
    "nb": "Jeg finner ikke støtte for dette i dokumentene.",
    "en": "I can't find support for this in the documents.",
}
LEAD = {
    "nb": "Dette står i dokumentene:",
    "en": "Here is what the documents say (quoted in the original Norwegian):",
}
MIN_SUPPORT = 0.34


@dataclass(frozen=True)
class Scored:
    """A unit of a retrieved chunk with its scores."""

    hit_rank: int
    unit_index: int
    text: str
    coverage: float
    score: float


def coverage(query: Query, unit_terms: set[str], context_terms: set[str], index: KeywordIndex) -> float:
    """Share of the question's weighted concepts found in a unit (context words count half)."""
    num = den = 0.0
    for concept in query.concepts:
        known = [index.idf_of(s) for s in concept.stems if s in index.idf]
        weight = concept.weight * (max(known) if known else index.idf_of("\x00"))
        den += weight
        if concept.stems & unit_terms:
            num += weight
        elif concept.stems & context_terms:
            num += 0.5 * weight
    return num / den if den else 0.0


def citation_text(unit: str) -> str:
    """Return a unit as it stands in the document (our list and table markers removed)."""
    if unit.startswith("- "):
        return unit[2:]
    if unit.startswith("|"):
        return " ".join(c.strip() for c in unit.strip("|").split("|") if c.strip())
    return unit


def score_units(query: Query, hits: list[Hit], index: KeywordIndex) -> list[Scored]:
    """Score every unit of the retrieved chunks."""
    if not hits:
        return []
    best_fused = hits[0].score
    out = []
    for rank, hit in enumerate(hits):
        chunk = hit.chunk
        context = set(index_terms(f"{chunk.title} {chunk.heading or ''}", index.vocab))
        prior = hit.score / best_fused
        for i, unit in enumerate(chunk.units):
            terms = set(index_terms(unit, index.vocab))
            cov = coverage(query, terms, context, index)
            out.append(Scored(rank, i, unit, cov, 0.7 * cov + 0.3 * prior))
    return out


def select(query: Query, hits: list[Hit], scored: list[Scored], max_units: int) -> list[Scored]:
    """Pick the best units, then their siblings in the same list or table for list questions."""
    if not scored:
        return []
    ranked = sorted(scored, key=lambda s: -s.score)
    best = ranked[0].score
    chosen: list[Scored] = []
    chunks_used: set[int] = set()
    for s in ranked:
        if s.score < 0.8 * best or len(chosen) >= max_units:
            break
        if s.hit_rank not in chunks_used and len(chunks_used) >= 3:
            continue
        chosen.append(s)
        chunks_used.add(s.hit_rank)
    if query.intent in ("list", "count"):
        for rank in list(chunks_used):
            siblings = [s for s in scored if s.hit_rank == rank]
            top = max(s.score for s in siblings)
            if hits[rank].chunk.kind in ("list_item", "table_row", "record", "mixed"):
                chosen += [s for s in siblings if s.score >= 0.9 * top and s not in chosen]
    return sorted(chosen, key=lambda s: (s.hit_rank, s.unit_index))


def _runs(selected: list[Scored]) -> list[list[Scored]]:
    runs: list[list[Scored]] = []
    for s in selected:
        if runs and runs[-1][-1].hit_rank == s.hit_rank and runs[-1][-1].unit_index + 1 == s.unit_index:
            runs[-1].append(s)
        else:
            runs.append([s])
    return runs


def abstain(query: Query) -> Answer:
    """Return the abstention answer in the question's language."""
    return Answer(query.question, ABSTAIN[query.lang], (), True, query.lang)


def compose(query: Query, hits: list[Hit], index: KeywordIndex, max_citations: int = 5) -> Answer:
    """Compose an extractive answer with numbered citations, or abstain when support is weak."""
    scored = score_units(query, hits, index)
    if not scored or max(s.coverage for s in scored) < MIN_SUPPORT:
        return abstain(query)
    limit = max_citations * (3 if query.intent in ("list", "count") else 1)
    selected = select(query, hits, scored, limit)
    citations: list[Citation] = []
    lines: list[str] = []
    for run in _runs(selected)[: max_citations + (4 if query.intent == "list" else 0)]:
        chunk = hits[run[0].hit_rank].chunk
        texts = [citation_text(s.text) for s in run]
        n = len(citations) + 1
        citations.append(Citation(n, chunk.source, chunk.title, chunk.page, "\n".join(texts), chunk.id, chunk.heading))
        body = "; ".join(texts) if len(texts) <= 12 else "; ".join(texts[:12]) + " …"
        body = re.sub(r"\s+", " ", body)
        lines.append(f"- {body} [{n}]")
    text = LEAD[query.lang] + "\n" + "\n".join(lines)
    return Answer(query.question, text, tuple(citations), False, query.lang)
