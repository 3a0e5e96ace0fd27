"""Debian's chromium driven by playwright against the real app served by uvicorn on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.api import create_app
from assistant.config import Settings
from assistant.server import serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1366, "height": 860}
PHONE = {"width": 390, "height": 844}


@dataclass
class Site:
    """A running app and where its store is."""

    url: str
    settings: Settings


def refused(message: str) -> bool:
    """Tell whether a console error is only chromium logging a 4xx answer that the page explains itself."""
    return message.startswith("Failed to load resource: the server responded with a status of 4")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One chromium per test module."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def site(settings: Settings) -> Iterator[Site]:
    """The app over a private copy of the corpus store, on a free port of 127.0.0.1."""
    with serve_in_thread(create_app(settings)) as url:
        yield Site(url, settings)


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    """A fresh desktop-sized page (own storage) that fails the test on any script error."""
    context = browser.new_context(viewport=DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and not refused(msg.text) else None)
    tab.set_default_timeout(30_000)
    yield tab
    context.close()
    assert not errors, errors


def shot(page: Any, name: str) -> None:
    """Save a screenshot to test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
