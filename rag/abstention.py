"""Decide whether the retrieved evidence answers the question at all.

Similarity alone cannot tell: on news text an unanswerable question about the
right people and companies is as close to the article as an answerable one.
What differs is coverage: an unanswerable question asks about something (a
revenue figure, a CFO, an age) whose key terms the evidence never mentions.
"""

from dataclasses import dataclass

from rag.terms import TermWeights

MIN_SIMILARITY = 0.25
MIN_COVERAGE = 0.3


@dataclass(frozen=True)
class Verdict:
    """Whether to answer, and the terms the evidence lacks (for the refusal text)."""

    answer: bool
    coverage: float
    missing: tuple[str, ...]


def judge(
    question_terms: list[str],
    evidence_terms: set[str],
    best_similarity: float,
    weights: TermWeights,
) -> Verdict:
    """Answer only when the evidence is close enough and covers the question's terms."""
    wanted = list(dict.fromkeys(question_terms))
    total = sum(weights.idf(t) for t in wanted)
    covered = sum(weights.idf(t) for t in wanted if t in evidence_terms)
    coverage = covered / total if total else 0.0
    missing = tuple(t for t in wanted if t not in evidence_terms)
    return Verdict(
        answer=best_similarity >= MIN_SIMILARITY and coverage >= MIN_COVERAGE,
        coverage=coverage,
        missing=missing,
    )
