"""Turns a question (and the conversation before it) into weighted search concepts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text import (
    YEAR,
    Vocabulary,
    content_words,
    detect_language,
    expand,
    frame_words,
    stem,
    stopwords,
    translate,
    words,
)

_ANAPHORA = {
    "dem",
    "de",
    "disse",
    "dette",
    "den",
    "det",
    "denne",
    "them",
    "those",
    "these",
    "they",
    "it",
    "its",
    "that",
    "this",
    "hvilke av",
    "which of",
    "of them",
    "av dem",
    "same",
    "samme",
    "this one",
    "there",
}
_LIST_START = re.compile(
    r"^\s*(which|what are|what were|list|name|who are|who were|hvilke|hvem er|hvem var|hva er (de|målgruppene)|"
    r"nevn|list opp|what (measures|goals|groups|courses|programmes|tiltak))\b",
    re.I,
)
_HOW_MANY = re.compile(r"\b(how many|hvor mange|number of|antall)\b", re.I)
_COUNT = re.compile(r"\b(how many|how much|hvor mange|hvor mye|antall|number of|hvor stor)\b", re.I)


FRAME_WEIGHT = 0.3


@dataclass(frozen=True)
class Concept:
    """One idea of the question, with the stemmed words in either language that express it."""

    surface: str
    stems: frozenset[str]
    weight: float
    parts: frozenset[str] = frozenset()
    translated: bool = False


@dataclass(frozen=True)
class Query:
    """An analysed question."""

    question: str
    history: tuple[str, ...]
    lang: str
    concepts: tuple[Concept, ...]
    dense_text: str
    followup: bool
    intent: str
    counted: frozenset[str] = frozenset()
    dense_nb: str = ""

    @property
    def all_stems(self) -> set[str]:
        """Return every stem of every concept."""
        return {s for c in self.concepts for s in c.stems}


def _concepts(text: str, vocab: Vocabulary | None, weight: float) -> list[Concept]:
    out = []
    sw = stopwords()
    frames = frame_words()
    norwegian = detect_language(text) == "nb" and vocab is not None
    # a Norwegian word of the documents ("felles") is not English ("fell")
    for surface, alts in expand(text, vocab.words if norwegian and vocab is not None else frozenset()):
        stems = {stem(surface)} if " " not in surface else set()
        for alt in alts:
            for w in words(alt):
                if w not in sw["nb"] and len(w) > 1:
                    stems.add(stem(w))
        parts: set[str] = set()
        if vocab is not None:
            if " " not in surface:
                parts = {stem(p) for p in vocab.split(surface)}
            for s in list(stems):
                parts.update(vocab.prefixed(s))
                if len(s) >= 7:
                    parts.update(vocab.prefixed(s[:-1]))
            parts -= stems
        if stems:
            own = min(weight, FRAME_WEIGHT) if surface in frames else weight
            out.append(Concept(surface, frozenset(stems), own, frozenset(parts), bool(alts)))
    return out


def is_followup(question: str, history: tuple[str, ...]) -> bool:
    """Return True when a question leans on the conversation before it."""
    if not history:
        return False
    low = f" {' '.join(words(question))} "
    if any(f" {a} " in low for a in _ANAPHORA):
        return True
    if re.match(r"^\s*(og|and|what about|how about|hva med|enn|men|but)\b", question, re.I):
        return True
    return len(content_words(question)) <= 2


def intent_of(question: str) -> str:
    """Classify a question as 'count', 'list' or 'lookup'."""
    if _COUNT.search(question):
        return "count"
    if _LIST_START.search(question):
        return "list"
    return "lookup"


def analyse(question: str, history: tuple[str, ...] = (), vocab: Vocabulary | None = None) -> Query:
    """Analyse a question, folding in the last earlier question when it is a follow-up."""
    question = question.strip()
    followup = is_followup(question, history)
    concepts = _concepts(question, vocab, 1.0)
    dense_text = question
    if followup:
        seen = {c.surface for c in concepts}
        earlier = [c for c in _concepts(history[-1], vocab, 0.7) if c.surface not in seen]
        concepts += earlier
        dense_text = f"{history[-1]} {question}"
    lang = detect_language(question if len(words(question)) >= 3 or not history else f"{history[-1]} {question}")
    intent = intent_of(question)
    if followup and intent == "lookup":
        intent = intent_of(history[-1])
    counted = counted_terms(question, concepts)
    dense_nb = translate(dense_text) if lang == "en" else ""
    return Query(question, history, lang, tuple(concepts), dense_text, followup, intent, counted, dense_nb)


def counted_terms(question: str, concepts: list[Concept]) -> frozenset[str]:
    """Return the terms of what a 'how many X' question counts (X), or nothing for other questions."""
    m = _HOW_MANY.search(question)
    if not m:
        return frozenset()
    by_word = {w: c for c in concepts if c.weight >= 1.0 for w in words(c.surface)}
    sw = stopwords()
    counted: list[Concept] = []
    for w in words(question[m.end() :]):  # the noun phrase after "how many": "merited teacher awards"
        if len(w) == 1:
            continue  # the s of "strategy's"
        concept = by_word.get(w) or by_word.get(w[:-1] if w.endswith("s") else "")
        if concept is not None and not YEAR.fullmatch(w):
            counted.append(concept)
        elif counted or not (w in sw["en"] or w in sw["nb"]):
            break
    return frozenset(t for c in counted for t in c.stems | c.parts)
