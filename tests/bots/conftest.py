"""Fixtures for the bot tests: loopback servers for everything outside, the real app and Assistant inside."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.bots.loopback import FakeConnector, FakeSlack, KeyServer


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """Slack's Web API on 127.0.0.1."""
    fake = FakeSlack()
    with fake.server:
        yield fake


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    """The Bot Framework connector on 127.0.0.1 (the activities' serviceUrl)."""
    fake = FakeConnector()
    with fake.server:
        yield fake


@pytest.fixture(scope="module")
def keys() -> Iterator[KeyServer]:
    """A JWKS and a token endpoint on 127.0.0.1, with one RSA key for the module."""
    server = KeyServer()
    with server.server:
        yield server
