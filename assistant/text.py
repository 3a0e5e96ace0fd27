"""Language detection, tokenising, Norwegian stemming, decompounding and glossary expansion."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import Stemmer

YEAR = re.compile(r"(19|20)\d\d")
_WORD = re.compile(r"[a-zæøåäöüéèáà0-9]+", re.I)
_DIGIT_GROUPS = re.compile(r"(?<=\d)[ .](?=\d{3}(?!\d))")
_FALLBACK_STOP = {
    "en": "the a an of to in on for and or is are was were be been what which who whom how many much does do "
    "did has have had it its this that these those there their they them with by from at as about into than "
    "then so such can could would should will shall may might any some all each per not no yes i we you",
    "nb": "og i på for til av med er var det den de som en et ei å at hva hvilke hvilken hvilket hvem hvor "
    "mange mye hvordan når ble blir har hadde om fra ved seg sin sine sitt vi du jeg man skal kan vil "
    "eller men så også ikke dette disse der her noen alle enn etter under over mot uten",
}


@lru_cache(maxsize=1)
def stemmer() -> Stemmer.Stemmer:
    """Return the Norwegian Snowball stemmer."""
    return Stemmer.Stemmer("norwegian")


def _data_lines(name: str) -> list[str]:
    try:
        text = resources.files("assistant").joinpath("data", name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return []
    return [ln.rstrip("\n") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def stopwords() -> dict[str, frozenset[str]]:
    """Return stopword sets per language."""
    out = {}
    for lang in ("en", "nb"):
        words = {w.strip().lower() for w in _data_lines(f"stopwords_{lang}.txt")}
        out[lang] = frozenset(words | set(_FALLBACK_STOP[lang].split()))
    return out


@lru_cache(maxsize=1)
def number_words() -> dict[str, frozenset[str]]:
    """Return the words for numbers per language ("fire", "four")."""
    return {
        lang: frozenset(w.strip().lower() for w in _data_lines(f"number_words_{lang}.txt")) for lang in ("en", "nb")
    }


@lru_cache(maxsize=1)
def frame_words() -> frozenset[str]:
    """Return the words that frame a question rather than name its topic ("heter", "called")."""
    return frozenset(w.strip().lower() for w in _data_lines("frame_words.txt"))


@lru_cache(maxsize=1)
def glossary() -> dict[str, tuple[str, ...]]:
    """Return English → Norwegian: the plan-vocabulary glossary, then the general dictionary."""
    out: dict[str, tuple[str, ...]] = {}
    for name in ("glossary.tsv", "dictionary_en_nb.tsv"):
        for key, alts in _read_pairs(name).items():
            if key not in out:
                out[key] = alts
    return out


def _read_pairs(name: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for line in _data_lines(name):
        if "\t" not in line:
            continue
        en, nb = line.split("\t", 1)
        alts = tuple(a.strip().lower() for a in nb.split("|") if a.strip())
        key = " ".join(words(en.replace("'s ", " ")))
        if alts and key:
            out[key] = out.get(key, ()) + alts
    return out


def words(text: str) -> list[str]:
    """Lowercase word tokens; digit groups like '1 283 147' become one number."""
    return [w.lower() for w in _WORD.findall(_DIGIT_GROUPS.sub("", text))]


def detect_language(text: str) -> str:
    """Guess 'nb' or 'en' from function words and letters."""
    toks = words(text)
    sw = stopwords()
    en_only = sw["en"] - sw["nb"]
    nb_only = sw["nb"] - sw["en"]
    lower_words = " ".join(w for w in re.findall(r"\w+", text) if not w.isupper())  # not acronyms like IØT
    nb = sum(t in nb_only for t in toks) + 2 * len(re.findall(r"[æøå]", lower_words.lower()))
    en = sum(t in en_only for t in toks)
    return "en" if en > nb else "nb"


def content_words(text: str) -> list[str]:
    """Return the words that carry content (both languages' stopwords removed)."""
    sw = stopwords()
    return [w for w in words(text) if w not in sw["nb"] and w not in sw["en"] and (len(w) > 1 or w.isdigit())]


def stem(word: str) -> str:
    """Stem one lowercase word (numbers unchanged)."""
    return word if word.isdigit() else stemmer().stemWord(word)


@dataclass(frozen=True)
class Vocabulary:
    """The corpus' words (to split Norwegian compounds) and stems (to match truncated forms)."""

    words: frozenset[str]
    stems: tuple[str, ...] = ()
    stem_set: frozenset[str] = frozenset()

    def prefixed(self, stem_: str, limit: int = 12) -> list[str]:
        """Corpus stems that start with a stem of five letters or more ('befolkning' → 'befolkningsundersøk')."""
        if len(stem_) < 5 or stem_.isdigit():
            return []
        i = bisect.bisect_left(self.stems, stem_)
        out: list[str] = []
        while i < len(self.stems) and self.stems[i].startswith(stem_) and len(out) < limit:
            if self.stems[i] != stem_:
                out.append(self.stems[i])
            i += 1
        return out

    def split(self, word: str) -> list[str]:
        """Split a compound into two known words ('budsjettsituasjonen' → budsjett, situasjonen)."""
        if len(word) < 9 or word.isdigit():
            return []

        def ok(part: str) -> bool:
            return len(part) >= 4 and (part in self.words or stem(part) in self.stem_set)

        for i in range(len(word) - 4, 3, -1):
            head, tail = word[:i], word[i:]
            if not ok(head):
                continue
            for t in (tail, tail[1:] if tail[:1] in "se" else ""):
                if ok(t):
                    return [head, t]
        return []


def index_terms(text: str, vocab: Vocabulary | None = None) -> list[str]:
    """Stemmed keyword terms of a passage, with compound parts added."""
    out = []
    for w in content_words(text):
        out.append(stem(w))
        if vocab is not None:
            out += [stem(p) for p in vocab.split(w)]
    return out


def _singular(word: str) -> list[str]:
    forms = [word]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 4:
        forms.append(word[:-2])
    if word.endswith("s") and len(word) > 3:
        forms.append(word[:-1])
    if word.endswith("ed") and len(word) > 4:
        forms += [word[:-2], word[:-1]]
    if word.endswith("ing") and len(word) > 5:
        forms += [word[:-3], word[:-3] + "e"]
    return forms


def glossary_key(phrase: list[str]) -> str | None:
    """Return the glossary entry a phrase matches, also with its last (or, from three words, first) word singular."""
    forms = [" ".join([*phrase[:-1], f]) for f in _singular(phrase[-1])]
    if len(phrase) >= 3:  # "heads of department"
        forms += [" ".join([f, *phrase[1:]]) for f in _singular(phrase[0])[1:]]
    return next((f for f in forms if f in glossary()), None)


def expand(text: str, keep: frozenset[str] = frozenset()) -> list[tuple[str, list[str]]]:
    """Map each content word or glossary phrase of a question to its Norwegian equivalents (not words in keep)."""
    gl = glossary()
    toks = words(text)
    sw = stopwords()
    used: set[int] = set()
    out: list[tuple[str, list[str]]] = []
    for n in (4, 3, 2, 1):
        for i in range(len(toks) - n + 1):
            if any(j in used for j in range(i, i + n)):
                continue
            hit = glossary_key(toks[i : i + n])
            if hit is None:
                continue
            if n == 1 and (toks[i] in sw["en"] and toks[i] not in ("when", "who", "why", "where") or toks[i] in keep):
                continue
            used.update(range(i, i + n))
            out.append((hit, list(gl[hit])))
    for i, t in enumerate(toks):
        if i not in used and t not in sw["en"] and t not in sw["nb"] and (len(t) > 1 or t.isdigit()):
            out.append((t, []))
    return out


def translate(text: str) -> str:
    """Render an English question as Norwegian keywords, word by word with the glossary (for dense search)."""
    gl = glossary()
    sw = stopwords()
    toks = words(text)
    out: list[str] = []
    i = 0
    while i < len(toks):
        for n in (4, 3, 2, 1):
            phrase = toks[i : i + n]
            if len(phrase) < n:
                continue
            hit = glossary_key(phrase)
            if hit is not None and not (n == 1 and toks[i] in sw["en"]):
                out.append(gl[hit][0])
                i += n
                break
        else:
            if toks[i] not in sw["en"] and len(toks[i]) > 1:
                out.append(toks[i])
            i += 1
    return " ".join(out)


def unique(items: Iterable[str]) -> list[str]:
    """Deduplicate, keeping order."""
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]  # type: ignore[func-returns-value]
