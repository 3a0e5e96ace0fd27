"""Teams bot on the Microsoft 365 Agents SDK: /api/messages, Adaptive Card answers with citations, 👍/👎."""

from __future__ import annotations

import html
import logging
import re
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AIEntity,
    Attachment,
    ClientCitation,
    TextFormatTypes,
)
from microsoft_agents.hosting.core import (
    AgentApplication,
    ClaimsIdentity,
    MemoryStorage,
    MessageFactory,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.fastapi import CloudAdapter

from assistant.api import error_body
from assistant.bots import cards
from assistant.bots.common import apology, missing_message, mount_unavailable, record_feedback, try_answer
from assistant.bots.teams_auth import (
    TokenValidator,
    Unauthorized,
    check_service_url,
    connection_manager,
    service_url_validator,
)
from assistant.config import Settings
from assistant.service import Assistant
from assistant.types import Answer

log = logging.getLogger("plan_assistant.bots.teams")

MESSAGES_PATH = "/api/messages"
MAX_HISTORY = 6
HISTORY_KEY = "plan_questions"
_AT_TAG = re.compile(r"</?at>", re.I)
WELCOME = (
    "Hei! Jeg svarer på spørsmål om plandokumentene, med sitater og kilder. Spør for eksempel: "
    "«Hvilke tiltak er forsinket på grunn av budsjett?» (Questions in English work too.)"
)


def missing_settings(settings: Settings) -> list[str]:
    """Names of the environment variables the Teams bot still needs (none in anonymous development mode)."""
    if settings.teams_allow_anonymous:
        return []
    needed = {"teams_app_id": "PLAN_TEAMS_APP_ID", "teams_app_password": "PLAN_TEAMS_APP_PASSWORD"}
    return [env for name, env in needed.items() if not getattr(settings, name)]


def clean_text(text: str) -> str:
    """Teams message text to a plain question: other mentions' <at> tags dropped, entities decoded."""
    return " ".join(html.unescape(_AT_TAG.sub("", text)).split())


def reply_activity(answer: Answer, history: list[str], public_url: str | None) -> Activity:
    """The answer as a message: text with [n] markers, citation entities, and the Adaptive Card."""
    card = cards.adaptive_card(answer, history, public_url)
    activity = Activity(
        type=ActivityTypes.message,
        text=answer.answer,
        text_format=TextFormatTypes.markdown,
        attachments=[Attachment(content_type=cards.ADAPTIVE_CARD, content=card)],
    )
    claims = [ClientCitation.model_validate(c) for c in cards.teams_claims(answer, public_url)]
    if claims:
        # Citations without the "AI generated" label: the answers are quoted passages, not generated text.
        activity.entities = [AIEntity(citation=claims, additional_type=[])]
    return activity


class TeamsBot:
    """The SDK's CloudAdapter and AgentApplication, behind our own token and serviceUrl checks."""

    def __init__(self, assistant: Assistant, settings: Settings) -> None:
        self.assistant = assistant
        self.settings = settings
        self.validator = TokenValidator(settings)
        self.hosts = service_url_validator(settings)
        connections = connection_manager(settings)
        self.adapter = CloudAdapter(connection_manager=connections, host_validator=self.hosts)
        self.adapter.on_turn_error = self.on_error
        self.agent: AgentApplication[TurnState] = AgentApplication[TurnState](
            storage=MemoryStorage(), connection_manager=connections
        )
        self.agent.activity(ActivityTypes.message)(self.on_message)
        self.agent.conversation_update("membersAdded")(self.on_members_added)
        self.agent.error(self.on_error)

    async def handle(self, request: Request) -> Response:
        """Authenticate an activity, check its serviceUrl, and let the SDK run the turn."""
        try:
            identity = await self.identity(request)
        except Unauthorized as exc:
            return _error(exc.code, exc.message, exc.status)
        try:
            body = await request.json()
        except ValueError:
            return _error("invalid_request", "The body is not a JSON activity.", 400)
        if not _is_activity(body):
            return _error("invalid_request", "An activity needs type, conversation.id and serviceUrl.", 400)
        service_url = str(body["serviceUrl"])
        try:
            check_service_url(identity, service_url)
        except Unauthorized as exc:
            return _error(exc.code, exc.message, exc.status)
        if not self.hosts.is_allowed(service_url):
            log.warning("teams bot: refused serviceUrl %r (not a Bot Framework/Teams host)", service_url)
            return _error("service_url_not_allowed", "The activity's serviceUrl is not an allowed host.", 403)
        request.state.claims_identity = identity
        try:
            response = await self.adapter.process(request, self.agent)
        except Exception:
            log.exception("teams bot: could not process a %s activity", body.get("type"))
            return _error("bot_error", "The Teams bot could not process the activity.", 502)
        return response or Response(status_code=202)

    async def identity(self, request: Request) -> ClaimsIdentity:
        """The caller's claims; anonymous only without a token and with PLAN_TEAMS_ALLOW_ANONYMOUS=true."""
        authorization = request.headers.get("authorization")
        if not authorization and self.settings.teams_allow_anonymous:
            return ClaimsIdentity()
        return await self.validator.validate(authorization)

    async def on_message(self, context: TurnContext, state: TurnState) -> None:
        """Answer a question, or store feedback sent by a card's Action.Submit."""
        value = context.activity.value
        if isinstance(value, dict) and value.get("type") == cards.TEAMS_FEEDBACK:
            await self.on_feedback(context, value)
            return
        question = clean_text(context.activity.text or "")
        stored: Any = state.conversation.get_value(HISTORY_KEY)
        history = [str(q) for q in stored] if isinstance(stored, list) else []
        answer = await try_answer(self.assistant, question, history, "teams")
        if answer is None:
            await context.send_activity(MessageFactory.text(apology(question)))
            return
        # The SDK stores plain JSON values as they are; its type hint only names StoreItem.
        state.conversation.set_value(HISTORY_KEY, cast(Any, [*history, question][-MAX_HISTORY:]))
        await context.send_activity(reply_activity(answer, history, self.settings.public_url))

    async def on_members_added(self, context: TurnContext, state: TurnState) -> None:
        """Introduce the bot once, when it is itself added to a chat or team."""
        me = context.activity.recipient.id if context.activity.recipient else None
        if any(member.id == me for member in context.activity.members_added or []):
            await context.send_activity(MessageFactory.text(WELCOME))

    async def on_feedback(self, context: TurnContext, value: dict[str, Any]) -> None:
        """Store a 👍/👎 from the card and thank the user."""
        text = await record_feedback(
            self.assistant, self.settings, channel="teams", ref=value, rating=value.get("rating")
        )
        await context.send_activity(MessageFactory.text(text))

    async def on_error(self, context: TurnContext, error: Exception) -> None:
        """Log a failed turn and apologise instead of showing the error."""
        log.error("teams bot: turn failed: %s", error, exc_info=error)
        try:
            await context.send_activity(MessageFactory.text(apology(context.activity.text or "")))
        except Exception:
            log.exception("teams bot: could not send the apology")


def _is_activity(body: Any) -> bool:
    """True for a JSON object with a type, a conversation id and a serviceUrl."""
    if not isinstance(body, dict):
        return False
    conversation = body.get("conversation")
    return bool(
        body.get("type")
        and isinstance(conversation, dict)
        and conversation.get("id")
        and isinstance(body.get("serviceUrl"), str)
        and body["serviceUrl"]
    )


def _error(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status)


def mount_teams(app: FastAPI, assistant: Assistant, settings: Settings) -> None:
    """Serve Bot Framework activities at /api/messages, or a 503 naming the missing settings."""
    missing = missing_settings(settings)
    if missing:
        hint = "For local development without Azure, set PLAN_TEAMS_ALLOW_ANONYMOUS=true (see the README)."
        mount_unavailable(app, MESSAGES_PATH, "Teams", missing_message("Teams", missing, hint))
        return
    bot = TeamsBot(assistant, settings)
    app.state.teams_bot = bot

    async def teams_messages(request: Request) -> Response:
        return await bot.handle(request)

    app.add_api_route(MESSAGES_PATH, teams_messages, methods=["POST"], tags=["bots"], summary="Teams")
