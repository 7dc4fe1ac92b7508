"""All settings in one object: explicit argument > ``RAG_*`` environment > default."""

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The embedding model truncates at 256 word pieces including [CLS] and [SEP].
MODEL_MAX_TOKENS = 256


class Settings(BaseSettings):
    """What shapes the index and the answers; read from ``RAG_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="forbid")

    seeds_dir: Path = Field(
        Path("seeds"), description="Folder holding the source articles (.txt, .md)."
    )
    index_dir: Path = Field(
        Path("index"), description="Folder where the Chroma index is persisted."
    )
    chunk_size: int = Field(
        160,
        ge=16,
        le=MODEL_MAX_TOKENS - 2,
        description="Maximum chunk length in the embedding model's word pieces.",
    )
    chunk_overlap: int = Field(
        40, ge=0, description="Word pieces of whole sentences repeated between chunks."
    )
    top_k: int = Field(5, ge=1, le=50, description="Passages retrieved per question.")
    answerer: Literal["extractive"] = Field(
        "extractive", description="Which answerer writes the answer."
    )
    max_question_chars: int = Field(
        2000, ge=1, description="Longest question accepted, in characters."
    )

    @model_validator(mode="after")
    def _overlap_below_size(self) -> "Settings":
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return self
