"""Extractive composer: picks the units that answer, cites them verbatim, or abstains."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from assistant.query import Concept, Query
from assistant.retrieval import KeywordIndex
from assistant.text import YEAR, index_terms, number_words, stem, words
from assistant.types import Answer, Citation, Hit
from indexing.types import Chunk

ABSTAIN = {
    "nb": "Jeg finner ikke støtte for dette i dokumentene.",
    "en": "I can't find support for this in the documents.",
}
LEAD = {
    "nb": "Dette står i dokumentene:",
    "en": "Here is what the documents say (quoted in the original Norwegian):",
}
MIN_SUPPORT = 0.36
MAX_PASSAGES = 4  # distinct passages an answer draws on
MIN_SUPPORT_WITH_ABSENT = 0.7
MIN_SUPPORT_SHORT = 0.75
W_LEX, W_DENSE, W_PRIOR = 0.5, 0.35, 0.15
LISTY = ("list_item", "table_row", "record", "mixed")
_NUMBER = re.compile(r"\d")
_NUMBERED = re.compile(r"\d{1,2}[.)] ")


@dataclass(frozen=True)
class Scored:
    """A unit of a retrieved chunk with its scores."""

    hit_rank: int
    unit_index: int
    score: float


def coverage(
    query: Query, unit_terms: frozenset[str] | set[str], context_terms: frozenset[str] | set[str], index: KeywordIndex
) -> float:
    """Share of the question's weighted concepts found in a unit (context words count half)."""
    num = den = 0.0
    for concept in query.concepts:
        known = [index.idf_of(s) for s in concept.stems if s in index.idf]
        if known:
            weight = concept.weight * max(known)
        elif query.lang == "en" and not concept.translated:
            weight = concept.weight * index.median_idf
        else:
            weight = concept.weight * index.idf_of("\x00")
        den += weight
        if concept.stems & unit_terms:
            num += weight
        elif concept.stems & context_terms or concept.parts & unit_terms:
            num += 0.5 * weight
        elif concept.parts & context_terms:
            num += 0.25 * weight
    return num / den if den else 0.0


def windows(hit: Hit, index: KeywordIndex) -> Iterator[tuple[slice, set[str], frozenset[str]]]:
    """Yield each passage window of a hit (a unit with one unit before and two after): units, terms, context."""
    units, context = index.terms_of(hit.chunk)
    for i in range(len(units)):
        around = slice(max(0, i - 1), i + 3)
        yield around, set().union(*units[around]), context


def support(query: Query, hits: list[Hit], index: KeywordIndex) -> float:
    """How well the best passage window (a unit with its neighbours) covers the question."""
    best = 0.0
    years = [c.stems for c in query.concepts if c.weight >= 1.0 and YEAR.fullmatch(c.surface)]
    for hit in hits:
        counting = [counts(query.counted, u, index) for u in hit.chunk.units] if query.counted else []
        for around, window, context in windows(hit, index):
            if years and not any(y & (window | context) for y in years):
                continue  # a question about 2022 needs a passage about 2022
            if query.counted and not any(counting[around]):
                continue  # "how many X" needs a passage that puts a number next to X
            best = max(best, coverage(query, window, context, index))
    return best


def counts(counted: frozenset[str], unit: str, index: KeywordIndex, reach: int = 5) -> bool:
    """True when a unit puts a number (not a year) within a few words of what is counted ('fire tildelinger')."""
    toks = words(unit)
    numbers = [i for i, w in enumerate(toks) if (w.isdigit() and not YEAR.fullmatch(w)) or stem(w) in number_stems()]
    if not numbers:
        return False
    things = [i for i, w in enumerate(toks) if stem(w) in counted or {stem(p) for p in index.vocab.split(w)} & counted]
    return any(abs(i - j) <= reach for i in numbers for j in things)


@lru_cache(maxsize=1)
def number_stems() -> frozenset[str]:
    """Return the stems of the Norwegian words for numbers."""
    return frozenset(stem(w) for w in number_words()["nb"])


def absent_concepts(query: Query, index: KeywordIndex) -> list[str]:
    """Concepts of the question itself that occur nowhere in the corpus, in any form or language."""

    def known(c: Concept) -> bool:
        if (c.stems | c.parts) & index.idf.keys():
            return True
        return any(len(s) >= 8 and index.vocab.prefixed(s[:5]) for s in c.stems)  # a compound of known words

    def topical(c: Concept) -> bool:  # "co" of co-located, "two" of two-year name no topic
        return c.weight >= 1.0 and len(c.surface) > 2 and c.surface not in number_words()["en"]

    return [c.surface for c in query.concepts if topical(c) and not known(c)]


def covers_all(concepts: list[Concept], hits: list[Hit], index: KeywordIndex) -> bool:
    """True when one passage window names every concept, at least as part of a compound."""
    for hit in hits:
        for _, window, context in windows(hit, index):
            if all((c.stems | c.parts) & (window | context) for c in concepts):
                return True
    return False


def weakly_supported(query: Query, hits: list[Hit], index: KeywordIndex) -> bool:
    """Abstain when the best passage covers too little of the question, or misses a topic the corpus lacks."""
    best = support(query, hits, index)
    own = [c for c in query.concepts if c.weight >= 1.0]
    if len(own) <= 2 and not query.followup:  # a two-word question with half of it missing is about something else
        return best < MIN_SUPPORT_SHORT and not (best >= MIN_SUPPORT and covers_all(own, hits, index))
    return best < MIN_SUPPORT or (bool(absent_concepts(query, index)) and best < MIN_SUPPORT_WITH_ABSENT)


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
    sims = [x for h in hits for x in h.unit_scores]
    lo, hi = (min(sims), max(sims)) if sims else (0.0, 1.0)
    span = max(hi - lo, 1e-6)
    out = []
    for rank, hit in enumerate(hits):
        unit_terms, context = index.terms_of(hit.chunk)
        units = hit.chunk.units
        prior = hit.score / best_fused
        for i, unit in enumerate(units):
            cov = coverage(query, unit_terms[i], context, index)
            bonus = 0.05 if query.intent == "count" and _NUMBER.search(unit) else 0.0
            if query.intent == "list" and unit.endswith(":") and i + 1 < len(units) and units[i + 1].startswith("- "):
                bonus = 0.1  # a lead-in with its list under it answers a list question
            dense = (hit.unit_scores[i] - lo) / span if i < len(hit.unit_scores) else 0.0
            out.append(Scored(rank, i, W_LEX * cov + W_DENSE * dense + W_PRIOR * prior + bonus))
    return out


def heading_matches(query: Query, heading: str, index: KeywordIndex) -> bool:
    """True when a section heading itself names what the question asks for."""
    terms = set(index_terms(heading, index.vocab))
    return bool(terms) and coverage(query, terms, set(), index) >= 0.2


def select(query: Query, hits: list[Hit], scored: list[Scored], max_units: int, index: KeywordIndex) -> list[Scored]:
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
        if s.hit_rank not in chunks_used and len(chunks_used) >= MAX_PASSAGES:
            continue
        chosen.append(s)
        chunks_used.add(s.hit_rank)
    if query.intent in ("list", "count"):
        for rank in list(chunks_used):
            chunk = hits[rank].chunk
            if chunk.kind not in LISTY:
                continue
            siblings = [s for s in scored if s.hit_rank == rank]
            top = max(s.score for s in siblings)
            whole = heading_matches(query, chunk.heading or "", index)
            chosen += [s for s in siblings if whole or s.score >= 0.9 * top]
    return sorted(set(chosen), key=lambda s: (s.hit_rank, s.unit_index))


def is_item(unit: str) -> bool:
    """True for a list item, bulleted or numbered ('- x', '2. x')."""
    return unit.startswith("- ") or bool(_NUMBERED.match(unit))


def is_lead(unit: str) -> bool:
    """True for a title or lead-in line whose content follows it (slide titles, 'Tema:')."""
    text = citation_text(unit).strip()
    if text.endswith((":", "?")):
        return True
    return len(text) <= 90 and not text.endswith((".", "!", ";")) and not unit.startswith("- ")


@dataclass
class Span:
    """Consecutive units of one chunk that form one cited passage."""

    chunk: Chunk
    start: int
    end: int

    def texts(self) -> list[str]:
        """Return the span's units as they stand in the document."""
        return [citation_text(u) for u in self.chunk.units[self.start : self.end + 1]]


def extend_leads(spans: list[Span], following: Callable[[Chunk], Chunk | None], budget: int = 420) -> list[Span]:
    """Extend a span that ends in a lead-in line with the lines that follow it, into the next chunk."""
    out: list[Span] = []
    for span in spans:
        out.append(span)
        last = span.chunk.units[span.end]
        in_list = is_item(last)
        if not (in_list or is_lead(last)):
            continue
        used, taken_list = 0, in_list
        current, idx = span, span.end + 1
        while used < budget:
            units = current.chunk.units
            if idx >= len(units):
                nxt = following(current.chunk)
                if nxt is None or any(o.chunk.id == nxt.id for o in out):
                    break
                current = Span(nxt, 0, -1)
                out.append(current)
                idx = 0
                continue
            unit = units[idx]
            if (in_list and not is_item(unit)) or (taken_list and not is_item(unit) and is_lead(unit)):
                break
            current.end = idx
            used += len(unit)
            taken_list = taken_list or is_item(unit)
            idx += 1
    return merge_spans([s for s in out if s.end >= s.start])


def widen(span: Span, budget: int = 400) -> Span:
    """Add the unit after a short span, where the answer to a matched lead-in usually stands."""
    units = span.chunk.units
    start, end = span.start, span.end
    used = sum(len(u) for u in units[start : end + 1])
    if end + 1 < len(units) and used + len(units[end + 1]) <= budget:
        end += 1
    if start > 0 and is_label(units[start - 1]):  # a date or name label before its item ("August 2021")
        start -= 1
    return Span(span.chunk, start, end)


def is_label(unit: str) -> bool:
    """True for a short label line (a date, a name) that may title the line after it."""
    return len(unit) <= 40 and not unit.startswith("- ") and not unit.rstrip().endswith((".", ":", ";", ","))


def merge_spans(spans: list[Span]) -> list[Span]:
    """Merge spans of the same chunk that overlap or touch, keeping first-seen order."""
    merged: list[Span] = []
    for span in spans:
        twin = next(
            (m for m in merged if m.chunk.id == span.chunk.id and m.start <= span.end + 1 and span.start <= m.end + 1),
            None,
        )
        if twin is None:
            merged.append(Span(span.chunk, span.start, span.end))
        else:
            twin.start, twin.end = min(twin.start, span.start), max(twin.end, span.end)
    return merged


def abstain(query: Query) -> Answer:
    """Return the abstention answer in the question's language."""
    return Answer(query.question, ABSTAIN[query.lang], (), True, query.lang)


def compose(
    query: Query,
    hits: list[Hit],
    index: KeywordIndex,
    max_citations: int = 5,
    following: Callable[[Chunk], Chunk | None] | None = None,
) -> Answer:
    """Compose an extractive answer with numbered citations, or abstain when support is weak."""
    scored = score_units(query, hits, index)
    if not scored or weakly_supported(query, hits, index):
        return abstain(query)
    limit = max_citations * (3 if query.intent in ("list", "count") else 1)
    selected = select(query, hits, scored, limit, index)
    spans = merge_spans([Span(hits[s.hit_rank].chunk, s.unit_index, s.unit_index) for s in selected])
    spans = merge_spans([widen(s) for s in spans])
    if following is not None:
        spans = extend_leads(spans, following)
    citations: list[Citation] = []
    lines: list[str] = []
    for span in spans[: max_citations + (4 if query.intent == "list" else 0)]:
        texts = span.texts()
        chunk = span.chunk
        n = len(citations) + 1
        citations.append(Citation(n, chunk.source, chunk.title, chunk.page, "\n".join(texts), chunk.id, chunk.heading))
        body = "; ".join(texts) if len(texts) <= 15 else "; ".join(texts[:15]) + " …"
        body = re.sub(r"\s+", " ", body).replace(":;", ":")
        lines.append(f"- {body} [{n}]")
    text = LEAD[query.lang] + "\n" + "\n".join(lines)
    return Answer(query.question, text, tuple(citations), False, query.lang)
