"""Score sentences against a question: meaning, shared key terms, answer kind.

One scorer serves two purposes: it reranks retrieved passages (a passage is as
good as its best sentence) and it picks the sentences the reader's model reads
(the model's probability is kept apart: adding it to this score to rerank the
passages measured worse, 172 against 170 correct on the suite).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from rag.reader.answer_types import counted_noun, expected_type, has_type
from rag.reader.focus import focus_word, mentions
from rag.reader.people import Antecedent, resolved
from rag.terms import TermWeights, comparable, content_terms

# Weights of the parts of a sentence's score; cosine similarity has weight 1.
LEXICAL_WEIGHT = 0.6
TYPE_WEIGHT = 0.1


@dataclass(frozen=True)
class Question:
    """A question ready for scoring: its terms, embedding and wanted answer kind."""

    text: str
    terms: tuple[str, ...]
    embedding: np.ndarray
    kind: str | None
    counted: str | None = None
    focus: str | None = None  # the attribute asked about ("title" in "What is A's title?")

    @classmethod
    def analyse(
        cls, text: str, embedding: list[float], *, kind_from: str | None = None
    ) -> "Question":
        """``kind_from`` is the text the answer kind and the asked attribute are read from
        (default ``text``): a follow-up joined to the question before it ("Who is the
        author? And who edited it?") asks for its own kind and attribute, not the
        earlier question's."""
        typed_text = kind_from if kind_from is not None else text
        return cls(
            text=text,
            terms=tuple(content_terms(text)),
            embedding=np.asarray(embedding, dtype=np.float32),
            kind=expected_type(typed_text),
            counted=counted_noun(typed_text),
            focus=focus_word(typed_text),
        )


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, scored against the question."""

    source: str
    start: int
    end: int
    text: str
    section: str
    similarity: float
    overlap: float
    typed: bool
    terms: frozenset[str]
    # Whether it names the attribute the question asks about (or it asks none): asked only
    # of the few candidates the answer rules look at, since it may embed every word of the
    # sentence (a first refusal embedded 446 words when every candidate was checked).
    names_focus: Callable[[], bool] | None = field(default=None, compare=False, repr=False)
    # Who the "he"/"she" the sentence opens with stands for, when the sentences before say.
    antecedent: Antecedent | None = None
    # Taken off the score of a sentence a follow-up's previous answer already gave.
    repeat_penalty: float = 0.0
    # What the reader's model read (rag.encoders.reader): the probability that the
    # sentence answers, and the short answer's offsets in it; None when it was not read.
    reading: float | None = None
    short: tuple[int, int] | None = None

    @cached_property
    def named(self) -> bool:
        return self.names_focus is None or self.names_focus()

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.source, self.start, self.end)

    @property
    def sentence(self) -> tuple[str, int, int, str, str]:
        """What :meth:`SentenceScorer.score` takes, to score it again for another question."""
        return (self.source, self.start, self.end, self.text, self.section)

    @property
    def score(self) -> float:
        return (
            self.similarity
            - self.repeat_penalty
            + LEXICAL_WEIGHT * self.overlap
            + TYPE_WEIGHT * self.typed
        )


def weighted_share(wanted: set[str], present: set[str], weights: TermWeights) -> float:
    """IDF-weighted share of ``wanted`` terms found in ``present``.

    >>> weighted_share({"a"}, {"a", "b"}, TermWeights(["a b"]))
    1.0
    """
    total = sum(weights.idf(t) for t in wanted)
    return sum(weights.idf(t) for t in wanted & present) / total if total else 0.0


# Two words this close in the embedding space name the same thing ("deals", "transactions").
SIMILAR_WORDS = 0.65


class SentenceScorer:
    """Scores sentences for one corpus (its term weights) with one embedding model."""

    def __init__(
        self,
        weights: TermWeights,
        embed_model: Any,
        stored_words: Callable[[list[str]], dict[str, Any]] = lambda words: {},
    ) -> None:
        """``stored_words`` gives the vectors the index holds for some words (the article's
        own, embedded at index time); the others are embedded here."""
        self.weights = weights
        self._embed = embed_model
        self._stored_words = stored_words
        self._word_vectors: dict[str, np.ndarray] = {}

    def similar_words(self, words: list[str], target: str) -> bool:
        """Whether any of ``words`` means nearly the same as ``target`` (cached vectors)."""
        wanted = [w for w in dict.fromkeys([*words, target]) if comparable(w)]
        missing = [w for w in wanted if w not in self._word_vectors]
        stored = self._stored_words(missing) if missing else {}
        unknown = [w for w in missing if w not in stored]
        embedded = self._embed.get_text_embedding_batch(unknown) if unknown else []
        for word, vector in [*stored.items(), *zip(unknown, embedded, strict=True)]:
            self._word_vectors[word] = np.asarray(vector, dtype=np.float32)
        if target not in self._word_vectors:
            return False
        goal = self._word_vectors[target]
        return any(
            float(self._word_vectors[w] @ goal) >= SIMILAR_WORDS for w in wanted if w != target
        )

    def score(
        self,
        question: Question,
        sentence: tuple[str, int, int, str, str],
        vector: np.ndarray | None,
        antecedent: Antecedent | None = None,
    ) -> Candidate:
        source, start, end, text, section = sentence
        terms = frozenset(content_terms(text))
        # One row per reading of the sentence (as written; saying who "he" is): the closer counts.
        similarity = float(np.max(vector @ question.embedding)) if vector is not None else 0.0
        return Candidate(
            source=source,
            start=start,
            end=end,
            text=text,
            section=section,
            similarity=similarity,
            overlap=weighted_share(set(question.terms), terms, self.weights),
            typed=question.kind is not None
            and has_type(
                # Whom a known "he" stands for decides whether the sentence names someone new.
                resolved(text, antecedent),
                question.kind,
                counted=question.counted,
                similar=self.similar_words,
                asked=question.text,
            ),
            terms=terms,
            names_focus=None
            if question.focus is None
            else lambda: mentions(text, question.focus, self.similar_words, question.text),
            antecedent=antecedent,
        )
