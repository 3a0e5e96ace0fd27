"""The Slack bot end to end: signed events into the real app, Slack's Web API played by a loopback server."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.bots import cards
from assistant.bots.common import APOLOGY, BotNotConfigured
from assistant.bots.slack import SlackConnectionError, clean_text, run_socket_mode, start_socket_mode
from assistant.config import Settings
from assistant.feedback import FeedbackStore
from assistant.service import Assistant
from tests.bots.loopback import FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-test-token"
BOT = FakeSlack.BOT_USER
Q1 = "Hvilke tiltak er forsinket på grunn av budsjett?"
Q2 = "Hva med 2021?"


def sign(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature: HMAC-SHA256 of 'v0:{ts}:{body}' with the signing secret."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def event(inner: dict[str, Any]) -> str:
    """An Events API envelope around one event."""
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{inner['ts'].replace('.', '')}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T1", "user_id": BOT, "is_bot": True}],
            "event": inner,
        }
    )


def mention(text: str, ts: str, thread_ts: str | None = None, **extra: Any) -> dict[str, Any]:
    """An app_mention event in channel C1."""
    inner = {"type": "app_mention", "user": "U1", "text": text, "ts": ts, "channel": "C1", "event_ts": ts, **extra}
    if thread_ts:
        inner["thread_ts"] = thread_ts
    return inner


@pytest.fixture
def slack_settings(settings: Settings, fake_slack: FakeSlack) -> Settings:
    """Settings of a configured Slack bot whose Web API is the loopback server."""
    return settings.model_copy(
        update={
            "slack_bot_token": TOKEN,
            "slack_signing_secret": SECRET,
            "slack_api_url": fake_slack.api_url,
            "public_url": "https://plan.example.org",
        }
    )


@pytest.fixture
def client(slack_settings: Settings, shared_assistant: Assistant) -> Iterator[TestClient]:
    """The real app; the `with` keeps its event loop alive for Bolt's after-ack listeners."""
    with TestClient(create_app(slack_settings, shared_assistant)) as c:
        yield c


def post_event(client: TestClient, body: str, headers: dict[str, str] | None = None) -> Any:
    """POST a signed JSON body to /slack/events."""
    return client.post(
        "/slack/events", content=body, headers={"Content-Type": "application/json", **(headers or sign(body))}
    )


def replies(fake: FakeSlack, count: int = 1) -> list[dict[str, Any]]:
    """Wait for chat.postMessage calls and return their parameters."""
    return [c["data"] for c in fake.server.wait_for(lambda c: c["path"] == "/api/chat.postMessage", count)]


def test_mention_is_answered_in_its_thread_with_sources_and_feedback_buttons(
    client: TestClient, fake_slack: FakeSlack, shared_assistant: Assistant
) -> None:
    response = post_event(client, event(mention(f"<@{BOT}> {Q1}", "1700000000.000100")))
    assert response.status_code == 200
    [reply] = replies(fake_slack)
    expected = shared_assistant.answer(Q1)
    assert reply["channel"] == "C1" and reply["thread_ts"] == "1700000000.000100"
    assert reply["text"] == cards.slack_text(expected)
    blocks = reply["blocks"]
    assert blocks[0]["type"] == "section" and blocks[0]["text"]["type"] == "mrkdwn"
    assert blocks[0]["text"]["text"] == cards.slack_blocks(expected)[0]["text"]["text"]
    assert blocks[0]["text"]["text"].split("\n")[0] == cards.slack_escape(expected.answer.split("\n")[0])
    notes = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    sources = notes[notes.index("*Kilder*") + 1 :]
    assert len(sources) == len(expected.citations) > 0
    first = expected.citations[0]
    assert sources[0].startswith("*[1]* <https://plan.example.org/api/documents/" + first.source)
    public = "https://plan.example.org"
    assert sources == [cards.slack_source(c, expected.lang, public) for c in expected.citations]
    actions = blocks[-1]
    assert actions["type"] == "actions"
    assert [e["action_id"] for e in actions["elements"]] == ["feedback_up", "feedback_down"]
    assert cards.parse_ref(actions["elements"][0]["value"]) == (Q1, [])
    assert fake_slack.calls_to("chat.postMessage")[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"


def test_a_thread_follow_up_uses_the_earlier_question_as_history(
    client: TestClient, fake_slack: FakeSlack, shared_assistant: Assistant
) -> None:
    fake_slack.threads[("C1", "1700000100.000100")] = [
        {"type": "message", "user": "U1", "text": f"<@{BOT}> {Q1}", "ts": "1700000100.000100"},
        {
            "type": "message",
            "user": BOT,
            "bot_id": "BBOT",
            "text": "Dette står i dokumentene: …",
            "ts": "1700000101.000100",
            "thread_ts": "1700000100.000100",
        },
        {
            "type": "message",
            "user": "U2",
            "text": "Noen som vet?",
            "ts": "1700000102.000100",
            "thread_ts": "1700000100.000100",
            "subtype": "channel_join",
        },
        {
            "type": "message",
            "user": "U1",
            "text": f"<@{BOT}> {Q2}",
            "ts": "1700000105.000100",
            "thread_ts": "1700000100.000100",
        },
    ]
    post_event(client, event(mention(f"<@{BOT}> {Q2}", "1700000105.000100", thread_ts="1700000100.000100")))
    [reply] = replies(fake_slack)
    [lookup] = fake_slack.calls_to("conversations.replies")
    assert lookup["data"]["channel"] == "C1" and lookup["data"]["ts"] == "1700000100.000100"
    with_history, alone = shared_assistant.answer(Q2, [Q1]), shared_assistant.answer(Q2)
    assert with_history.answer != alone.answer
    assert reply["text"] == cards.slack_text(with_history)
    assert reply["thread_ts"] == "1700000100.000100"
    assert cards.parse_ref(reply["blocks"][-1]["elements"][0]["value"]) == (Q2, [Q1])


def test_a_direct_message_is_answered(client: TestClient, fake_slack: FakeSlack, shared_assistant: Assistant) -> None:
    dm = {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "text": "What is the strategy for research?",
        "ts": "1700000200.000100",
        "channel": "D1",
        "event_ts": "1700000200.000100",
    }
    post_event(client, event(dm))
    [reply] = replies(fake_slack)
    assert reply["channel"] == "D1" and reply["thread_ts"] == "1700000200.000100"
    expected = shared_assistant.answer("What is the strategy for research?")
    assert expected.lang == "en" and reply["text"] == cards.slack_text(expected)
    assert [b["elements"][0]["text"] for b in reply["blocks"] if b["type"] == "context"][0] == "*Sources*"
    assert reply["blocks"][-1]["elements"][0]["text"]["text"] == "👍 Helpful"


def test_messages_from_bots_and_from_itself_are_ignored(client: TestClient, fake_slack: FakeSlack) -> None:
    base = {"type": "message", "channel_type": "im", "channel": "D1", "text": Q1}
    ignored = [
        {**base, "user": "U9", "bot_id": "B9", "ts": "1700000300.000100"},
        {**base, "subtype": "bot_message", "bot_id": "B9", "username": "other", "ts": "1700000301.000100"},
        {**base, "user": BOT, "ts": "1700000302.000100"},
        {**base, "user": "U1", "subtype": "message_changed", "ts": "1700000303.000100"},
        mention(f"<@{BOT}> {Q1}", "1700000304.000100", bot_id="B9"),
        {**base, "channel_type": "channel", "channel": "C1", "user": "U1", "ts": "1700000305.000100"},
    ]
    for item in ignored:
        assert post_event(client, event(item)).status_code == 200
    post_event(client, event({**base, "user": "U1", "ts": "1700000309.000100"}))
    [reply] = replies(fake_slack)
    time.sleep(0.5)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert reply["thread_ts"] == "1700000309.000100"


def test_a_retried_delivery_is_answered_once(client: TestClient, fake_slack: FakeSlack) -> None:
    body = event(mention(f"<@{BOT}> {Q1}", "1700000350.000100"))
    post_event(client, body)
    post_event(client, body, {**sign(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    replies(fake_slack)
    time.sleep(1.0)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_feedback_buttons_store_feedback_and_confirm_ephemerally(
    client: TestClient, fake_slack: FakeSlack, slack_settings: Settings, shared_assistant: Assistant
) -> None:
    post_event(client, event(mention(f"<@{BOT}> {Q2}", "1700000400.000200", thread_ts="1700000400.000100")))
    [reply] = replies(fake_slack)
    button = reply["blocks"][-1]["elements"][1]
    payload = {
        "type": "block_actions",
        "user": {"id": "U1", "username": "kari"},
        "api_app_id": "A1",
        "token": "legacy",
        "team": {"id": "T1"},
        "channel": {"id": "C1"},
        "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": "1800000000.000001", "channel_id": "C1"},
        "message": {
            "type": "message",
            "ts": "1800000000.000001",
            "thread_ts": "1700000400.000100",
            "text": reply["text"],
            "blocks": reply["blocks"],
            "user": BOT,
            "bot_id": "BBOT",
        },
        "actions": [{**button, "block_id": "plan_feedback", "type": "button", "action_ts": str(time.time())}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    response = client.post(
        "/slack/events", content=body, headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    )
    assert response.status_code == 200
    [confirm] = fake_slack.server.wait_for(lambda c: c["path"] == "/api/chat.postEphemeral")
    assert confirm["data"]["user"] == "U1" and confirm["data"]["channel"] == "C1"
    assert confirm["data"]["text"] == "Takk for tilbakemeldingen!"
    assert confirm["data"]["thread_ts"] == "1700000400.000100"
    [row] = FeedbackStore(slack_settings.store_dir).all()
    assert (row["channel"], row["rating"], row["question"], row["history"]) == ("slack", "down", Q2, [])
    expected = shared_assistant.answer(Q2)
    assert row["answer"] == expected.answer and row["abstained"] == int(expected.abstained)
    assert row["citations"] == [c.to_json() for c in expected.citations]


def test_url_verification_answers_the_challenge(client: TestClient) -> None:
    body = json.dumps(
        {
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    response = post_event(client, body)
    assert response.status_code == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.text


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda body: sign(body, secret="not-the-secret"), id="bad-signature"),
        pytest.param(lambda body: sign(body, timestamp=int(time.time()) - 10 * 60), id="stale-timestamp"),
        pytest.param(lambda body: {}, id="unsigned"),
    ],
)
def test_unsigned_badly_signed_and_stale_requests_are_rejected(
    client: TestClient, fake_slack: FakeSlack, headers: Any
) -> None:
    body = event(mention(f"<@{BOT}> {Q1}", "1700000500.000100"))
    response = client.post("/slack/events", content=body, headers={"Content-Type": "application/json", **headers(body)})
    assert response.status_code == 401
    time.sleep(0.3)
    assert fake_slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        pytest.param(f"<@{BOT}>", "nb", id="empty"),
        pytest.param(f"<@{BOT}> " + "What is the plan for the budget and research? " * 50, "en", id="oversized"),
    ],
)
def test_a_failure_to_answer_gets_an_apology_in_the_thread(
    client: TestClient, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture, text: str, lang: str
) -> None:
    caplog.set_level(logging.WARNING, logger="plan_assistant.bots")
    post_event(client, event(mention(text, "1700000600.000100")))
    [reply] = replies(fake_slack)
    assert (reply["channel"], reply["thread_ts"], reply["text"]) == ("C1", "1700000600.000100", APOLOGY[lang])
    assert "blocks" not in reply
    assert any("could not answer (bad_request)" in r.getMessage() for r in caplog.records)


def test_without_token_and_secret_the_route_says_what_is_missing(
    settings: Settings, shared_assistant: Assistant
) -> None:
    with TestClient(create_app(settings, shared_assistant)) as c:
        response = c.post("/slack/events", json={"type": "url_verification", "challenge": "x"})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "bot_not_configured"
    assert "PLAN_SLACK_BOT_TOKEN" in error["message"] and "PLAN_SLACK_SIGNING_SECRET" in error["message"]


def test_socket_mode_answers_an_event_received_over_the_socket(
    slack_settings: Settings, fake_slack: FakeSlack, shared_assistant: Assistant
) -> None:
    settings = slack_settings.model_copy(update={"slack_signing_secret": None, "slack_app_token": "xapp-1-test"})
    fake_slack.envelopes.append(
        {
            "envelope_id": "env-1",
            "type": "events_api",
            "accepts_response_payload": False,
            "payload": json.loads(event(mention(f"<@{BOT}> {Q1}", "1700000700.000100"))),
        }
    )

    async def scenario() -> None:
        handler = await start_socket_mode(shared_assistant, settings)
        try:
            await asyncio.to_thread(replies, fake_slack)
        finally:
            await handler.close_async()

    asyncio.run(scenario())
    [opened] = fake_slack.calls_to("apps.connections.open")
    assert opened["headers"]["Authorization"] == "Bearer xapp-1-test"
    assert {"envelope_id": "env-1"} in fake_slack.acks
    [reply] = [c["data"] for c in fake_slack.calls_to("chat.postMessage")]
    assert reply["thread_ts"] == "1700000700.000100"
    assert reply["text"] == cards.slack_text(shared_assistant.answer(Q1))


def test_socket_mode_without_an_app_token_is_a_clear_error(
    slack_settings: Settings, shared_assistant: Assistant
) -> None:
    with pytest.raises(BotNotConfigured, match="PLAN_SLACK_APP_TOKEN"):
        run_socket_mode(shared_assistant, slack_settings)


def test_socket_mode_with_a_refused_app_token_is_a_clear_error(
    slack_settings: Settings, fake_slack: FakeSlack, shared_assistant: Assistant
) -> None:
    settings = slack_settings.model_copy(update={"slack_app_token": "xapp-revoked"})
    fake_slack.refuse_app_token = "xapp-revoked"
    with pytest.raises(SlackConnectionError, match=r"PLAN_SLACK_APP_TOKEN \(invalid_auth\)"):
        asyncio.run(start_socket_mode(shared_assistant, settings))
    assert [c for c in fake_slack.server.calls if c["path"] == "/socket"] == []


def test_clean_text_strips_mentions_links_and_entities() -> None:
    text = "<@UBOT|plan>  Hva står i <https://x.no/plan|planen> om <#C1|budsjett> &amp; R&amp;D &lt;2020&gt;?"
    assert clean_text(text) == "Hva står i planen om budsjett & R&D <2020>?"


def test_a_feedback_click_that_cannot_be_stored_says_so(
    client: TestClient, fake_slack: FakeSlack, slack_settings: Settings
) -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "token": "legacy",
        "team": {"id": "T1"},
        "channel": {"id": "C1"},
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "C1"},
        "message": {"type": "message", "ts": "1800000000.000009", "text": "…"},
        "actions": [{"action_id": "feedback_up", "block_id": "plan_feedback", "type": "button", "value": "not json"}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    client.post(
        "/slack/events", content=body, headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    )
    [confirm] = fake_slack.server.wait_for(lambda c: c["path"] == "/api/chat.postEphemeral")
    assert confirm["data"]["text"] == "Beklager, tilbakemeldingen ble ikke lagret."
    assert FeedbackStore(slack_settings.store_dir).all() == []
