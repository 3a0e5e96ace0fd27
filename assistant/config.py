"""Settings for the whole product, read once from the environment (prefix PLAN_)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_ROOT / "corpus"


class Settings(BaseSettings):
    """All settings; built once at an edge (CLI, app factory) and passed down."""

    model_config = SettingsConfigDict(env_prefix="PLAN_", env_file=".env", extra="ignore")

    store_dir: Path = Path(".plan-assistant")
    corpus_dir: Path = BUNDLED_CORPUS
    embedder: str = "e5"
    st_model: str = "all-MiniLM-L6-v2"
    top_k: int = 8
    max_citations: int = 5
    max_upload_mb: float = 25.0
    public_url: str | None = None

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"

    teams_app_id: str | None = None
    teams_app_password: str | None = None
    teams_tenant_id: str | None = None
    teams_allow_anonymous: bool = False
    teams_validate_service_url: bool | None = None
    teams_jwks_url: str | None = None
    teams_issuers: list[str] = []
    teams_token_url: str | None = None

    @property
    def upload_limit_bytes(self) -> int:
        """Return the upload size limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)
