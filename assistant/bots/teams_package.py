"""Build the Teams app package: manifest.json filled in from settings, plus the two icons, in one zip."""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from assistant.bots.common import BotNotConfigured, missing_message
from assistant.config import Settings
from indexing.errors import PlanAssistantError

TEAMS_DIR = Path(__file__).resolve().parent / "teams"
ICONS = ("color.png", "outline.png")


def render_manifest(settings: Settings) -> dict[str, Any]:
    """The manifest with the bot's app id (PLAN_TEAMS_APP_ID) and public URL (PLAN_PUBLIC_URL) filled in."""
    missing = [
        env
        for name, env in (("teams_app_id", "PLAN_TEAMS_APP_ID"), ("public_url", "PLAN_PUBLIC_URL"))
        if not getattr(settings, name)
    ]
    if missing:
        raise BotNotConfigured(missing_message("Teams", missing, "The app package needs both."))
    url = str(settings.public_url).rstrip("/")
    host = urlparse(url).hostname
    if not url.startswith("https://") or not host:
        raise BotNotConfigured(f"PLAN_PUBLIC_URL must be an https URL for Teams, not {url!r}.")
    text = (TEAMS_DIR / "manifest.json").read_text(encoding="utf-8")
    values = {
        "{{PLAN_TEAMS_APP_ID}}": str(settings.teams_app_id),
        "{{PLAN_PUBLIC_URL}}": url,
        "{{PLAN_PUBLIC_HOST}}": host,
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    manifest: dict[str, Any] = json.loads(text)
    return manifest


def build_package(settings: Settings, output: Path) -> Path:
    """Write the zip to upload in Teams (Apps > Manage your apps > Upload an app)."""
    manifest = render_manifest(settings)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for icon in ICONS:
            package.write(TEAMS_DIR / icon, icon)
    return output


def main(argv: Sequence[str] | None = None) -> int:
    """python -m assistant.bots.teams_package [--output plan-assistant-teams.zip]"""
    parser = argparse.ArgumentParser(prog="python -m assistant.bots.teams_package", description=__doc__)
    parser.add_argument("--output", default="plan-assistant-teams.zip", help="zip file to write")
    args = parser.parse_args(argv)
    try:
        path = build_package(Settings(), Path(args.output))
    except PlanAssistantError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(f"Wrote {path}. Upload it in Teams: Apps > Manage your apps > Upload an app.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
