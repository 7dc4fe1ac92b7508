"""The engine every interface uses: retrieve passages, answer, cite."""

import time
from collections.abc import Callable

import numpy as np

from rag.abstention import judge
from rag.answer import REFUSAL, Answer, Citation, Passage
from rag.embedding import load_embed_model
from rag.extractive import Candidate, choose_sentences, term_overlap
from rag.indexing import ensure_index
from rag.questions import clean_question
from rag.retrieval import HybridRetriever
from rag.settings import Settings
from rag.store import load_chunks, load_sentence_vectors
from rag.terms import TermWeights, content_terms


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


class Assistant:
    """Answers questions about the articles in ``settings.seeds_dir`` with citations.

    Building it opens the index (building it first when missing); then
    ``ask()`` is cheap and thread-safe for reading.
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
        self.retriever = HybridRetriever(
            status.collection, chunks, self._embed, top_k=self.settings.top_k
        )
        self._weights = TermWeights(c.text for c in chunks)
        self._sentence_cache: dict[tuple[str, int, int], np.ndarray] = {}

    @property
    def answerer(self) -> str:
        return self.settings.answerer

    def embed_question(self, question: str) -> list[float]:
        return self._embed.get_query_embedding(question)

    def retrieve(self, question: str) -> list[Passage]:
        """The passages the answer would be drawn from, best first."""
        question = clean_question(question, self.settings.max_question_chars)
        return self.retriever.retrieve(question, self.embed_question(question))

    def _sentence_vectors(self, keys: list[tuple[str, int, int]]) -> dict:
        missing = [k for k in keys if k not in self._sentence_cache]
        for key, vector in load_sentence_vectors(self._sentences, missing).items():
            self._sentence_cache[key] = np.asarray(vector, dtype=np.float32)
        return {k: self._sentence_cache[k] for k in keys if k in self._sentence_cache}

    def _candidates(
        self, question_terms: list[str], embedding: list[float], passages: list[Passage]
    ) -> list[Candidate]:
        seen: dict[tuple[str, int, int], Candidate] = {}
        spans = []
        for rank, passage in enumerate(passages):
            for start, end in self.retriever.chunk(passage.chunk_id).sentences:
                key = (passage.source, start, end)
                if key not in seen:
                    spans.append((key, rank, passage))
                    seen[key] = None  # type: ignore[assignment]
        vectors = self._sentence_vectors([key for key, _, _ in spans])
        query = np.asarray(embedding, dtype=np.float32)
        out = []
        for key, rank, passage in spans:
            source, start, end = key
            text = passage.text[start - passage.start : end - passage.start]
            similarity = float(vectors[key] @ query) if key in vectors else 0.0
            out.append(
                Candidate(
                    source,
                    start,
                    end,
                    text,
                    passage.section,
                    rank,
                    similarity,
                    term_overlap(question_terms, text, self._weights),
                )
            )
        return out

    def ask(self, question: str) -> Answer:
        """Answer ``question`` from the article, or say the article does not say."""
        started = time.perf_counter()
        question = clean_question(question, self.settings.max_question_chars)
        embedding = self.embed_question(question)
        passages = self.retriever.retrieve(question, embedding)
        retrieved = time.perf_counter()
        terms = content_terms(question)
        candidates = self._candidates(terms, embedding, passages)
        chosen = choose_sentences(candidates)
        evidence_terms = {t for p in passages for t in content_terms(p.text)}
        best = max((c.similarity for c in candidates), default=0.0)
        verdict = judge(terms, evidence_terms, best, self._weights)
        timings = {"retrieve_ms": (retrieved - started) * 1000, "answer_ms": _ms(retrieved)}
        if not chosen or not verdict.answer:
            timings["total_ms"] = _ms(started)
            return Answer(
                question, REFUSAL, refused=True, passages=tuple(passages), timings=timings
            )
        citations = tuple(
            Citation(n, c.source, c.text, c.start, c.end, c.similarity, c.section)
            for n, c in enumerate(chosen, start=1)
        )
        text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
        timings["total_ms"] = _ms(started)
        return Answer(question, text, citations, passages=tuple(passages), timings=timings)


_default: Assistant | None = None


def ask(question: str) -> Answer:
    """One-off: answer ``question`` with a process-wide default :class:`Assistant`."""
    global _default
    if _default is None:
        _default = Assistant()
    return _default.ask(question)
