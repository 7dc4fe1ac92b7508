"""The records an answer is made of: small, frozen, JSON-ready."""

from dataclasses import dataclass, field
from typing import Any

REFUSAL = "The article does not say."


@dataclass(frozen=True)
class Citation:
    """Where a claim comes from: ``source_text[start:end] == quote``."""

    n: int
    source: str
    quote: str
    start: int
    end: int
    score: float
    section: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source": self.source,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused rank score."""

    chunk_id: str
    source: str
    start: int
    end: int
    text: str
    section: str
    score: float


@dataclass(frozen=True)
class Answer:
    """An answer with numbered citations; ``refused`` when the article does not say.

    ``answerer`` names who wrote it (extractive, openai, local); ``unsupported``
    lists claim sentences no passage supports; ``fallback`` says why the
    extractive answerer stood in for a failed model.
    """

    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    refused: bool = False
    answerer: str = "extractive"
    passages: tuple[Passage, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    unsupported: tuple[str, ...] = ()
    fallback: str | None = None
    # The short answer ("643 million yuan"), read from the cited sentence by the reader's
    # model; "" when there is none (a refusal, a model's answer, an overview).
    short: str = ""

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "short_answer": self.short,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
            "answerer": self.answerer,
            "unsupported": list(self.unsupported),
            "fallback": self.fallback,
        }
