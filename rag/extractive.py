"""The offline answerer: the article's own best sentences, each cited.

Candidate sentences come from the retrieved passages. Each is scored by its
embedding similarity to the question plus the IDF-weighted share of the
question's content terms it contains; the best one answers, and close runners-
up join it (lists and two-part answers often span sentences). Sentences are
quoted verbatim, so every citation is exact by construction. Deliberately no
paraphrasing: an extractive answer cannot invent a fact.
"""

from dataclasses import dataclass

from rag.terms import TermWeights, content_terms

# Weight of lexical overlap next to cosine similarity (both in [0, 1]).
LEXICAL_WEIGHT = 0.3
# A runner-up joins the answer when it scores within this margin of the best.
JOIN_MARGIN = 0.08
MAX_SENTENCES = 3


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, scored against the question."""

    source: str
    start: int
    end: int
    text: str
    section: str
    passage_rank: int
    similarity: float
    overlap: float

    @property
    def score(self) -> float:
        return self.similarity + LEXICAL_WEIGHT * self.overlap


def term_overlap(question_terms: list[str], text: str, weights: TermWeights) -> float:
    """IDF-weighted share of the question's distinct terms that occur in ``text``."""
    wanted = set(question_terms)
    if not wanted:
        return 0.0
    present = wanted & set(content_terms(text))
    total = sum(weights.idf(t) for t in wanted)
    return sum(weights.idf(t) for t in present) / total if total else 0.0


def choose_sentences(candidates: list[Candidate]) -> list[Candidate]:
    """The best candidate and close runners-up, in reading order."""
    if not candidates:
        return []
    ranked = sorted(candidates, key=lambda c: -c.score)
    best = ranked[0]
    chosen = [c for c in ranked[:MAX_SENTENCES] if c.score >= best.score - JOIN_MARGIN]
    return sorted(chosen, key=lambda c: (c.source, c.start))
