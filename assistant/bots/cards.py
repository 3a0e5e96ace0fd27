"""Pure rendering of an Answer into Slack Block Kit blocks and a Teams Adaptive Card with citations."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from assistant.types import Answer, Citation

FEEDBACK_UP = "feedback_up"
FEEDBACK_DOWN = "feedback_down"
FEEDBACK_BLOCK = "plan_feedback"
TEAMS_FEEDBACK = "plan_feedback"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
SLACK_SECTION_CHARS = 3000
SLACK_VALUE_CHARS = 2000
QUOTE_CHARS = 240
MAX_SOURCES = 10

_LABELS = {
    "nb": {
        "sources": "Kilder",
        "page": "s.",
        "open": "Åpne dokumentet",
        "up": "👍 Nyttig",
        "down": "👎 Ikke nyttig",
        "thanks": "Takk for tilbakemeldingen!",
        "not_saved": "Beklager, tilbakemeldingen ble ikke lagret.",
    },
    "en": {
        "sources": "Sources",
        "page": "p.",
        "open": "Open the document",
        "up": "👍 Helpful",
        "down": "👎 Not helpful",
        "thanks": "Thanks for the feedback!",
        "not_saved": "Sorry, the feedback was not saved.",
    },
}
_BULLET = re.compile(r"^- ", re.M)


def label(lang: str, key: str) -> str:
    """Return a UI label in the answer's language (Norwegian unless English)."""
    return _LABELS["en" if lang == "en" else "nb"][key]


def clip(text: str, limit: int) -> str:
    """Collapse whitespace and cut at a word boundary, marking the cut with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: max(limit - 1, 1)]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:") + "…"


def source_url(public_url: str | None, citation: Citation) -> str | None:
    """Link to the document ({public_url}/api/documents/{name}#page=N) when a public URL is set."""
    if not public_url:
        return None
    url = f"{public_url.rstrip('/')}/api/documents/{quote(citation.source, safe='')}"
    return f"{url}#page={citation.page}" if citation.page else url


def where(citation: Citation, lang: str) -> str:
    """Return 'Title, s. N' (or 'p. N'), or just the title when the page is unknown."""
    title = citation.title or citation.source
    return f"{title}, {label(lang, 'page')} {citation.page}" if citation.page else title


def feedback_ref(question: str, history: Sequence[str], limit: int = SLACK_VALUE_CHARS) -> str:
    """Encode what feedback needs (question and history) as JSON no longer than `limit` characters."""
    hist = [h for h in history if h]
    while True:
        value = json.dumps({"q": question, "h": hist}, ensure_ascii=False, separators=(",", ":"))
        if len(value) <= limit:
            return value
        if hist:
            hist = hist[1:]
        elif question:
            question = question[: max(len(question) - (len(value) - limit) - 1, 0)]
        else:
            return value


def parse_ref(value: Any) -> tuple[str, list[str]]:
    """Decode a feedback reference (a JSON string or an already-decoded dict) into question and history."""
    data = json.loads(value) if isinstance(value, str) else value
    if not isinstance(data, dict) or not isinstance(data.get("q"), str):
        raise ValueError("feedback reference without a question")
    history = data.get("h") or []
    if not isinstance(history, list):
        raise ValueError("feedback reference with a malformed history")
    return data["q"], [str(h) for h in history]


def slack_escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_body(text: str) -> str:
    return _BULLET.sub("• ", slack_escape(text))


def _chunks(text: str, limit: int) -> list[str]:
    """Split text on line breaks into pieces no longer than `limit` (a long line is cut hard)."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            out += [current] if current else []
            out.append(line[:limit])
            current, line = "", line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    return [c for c in [*out, current] if c.strip()]


def slack_text(answer: Answer) -> str:
    """Plain fallback text for notifications and clients that cannot show blocks."""
    return clip(slack_escape(answer.answer), 3000)


def slack_source(citation: Citation, lang: str, public_url: str | None = None) -> str:
    """One source line: number, linked title and page, and a short quote."""
    url = source_url(public_url, citation)
    name = slack_escape(where(citation, lang)).replace("|", "¦")
    title = f"<{url}|{name}>" if url else f"*{name}*"
    return f"*[{citation.n}]* {title}\n_«{slack_escape(clip(citation.text, QUOTE_CHARS))}»_"


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def slack_blocks(answer: Answer, history: Sequence[str] = (), public_url: str | None = None) -> list[dict[str, Any]]:
    """Block Kit for an answer: the text, a context block per source, and 👍/👎 buttons."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": part}}
        for part in _chunks(_slack_body(answer.answer), SLACK_SECTION_CHARS)[:30]
    ]
    if answer.completeness:
        blocks.append(_context(slack_escape(answer.completeness)))
    if answer.citations:
        blocks.append(_context(f"*{label(answer.lang, 'sources')}*"))
    blocks += [_context(slack_source(c, answer.lang, public_url)) for c in answer.citations[:MAX_SOURCES]]
    value = feedback_ref(answer.question, history)
    blocks.append(
        {
            "type": "actions",
            "block_id": FEEDBACK_BLOCK,
            "elements": [
                {
                    "type": "button",
                    "action_id": action,
                    "value": value,
                    "text": {"type": "plain_text", "text": label(answer.lang, key), "emoji": True},
                }
                for action, key in ((FEEDBACK_UP, "up"), (FEEDBACK_DOWN, "down"))
            ],
        }
    )
    return blocks


def adaptive_card(answer: Answer, history: Sequence[str] = (), public_url: str | None = None) -> dict[str, Any]:
    """Adaptive Card 1.5: the answer, its sources (title, page, quote, link) and feedback buttons."""
    body: list[dict[str, Any]] = [{"type": "TextBlock", "text": answer.answer, "wrap": True}]
    if answer.completeness:
        body.append({"type": "TextBlock", "text": answer.completeness, "wrap": True, "isSubtle": True})
    if answer.citations:
        body.append(
            {
                "type": "TextBlock",
                "text": label(answer.lang, "sources"),
                "weight": "Bolder",
                "spacing": "Medium",
                "separator": True,
            }
        )
    for c in answer.citations:
        items: list[dict[str, Any]] = [
            {
                "type": "TextBlock",
                "text": f"[{c.n}] {where(c, answer.lang)}",
                "wrap": True,
                "weight": "Bolder",
                "size": "Small",
            },
            {
                "type": "TextBlock",
                "text": f"«{clip(c.text, QUOTE_CHARS)}»",
                "wrap": True,
                "isSubtle": True,
                "size": "Small",
                "spacing": "None",
            },
        ]
        url = source_url(public_url, c)
        if url:
            items.append(
                {
                    "type": "ActionSet",
                    "actions": [{"type": "Action.OpenUrl", "title": label(answer.lang, "open"), "url": url}],
                }
            )
        body.append({"type": "Container", "items": items, "spacing": "Small"})
    ref = json.loads(feedback_ref(answer.question, history, limit=20000))
    actions = [
        {
            "type": "Action.Submit",
            "title": label(answer.lang, rating),
            "data": {"type": TEAMS_FEEDBACK, "rating": rating, **ref},
        }
        for rating in ("up", "down")
    ]
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
        "actions": actions,
    }


def teams_claims(answer: Answer, public_url: str | None = None) -> list[dict[str, Any]]:
    """schema.org Claim objects for Teams' citation metadata, one per [n] marker in the text."""
    claims = []
    for c in answer.citations[:20]:
        appearance: dict[str, Any] = {
            "@type": "DigitalDocument",
            "name": clip(where(c, answer.lang), 80),
            "abstract": clip(c.text, 160),
        }
        url = source_url(public_url, c)
        if url:
            appearance["url"] = url
        claims.append({"@type": "Claim", "position": c.n, "appearance": appearance})
    return claims
