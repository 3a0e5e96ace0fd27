"""Shared fixtures: one real store built from the bundled corpus per session, copied for tests that change it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import BUNDLED_CORPUS, Settings
from assistant.service import Assistant

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a real store (Chroma + SQLite, real e5 model) from the bundled corpus once."""
    root = tmp_path_factory.mktemp("corpus-store")
    report = Assistant(Settings(store_dir=root)).ingest([BUNDLED_CORPUS])
    assert not report.failed, report.summary()
    return root


@pytest.fixture(scope="session")
def shared_assistant(corpus_store: Path) -> Assistant:
    """An Assistant over the session store; only for tests that do not change the index."""
    return Assistant(Settings(store_dir=corpus_store))


@pytest.fixture
def settings(corpus_store: Path, tmp_path: Path) -> Settings:
    """Settings pointing at a private copy of the corpus store, so a test may change it."""
    store = tmp_path / "store"
    shutil.copytree(corpus_store, store)
    return Settings(store_dir=store, public_url=None)


@pytest.fixture
def assistant(settings: Settings) -> Assistant:
    """An Assistant over a private copy of the corpus store."""
    return Assistant(settings)
