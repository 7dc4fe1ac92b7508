"""Run every gold question through an assistant and score the answers.

Follow-up questions (``context`` set) are asked with the earlier question and
its answer as chat history, the way a user would ask them.
"""

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from rag.answer import Answer
from rag.errors import LLMError
from rag.evaluation.gold import GoldQuestion
from rag.evaluation.metrics import (
    evidence_spans,
    facts_correct,
    mean,
    passage_supports,
    percentile,
    quote_supports,
    token_f1,
)


class Answering(Protocol):
    """What evaluation needs of an assistant."""

    def chat(self, message: str, history: list[dict[str, str]]) -> Answer: ...


@dataclass
class EvalRow:
    """One question's outcome."""

    id: str
    question: str
    answerable: bool
    answer: str
    refused: bool
    correct: bool
    citations: list[dict[str, Any]]
    supporting_citations: int
    supporting_quotes: int
    retrieved: list[str]
    hit_rank: int | None
    token_f1: float
    latency_ms: float
    expected: str
    facts: list[list[str]] = field(default_factory=list)
    # Who wrote the answer, and why the extractive answerer stood in for a model if it did.
    answerer: str = "extractive"
    fallback: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class EvalReport:
    metrics: dict[str, float]
    rows: list[EvalRow]
    k: int

    def to_dict(self) -> dict[str, Any]:
        return {"metrics": self.metrics, "k": self.k, "rows": [r.to_dict() for r in self.rows]}


def score(
    question: GoldQuestion, answer: Answer, sources: dict[str, str], latency_ms: float
) -> EvalRow:
    """Score one answer."""
    spans = evidence_spans(question.evidence, sources)
    hit_rank = next(
        (
            rank
            for rank, p in enumerate(answer.passages, start=1)
            if passage_supports(p.source, p.start, p.end, spans)
        ),
        None,
    )
    quoted = [
        quote_supports(c.source, c.start, c.end, c.quote, spans, question.facts)
        for c in answer.citations
    ]
    # DESIGN.md: a citation supports when the passage it was drawn from supports.
    supporting = sum(
        good
        or any(
            p.source == c.source
            and p.start <= c.start
            and c.end <= p.end
            and passage_supports(p.source, p.start, p.end, spans)
            for p in answer.passages
        )
        for c, good in zip(answer.citations, quoted, strict=True)
    )
    if question.answerable:
        correct = not answer.refused and facts_correct(answer.text, question.facts)
    else:
        correct = answer.refused
    return EvalRow(
        id=question.id,
        question=question.question,
        answerable=question.answerable,
        answer=answer.text,
        refused=answer.refused,
        correct=correct,
        citations=[c.to_dict() for c in answer.citations],
        supporting_citations=supporting,
        supporting_quotes=sum(quoted),
        retrieved=[p.chunk_id for p in answer.passages],
        hit_rank=hit_rank,
        token_f1=token_f1(answer.short or answer.text, question.answer)
        if question.answerable
        else 0.0,
        latency_ms=latency_ms,
        expected=question.answer,
        facts=[list(f) for f in question.facts],
        answerer=answer.answerer,
        fallback=answer.fallback,
    )


def aggregate(rows: list[EvalRow], k: int) -> dict[str, float]:
    """The set-level metrics of DESIGN.md from per-question rows."""
    answerable = [r for r in rows if r.answerable]
    unanswerable = [r for r in rows if not r.answerable]
    answered = [r for r in answerable if not r.refused]
    cited = sum(len(r.citations) for r in answered)
    correct = [r for r in answerable if r.correct]
    latencies = [r.latency_ms for r in rows]
    return {
        "hit@k": mean([float(r.hit_rank is not None and r.hit_rank <= k) for r in answerable]),
        "mrr": mean([1.0 / r.hit_rank if r.hit_rank else 0.0 for r in answerable]),
        "fact_accuracy": mean([float(r.correct) for r in answerable]),
        "token_f1": mean([r.token_f1 for r in answerable]),
        "citation_precision": sum(r.supporting_citations for r in answered) / cited
        if cited
        else 0.0,
        "citation_recall": mean([float(r.supporting_citations > 0) for r in correct]),
        "noans_accuracy": mean([float(r.refused) for r in unanswerable]),
        "false_refusal_rate": mean([float(r.refused) for r in answerable]),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        # Stricter than citation_precision: the quoted sentence itself holds evidence.
        "quote_precision": sum(r.supporting_quotes for r in answered) / cited if cited else 0.0,
        "errors": float(sum(r.answer.startswith("Error: ") for r in rows)),
    }


def evaluate(
    assistant: Answering,
    questions: list[GoldQuestion],
    sources: dict[str, str],
    *,
    k: int,
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Ask every question (follow-ups with their history) and score the answers."""
    answers: dict[str, Answer] = {}
    by_id = {q.id: q for q in questions}
    rows = []
    for done, question in enumerate(questions, start=1):
        history: list[dict[str, str]] = []
        if question.context:
            earlier = by_id[question.context]
            history = [
                {"role": "user", "content": earlier.question},
                {"role": "assistant", "content": answers[earlier.id].text},
            ]
        started = time.perf_counter()
        try:
            answer = assistant.chat(question.question, history)
        except LLMError as exc:
            # One failed model call is a wrong answer, not the end of the run.
            answer = Answer(question.question, f"Error: {exc}", answerer="error")
        latency = (time.perf_counter() - started) * 1000
        answers[question.id] = answer
        rows.append(score(question, answer, sources, latency))
        if progress:
            progress(done, len(questions))
    return EvalReport(aggregate(rows, k), rows, k)
