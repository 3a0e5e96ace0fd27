"""Pure rendering of a hand-built Answer into Slack blocks, an Adaptive Card and Teams citation claims."""

from __future__ import annotations

import json

from assistant.bots import cards
from assistant.types import Answer, Citation

PUBLIC = "https://plan.example.org/"
LONG_QUOTE = "Fakultetet skal styrke forskningen gjennom " + "bedre samarbeid og mer tid til forskning " * 20
ANSWER = Answer(
    question="Hva sier planene om forskning & <budsjett>?",
    answer="Dette står i dokumentene:\n- Mer og bedre forskning [1]\n- Budsjettet <2020> & videre [2]",
    citations=(
        Citation(1, "strategi 2018.pdf", "Strategi 2018–2025", 3, LONG_QUOTE),
        Citation(2, "003_19c0.txt", "Handlingsplan | status", None, "Budsjettet påvirkes først fra 2020."),
    ),
    abstained=False,
    lang="nb",
    completeness="Svaret dekker to av tre dokumenter.",
)
ABSTAINED = Answer("What about the moon?", "I found nothing about that in the documents.", (), True, "en")


def contexts(blocks: list[dict]) -> list[str]:
    return [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]


def test_source_urls_point_at_the_document_page_when_a_public_url_is_set() -> None:
    first, second = ANSWER.citations
    assert cards.source_url(PUBLIC, first) == "https://plan.example.org/api/documents/strategi%202018.pdf#page=3"
    assert cards.source_url(PUBLIC, second) == "https://plan.example.org/api/documents/003_19c0.txt"
    assert cards.source_url(None, first) is None


def test_clip_cuts_at_a_word_and_marks_the_cut() -> None:
    assert cards.clip("  kort   tekst ", 50) == "kort tekst"
    clipped = cards.clip(LONG_QUOTE, 60)
    assert len(clipped) <= 60 and clipped.endswith("…") and " " in clipped
    assert LONG_QUOTE.startswith(clipped[:-1])


def test_slack_blocks_hold_the_escaped_answer_sources_and_buttons() -> None:
    blocks = cards.slack_blocks(ANSWER, ["Hva er strategien?"], PUBLIC)
    section = blocks[0]
    assert section == {
        "type": "section",
        "text": {
            "type": "mrkdwn",
            "text": (
                "Dette står i dokumentene:\n• Mer og bedre forskning [1]\n• Budsjettet &lt;2020&gt; &amp; videre [2]"
            ),
        },
    }
    notes = contexts(blocks)
    assert notes[0] == "Svaret dekker to av tre dokumenter."
    assert notes[1] == "*Kilder*"
    first, second = notes[2:]
    assert first.startswith(
        "*[1]* <https://plan.example.org/api/documents/strategi%202018.pdf#page=3|"
        "Strategi 2018–2025, s. 3>\n_«Fakultetet skal"
    )
    assert first.endswith("…»_") and len(first) < 400
    assert (
        second == "*[2]* <https://plan.example.org/api/documents/003_19c0.txt|Handlingsplan ¦ status>\n"
        "_«Budsjettet påvirkes først fra 2020.»_"
    )
    actions = blocks[-1]
    assert actions["type"] == "actions" and actions["block_id"] == cards.FEEDBACK_BLOCK
    up, down = actions["elements"]
    assert (up["action_id"], down["action_id"]) == (cards.FEEDBACK_UP, cards.FEEDBACK_DOWN)
    assert up["text"]["text"] == "👍 Nyttig" and down["text"]["text"] == "👎 Ikke nyttig"
    assert cards.parse_ref(up["value"]) == (ANSWER.question, ["Hva er strategien?"])


def test_slack_sources_are_bold_titles_without_a_public_url() -> None:
    notes = contexts(cards.slack_blocks(ANSWER))
    assert notes[2].startswith("*[1]* *Strategi 2018–2025, s. 3*")


def test_slack_text_is_the_escaped_answer() -> None:
    assert (
        cards.slack_text(ANSWER) == "Dette står i dokumentene: - Mer og bedre forskning [1] - "
        "Budsjettet &lt;2020&gt; &amp; videre [2]"
    )


def test_long_answers_are_split_into_sections_within_slacks_limit() -> None:
    long = Answer("q", "\n".join(f"- {'ord ' * 200}[{i}]" for i in range(1, 9)), (), False, "nb")
    sections = [b for b in cards.slack_blocks(long) if b["type"] == "section"]
    assert len(sections) > 1
    assert all(len(s["text"]["text"]) <= cards.SLACK_SECTION_CHARS for s in sections)
    assert "".join(s["text"]["text"] for s in sections).count("[") == 8


def test_an_abstention_in_english_has_no_sources_but_can_be_rated() -> None:
    blocks = cards.slack_blocks(ABSTAINED)
    assert [b["type"] for b in blocks] == ["section", "actions"]
    assert blocks[-1]["elements"][0]["text"]["text"] == "👍 Helpful"
    card = cards.adaptive_card(ABSTAINED)
    assert [b["text"] for b in card["body"]] == [ABSTAINED.answer]
    assert cards.teams_claims(ABSTAINED) == []


def test_the_feedback_reference_fits_in_a_slack_button_value() -> None:
    history = [f"Tidligere spørsmål nummer {i} om budsjett og «tiltak»" * 10 for i in range(20)]
    value = cards.feedback_ref("Hva med 2021?", history)
    assert len(value) <= cards.SLACK_VALUE_CHARS
    question, kept = cards.parse_ref(value)
    assert question == "Hva med 2021?" and kept == history[-len(kept) :] and 0 < len(kept) < 20
    huge = cards.feedback_ref("x" * 5000, [])
    assert len(huge) <= cards.SLACK_VALUE_CHARS and cards.parse_ref(huge)[0].startswith("xxx")
    quoted = '"quoted" \\ question'
    assert json.loads(cards.feedback_ref(quoted, [])) == {"q": quoted, "h": []}


def test_the_adaptive_card_shows_answer_sources_links_and_feedback() -> None:
    card = cards.adaptive_card(ANSWER, ["Hva er strategien?"], PUBLIC)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card["body"][0] == {"type": "TextBlock", "text": ANSWER.answer, "wrap": True}
    assert card["body"][1]["text"] == ANSWER.completeness and card["body"][1]["isSubtle"]
    assert card["body"][2]["text"] == "Kilder"
    first, second = card["body"][3:]
    assert first["items"][0]["text"] == "[1] Strategi 2018–2025, s. 3"
    assert first["items"][1]["text"].startswith("«Fakultetet") and first["items"][1]["text"].endswith("…»")
    assert first["items"][2]["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Åpne dokumentet",
            "url": "https://plan.example.org/api/documents/strategi%202018.pdf#page=3",
        }
    ]
    assert second["items"][0]["text"] == "[2] Handlingsplan | status"
    up, down = card["actions"]
    assert up["type"] == down["type"] == "Action.Submit"
    assert up["data"] == {
        "type": cards.TEAMS_FEEDBACK,
        "rating": "up",
        "q": ANSWER.question,
        "h": ["Hva er strategien?"],
    }
    assert down["data"]["rating"] == "down"
    assert cards.parse_ref(down["data"]) == (ANSWER.question, ["Hva er strategien?"])


def test_the_adaptive_card_has_no_links_without_a_public_url() -> None:
    card = cards.adaptive_card(ANSWER)
    assert all(len(block.get("items", [])) <= 2 for block in card["body"])


def test_teams_claims_follow_the_citation_schema() -> None:
    claims = cards.teams_claims(ANSWER, PUBLIC)
    assert [c["position"] for c in claims] == [1, 2]
    first = claims[0]
    assert first["@type"] == "Claim"
    appearance = first["appearance"]
    assert appearance["@type"] == "DigitalDocument"
    assert appearance["name"] == "Strategi 2018–2025, s. 3"
    assert len(appearance["abstract"]) <= 160 and appearance["abstract"].endswith("…")
    assert appearance["url"] == "https://plan.example.org/api/documents/strategi%202018.pdf#page=3"
    assert "url" not in cards.teams_claims(ANSWER)[0]["appearance"]
