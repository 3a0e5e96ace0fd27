"""OpenAI-compatible /v1/models and /v1/chat/completions, so existing chat front ends can use the assistant."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.documents_api import document_url
from assistant.schemas import errors
from assistant.streaming import SSE_HEADERS, sse, text_pieces
from assistant.types import Answer
from indexing.errors import BadRequest

router = APIRouter(tags=["openai"])
MODEL_ID = "plan-assistant"
QUOTE_CHARS = 180
MAX_HISTORY = 20


class ContentPart(BaseModel):
    """A part of a multi-part message; only text parts are read."""

    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    """One message of the conversation."""

    model_config = ConfigDict(extra="allow")

    role: str = Field(examples=["user"])
    content: str | list[ContentPart] | None = None


class ChatCompletionRequest(BaseModel):
    """The OpenAI chat request; sampling options are accepted and ignored (answers are extractive)."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(MODEL_ID, examples=[MODEL_ID])
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False


class ModelOut(BaseModel):
    """A model entry."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    """The models this server offers (one)."""

    object: Literal["list"] = "list"
    data: list[ModelOut]


class AssistantMessage(BaseModel):
    """The answer message."""

    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    """The one choice."""

    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(BaseModel):
    """A complete (non-streamed) answer."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]


STARTED = int(time.time())
STREAM_DOC = (
    'data: {"id": "chatcmpl-…", "object": "chat.completion.chunk", "created": 0, "model": "plan-assistant", '
    '"choices": [{"index": 0, "delta": {"content": "Dette står "}, "finish_reason": null}]}\n\n'
    "data: [DONE]\n\n"
)


def message_text(message: ChatMessage) -> str:
    """Return a message's text (text parts of a multi-part message joined by newlines)."""
    if isinstance(message.content, str):
        return message.content
    return "\n".join(p.text for p in message.content or [] if p.type == "text" and p.text)


def conversation(messages: list[ChatMessage]) -> tuple[str, list[str]]:
    """Return (question, history): the last user message and the user messages before it."""
    asked = [t for t in (message_text(m).strip() for m in messages if m.role == "user") if t]
    if not asked:
        raise BadRequest("The conversation has no user message. Put the question in a message with role 'user'.")
    return asked[-1], asked[:-1][-MAX_HISTORY:]


def _short(text: str, limit: int = QUOTE_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def render(answer: Answer, base_url: str) -> str:
    """Return the answer as chat content: text with [n] markers, then a Sources/Kilder list with links."""
    parts = [answer.answer]
    if answer.completeness:
        parts.append(answer.completeness)
    if answer.citations:
        nb = answer.lang == "nb"
        lines = ["Kilder:" if nb else "Sources:"]
        for c in answer.citations:
            where = f"{c.source}, {'s.' if nb else 'p.'} {c.page}" if c.page else c.source
            url = base_url.rstrip("/") + document_url(c.source, c.page)
            lines.append(f"- [{c.n}] {c.title} ([{where}]({url})): «{_short(c.text)}»")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _chunk(cid: str, created: int, model: str, delta: dict[str, Any], finish: str | None = None) -> str:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model, "choices": [choice]}
    return sse(None, body)


def stream_frames(cid: str, created: int, model: str, content: str) -> Iterator[str]:
    """Yield `chat.completion.chunk` frames for the content, then `data: [DONE]`."""
    yield _chunk(cid, created, model, {"role": "assistant", "content": ""})
    for piece in text_pieces(content):
        yield _chunk(cid, created, model, {"content": piece})
    yield _chunk(cid, created, model, {}, "stop")
    yield sse(None, "[DONE]")


@router.get("/v1/models", summary="List models (OpenAI-compatible)", response_model=ModelList)
def list_models() -> ModelList:
    """Return the one model, `plan-assistant`."""
    return ModelList(data=[ModelOut(id=MODEL_ID, created=STARTED, owned_by="plan-assistant")])


@router.post(
    "/v1/chat/completions",
    summary="Chat completion (OpenAI-compatible)",
    response_model=ChatCompletion,
    responses={
        200: {
            "description": "A `chat.completion`, or with `stream: true` server-sent `chat.completion.chunk` "
            "objects ending with `data: [DONE]`.",
            "content": {"text/event-stream": {"example": STREAM_DOC}},
        },
        **errors(400, 422),
    },
)
async def chat_completions(body: ChatCompletionRequest, request: Request) -> Any:
    """Answer the last user message (earlier user messages are the history), citing sources in the content."""
    question, history = conversation(body.messages)
    assistant = request.app.state.assistant
    answer: Answer = await run_in_threadpool(assistant.answer, question, history)
    base = request.app.state.settings.public_url or str(request.base_url)
    content = render(answer, base)
    cid, created, model = f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), body.model or MODEL_ID
    if body.stream:
        frames = stream_frames(cid, created, model, content)
        return StreamingResponse(frames, media_type="text/event-stream", headers=SSE_HEADERS)
    return ChatCompletion(
        id=cid, created=created, model=model, choices=[Choice(message=AssistantMessage(content=content))]
    )
