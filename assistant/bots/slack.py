"""Slack bot on Bolt (async): Events API at /slack/events or Socket Mode; threaded, sourced answers."""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from typing import Any

import aiohttp
from fastapi import FastAPI, Request
from fastapi.responses import Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from assistant.bots import cards
from assistant.bots.common import (
    BotNotConfigured,
    apology,
    missing_message,
    mount_unavailable,
    record_feedback,
    try_answer,
)
from assistant.config import Settings
from assistant.service import Assistant
from indexing.errors import PlanAssistantError

log = logging.getLogger("plan_assistant.bots.slack")

EVENTS_PATH = "/slack/events"
SETUP_HINT = "See 'Slack and Teams bots' in the README."
SOCKET_MODE_HINT = "Socket Mode needs an app-level token (xapp-…) with the connections:write scope."
MAX_HISTORY = 6
_USER_SUBTYPES = {None, "thread_broadcast", "file_share"}
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
Event = dict[str, Any]
_FEEDBACK_ACTION = re.compile(f"^({cards.FEEDBACK_UP}|{cards.FEEDBACK_DOWN})$")


class SlackConnectionError(PlanAssistantError):
    """Slack refused a token or could not be reached when connecting over Socket Mode."""

    code = "slack_connection_failed"
    status = 502


def missing_settings(settings: Settings, socket_mode: bool = False) -> list[str]:
    """Names of the environment variables the chosen Slack mode still needs."""
    needed = {"slack_bot_token": "PLAN_SLACK_BOT_TOKEN"}
    if socket_mode:
        needed["slack_app_token"] = "PLAN_SLACK_APP_TOKEN"
    else:
        needed["slack_signing_secret"] = "PLAN_SLACK_SIGNING_SECRET"
    return [env for name, env in needed.items() if not getattr(settings, name)]


def clean_text(text: str) -> str:
    """Slack message text to a plain question: mentions dropped, links to their labels, entities decoded."""
    text = _MENTION.sub(" ", text or "")
    text = _LINK.sub(lambda m: m.group(2) or m.group(1).lstrip("#@!"), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def _ts(value: Any) -> tuple[int, int]:
    """A Slack timestamp ('1712345678.000100') as a sortable pair."""
    seconds, _, micros = str(value or "0").partition(".")
    return int(seconds or 0), int(micros or 0)


def _is_user_message(message: dict[str, Any], bot_user_id: str | None) -> bool:
    """True for a person's message; False for bots (any), our own user and system subtypes."""
    return (
        not message.get("bot_id")
        and message.get("subtype") in _USER_SUBTYPES
        and bool(message.get("user"))
        and message.get("user") != bot_user_id
    )


class SlackBot:
    """The Bolt app with its listeners; one per process, HTTP or Socket Mode."""

    def __init__(self, assistant: Assistant, settings: Settings, socket_mode: bool = False) -> None:
        self.assistant = assistant
        self.settings = settings
        base_url = settings.slack_api_url.rstrip("/") + "/"
        client = AsyncWebClient(token=settings.slack_bot_token, base_url=base_url)
        self.app = AsyncApp(
            name="plan-assistant",
            client=client,
            signing_secret=settings.slack_signing_secret or "",
            request_verification_enabled=not socket_mode,
        )
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self.app.event("app_mention")(self.on_mention)
        self.app.event("message")(self.on_message)
        self.app.action(_FEEDBACK_ACTION)(self.on_feedback)

    async def on_mention(self, event: Event, context: AsyncBoltContext, client: AsyncWebClient) -> None:
        """Answer a mention in a channel, in its thread."""
        await self.handle(event, context, client)

    async def on_message(self, event: Event, context: AsyncBoltContext, client: AsyncWebClient) -> None:
        """Answer a direct message; other message events (channels, edits, bots) are ignored."""
        if event.get("channel_type") == "im":
            await self.handle(event, context, client)

    def _first_time(self, channel: str, ts: str) -> bool:
        """False for an event already handled (Slack retries deliveries)."""
        key = (channel, ts)
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > 1000:
            self._seen.popitem(last=False)
        return True

    async def handle(self, event: Event, context: AsyncBoltContext, client: AsyncWebClient) -> None:
        """Answer one user message in its thread; bots' and our own messages are ignored."""
        if not _is_user_message(event, context.bot_user_id):
            return
        channel, ts = str(event.get("channel", "")), str(event.get("ts", ""))
        if not channel or not self._first_time(channel, ts):
            return
        thread_ts = event.get("thread_ts") or ts
        question = clean_text(event.get("text", ""))
        history: list[str] = []
        if thread_ts != ts:
            history = await self.history(client, channel, thread_ts, ts, context.bot_user_id)
        answer = await try_answer(self.assistant, question, history, "slack")
        try:
            if answer is None:
                await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=apology(question))
                return
            await client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=cards.slack_text(answer),
                blocks=cards.slack_blocks(answer, history, self.settings.public_url),
                unfurl_links=False,
                unfurl_media=False,
            )
        except Exception:
            log.exception("slack bot: could not post the reply in %s (thread %s)", channel, thread_ts)
            if answer is not None:
                await self._post_quietly(client, channel, thread_ts, apology(question))

    async def history(
        self, client: AsyncWebClient, channel: str, thread_ts: str, ts: str, bot_user_id: str | None
    ) -> list[str]:
        """The thread's earlier questions: people's messages before this one, mentions stripped."""
        try:
            response = await client.conversations_replies(channel=channel, ts=thread_ts, limit=200)
        except Exception:
            log.warning("slack bot: cannot read thread %s in %s; no history used", thread_ts, channel)
            return []
        earlier = []
        for message in response.get("messages") or []:
            if _ts(message.get("ts")) < _ts(ts) and _is_user_message(message, bot_user_id):
                text = clean_text(message.get("text", ""))
                if text:
                    earlier.append(text)
        return earlier[-MAX_HISTORY:]

    async def on_feedback(self, ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        """Store a 👍/👎 click and confirm it to the clicking user only."""
        await ack()
        rating = "up" if action.get("action_id") == cards.FEEDBACK_UP else "down"
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        user = (body.get("user") or {}).get("id")
        text = await record_feedback(
            self.assistant,
            self.settings,
            channel="slack",
            ref=action.get("value") or "",
            rating=rating,
            shown_answer=str(message.get("text", "")),
        )
        if channel and user:
            try:
                thread_ts = message.get("thread_ts") or message.get("ts")
                await client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
            except Exception:
                log.exception("slack bot: could not confirm feedback in %s", channel)

    @staticmethod
    async def _post_quietly(client: AsyncWebClient, channel: str, thread_ts: str, text: str) -> None:
        try:
            await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
        except Exception:
            log.exception("slack bot: could not post the apology in %s", channel)


def mount_slack(app: FastAPI, assistant: Assistant, settings: Settings) -> None:
    """Serve the Events API at /slack/events, or a 503 naming the missing settings."""
    missing = missing_settings(settings)
    if missing:
        mount_unavailable(app, EVENTS_PATH, "Slack", missing_message("Slack", missing, SETUP_HINT))
        return
    bot = SlackBot(assistant, settings)
    handler = AsyncSlackRequestHandler(bot.app)
    app.state.slack_bot = bot

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    app.add_api_route(EVENTS_PATH, slack_events, methods=["POST"], tags=["bots"], summary="Slack Events API")


async def start_socket_mode(assistant: Assistant, settings: Settings) -> AsyncSocketModeHandler:
    """Connect to Slack over Socket Mode and return the running handler (close it with close_async())."""
    missing = missing_settings(settings, socket_mode=True)
    if missing:
        raise BotNotConfigured(missing_message("Slack", missing, SOCKET_MODE_HINT))
    bot = SlackBot(assistant, settings, socket_mode=True)
    app_token = str(settings.slack_app_token)
    # Check both tokens once here: the socket client itself retries a refused token forever.
    client = bot.app.client
    try:
        setting = "PLAN_SLACK_BOT_TOKEN"
        await client.auth_test()
        setting = "PLAN_SLACK_APP_TOKEN"
        opened = await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else exc
        raise SlackConnectionError(f"Slack refused {setting} ({error}).") from exc
    except aiohttp.ClientError as exc:
        raise SlackConnectionError(f"Cannot reach Slack at {settings.slack_api_url}: {exc}") from exc
    handler = AsyncSocketModeHandler(bot.app, app_token=app_token)
    handler.client.wss_uri = opened["url"]
    await handler.connect_async()
    log.info("slack bot: connected over Socket Mode")
    return handler


def run_socket_mode(assistant: Assistant, settings: Settings) -> None:
    """Run the Slack bot over Socket Mode until interrupted (for sites without a public URL)."""
    missing = missing_settings(settings, socket_mode=True)
    if missing:
        raise BotNotConfigured(missing_message("Slack", missing, SOCKET_MODE_HINT))

    async def main() -> None:
        handler = await start_socket_mode(assistant, settings)
        try:
            await asyncio.Event().wait()
        finally:
            await handler.close_async()

    asyncio.run(main())
