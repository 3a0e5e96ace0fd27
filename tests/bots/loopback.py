"""Real HTTP servers on 127.0.0.1 playing Slack's Web API, the Bot Framework connector, keys and tokens."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web
from cryptography.hazmat.primitives.asymmetric import rsa


class Loopback:
    """An aiohttp application served from its own thread and event loop on a free local port."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self.calls: list[dict[str, Any]] = []
        self._runner = web.AppRunner(app)
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> Loopback:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    async def _start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:54321."""
        return f"http://127.0.0.1:{self.port}"

    def record(self, request: web.Request, data: dict[str, Any]) -> dict[str, Any]:
        """Remember one request."""
        call = {"method": request.method, "path": request.path, "headers": dict(request.headers), "data": data}
        self.calls.append(call)
        return call

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], count: int = 1, timeout: float = 30
    ) -> list[dict[str, Any]]:
        """Wait until `count` recorded requests satisfy `predicate`; return them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in list(self.calls) if predicate(c)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                paths = [c["path"] for c in self.calls]
                raise AssertionError(f"expected {count} matching request(s); got {paths}")
            time.sleep(0.05)


async def _body(request: web.Request) -> dict[str, Any]:
    data: dict[str, Any] = dict(request.query)
    raw = await request.read()
    if not raw:
        return data
    if request.content_type == "application/json":
        data.update(json.loads(raw))
    else:
        data.update(parse_qsl(raw.decode()))
    return data


class FakeSlack:
    """Slack's Web API (auth.test, chat.*, conversations.replies, apps.connections.open) and a socket."""

    BOT_USER = "UBOT"

    def __init__(self) -> None:
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.envelopes: list[dict[str, Any]] = []
        self.acks: list[dict[str, Any]] = []
        self.refuse_app_token: str | None = None
        self._ts = itertools.count(1)
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.api)
        app.router.add_get("/socket", self.socket)
        self.server = Loopback(app)

    @property
    def api_url(self) -> str:
        """What PLAN_SLACK_API_URL is set to."""
        return self.server.url + "/api/"

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """Recorded calls of one Web API method."""
        return [c for c in self.server.calls if c["path"] == f"/api/{method}"]

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        data = await _body(request)
        self.server.record(request, data)
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "url": "https://test.slack.com/",
                    "team": "Test",
                    "user": "plan",
                    "team_id": "T1",
                    "user_id": self.BOT_USER,
                    "bot_id": "BBOT",
                }
            )
        if method == "chat.postMessage":
            ts = f"1800000000.{next(self._ts):06d}"
            return web.json_response({"ok": True, "channel": data.get("channel"), "ts": ts, "message": {"ts": ts}})
        if method == "chat.postEphemeral":
            return web.json_response({"ok": True, "message_ts": f"1800000001.{next(self._ts):06d}"})
        if method == "conversations.replies":
            messages = self.threads.get((str(data.get("channel")), str(data.get("ts"))), [])
            return web.json_response({"ok": True, "messages": messages, "has_more": False})
        if method == "apps.connections.open":
            if request.headers.get("Authorization") == f"Bearer {self.refuse_app_token}":
                return web.json_response({"ok": False, "error": "invalid_auth"})
            return web.json_response({"ok": True, "url": self.server.url.replace("http", "ws") + "/socket"})
        return web.json_response({"ok": False, "error": "unknown_method"})

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.server.record(request, {"authorization": request.headers.get("Authorization")})
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        for envelope in self.envelopes:
            await ws.send_json(envelope)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.acks.append(json.loads(msg.data))
        return ws


class FakeConnector:
    """The Bot Framework connector REST API: records replies and activities sent to conversations."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self.activities)
        app.router.add_post("/v3/conversations/{conversation}/activities", self.activities)
        self.server = Loopback(app)

    async def activities(self, request: web.Request) -> web.Response:
        self.server.record(request, await request.json())
        return web.json_response({"id": f"reply-{next(self._ids)}"})

    def messages(self, count: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
        """Wait for `count` message activities (typing indicators are skipped)."""
        return self.server.wait_for(lambda c: c["data"].get("type") == "message", count, timeout)


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class KeyServer:
    """A JWKS endpoint with one RS256 key, and an OAuth client-credentials token endpoint."""

    KID = "test-key-1"
    ACCESS_TOKEN = "outbound-token-from-loopback"

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.key.public_key().public_numbers()
        self.jwks = {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": self.KID,
                    "n": _b64(numbers.n),
                    "e": _b64(numbers.e),
                    "endorsements": ["msteams"],
                }
            ]
        }
        app = web.Application()
        app.router.add_get("/keys", self.keys)
        app.router.add_post("/token", self.token)
        self.server = Loopback(app)

    async def keys(self, request: web.Request) -> web.Response:
        self.server.record(request, {})
        return web.json_response(self.jwks)

    async def token(self, request: web.Request) -> web.Response:
        self.server.record(request, await _body(request))
        return web.json_response({"token_type": "Bearer", "expires_in": 3600, "access_token": self.ACCESS_TOKEN})
