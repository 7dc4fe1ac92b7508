"""Cited question answering over a news article: ``from rag import Assistant, ask``."""

from rag.offline import force_offline

force_offline()

from rag.answer import REFUSAL, Answer, Citation, Passage  # noqa: E402
from rag.assistant import Assistant, ask  # noqa: E402
from rag.errors import (  # noqa: E402
    GoldSetError,
    IndexStoreError,
    LLMError,
    QuestionError,
    RagError,
    SourceError,
)
from rag.settings import Settings  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "Assistant",
    "Citation",
    "GoldSetError",
    "IndexStoreError",
    "LLMError",
    "Passage",
    "QuestionError",
    "REFUSAL",
    "RagError",
    "Settings",
    "SourceError",
    "ask",
]
