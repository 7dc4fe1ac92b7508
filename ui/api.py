"""An OpenAI-compatible HTTP API over the assistant: chat completions with citations.

``POST /v1/chat/completions`` takes the usual ``messages`` (the last user
message is the question, earlier turns are the conversation) and answers with
``choices[0].message.content`` (the text with its ``[n]`` markers),
``choices[0].message.short_answer`` (the reader's short answer, or "") and
``choices[0].message.citations`` (each ``{n, source, quote, start, end,
score}``). With ``"stream": true`` it sends server-sent events whose deltas
carry the text and whose last chunk carries the citations. Errors use OpenAI's
shape, ``{"error": {"message", "type", "code"}}``.
"""

import collections
import itertools
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.answer import Answer
from rag.deadline import CallScope
from rag.embedding import token_counter
from rag.errors import LLMError, QuestionError, RagError, UnknownArticleError

MODEL_ID = "rag-article-assistant"


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | None = None


class ChatRequest(BaseModel):
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    # This API's own: ask only these articles (file names in seeds/); none, every article.
    articles: list[str] | None = None
    # Accepted for compatibility with OpenAI clients; the assistant decides these itself.
    temperature: float | None = None
    max_tokens: int | None = None


class ApiError(Exception):
    """An error to send in OpenAI's error shape."""

    def __init__(self, status: int, message: str, kind: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.code = status, message, kind, code


def error_response(status: int, message: str, kind: str, code: str | None = None) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status)


def _citations(answer: Answer) -> list[dict[str, Any]]:
    return [{**c.to_dict(), "section": c.section} for c in answer.citations]


def _completion(
    answer: Answer, created: int, ident: str, usage: dict, system: bool | None
) -> dict[str, Any]:
    message = {
        "role": "assistant",
        "content": answer.text,
        "short_answer": answer.short,
        "citations": _citations(answer),
        "refused": answer.refused,
        "answerer": answer.answerer,
    }
    if system is not None:
        message["system_message_used"] = system
    return {
        "id": ident,
        "object": "chat.completion",
        "created": created,
        "model": MODEL_ID,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "stop",
            }
        ],
        "usage": usage,
    }


def _chunk(
    ident: str,
    created: int,
    delta: dict[str, Any],
    finish: str | None,
    usage: dict | None = None,
) -> str:
    body = {
        "id": ident,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:  # the last chunk, as OpenAI's include_usage sends it
        body["usage"] = usage
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _instructions(messages: list[ChatMessage]) -> str:
    """The client's system (or developer) messages, for a language model to follow."""
    return "\n\n".join(
        m.content
        for m in messages
        if m.role in ("system", "developer") and isinstance(m.content, str) and m.content.strip()
    )


def _usage(messages: list[ChatMessage], answer: str, count: Callable[[str], int]) -> dict:
    """Word pieces (the bundled MiniLM tokenizer's) of the messages read and the answer."""
    prompt = sum(count(m.content) for m in messages if isinstance(m.content, str))
    completion = count(answer)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _split(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """The question (last user message) and the conversation before it."""
    turns = [
        {"role": m.role, "content": m.content}
        for m in messages
        if m.role in ("user", "assistant") and isinstance(m.content, str)
    ]
    if not turns or turns[-1]["role"] != "user":
        raise ApiError(400, "the last message must be a user message", "invalid_request_error")
    return turns[-1]["content"], turns[:-1]


class Admission:
    """At most ``running`` answers at once and ``waiting`` more in line; the rest get 503.

    No request waits unboundedly: a full line is refused at once, and a place in
    line is given up after ``timeout`` seconds.
    """

    def __init__(self, running: int, waiting: int, timeout: float) -> None:
        self._slots = threading.BoundedSemaphore(running)
        self._lock = threading.Lock()
        self._waiting = 0
        self._max_waiting = waiting
        self._timeout = timeout

    def enter(self) -> Callable[[], None]:
        """Take a slot (or raise a 503 ApiError); returns the function that gives it back."""
        if not self._slots.acquire(blocking=False):
            with self._lock:
                if self._waiting >= self._max_waiting:
                    raise ApiError(503, "the server is busy - try again shortly", "server_busy")
                self._waiting += 1
            try:
                admitted = self._slots.acquire(timeout=self._timeout)
            finally:
                with self._lock:
                    self._waiting -= 1
            if not admitted:
                raise ApiError(503, "the server is busy - try again shortly", "server_busy")
        released = threading.Event()

        def leave() -> None:
            if not released.is_set():
                released.set()
                self._slots.release()

        return leave


def build_api(
    assistant: Any,
    api_key: str | None = None,
    *,
    admission: Admission | None = None,
) -> FastAPI:
    """A FastAPI app with /health and the /v1 routes answering through ``assistant``."""
    app = FastAPI(title="rag article assistant", docs_url=None, redoc_url=None)
    settings = assistant.settings
    count_tokens = token_counter()
    admission = admission or Admission(
        settings.max_concurrent, settings.max_queue, settings.queue_timeout
    )

    def authorize(request: Request) -> None:
        if api_key is None:
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip(), api_key):
            raise ApiError(
                401, "missing or wrong bearer token", "invalid_api_key", "invalid_api_key"
            )

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.kind, exc.code)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = "invalid_request_error" if exc.status_code < 500 else "server_error"
        return error_response(exc.status_code, str(exc.detail), kind)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return error_response(422, f"{where}: {first.get('msg')}", "invalid_request_error")

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "answerer": assistant.answerer, "index": assistant.index.name}

    router = APIRouter(prefix="/v1", dependencies=[Depends(authorize)])

    @router.get("/models")
    def models() -> dict[str, Any]:
        # One model: this assistant, whichever answerer (``answerer``) writes its answers.
        model = {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "rag"}
        return {"object": "list", "data": [{**model, "answerer": assistant.answerer}]}

    @router.post("/chat/completions", response_model=None)
    def chat(request: ChatRequest) -> Any:
        question, history = _split(request.messages)
        instructions = _instructions(request.messages)
        created, ident = int(time.time()), f"chatcmpl-{uuid.uuid4().hex}"
        leave = admission.enter()
        # The model calls this request makes, so a client that leaves can cut them.
        calls = CallScope()
        stream = assistant.stream(question, history, request.articles, instructions)
        handed_over = False
        try:
            with calls.active():
                try:
                    # The first step validates the question and retrieves: fail as HTTP
                    # errors here.
                    first = next(stream)
                except QuestionError as exc:
                    # An unknown article is the asker's to fix, like a bad question.
                    code = "article_not_found" if isinstance(exc, UnknownArticleError) else None
                    raise ApiError(400, str(exc), "invalid_request_error", code) from None
                except LLMError as exc:
                    raise ApiError(500, str(exc), "model_error") from None
                except RagError as exc:
                    raise ApiError(500, str(exc), "server_error") from None
                if not request.stream:
                    try:
                        final = collections.deque(itertools.chain([first], stream), maxlen=1).pop()
                    except RagError as exc:
                        raise ApiError(500, str(exc), "model_error") from None
                    assert isinstance(final, Answer)
                    usage = _usage(request.messages, final.text, count_tokens)
                    # Whether a system message was followed: only a language model reads one.
                    used = final.answerer != "extractive" if instructions else None
                    return _completion(final, created, ident, usage, used)
            # A streamed answer keeps its slot until its generator is closed.
            handed_over = True

            def close() -> None:
                stream.close()  # a no-op once the events closed it
                leave()

            def usage_of(answer: str) -> dict:
                return _usage(request.messages, answer, count_tokens)

            events = _events(first, stream, ident, created, usage_of)
            return EventStream(events, calls, close)
        finally:
            if not handed_over:
                stream.close()
                leave()

    app.include_router(router)
    return app


class EventStream(Response):
    """Server-sent events from a blocking generator whose model calls belong to ``calls``.

    Starlette's ``StreamingResponse`` never closes a plain iterator, and a client
    that hangs up is noticed only once the chunk being computed is done, which
    with a stalled model means the deadline. Here a hang-up aborts the request's
    model calls at once (their sockets are cut), then the generator is closed on a
    worker thread and ``on_close`` (giving back the admission slot) runs.
    """

    media_type = "text/event-stream"

    def __init__(self, events: Iterator[str], calls: CallScope, on_close: Callable[[], None]):
        self.status_code = 200
        self.background = None
        self.init_headers()
        self._events, self._calls, self._on_close = events, calls, on_close

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(self._watch, receive, group.cancel_scope)
            try:
                await send(
                    {"type": "http.response.start", "status": 200, "headers": self.raw_headers}
                )
                while True:
                    chunk = await anyio.to_thread.run_sync(
                        self._calls.run, next, self._events, None
                    )
                    if chunk is None:
                        break
                    body = chunk.encode("utf-8")
                    await send({"type": "http.response.body", "body": body, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            finally:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(self._close)
                group.cancel_scope.cancel()

    async def _watch(self, receive: Any, group: anyio.CancelScope) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self._calls.abort()
        group.cancel()

    def _close(self) -> None:
        try:
            close = getattr(self._events, "close", None)
            if close is not None:
                close()
        finally:
            self._on_close()


def _events(
    first: Any,
    stream: Iterator[Any],
    ident: str,
    created: int,
    usage_of: Callable[[str], dict],
) -> Iterator[str]:
    """Server-sent events: a role chunk, text deltas, then citations (and usage) and
    [DONE]."""
    with closing(stream):  # type: ignore[type-var]
        yield _chunk(ident, created, {"role": "assistant", "content": ""}, None)
        try:
            for item in itertools.chain([first], stream):
                if isinstance(item, Answer):
                    delta = {
                        "citations": _citations(item),
                        "short_answer": item.short,
                        "refused": item.refused,
                        "answerer": item.answerer,
                        "content_final": item.text,
                    }
                    yield _chunk(ident, created, delta, "stop", usage_of(item.text))
                else:
                    yield _chunk(ident, created, {"content": item}, None)
        except RagError as exc:
            error = {"error": {"message": str(exc), "type": "model_error", "code": None}}
            yield f"data: {json.dumps(error)}\n\n"
        yield "data: [DONE]\n\n"
