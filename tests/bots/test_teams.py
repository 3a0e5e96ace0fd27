"""The Teams bot end to end: activities into the real app; connector, keys and tokens on loopback servers."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.bots import cards
from assistant.bots.common import APOLOGY
from assistant.bots.teams import clean_text
from assistant.bots.teams_auth import BOT_FRAMEWORK_ISSUER, service_url_validator
from assistant.config import Settings
from assistant.feedback import FeedbackStore
from assistant.service import Assistant
from tests.bots.loopback import FakeConnector, KeyServer

APP_ID = "6f1c2d3e-0000-4000-8000-00000000b07a"
PASSWORD = "app-password-for-tests"
Q1 = "Hvilke tiltak er forsinket på grunn av budsjett?"
Q2 = "Hva med 2021?"


def activity(service_url: str, text: str | None = Q1, activity_id: str = "act-1", **extra: Any) -> dict[str, Any]:
    """A Teams message activity from a user to the bot in a personal chat."""
    return {
        "type": "message",
        "id": activity_id,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": "2024-05-02T10:00:00.000Z",
        "locale": "nb-NO",
        "text": text,
        "from": {"id": "29:user-kari", "name": "Kari", "aadObjectId": "00000000-0000-0000-0000-00000000ca21"},
        "recipient": {"id": f"28:{APP_ID}", "name": "Plan Assistant"},
        "conversation": {"id": "a:conv-1", "conversationType": "personal", "tenantId": "tenant-1"},
        **extra,
    }


def bot_token(keys: KeyServer, service_url: str, key: rsa.RSAPrivateKey | None = None, **claims: Any) -> str:
    """A Bot Framework style RS256 token (iss, aud, serviceurl, nbf, exp) signed with the loopback key."""
    now = int(time.time())
    body = {
        "iss": BOT_FRAMEWORK_ISSUER,
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode(body, key or keys.key, algorithm="RS256", headers={"kid": KeyServer.KID})


def reply_card(reply: dict[str, Any]) -> dict[str, Any]:
    [attachment] = reply["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


@pytest.fixture
def dev_client(settings: Settings, shared_assistant: Assistant) -> Iterator[TestClient]:
    """The app in anonymous development mode (no tokens; serviceUrl host checks off by default)."""
    dev = settings.model_copy(update={"teams_allow_anonymous": True, "public_url": "https://plan.example.org"})
    with TestClient(create_app(dev, shared_assistant)) as c:
        yield c


@pytest.fixture
def auth_settings(settings: Settings, keys: KeyServer) -> Settings:
    """Authentication on: tokens checked against the loopback JWKS; reply tokens from loopback too."""
    return settings.model_copy(
        update={
            "teams_app_id": APP_ID,
            "teams_app_password": PASSWORD,
            "teams_jwks_url": keys.server.url + "/keys",
            "teams_token_url": keys.server.url + "/token",
            "teams_validate_service_url": False,
        }
    )


@pytest.fixture
def auth_client(auth_settings: Settings, shared_assistant: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(auth_settings, shared_assistant)) as c:
        yield c


def test_a_question_gets_an_adaptive_card_reply_with_citations(
    dev_client: TestClient, connector: FakeConnector, shared_assistant: Assistant
) -> None:
    response = dev_client.post("/api/messages", json=activity(connector.server.url))
    assert response.status_code in (200, 202)
    [call] = connector.messages()
    assert call["path"] == "/v3/conversations/a:conv-1/activities/act-1"
    reply = call["data"]
    assert reply["replyToId"] == "act-1" and reply["conversation"]["id"] == "a:conv-1"
    assert reply["recipient"]["id"] == "29:user-kari"
    expected = shared_assistant.answer(Q1)
    assert reply["text"] == expected.answer
    card = reply_card(reply)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card["body"][0]["text"] == expected.answer
    first = expected.citations[0]
    texts = [item.get("text", "") for block in card["body"] for item in block.get("items", [])]
    assert f"[1] {cards.where(first, expected.lang)}" in texts and first.title in texts[0]
    opens = [a for block in card["body"] for item in block.get("items", []) for a in item.get("actions", [])]
    assert len(opens) == len(expected.citations)
    assert opens[0] == {
        "type": "Action.OpenUrl",
        "title": cards.label(expected.lang, "open"),
        "url": cards.source_url("https://plan.example.org", first),
    }
    assert opens[0]["url"].startswith(f"https://plan.example.org/api/documents/{first.source}")
    submits = card["actions"]
    assert [a["type"] for a in submits] == ["Action.Submit", "Action.Submit"]
    assert [a["data"]["rating"] for a in submits] == ["up", "down"]
    assert submits[0]["data"]["q"] == Q1
    [entity] = reply["entities"]
    assert entity["type"] == "https://schema.org/Message" and entity["@type"] == "Message"
    assert "AIGeneratedContent" not in entity.get("additionalType", [])
    markers = sorted({int(n) for n in re.findall(r"\[(\d+)\]", reply["text"])})
    assert [c["position"] for c in entity["citation"]] == markers == [c.n for c in expected.citations]
    claim = entity["citation"][0]
    assert claim["@type"] == "Claim" and claim["appearance"]["@type"] == "DigitalDocument"
    assert claim["appearance"]["name"] == cards.clip(cards.where(first, expected.lang), 80)
    assert claim["appearance"]["url"].startswith("https://plan.example.org/api/documents/")
    assert len(claim["appearance"]["abstract"]) <= 160
    assert not call["headers"].get("Authorization", "").removeprefix("Bearer").strip()


def test_card_feedback_is_stored_and_acknowledged(
    dev_client: TestClient, connector: FakeConnector, settings: Settings, shared_assistant: Assistant
) -> None:
    dev_client.post("/api/messages", json=activity(connector.server.url))
    [first] = connector.messages()
    data = reply_card(first["data"])["actions"][0]["data"]
    submit = activity(connector.server.url, text=None, activity_id="act-2", value=data, replyToId="reply-1")
    assert dev_client.post("/api/messages", json=submit).status_code in (200, 202)
    _, thanks = connector.messages(2)
    assert thanks["data"]["text"] == "Takk for tilbakemeldingen!"
    assert thanks["path"] == "/v3/conversations/a:conv-1/activities/act-2"
    [row] = FeedbackStore(settings.store_dir).all()
    assert (row["channel"], row["rating"], row["question"], row["history"]) == ("teams", "up", Q1, [])
    expected = shared_assistant.answer(Q1)
    assert row["answer"] == expected.answer and row["citations"] == [c.to_json() for c in expected.citations]


def test_feedback_without_its_question_is_not_stored_and_says_so(
    dev_client: TestClient, connector: FakeConnector, settings: Settings
) -> None:
    value = {"type": cards.TEAMS_FEEDBACK, "rating": "up"}
    dev_client.post("/api/messages", json=activity(connector.server.url, text=None, value=value))
    [call] = connector.messages()
    assert call["data"]["text"] == "Beklager, tilbakemeldingen ble ikke lagret."
    assert FeedbackStore(settings.store_dir).all() == []


def test_a_follow_up_in_the_conversation_uses_the_earlier_question(
    dev_client: TestClient, connector: FakeConnector, shared_assistant: Assistant
) -> None:
    dev_client.post("/api/messages", json=activity(connector.server.url, Q1))
    dev_client.post("/api/messages", json=activity(connector.server.url, Q2, activity_id="act-2"))
    _, second = connector.messages(2)
    with_history = shared_assistant.answer(Q2, [Q1]).answer
    assert second["data"]["text"] == with_history != shared_assistant.answer(Q2).answer
    assert reply_card(second["data"])["actions"][0]["data"]["h"] == [Q1]


def test_a_mention_without_a_question_gets_an_apology(
    dev_client: TestClient, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="plan_assistant.bots")
    mention = {
        "type": "mention",
        "text": "<at>Plan Assistant</at>",
        "mentioned": {"id": f"28:{APP_ID}", "name": "Plan Assistant"},
    }
    body = activity(connector.server.url, text="<at>Plan Assistant</at> ", entities=[mention])
    body["conversation"] = {"id": "19:team@thread.tacv2;messageid=1714", "conversationType": "channel"}
    dev_client.post("/api/messages", json=body)
    [call] = connector.messages()
    assert call["data"]["text"] == APOLOGY["nb"]
    assert "attachments" not in call["data"] or not call["data"]["attachments"]
    assert any("could not answer (bad_request)" in r.getMessage() for r in caplog.records)


def test_without_settings_the_endpoint_says_what_is_missing(settings: Settings, shared_assistant: Assistant) -> None:
    with TestClient(create_app(settings, shared_assistant)) as c:
        response = c.post("/api/messages", json={"type": "message"})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "bot_not_configured"
    assert "PLAN_TEAMS_APP_ID" in error["message"] and "PLAN_TEAMS_ALLOW_ANONYMOUS=true" in error["message"]


def test_a_valid_token_is_accepted_and_the_reply_carries_an_outbound_token(
    auth_client: TestClient, connector: FakeConnector, keys: KeyServer
) -> None:
    url = connector.server.url
    headers = {"Authorization": f"Bearer {bot_token(keys, url)}"}
    response = auth_client.post("/api/messages", json=activity(url), headers=headers)
    assert response.status_code in (200, 202)
    [call] = connector.messages()
    assert call["headers"]["Authorization"] == f"Bearer {KeyServer.ACCESS_TOKEN}"
    assert call["data"]["replyToId"] == "act-1"
    grant = keys.server.wait_for(lambda c: c["path"] == "/token")[0]["data"]
    assert grant["grant_type"] == "client_credentials"
    assert (grant["client_id"], grant["client_secret"]) == (APP_ID, PASSWORD)
    assert grant["scope"] == "https://api.botframework.com/.default"


@pytest.mark.parametrize(
    "make_header",
    [
        pytest.param(lambda keys, url: None, id="missing"),
        pytest.param(lambda keys, url: "Bearer not-a-jwt", id="garbage"),
        pytest.param(lambda keys, url: f"Basic {bot_token(keys, url)}", id="not-bearer"),
        pytest.param(lambda keys, url: f"Bearer {bot_token(keys, url, aud='someone-else')}", id="wrong-audience"),
        pytest.param(lambda keys, url: f"Bearer {bot_token(keys, url, iss='https://evil.example')}", id="wrong-issuer"),
        pytest.param(lambda keys, url: f"Bearer {bot_token(keys, url, exp=int(time.time()) - 3600)}", id="expired"),
        pytest.param(
            lambda keys, url: (
                "Bearer " + bot_token(keys, url, key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
            ),
            id="other-key",
        ),
        pytest.param(
            lambda keys, url: f"Bearer {bot_token(keys, 'https://smba.trafficmanager.net/emea/')}",
            id="other-service-url",
        ),
    ],
)
def test_bad_or_missing_tokens_are_rejected(
    auth_client: TestClient, connector: FakeConnector, keys: KeyServer, make_header: Any
) -> None:
    header = make_header(keys, connector.server.url)
    response = auth_client.post(
        "/api/messages", json=activity(connector.server.url), headers={"Authorization": header} if header else {}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    time.sleep(0.2)
    assert connector.server.calls == []


def test_service_url_validation_refuses_other_hosts_without_calling_them(
    settings: Settings,
    shared_assistant: Assistant,
    connector: FakeConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    strict = settings.model_copy(update={"teams_allow_anonymous": True, "teams_validate_service_url": True})
    with TestClient(create_app(strict, shared_assistant)) as c:
        response = c.post("/api/messages", json=activity(connector.server.url))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "service_url_not_allowed"
    assert connector.server.calls == []
    assert any("refused serviceUrl" in r.getMessage() for r in caplog.records)


def test_service_url_validation_is_on_by_default_and_knows_the_teams_hosts(settings: Settings) -> None:
    assert service_url_validator(settings).enabled
    assert not service_url_validator(settings.model_copy(update={"teams_allow_anonymous": True})).enabled
    hosts = service_url_validator(settings)
    for url in (
        "https://smba.trafficmanager.net/emea/",
        "https://europe.webchat.botframework.com/",
        "https://canary.teams.microsoft.com/",
    ):
        assert hosts.is_allowed(url), url
    for url in (
        "http://smba.trafficmanager.net/emea/",
        "https://botframework.com.evil.example/",
        "https://127.0.0.1:3978/",
        "https://user:pw@smba.trafficmanager.net/",
        "https://example.org/",
    ):
        assert not hosts.is_allowed(url), url


def test_the_bot_introduces_itself_when_it_is_added(dev_client: TestClient, connector: FakeConnector) -> None:
    added = activity(connector.server.url, text=None, activity_id="upd-1")
    added |= {"type": "conversationUpdate", "membersAdded": [{"id": f"28:{APP_ID}"}]}
    dev_client.post("/api/messages", json=added)
    [call] = connector.messages()
    assert call["data"]["text"].startswith("Hei! Jeg svarer på spørsmål om plandokumentene")
    others = activity(connector.server.url, text=None, activity_id="upd-2")
    others |= {"type": "conversationUpdate", "membersAdded": [{"id": "29:someone-else"}]}
    assert dev_client.post("/api/messages", json=others).status_code in (200, 202)
    time.sleep(0.3)
    assert len(connector.server.calls) == 1


def test_clean_text_keeps_other_mentions_as_names_and_decodes_entities() -> None:
    assert clean_text("Hva sier <at>Kari</at> om R&amp;D&nbsp;i\n2023?") == "Hva sier Kari om R&D i 2023?"
