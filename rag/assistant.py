"""The engine every interface uses: retrieve passages, rerank, answer, cite.

An orchestrator: the question is cleaned and read (``rag.reader``), passages are
retrieved (``rag.retrieval``) and reranked into evidence (``rag.reader.evidence``),
and the answer is written from that evidence, extractively or by a language model
whose citations are then verified (``rag.citations``).
"""

import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from rag.answer import Answer, Passage
from rag.citations import CitationVerifier
from rag.documents import no_article_named, seeds_signature
from rag.encoders.minilm import load_onnx_minilm
from rag.encoders.reader import load_reader
from rag.errors import LLMError
from rag.followup import last_assistant_message, leans_on_history, standalone_question
from rag.indexing import IndexStatus, ensure_index
from rag.model_sources import model_sources
from rag.models import ChatModel, make_model
from rag.prompt import (
    ECHO_CHARS,
    answer_messages,
    echoes_instructions,
    rewrite_messages,
    without_instruction_echoes,
)
from rag.reader.abstention import judge
from rag.reader.acronyms import acronym_table, expand_acronyms, vocabulary
from rag.reader.credits import AUTHOR, credit_asked
from rag.reader.dateline import asks_date
from rag.reader.evidence import ArticleReader, Evidence, quoted
from rag.reader.overview import asks_overview, names_the_article
from rag.reader.questions import clean_question
from rag.reader.scoring import Question, SentenceScorer
from rag.retrieval import HybridRetriever
from rag.sentence_vectors import SentenceVectors
from rag.settings import Settings
from rag.store import load_chunks
from rag.suggestions import candidate_questions
from rag.terms import TermWeights

# How many fused passages are reranked by their best sentence.
RERANK_POOL = 10
# Score taken off a sentence the previous answer already gave, for follow-ups.
REPEAT_PENALTY = 0.15
# Passages the local model reads unless RAG_LLM_PASSAGES says otherwise: SmolLM2-135M
# answered worse the more it read (gold fact 0.236 / 0.181 / 0.125 / 0.083 from 1 / 2 /
# 3 / 5 passages, citation precision 0.962 / 0.900 / 0.864 / 0.742).
LOCAL_PASSAGES = 1
# A model's rewrite of a follow-up longer than this is not a question; use the heuristic.
MAX_REWRITE_CHARS = 300


@dataclass(frozen=True)
class Opened:
    """The index as opened at one moment and every part that reads it. Swapped in whole
    by ``refresh()``: a question takes one at its start and reads only that one, so an
    article added meanwhile never meets it half-way (an old reader, a new index)."""

    index: IndexStatus
    signature: tuple[tuple[str, int, int], ...]
    sentences: Any
    stored: SentenceVectors
    retriever: HybridRetriever
    scorer: SentenceScorer
    verifier: CitationVerifier
    reader: ArticleReader
    acronyms: dict[str, str]
    vocabulary: frozenset[str]


class Assistant:
    """Answers questions about the articles in ``settings.seeds_dir`` with citations.

    Building it opens the index (building it first when missing) and the
    language model the settings name (``llm``: extractive, openai, local, or
    auto). ``ask()``, ``chat()`` and ``stream()`` only read.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.model: ChatModel | None = make_model(self.settings)
        # The index's own embedder (onnxruntime, no llama-index or torch import), loaded
        # once per process: a build in this process has already loaded it.
        self._embed = load_onnx_minilm()
        self._reader_model = load_reader()
        self._reopen = threading.Lock()
        # The suggestions made for each choice of articles, with the index they were made on.
        self._suggested: tuple[Opened, dict[frozenset[str] | None, list[str]]] | None = None
        self._open(progress)

    def _open(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Open the index of seeds/ as it is now (building it when needed) and the parts
        that read it, swapped in as one ``Opened``."""
        signature = seeds_signature(self.settings.seeds_dir)
        status = ensure_index(self.settings, progress=progress)
        sentences = status.store.sentences_of(status.collection)
        stored = SentenceVectors(sentences, status.store.where)
        chunks = load_chunks(status.collection)
        retriever = HybridRetriever(
            status.collection, chunks, top_k=RERANK_POOL, where=status.store.where
        )
        scorer = SentenceScorer(TermWeights(c.text for c in chunks), self._embed, stored.words)
        reader = ArticleReader(
            status.documents,
            chunks,
            retriever,
            scorer,
            stored,
            self.settings.top_k,
            self._reader_model,
        )
        texts = [d.text for d in status.documents]
        self._opened = Opened(
            status,
            signature,
            sentences,
            stored,
            retriever,
            scorer,
            CitationVerifier(self._embed_texts, scorer.weights),
            reader,
            acronym_table(texts),
            vocabulary(texts),
        )

    # The parts as now opened (a question keeps the ones it started with: ``Opened``).
    @property
    def index(self) -> IndexStatus:
        return self._opened.index

    @property
    def reader(self) -> ArticleReader:
        return self._opened.reader

    @property
    def retriever(self) -> HybridRetriever:
        return self._opened.retriever

    @property
    def scorer(self) -> SentenceScorer:
        return self._opened.scorer

    def refresh(self, progress: Callable[[int, int], None] | None = None) -> bool:
        """Pick up articles added to, changed in or removed from seeds/ since the index
        was opened (a look at names, sizes and times; no rebuild when none changed).
        True when the index was reopened."""
        if seeds_signature(self.settings.seeds_dir) == self._opened.signature:
            return False
        with self._reopen:
            if seeds_signature(self.settings.seeds_dir) == self._opened.signature:
                return False  # another thread reopened it while this one waited
            self._open(progress)
        return True

    def source_text(self, name: str) -> str:
        """The text of article ``name`` as the product read it: every citation's
        ``start``/``end`` index it (``quote == source_text(source)[start:end]``)."""
        for document in self.index.documents:
            if document.name == name:
                return document.text
        raise no_article_named(name, self.settings.seeds_dir)

    @property
    def answerer(self) -> str:
        """Who writes the answers: extractive, openai or local."""
        return self.model.name if self.model else "extractive"

    def embed_question(self, question: str) -> list[float]:
        return self._embed.get_query_embedding(question)

    def _embed_texts(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._embed.get_text_embedding_batch(texts), dtype=np.float32)

    def _analyse(self, text: str, kind_from: str | None = None) -> Question:
        return Question.analyse(text, self.embed_question(text), kind_from=kind_from)

    def retrieve(self, question: str, sources: Collection[str] | None = None) -> list[Passage]:
        """The passages an answer would be drawn from, best first."""
        self.refresh()
        opened = self._opened
        question = clean_question(question, self.settings.max_question_chars)
        return opened.reader.rank(self._analyse(question), self._asked(sources, opened))[0]

    def standalone(self, message: str, history: Sequence[Any]) -> str:
        """``message`` rewritten to stand alone: by the model when there is one."""
        if not history or not leans_on_history(message):
            return message
        if self.model is not None:
            try:
                with closing(self.model.stream(rewrite_messages(message, history))) as deltas:
                    rewrite = "".join(deltas).strip()
            except LLMError:
                rewrite = ""
            if 0 < len(rewrite) <= MAX_REWRITE_CHARS:
                return rewrite
        return standalone_question(message, history)

    def suggestions(self, sources: Collection[str] | None = None) -> list[str]:
        """Questions to offer before any is asked, each one the articles (all, or
        ``sources``) answer."""
        self.refresh()
        opened = self._opened
        asked = self._asked(sources, opened)
        if self._suggested is None or self._suggested[0] is not opened:
            self._suggested = (opened, {})  # each page load asks: made once per index
        made = self._suggested[1]
        if asked not in made:
            documents = [d for d in opened.index.documents if not asked or d.name in asked]
            offered = []
            for alternatives in candidate_questions(documents):
                answered = (
                    q for q in alternatives if self._evidence(q, [], opened, asked).answerable
                )
                offered.extend(filter(None, [next(answered, None)]))
            made[asked] = offered
        return list(made[asked])

    def _asked(self, sources: Collection[str] | None, opened: Opened) -> frozenset[str] | None:
        """The articles a question is asked of: all (None), or ``sources``, which must
        name articles in seeds/."""
        if not sources:
            return None
        unknown = sorted(set(sources) - {d.name for d in opened.index.documents})
        if unknown:
            raise no_article_named(unknown[0], self.settings.seeds_dir)
        return frozenset(sources)

    def _evidence(
        self,
        message: str,
        history: Sequence[Any],
        opened: Opened,
        sources: frozenset[str] | None = None,
    ) -> Evidence:
        started = time.perf_counter()
        asked = message = clean_question(message, self.settings.max_question_chars)
        # "Summarize it" in a conversation may mean the last answer; "Summarize the
        # article" never does. Nor does "When was this article published?".
        overview = asks_overview(asked)
        whole_article = not (history and leans_on_history(asked) and not names_the_article(asked))
        if overview and whole_article:
            evidence = opened.reader.overview(
                message, self._analyse(asked), overview, started, sources
            )
            if evidence is not None:
                return evidence
            if overview.topic:
                # "Summarize the article on when the plant opened" asks what the topic
                # asks: the reader's model reads questions, not requests for a summary.
                asked = overview.topic
        # "When was this published?", "Who wrote this?": the article's dateline or byline,
        # wherever it is (a front matter's author is in no passage).
        line_of = (
            opened.reader.dateline
            if asks_date(asked)
            else opened.reader.byline
            if credit_asked(asked) == AUTHOR
            else None
        )
        if line_of is not None and whole_article:
            evidence = line_of(message, self._analyse(asked), started, sources)
            if evidence is not None:
                return evidence
        standalone = self.standalone(asked, history)
        query = expand_acronyms(standalone, opened.acronyms, opened.vocabulary)
        question = self._analyse(query, kind_from=asked)
        passages, candidates = opened.reader.rank(question, sources)
        if query != asked:
            # A follow-up asks for something new: prefer not to repeat the previous answer.
            previous = last_assistant_message(history) or ""
            candidates = [
                replace(c, repeat_penalty=REPEAT_PENALTY) if quoted(c, previous) else c
                for c in candidates
            ]
        selection = opened.reader.choose(question, candidates)
        verdict = judge(question, selection.sentences, opened.scorer.weights)
        return Evidence(
            message,
            question,
            passages,
            candidates,
            selection,
            verdict,
            started,
            time.perf_counter(),
        )

    def stream(
        self,
        message: str,
        history: Sequence[Any] = (),
        sources: Collection[str] | None = None,
        instructions: str = "",
    ) -> Iterator[str | Answer]:
        """Yield the answer's text as it is written, then the final :class:`Answer`.

        ``instructions`` (an API client's system message) are given to a language model
        after the product's own rules; the extractive answerer has no use for them.

        With a language model the streamed text is the model's own; the final
        answer carries the verified, renumbered text and citations. When the
        evidence cannot answer, the model is not asked at all.
        """
        self.refresh()
        opened = self._opened
        evidence = self._evidence(message, history, opened, self._asked(sources, opened))
        if self.model is None or not evidence.answerable:
            answer = opened.reader.extractive_answer(evidence)
            yield answer.text
            yield replace(answer, answerer=self.answerer if answer.refused else "extractive")
            return
        local = LOCAL_PASSAGES if self.answerer == "local" else len(evidence.passages)
        sources = model_sources(
            evidence,
            opened.reader,
            whole_passages=self.settings.llm_context == "passages",
            limit=self.settings.llm_passages or local,
        )
        written: list[str] = []
        try:
            # Closed on every way out (an echo, an error, a consumer that stops reading),
            # so the model's stream never outlives this answer.
            deltas = self.model.stream(
                answer_messages(evidence.question.text, sources.passages, instructions)
            )
            with closing(deltas):
                for delta in deltas:
                    written.append(delta)
                    if echoes_instructions("".join(written)[-4 * ECHO_CHARS :]):
                        break  # the model is reciting its instructions: stop showing it
                    yield delta
        except LLMError as exc:
            if self.settings.fallback != "extractive":
                raise
            yield from self._extractive_instead(opened, evidence, str(exc))
            return
        verified = opened.verifier.verify(
            without_instruction_echoes("".join(written)),
            sources.numbered,
            sources.relevance,
            question=evidence.question.text,
        )
        stand_in = _stand_in_reason(verified.refused, bool(verified.citations), self.settings)
        if stand_in:
            yield from self._extractive_instead(opened, evidence, stand_in)
            return
        yield Answer(
            evidence.message,
            verified.text,
            verified.citations,
            refused=verified.refused,
            answerer=self.model.name,
            passages=tuple(evidence.passages),
            timings=evidence.timings(),
            unsupported=verified.unsupported,
        )

    def _extractive_instead(
        self, opened: Opened, evidence: Evidence, reason: str
    ) -> Iterator[str | Answer]:
        """The extractive answer in a model's place: what is streamed says why first."""
        answer = opened.reader.extractive_answer(evidence, fallback=reason)
        yield f"\n\n[{reason} - falling back to the extractive answer]\n\n{answer.text}"
        yield answer

    def chat(
        self,
        message: str,
        history: Sequence[Any] = (),
        sources: Collection[str] | None = None,
    ) -> Answer:
        """Answer ``message`` in a conversation (``{"role", "content"}`` turns, oldest first)."""
        final = None
        for item in self.stream(message, history, sources):
            final = item
        assert isinstance(final, Answer)
        return final

    def ask(self, question: str, sources: Collection[str] | None = None) -> Answer:
        """Answer ``question`` from the article, or say the article does not say.
        ``sources``: ask only these articles (file names in seeds/); default all."""
        return self.chat(question, [], sources)


def _stand_in_reason(refused: bool, cited: bool, settings: Settings) -> str | None:
    """Why the extractive answer replaces a model's, whose evidence the gate found
    answers the question; None to keep the model's.

    An answer that cites nothing is never shown: every claim must carry a citation.
    A refusal is replaced only under ``fallback=extractive``: SmolLM2-135M refused
    8% of the gated unanswerable questions and 8.5% of the answerable ones (its
    refusal says nothing), but a stronger model's refusal may be right.
    """
    if cited:
        return None
    if not refused:
        return "the model's answer cited nothing in the article"
    if settings.fallback == "extractive":
        return "the model found no answer in the passages"
    return None


_default: Assistant | None = None


def ask(question: str) -> Answer:
    """One-off: answer ``question`` with a process-wide default :class:`Assistant`."""
    global _default
    if _default is None:
        _default = Assistant()
    return _default.ask(question)
