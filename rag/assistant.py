"""The engine every interface uses: retrieve passages, rerank, answer, cite."""

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from rag.abstention import Verdict, judge
from rag.answer import REFUSAL, Answer, Citation, Passage
from rag.chunking import Chunk
from rag.embedding import load_embed_model
from rag.extractive import Selection, choose_sentences
from rag.followup import last_assistant_message, standalone_question
from rag.indexing import ensure_index
from rag.questions import clean_question
from rag.retrieval import HybridRetriever
from rag.scoring import Candidate, Question, SentenceScorer
from rag.settings import Settings
from rag.store import load_chunks, load_sentence_vectors
from rag.terms import TermWeights

SentenceKey = tuple[str, int, int]

# How many fused passages are reranked by their best sentence.
RERANK_POOL = 10
# Weight of the fused rank score (about 0.03 at most) next to the sentence score.
FUSION_WEIGHT = 5.0
# Score taken off a sentence the previous answer already gave, for follow-ups.
REPEAT_PENALTY = 0.15


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


class Assistant:
    """Answers questions about the articles in ``settings.seeds_dir`` with citations.

    Building it opens the index (building it first when missing); then
    ``ask()`` and ``chat()`` only read.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.settings = settings or Settings()
        status = ensure_index(self.settings, progress=progress)
        self.index = status
        self._sentences = status.store.sentences_of(status.collection)
        self._embed = load_embed_model()
        chunks = load_chunks(status.collection)
        self.retriever = HybridRetriever(status.collection, chunks, self._embed, top_k=RERANK_POOL)
        self.scorer = SentenceScorer(TermWeights(c.text for c in chunks), self._embed)
        self._vector_cache: dict[SentenceKey, np.ndarray] = {}
        self._predecessor = _sentence_predecessors(chunks)

    @property
    def answerer(self) -> str:
        return self.settings.answerer

    def embed_question(self, question: str) -> list[float]:
        return self._embed.get_query_embedding(question)

    def _vectors(self, keys: list[tuple[str, int, int]]) -> dict[tuple[str, int, int], np.ndarray]:
        missing = [k for k in dict.fromkeys(keys) if k not in self._vector_cache]
        for key, vector in load_sentence_vectors(self._sentences, missing).items():
            self._vector_cache[key] = np.asarray(vector, dtype=np.float32)
        return self._vector_cache

    def _rank(self, question: Question) -> tuple[list[Passage], list[Candidate]]:
        """Top-k passages reranked by their best sentence, and those passages' sentences."""
        pool = self.retriever.retrieve(question.text, question.embedding.tolist())
        keys = [
            (p.source, start, end)
            for p in pool
            for start, end in self.retriever.chunk(p.chunk_id).sentences
        ]
        vectors = self._vectors(keys)
        scored: dict[tuple[str, int, int], Candidate] = {}
        passage_score = {}
        for passage in pool:
            best = 0.0
            for start, end in self.retriever.chunk(passage.chunk_id).sentences:
                key = (passage.source, start, end)
                if key not in scored:
                    text = passage.text[start - passage.start : end - passage.start]
                    sentence = (passage.source, start, end, text, passage.section)
                    scored[key] = self.scorer.score(question, sentence, vectors.get(key))
                best = max(best, scored[key].score)
            passage_score[passage.chunk_id] = best + FUSION_WEIGHT * passage.score
        ranked = sorted(pool, key=lambda p: -passage_score[p.chunk_id])[: self.settings.top_k]
        keep = {
            (p.source, s, e) for p in ranked for s, e in self.retriever.chunk(p.chunk_id).sentences
        }
        return ranked, [c for key, c in scored.items() if key in keep]

    def retrieve(self, question: str) -> list[Passage]:
        """The passages an answer would be drawn from, best first."""
        question = clean_question(question, self.settings.max_question_chars)
        return self._rank(Question.analyse(question, self.embed_question(question)))[0]

    def ask(self, question: str) -> Answer:
        """Answer ``question`` from the article, or say the article does not say."""
        return self.chat(question, [])

    def chat(self, message: str, history: Sequence[Any] = ()) -> Answer:
        """Answer ``message`` in a conversation: follow-ups are made standalone first.

        ``history`` is a list of ``{"role", "content"}`` turns, oldest first.
        """
        started = time.perf_counter()
        message = clean_question(message, self.settings.max_question_chars)
        query = standalone_question(message, history)
        question = Question.analyse(query, self.embed_question(query), kind_from=message)
        passages, candidates = self._rank(question)
        if query != message:
            # A follow-up asks for something new: prefer not to repeat the previous answer.
            previous = last_assistant_message(history) or ""
            candidates = [
                replace(c, similarity=c.similarity - REPEAT_PENALTY) if c.text in previous else c
                for c in candidates
            ]
        retrieved = time.perf_counter()
        by_key = {c.key: c for c in candidates}
        selection = choose_sentences(
            question,
            candidates,
            self.scorer.weights,
            lambda c: by_key.get(self._predecessor.get(c.key, c.key)),
        )
        verdict = judge(
            question, selection.sentences, self.scorer.weights, self.scorer.similar_words
        )
        return self._answer(message, passages, selection, verdict, started, retrieved)

    def _answer(
        self,
        message: str,
        passages: list[Passage],
        selection: Selection,
        verdict: Verdict,
        started: float,
        retrieved: float,
    ) -> Answer:
        timings = {"retrieve_ms": (retrieved - started) * 1000, "answer_ms": _ms(retrieved)}
        if selection.reason or not verdict.answer:
            timings["total_ms"] = _ms(started)
            return Answer(message, REFUSAL, refused=True, passages=tuple(passages), timings=timings)
        citations = tuple(
            Citation(n, c.source, c.text, c.start, c.end, c.similarity, c.section)
            for n, c in enumerate(selection.sentences, start=1)
        )
        text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
        timings["total_ms"] = _ms(started)
        return Answer(message, text, citations, passages=tuple(passages), timings=timings)


def _sentence_predecessors(chunks: list[Chunk]) -> dict[SentenceKey, SentenceKey]:
    """Each sentence's predecessor in the same paragraph (no line break between)."""
    before: dict[SentenceKey, SentenceKey] = {}
    for chunk in chunks:
        for (s1, e1), (s2, e2) in zip(chunk.sentences, chunk.sentences[1:], strict=False):
            gap = chunk.text[e1 - chunk.start : s2 - chunk.start]
            if "\n" not in gap:
                before[(chunk.source, s2, e2)] = (chunk.source, s1, e1)
    return before


_default: Assistant | None = None


def ask(question: str) -> Answer:
    """One-off: answer ``question`` with a process-wide default :class:`Assistant`."""
    global _default
    if _default is None:
        _default = Assistant()
    return _default.ask(question)
