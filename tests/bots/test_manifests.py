"""The Slack app manifest, the Teams manifest with its icons, and the Teams package built from settings."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml
from PIL import Image

from assistant.bots.common import BotNotConfigured
from assistant.bots.teams_package import TEAMS_DIR, build_package, render_manifest
from assistant.config import Settings

SLACK_MANIFEST = TEAMS_DIR.parent / "slack-manifest.yaml"
APP_ID = "6f1c2d3e-0000-4000-8000-00000000b07a"


def test_the_slack_manifest_asks_for_the_scopes_events_and_interactivity_the_bot_uses() -> None:
    manifest = yaml.safe_load(SLACK_MANIFEST.read_text(encoding="utf-8"))
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read",
        "chat:write",
        "im:history",
        "im:read",
        "channels:history",
        "groups:history",
    }
    events = manifest["settings"]["event_subscriptions"]
    assert set(events["bot_events"]) == {"app_mention", "message.im"}
    assert events["request_url"] == "https://plan-assistant.example.org/slack/events"
    assert manifest["settings"]["interactivity"] == {
        "is_enabled": True,
        "request_url": "https://plan-assistant.example.org/slack/events",
    }
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["features"]["bot_user"]["display_name"] == "Plan Assistant"


def test_the_teams_manifest_declares_a_bot_for_all_scopes_with_placeholders() -> None:
    manifest = json.loads((TEAMS_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert tuple(int(p) for p in manifest["manifestVersion"].split(".")) >= (1, 17)
    assert "v1.17" in manifest["$schema"]
    [bot] = manifest["bots"]
    assert bot["botId"] == manifest["id"] == "{{PLAN_TEAMS_APP_ID}}"
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert all(len(c["title"]) <= 32 for c in bot["commandLists"][0]["commands"])


def test_the_teams_icons_have_the_sizes_teams_requires() -> None:
    color = Image.open(TEAMS_DIR / "color.png")
    outline = Image.open(TEAMS_DIR / "outline.png")
    assert color.format == outline.format == "PNG"
    assert color.size == (192, 192)
    assert outline.size == (32, 32) and outline.mode == "RGBA"
    pixels = [outline.getpixel((x, y)) for x in range(32) for y in range(32)]
    visible = [px for px in pixels if isinstance(px, tuple) and px[3]]
    assert visible and all(px[:3] == (255, 255, 255) for px in visible), "the outline icon must be white"
    assert any(isinstance(px, tuple) and px[3] == 0 for px in pixels), "the outline needs transparency"


def test_the_package_fills_in_the_app_id_and_public_url(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path, teams_app_id=APP_ID, public_url="https://plan.example.org/")
    manifest = render_manifest(settings)
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert manifest["developer"]["websiteUrl"] == "https://plan.example.org"
    assert manifest["validDomains"] == ["plan.example.org"]
    zipped = build_package(settings, tmp_path / "teams.zip")
    with zipfile.ZipFile(zipped) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(package.read("manifest.json"))["bots"][0]["botId"] == APP_ID


def test_the_package_needs_an_app_id_and_an_https_public_url(tmp_path: Path) -> None:
    with pytest.raises(BotNotConfigured, match="PLAN_TEAMS_APP_ID"):
        render_manifest(Settings(store_dir=tmp_path, public_url="https://plan.example.org"))
    with pytest.raises(BotNotConfigured, match="https"):
        render_manifest(Settings(store_dir=tmp_path, teams_app_id=APP_ID, public_url="http://localhost:8000"))
