"""From retrieved passages to the evidence an answer is written from.

The reader knows the article: each sentence's neighbours, the line under a
heading, whom a "he" stands for, the opening. It reranks the retrieved
passages by their best sentence, chooses the answer sentences, adds the answer
to each part of a several-part question, and judges whether the choice answers
at all. ``rag.assistant`` asks it, then writes the answer: extractively here,
or by a model reading the same evidence.
"""

import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from rag.answer import REFUSAL, Answer, Citation, Passage
from rag.chunking import Chunk, sentence_predecessors
from rag.documents import SourceDocument
from rag.encoders.reader import SentenceReader
from rag.layout import byline_name
from rag.reader.abstention import Verdict
from rag.reader.choice import Selection, choose_sentences, leaning_pronoun
from rag.reader.overview import Line, Openings, Overview
from rag.reader.people import Antecedent
from rag.reader.references import PronounReferences, say_who
from rag.reader.scoring import Candidate, Question, SentenceScorer
from rag.retrieval import HybridRetriever
from rag.sentence_vectors import SentenceKey, SentenceVectors

# Weight of the fused rank score (about 0.03 at most) next to the sentence score.
FUSION_WEIGHT = 5.0
# How many of the retrieved sentences, best-scored first, the model reads.
READ_POOL = 16


@dataclass(frozen=True)
class Evidence:
    """Everything known about a question before an answer is written."""

    message: str
    question: Question
    passages: list[Passage]
    candidates: list[Candidate]  # the passages' sentences, scored against the question
    selection: Selection
    verdict: Verdict
    started: float
    retrieved: float
    overview: bool = False  # the article's opening, whatever the question's words
    # The short answer when the evidence was chosen by place (the byline's name), not read.
    short: str = ""

    @property
    def answerable(self) -> bool:
        return not self.selection.reason and self.verdict.answer

    def timings(self) -> dict[str, float]:
        now = time.perf_counter()
        return {
            "retrieve_ms": (self.retrieved - self.started) * 1000,
            "answer_ms": (now - self.retrieved) * 1000,
            "total_ms": (now - self.started) * 1000,
        }


class ArticleReader:
    """Reads the indexed articles for one question at a time; holds no per-question state."""

    def __init__(
        self,
        documents: list[SourceDocument],
        chunks: list[Chunk],
        retriever: HybridRetriever,
        scorer: SentenceScorer,
        vectors: SentenceVectors,
        top_k: int,
        model: SentenceReader | None = None,
    ) -> None:
        self.retriever = retriever
        self.model = model
        self.scorer = scorer
        self.vectors = vectors
        self._top_k = top_k
        self._documents = {d.name: d for d in documents}
        self._references = PronounReferences(chunks)
        self.predecessor = sentence_predecessors(chunks, {d.name: d.text for d in documents})
        self._successor = {before: key for key, before in self.predecessor.items()}
        self._openings = Openings(chunks, documents)

    def rank(
        self, question: Question, sources: Collection[str] | None = None
    ) -> tuple[list[Passage], list[Candidate]]:
        """Top-k passages reranked by their best sentence, and those passages' sentences
        (of the articles ``sources`` only, when given)."""
        pool = self.retriever.retrieve(question.text, question.embedding.tolist(), sources)
        keys = [
            (p.source, start, end)
            for p in pool
            for start, end in self.retriever.chunk(p.chunk_id).sentences
        ]
        vectors = self.vectors.sentences(keys)
        scored: dict[SentenceKey, Candidate] = {}
        passage_score = {}
        for passage in pool:
            best = 0.0
            for start, end in self.retriever.chunk(passage.chunk_id).sentences:
                key = (passage.source, start, end)
                if key not in scored:
                    text = passage.text[start - passage.start : end - passage.start]
                    sentence = (passage.source, start, end, text, passage.section)
                    scored[key] = self.scorer.score(
                        question, sentence, vectors.get(key), self._leaning_antecedent(key, text)
                    )
                best = max(best, scored[key].score)
            passage_score[passage.chunk_id] = best + FUSION_WEIGHT * passage.score
        if self.model is not None:
            scored = self._read(question, scored)
        ranked = sorted(pool, key=lambda p: -passage_score[p.chunk_id])[: self._top_k]
        keep = {
            (p.source, s, e) for p in ranked for s, e in self.retriever.chunk(p.chunk_id).sentences
        }
        kept = [c for key, c in scored.items() if key in keep]
        return ranked, kept

    def _read(
        self, question: Question, scored: dict[SentenceKey, Candidate]
    ) -> dict[SentenceKey, Candidate]:
        """The ``READ_POOL`` best-scored sentences, read by the model with the question."""
        top = [c for c in scored.values() if c.reading is None]
        top = sorted(top, key=lambda c: -c.score)[:READ_POOL]
        readings = self.model.read(question.text, [c.text for c in top])
        out = dict(scored)
        for c, r in zip(top, readings, strict=True):
            out[c.key] = replace(c, reading=r.probability, short=r.span)
        return out

    def choose(self, question: Question, candidates: list[Candidate]) -> Selection:
        """The answer sentences among ``candidates``, with the neighbours they need."""
        by_key = {c.key: c for c in candidates}
        return choose_sentences(
            question,
            candidates,
            self.scorer.weights,
            lambda c: by_key.get(self.predecessor.get(c.key)),
            lambda c: by_key.get(self._successor.get(c.key)),
        )

    def overview(
        self,
        message: str,
        question: Question,
        overview: Overview,
        started: float,
        sources: Collection[str] | None = None,
    ) -> Evidence | None:
        """The headline and lead of the article asked about: the only one, or the one
        ranked first when the question says which ("the article about the reshuffle").
        With several articles and no word saying which, each one's headline. None when
        the words saying which are not what the article's opening is about ("the
        article on Kuaidi's losses"): that is a question like any other."""
        if overview.topic:
            ranked, _ = self.rank(question, sources)
            lines = self._openings.of(ranked[0].source, overview.topic) if ranked else []
        else:
            lines = self._openings.unnamed(sources)
        return self._opening_evidence(message, question, lines, started)

    def dateline(
        self,
        message: str,
        question: Question,
        started: float,
        sources: Collection[str] | None = None,
    ) -> Evidence | None:
        """The dateline of the article asked about: the only one (of ``sources``), or the
        one ranked first. None when it has none: the question is then answered like any
        other."""
        return self._article_line(self._openings.dateline, message, question, started, sources)

    def byline(
        self,
        message: str,
        question: Question,
        started: float,
        sources: Collection[str] | None = None,
    ) -> Evidence | None:
        """The byline of the article asked about, chosen as ``dateline`` chooses; None
        when it has none."""
        evidence = self._article_line(self._openings.byline, message, question, started, sources)
        if evidence is None:
            return None
        # The name alone ("By Jane Doe": "Jane Doe"), as the span head would mark it.
        (line,) = evidence.selection.sentences
        return replace(evidence, short=byline_name(line.text) or line.text)

    def _article_line(
        self,
        line_of: Callable[[str], Line | None],
        message: str,
        question: Question,
        started: float,
        sources: Collection[str] | None,
    ) -> Evidence | None:
        asked = [name for name in self._documents if not sources or name in sources]
        if len(asked) == 1:
            line = line_of(asked[0])
        else:
            ranked, _ = self.rank(question, sources)
            line = line_of(ranked[0].source) if ranked else None
        return self._opening_evidence(message, question, [line] if line else [], started)

    def _opening_evidence(
        self, message: str, question: Question, lines: list[Line], started: float
    ) -> Evidence | None:
        """Evidence made of lines of an article's opening, chosen by place, not score."""
        if not lines:
            return None
        vectors = self.vectors.sentences([line.key for line in lines])
        chosen = [
            self.scorer.score(
                question, (*line.span, line.text, line.chunk.section), vectors.get(line.key)
            )
            for line in lines
        ]
        passages = {
            c.chunk_id: Passage(c.chunk_id, c.source, c.start, c.end, c.text, c.section, 0.0)
            for c in (line.chunk for line in lines)
        }
        return Evidence(
            message,
            question,
            list(passages.values()),
            chosen,
            Selection(tuple(chosen)),
            Verdict(
                answer=True,
                coverage=1.0,
                similarity=max(c.similarity for c in chosen),
                missing=(),
            ),
            started,
            time.perf_counter(),
            overview=True,
        )

    def extractive_answer(self, evidence: Evidence, fallback: str | None = None) -> Answer:
        """The chosen sentences quoted verbatim, each cited; or the refusal."""
        common = {"passages": tuple(evidence.passages), "fallback": fallback}
        if not evidence.answerable:
            return Answer(
                evidence.message, REFUSAL, refused=True, timings=evidence.timings(), **common
            )
        citations = tuple(
            Citation(n, c.source, c.text, c.start, c.end, c.similarity, c.section)
            for n, c in enumerate(evidence.selection.sentences, start=1)
        )
        chosen = {c.key for c in evidence.selection.sentences}
        text = " ".join(
            f"{shown(self._quote(c, chosen))} [{n}]"
            for n, c in enumerate(evidence.selection.sentences, start=1)
        )
        return Answer(
            evidence.message,
            text,
            citations,
            timings=evidence.timings(),
            short=short_answer(evidence),
            **common,
        )

    def _leaning_antecedent(self, key: SentenceKey, text: str) -> Antecedent | None:
        """Who the "he" a sentence opens with stands for, when the sentences before say;
        else whom a surname in it stands for ("Reyes": "Tom Reyes")."""
        who = self._references.who(key)
        if who is None or leaning_pronoun(text) != (who.start, who.end):
            return self._references.surname(key)
        return who

    def _quote(self, candidate: Candidate, chosen: set[SentenceKey]) -> str:
        """The sentence as the answer shows it: saying who its "he" is, unless the
        sentence before it, also shown, does."""
        who = candidate.antecedent
        if who is None or self.predecessor.get(candidate.key) in chosen:
            return candidate.text
        return say_who(candidate.text, who)


def quoted(candidate: Candidate, answer: str) -> bool:
    """Whether ``answer`` quoted the sentence, as it stands or saying who its "he" is."""
    who = candidate.antecedent
    said = shown(candidate.text if who is None else say_who(candidate.text, who))
    return shown(candidate.text) in answer or said in answer


def shown(text: str) -> str:
    """A quote as an answer shows it (the citation keeps the exact characters): a
    wrapped line's break as a space, or nothing after a hyphen ("most-\\ndiscussed");
    space before closing punctuation as nothing (blanked markup: "[docs](url)," -> "docs,").

    >>> shown("the most-\\ndiscussed  [x]   ,\\nsite")
    'the most-discussed [x], site'
    """
    text = re.sub(r"(?<=\w-)[ \t]*\r?\n\s*(?=\w)", "", text)
    text = re.sub(r"[ \t]+(?=[,.;!?)\]}’”])", "", text)
    return " ".join(text.split())


def short_answer(evidence: Evidence) -> str:
    """The words the model marked as the answer in the chosen sentence it read most
    confident; "" for an overview or when no chosen sentence was read."""
    if evidence.overview:
        return evidence.short
    read = [c for c in evidence.selection.sentences if c.reading is not None and c.short]
    if not read:
        return ""
    best = max(read, key=lambda c: c.reading or 0.0)
    start, end = best.short or (0, 0)
    return shown(best.text[start:end])
