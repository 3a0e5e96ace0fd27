"""Repairs what PDF and slide extraction leave behind, into one line-oriented shape.

The output convention, shared by all loaders: blocks separated by a blank line; inside a block one
line per whole piece: ``# heading``, ``- list item``, ``| cell | cell |`` table row, or a text line.
"""

from __future__ import annotations

import re
import unicodedata

BULLET_GLYPHS = "\ufffd✓✔•➢▪►◦‣∙·●○■□➤→»o–-"
_BULLET_RE = re.compile(r"^\s*(?:[\ufffd✓✔•➢▪►◦‣∙●○■□➤→»]|o(?=\s)|[–—-](?=\s))\s*")
_NUMBERED_RE = re.compile(r"^\s*(\d{1,2}[.)]|[a-z][)])\s+")
_CONNECTORS = {
    "og",
    "eller",
    "i",
    "på",
    "for",
    "av",
    "med",
    "til",
    "som",
    "fra",
    "om",
    "ved",
    "mellom",
    "under",
    "etter",
    "innen",
    "innenfor",
    "samt",
    "en",
    "et",
    "ei",
    "den",
    "det",
    "de",
    "at",
    "å",
    "the",
    "and",
    "or",
    "of",
    "to",
    "in",
    "with",
    "a",
    "an",
    "mot",
    "uten",
    "enn",
    "blant",
    "der",
    "hvor",
    "når",
    "men",
}
_NO_JOIN_AFTER_HYPHEN = {"og", "eller", "samt", "and", "or", "til"}


def normalise(text: str) -> str:
    """Normalise unicode, spaces and line endings; drop control characters."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n\n")
    text = text.replace("\u00a0", " ").replace("\u2009", " ").replace("\u202f", " ").replace("\t", " ")
    text = re.sub(r"[\x00-\x08\x0b\x0e-\x1f\u200b\ufeff]", "", text)
    return text


def strip_bullet(line: str) -> tuple[bool, str]:
    """Return (is_bullet, text without the bullet glyph)."""
    m = _BULLET_RE.match(line)
    if m and line[m.end() :].strip():
        return True, line[m.end() :].strip()
    return False, line.strip()


def _is_heading_line(line: str) -> bool:
    """Return True for an ALL-CAPS line or a short label ending in a colon."""
    letters = [c for c in line if c.isalpha()]
    digits_ok = not re.search(r"\d", re.sub(r"\b(19|20)\d\d\b", "", line))
    if len(letters) >= 4 and all(c.isupper() for c in letters) and len(line) <= 60 and digits_ok:
        return True
    return len(line) <= 50 and line.endswith(":") and line[:1].isupper() and not is_lead_in(line)


def is_lead_in(line: str) -> bool:
    """True for a colon line that is a sentence leading into a list ("Mye skal avklares, blant annet:")."""
    return line.endswith(":") and ("," in line or len(line.split()) > 4)


def _cut_mid_sentence(prev: str) -> bool:
    """True when a line stops where its sentence cannot end: after a connector word, a comma or a dash."""
    return prev.rsplit(" ", 1)[-1].lower() in _CONNECTORS or prev.endswith((",", " –", " -"))


def _should_join(prev: str, nxt: str) -> bool:
    """Decide whether a line break inside a block is a soft wrap."""
    if not prev or not nxt or prev.startswith(("#", "|")) or nxt.startswith(("#", "|", "- ")):
        return False
    if prev.endswith(":") or _is_heading_line(nxt):
        return False
    first = nxt[0]
    if first.islower() or first in '(«"':
        return True
    return prev.endswith("/") or _cut_mid_sentence(prev)


def _continues(prev: str, nxt: str, frame: bool = False) -> bool:
    """Decide whether a line after a blank line goes on with the sentence before it (slide text boxes).

    A line that opens a new text frame continues only a sentence cut after a connector word.
    """
    prev, nxt = prev.strip(), nxt.strip()
    if prev.startswith(("#", "|")) or nxt.startswith(("#", "|", "http")) or strip_bullet(nxt)[0]:
        return False
    if _is_heading_line(strip_bullet(prev)[1]) or _is_heading_line(nxt):
        return False
    lower_after_word = nxt[0].islower() and (prev[-1].isalpha() or prev[-1] == ")") and not frame
    return lower_after_word or _cut_mid_sentence(prev)


def _dehyphenate(prev: str, nxt: str) -> str | None:
    """Join 'kompe-' + 'tanse' into one word; return None when it is not a broken word."""
    m = re.search(r"([A-Za-zÆØÅæøå]{2,})-$", prev)
    if not m or not nxt or not nxt[0].islower():
        return None
    next_word = re.split(r"[\s,.;:]", nxt, maxsplit=1)[0].lower()
    if next_word in _NO_JOIN_AFTER_HYPHEN:
        return None
    return prev[:-1] + nxt


def clean_block(lines: list[str]) -> list[str]:
    """Clean the lines of one block: bullets, hyphenation and soft wraps."""
    out: list[str] = []
    for raw in lines:
        line = re.sub(r"\s+", " ", raw).strip()
        if not line:
            continue
        if line.startswith(("#", "|")):
            out.append(line)
            continue
        is_bullet, text = strip_bullet(line)
        if is_bullet:
            out.append("- " + text)
            continue
        if _NUMBERED_RE.match(line) and out and not out[-1].startswith("#"):
            out.append(line)
            continue
        if out:
            prev = out[-1]
            joined = _dehyphenate(prev, line)
            if joined is not None:
                out[-1] = joined
                continue
            if _should_join(prev, line):
                out[-1] = f"{prev} {line}"
                continue
        out.append(line)
    return [
        f"# {line}" if _is_heading_line(line) and (k == 0 or not line.endswith(":")) else line
        for k, line in enumerate(out)
    ]


def clean_text(text: str) -> str:
    """Clean extracted text into blocks of whole lines (see module docstring)."""
    blocks: list[list[str]] = [[]]
    text = _BROKEN_OVER_BLANK.sub(r"\1", normalise(text))
    for line in text.split("\n"):
        frame = bool(_FRAME_START.match(line))  # a text frame of a converted slide or page starts here
        if frame and blocks[-1]:
            blocks.append([])
        if not line.strip():
            if blocks[-1]:
                blocks.append([])
        elif len(blocks) > 1 and not blocks[-1] and _continues(blocks[-2][-1], line, frame):
            blocks.pop()
            blocks[-1].append(line)
        else:
            blocks[-1].append(line)
    cleaned = [clean_block(b) for b in blocks if b]
    return "\n\n".join("\n".join(b) for b in cleaned if b)


_BROKEN_OVER_BLANK = re.compile(
    r"([A-Za-zÆØÅæøå]{2})-[ \t]*\n(?:[ \t]*\n)+[ \t]*(?=[a-zæøå])(?!(?:og|eller|samt|til)\b)"
)
_FRAME_START = re.compile(r"^ (?=\S)")
_BROKEN = re.compile(r"([A-Za-zÆØÅæøå])-[ \t]*\n\s*(?=[a-zæøå])(?!(?:og|eller|samt|til)\b)")


def normalise_for_match(text: str) -> str:
    """Collapse whitespace, hyphenation and bullets so two renderings of a passage compare equal."""
    text = _BROKEN.sub(r"\1", normalise(text)).lower()
    text = re.sub(r"[\ufffd✓✔•➢▪►◦‣∙●○■□➤|#]", " ", text)
    return re.sub(r"\s+", " ", text).strip()
