"""Teams security: inbound Bot Framework JWT checks (PyJWT), serviceUrl hosts, outbound tokens."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
import jwt
from azure.core.credentials import AccessToken
from azure.core.credentials_async import AsyncTokenCredential
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
    AuthTypes,
    ClaimsIdentity,
    ConnectionManager,
    Connections,
    OutboundHostValidator,
)

from assistant.config import Settings
from indexing.errors import PlanAssistantError

log = logging.getLogger("plan_assistant.bots.teams")

BOT_FRAMEWORK_JWKS_URL = "https://login.botframework.com/v1/.well-known/keys"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
SERVICE_URL_HOSTS = (
    "botframework.com",
    "botframework.azure.us",
    "smba.trafficmanager.net",
    "teams.microsoft.com",
    "teams.microsoft.us",
)
CLOCK_SKEW_SECONDS = 300


class Unauthorized(PlanAssistantError):
    """The request does not carry a valid Bot Framework token for this bot."""

    code = "unauthorized"
    status = 401


class TokenValidator:
    """Checks a Bot Framework bearer token: RS256 signature from the JWKS, audience, issuer, lifetime."""

    def __init__(self, settings: Settings) -> None:
        self.audience = settings.teams_app_id
        self.issuers = list(settings.teams_issuers) or [BOT_FRAMEWORK_ISSUER]
        self.jwks = jwt.PyJWKClient(settings.teams_jwks_url or BOT_FRAMEWORK_JWKS_URL, lifespan=3600)

    async def validate(self, authorization: str | None) -> ClaimsIdentity:
        """Return the token's claims as the SDK's ClaimsIdentity, or raise Unauthorized."""
        if not authorization:
            raise Unauthorized("The request has no Authorization header.")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("Expected 'Authorization: Bearer <token>'.")
        if not self.audience:
            raise Unauthorized("This bot has no app id (PLAN_TEAMS_APP_ID) to check tokens against.")
        try:
            key = await asyncio.to_thread(self.jwks.get_signing_key_from_jwt, token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuers,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWKClientConnectionError as exc:
            log.error("teams bot: cannot fetch signing keys from %s: %s", self.jwks.uri, exc)
            raise Unauthorized("The token's signing keys could not be fetched.") from exc
        except jwt.PyJWTError as exc:
            log.warning("teams bot: rejected a token (%s: %s)", type(exc).__name__, exc)
            raise Unauthorized("The bearer token is not valid for this bot.") from exc
        return ClaimsIdentity(claims, security_token=token)


def check_service_url(identity: ClaimsIdentity, service_url: str | None) -> None:
    """The token's serviceurl claim, when present, must name the activity's serviceUrl."""
    claimed = identity.get_claim_value("serviceurl")
    if claimed and str(claimed).rstrip("/").casefold() != str(service_url or "").rstrip("/").casefold():
        log.warning("teams bot: token serviceurl %s does not match the activity's %s", claimed, service_url)
        raise Unauthorized("The token was issued for a different serviceUrl.")


def validate_service_url(settings: Settings) -> bool:
    """Whether to check serviceUrl hosts: the setting, else on unless anonymous development mode is on."""
    if settings.teams_validate_service_url is not None:
        return settings.teams_validate_service_url
    return not settings.teams_allow_anonymous


def service_url_validator(settings: Settings) -> OutboundHostValidator:
    """Only https URLs on Bot Framework / Teams hosts (when enabled); the SDK applies it too."""
    return OutboundHostValidator(
        list(SERVICE_URL_HOSTS), enabled=validate_service_url(settings), include_default_microsoft_hosts=False
    )


class _Credential(AsyncTokenCredential):
    """azure-core credential view of a token provider."""

    def __init__(self, provider: ClientCredentialsTokenProvider) -> None:
        self._provider = provider

    async def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        token = await self._provider.get_access_token("", list(scopes))
        return AccessToken(token, int(self._provider.expiry(list(scopes))))

    async def close(self) -> None:
        return None

    async def __aexit__(self, *args: Any) -> None:
        return None


class ClientCredentialsTokenProvider(AccessTokenProviderBase):
    """OAuth 2.0 client-credentials tokens from one endpoint (PLAN_TEAMS_TOKEN_URL), cached until expiry."""

    def __init__(self, configuration: AgentAuthConfiguration, token_url: str) -> None:
        self._configuration = configuration
        self._token_url = token_url
        self._cache: dict[str, tuple[str, float]] = {}

    @property
    def configuration(self) -> AgentAuthConfiguration:
        """The connection's app id, secret and tenant."""
        return self._configuration

    def expiry(self, scopes: list[str]) -> float:
        """When the cached token for these scopes expires (0 if none)."""
        return self._cache.get(" ".join(scopes), ("", 0.0))[1]

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        """Return a cached token or request one with the app id and secret."""
        scope = " ".join(scopes) if scopes else f"{resource_url.rstrip('/')}/.default"
        token, expires = self._cache.get(scope, ("", 0.0))
        if token and not force_refresh and expires - 60 > time.time():
            return token
        form = {
            "grant_type": "client_credentials",
            "client_id": self._configuration.CLIENT_ID or "",
            "client_secret": self._configuration.CLIENT_SECRET or "",
            "scope": scope,
        }
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        async with session, session.post(self._token_url, data=form) as response:
            data = await response.json(content_type=None)
            status = response.status
        if status != 200 or not isinstance(data, dict) or not data.get("access_token"):
            error = data.get("error") if isinstance(data, dict) else None
            raise ValueError(f"The token endpoint {self._token_url} refused (HTTP {status}, {error}).")
        self._cache[scope] = (str(data["access_token"]), time.time() + float(data.get("expires_in", 3600)))
        return self._cache[scope][0]

    def get_token_credential(self) -> AsyncTokenCredential:
        """This provider as an azure-core credential."""
        return _Credential(self)

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        """Not supported: the bot only uses its own (app) identity."""
        raise NotImplementedError("on-behalf-of tokens need MSAL (leave PLAN_TEAMS_TOKEN_URL unset)")

    async def get_agentic_application_token(self, tenant_id: str, agent_app_instance_id: str) -> str | None:
        """Not supported: agentic identities need MSAL."""
        raise NotImplementedError("agentic tokens need MSAL (leave PLAN_TEAMS_TOKEN_URL unset)")

    async def get_agentic_instance_token(self, tenant_id: str, agent_app_instance_id: str) -> tuple[str, str]:
        """Not supported: agentic identities need MSAL."""
        raise NotImplementedError("agentic tokens need MSAL (leave PLAN_TEAMS_TOKEN_URL unset)")

    async def get_agentic_user_token(
        self, tenant_id: str, agent_app_instance_id: str, agentic_user_id: str, scopes: list[str]
    ) -> str | None:
        """Not supported: agentic identities need MSAL."""
        raise NotImplementedError("agentic tokens need MSAL (leave PLAN_TEAMS_TOKEN_URL unset)")


def connection_manager(settings: Settings) -> Connections:
    """Outbound token source for the SDK: MSAL against Entra ID, or PLAN_TEAMS_TOKEN_URL if set."""
    config = AgentAuthConfiguration(
        auth_type=AuthTypes.client_secret,
        client_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id or "botframework.com",
        client_secret=settings.teams_app_password,
        anonymous_allowed=settings.teams_allow_anonymous,
    )
    connections = {"SERVICE_CONNECTION": config}
    token_url = settings.teams_token_url
    if token_url:
        return ConnectionManager(
            provider_factory=lambda c: ClientCredentialsTokenProvider(c, token_url),
            connections_configurations=connections,
        )
    return MsalConnectionManager(connections_configurations=connections)
