"""The engine every interface uses: retrieve passages, rerank, answer, cite."""

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from rag.answer import REFUSAL, Answer, Citation, Passage
from rag.chunking import sentence_predecessors
from rag.citations import CitationVerifier, SourceSentence
from rag.errors import LLMError
from rag.followup import last_assistant_message, leans_on_history, standalone_question
from rag.indexing import ensure_index
from rag.models import ChatModel, make_model
from rag.onnx_minilm import load_onnx_minilm
from rag.prompt import (
    ECHO_CHARS,
    answer_messages,
    echoes_instructions,
    rewrite_messages,
    without_instruction_echoes,
)
from rag.reader.abstention import Verdict, judge
from rag.reader.acronyms import acronym_table, expand_acronyms, vocabulary
from rag.reader.casing import NameCasing
from rag.reader.choice import Selection, choose_sentences, leaning_pronoun
from rag.reader.discourse import MAX_UNSTATED, next_sentences, states
from rag.reader.overview import Openings, Overview, asks_overview, names_the_article
from rag.reader.people import Antecedent
from rag.reader.question_parts import question_parts
from rag.reader.questions import clean_question
from rag.reader.references import PronounReferences, say_who
from rag.reader.scoring import Candidate, Question, SentenceScorer
from rag.retrieval import HybridRetriever
from rag.settings import Settings
from rag.store import load_chunks, load_sentence_vectors, load_word_vectors, store_failure
from rag.terms import TermWeights

SentenceKey = tuple[str, int, int]

# How many fused passages are reranked by their best sentence.
RERANK_POOL = 10
# Weight of the fused rank score (about 0.03 at most) next to the sentence score.
FUSION_WEIGHT = 5.0
# Score taken off a sentence the previous answer already gave, for follow-ups.
REPEAT_PENALTY = 0.15
# Passages the local model reads unless RAG_LLM_PASSAGES says otherwise: SmolLM2-135M
# answered worse the more it read (gold fact 0.236 / 0.181 / 0.125 / 0.083 from 1 / 2 /
# 3 / 5 passages, citation precision 0.962 / 0.900 / 0.864 / 0.742).
LOCAL_PASSAGES = 1
# A model's rewrite of a follow-up longer than this is not a question; use the heuristic.
MAX_REWRITE_CHARS = 300


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


@dataclass(frozen=True)
class _Evidence:
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

    @property
    def answerable(self) -> bool:
        return not self.selection.reason and self.verdict.answer


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
        status = ensure_index(self.settings, progress=progress)
        self.index = status
        self._sentences = status.store.sentences_of(status.collection)
        # The index's own embedder (onnxruntime, no llama-index or torch import), loaded
        # once per process: a build in this process has already loaded it.
        self._embed = load_onnx_minilm()
        chunks = load_chunks(status.collection)
        self.retriever = HybridRetriever(
            status.collection,
            chunks,
            top_k=RERANK_POOL,
            where=status.store.where,
        )
        self.scorer = SentenceScorer(
            TermWeights(c.text for c in chunks), self._embed, self._stored_word_vectors
        )
        self.verifier = CitationVerifier(self._embed_texts, self.scorer.weights)
        self._vector_cache: dict[SentenceKey, np.ndarray] = {}
        self._references = PronounReferences(chunks)
        texts = [d.text for d in status.documents]
        self._acronyms = acronym_table(texts)
        self._vocabulary = vocabulary(texts)
        self._casing = NameCasing(texts)
        self._predecessor = sentence_predecessors(
            chunks, {d.name: d.text for d in status.documents}
        )
        self._successor = {before: key for key, before in self._predecessor.items()}
        self._below = next_sentences(chunks)
        self._documents = {d.name: d for d in status.documents}
        self._openings = Openings(chunks, status.documents)

    @property
    def answerer(self) -> str:
        """Who writes the answers: extractive, openai or local."""
        return self.model.name if self.model else "extractive"

    def embed_question(self, question: str) -> list[float]:
        return self._embed.get_query_embedding(question)

    def _embed_texts(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._embed.get_text_embedding_batch(texts), dtype=np.float32)

    def _stored_word_vectors(self, words: list[str]) -> dict[str, list[float]]:
        try:
            return load_word_vectors(self._sentences, words)
        except Exception as exc:  # a Chroma server that went away raises many types
            raise store_failure(self.index.store.where, exc) from None

    def _vectors(self, keys: list[SentenceKey]) -> dict[SentenceKey, np.ndarray]:
        missing = [k for k in dict.fromkeys(keys) if k not in self._vector_cache]
        try:
            found = load_sentence_vectors(self._sentences, missing)
        except Exception as exc:  # a Chroma server that went away raises many types
            raise store_failure(self.index.store.where, exc) from None
        for key, readings in found.items():
            self._vector_cache[key] = np.asarray(readings, dtype=np.float32)
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
        ranked = sorted(pool, key=lambda p: -passage_score[p.chunk_id])[: self.settings.top_k]
        keep = {
            (p.source, s, e) for p in ranked for s, e in self.retriever.chunk(p.chunk_id).sentences
        }
        kept = [c for key, c in scored.items() if key in keep]
        return ranked, kept + self._lines_below(question, kept, scored)

    def _lines_below(
        self, question: Question, kept: list[Candidate], scored: dict[SentenceKey, Candidate]
    ) -> list[Candidate]:
        """The lines under the kept headings and question lines, when no kept passage
        holds them: they answer in their place (discourse.py)."""
        have = {c.key for c in kept}
        keys: list[SentenceKey] = []
        for candidate in kept:
            key: SentenceKey | None = candidate.key
            text = candidate.text
            for _ in range(MAX_UNSTATED + 1):
                if states(text) or (key := self._below.get(key)) is None:
                    break
                source, start, end = key
                text = self._documents[source].text[start:end]
                if key not in have:
                    keys.append(key)
        keys = list(dict.fromkeys(keys))
        vectors = self._vectors(keys) if keys else {}
        extra = []
        for key in keys:
            if key in scored:
                extra.append(scored[key])
                continue
            source, start, end = key
            document = self._documents[source]
            text = document.text[start:end]
            sentence = (source, start, end, text, document.section_at(start))
            extra.append(
                self.scorer.score(
                    question, sentence, vectors.get(key), self._leaning_antecedent(key, text)
                )
            )
        return extra

    def retrieve(self, question: str) -> list[Passage]:
        """The passages an answer would be drawn from, best first."""
        question = clean_question(question, self.settings.max_question_chars)
        return self._rank(Question.analyse(question, self.embed_question(question)))[0]

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

    def _choose(self, question: Question, candidates: list[Candidate]) -> Selection:
        by_key = {c.key: c for c in candidates}
        return choose_sentences(
            question,
            candidates,
            self.scorer.weights,
            lambda c: by_key.get(self._predecessor.get(c.key)),
            lambda c: by_key.get(self._successor.get(c.key)),
            lambda c: by_key.get(self._below.get(c.key)),
        )

    def _leaning_antecedent(self, key: SentenceKey, text: str) -> Antecedent | None:
        """Who the "he" a sentence opens with stands for, when the sentences before say."""
        who = self._references.who(key)
        if who is None or leaning_pronoun(text) != (who.start, who.end):
            return None
        return who

    def _quote(self, candidate: Candidate, chosen: set[SentenceKey]) -> str:
        """The sentence as the answer shows it: saying who its "he" is, unless the
        sentence before it, also shown, does."""
        who = candidate.antecedent
        if who is None or self._predecessor.get(candidate.key) in chosen:
            return candidate.text
        return say_who(candidate.text, who)

    def _with_parts(
        self, message: str, query: str, candidates: list[Candidate], selection: Selection
    ) -> Selection:
        """Add the answer to each part of a question that asks several things.

        Only the parts the user asks now: a follow-up made standalone by putting the
        previous question in front keeps it as context, not as a part to answer again.
        """
        keys = {c.key for c in selection.sentences}
        earlier = query[: -len(message)].strip() if query.endswith(message) else ""
        asked = message if earlier else query
        for part in question_parts(asked):
            part = f"{earlier} {part}" if earlier else part
            one = Question.analyse(part, self.embed_question(part))
            rescored = [
                self.scorer.score(one, c.sentence, self._vector_cache.get(c.key), c.antecedent)
                for c in candidates
            ]
            keys |= {c.key for c in self._choose(one, rescored).sentences}
        if len(keys) == len(selection.sentences):
            return selection
        chosen = [c for c in candidates if c.key in keys]
        return Selection(tuple(sorted(chosen, key=lambda c: (c.source, c.start))))

    def _evidence(self, message: str, history: Sequence[Any]) -> _Evidence:
        started = time.perf_counter()
        message = clean_question(message, self.settings.max_question_chars)
        # The rules read names by their capitals: "who is joe tsai" is "who is Joe Tsai".
        asked = self._casing.apply(message)
        # "Summarize it" in a conversation may mean the last answer; "Summarize the
        # article" never does.
        overview = asks_overview(asked)
        if overview and not (history and leans_on_history(asked) and not names_the_article(asked)):
            evidence = self._overview(message, asked, overview, started)
            if evidence is not None:
                return evidence
        standalone = self.standalone(asked, history)
        expanded = expand_acronyms(standalone, self._acronyms, self._vocabulary)
        query = self._casing.apply(expanded)
        question = Question.analyse(query, self.embed_question(query), kind_from=asked)
        passages, candidates = self._rank(question)
        if query != asked:
            # A follow-up asks for something new: prefer not to repeat the previous answer.
            previous = last_assistant_message(history) or ""
            candidates = [
                replace(c, similarity=c.similarity - REPEAT_PENALTY) if _given(c, previous) else c
                for c in candidates
            ]
        selection = self._choose(question, candidates)
        if not selection.reason:
            selection = self._with_parts(asked, query, candidates, selection)
        verdict = judge(question, selection.sentences, self.scorer.weights)
        return _Evidence(
            message,
            question,
            passages,
            candidates,
            selection,
            verdict,
            started,
            time.perf_counter(),
        )

    def _overview(
        self, message: str, asked: str, overview: Overview, started: float
    ) -> _Evidence | None:
        """The headline and lead of the article asked about: the only one, or the one
        ranked first when the question says which ("the article about the reshuffle").
        With several articles and no word saying which, each one's headline. None when
        the words saying which are not what the article's opening is about ("the
        article on Kuaidi's losses"): that is a question like any other."""
        question = Question.analyse(asked, self.embed_question(asked))
        if overview.topic:
            ranked, _ = self._rank(question)
            lines = self._openings.of(ranked[0].source, overview.topic) if ranked else []
        else:
            lines = self._openings.unnamed()
        if not lines:
            return None
        vectors = self._vectors([line.key for line in lines])
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
        return _Evidence(
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

    def _timings(self, evidence: _Evidence) -> dict[str, float]:
        return {
            "retrieve_ms": (evidence.retrieved - evidence.started) * 1000,
            "answer_ms": _ms(evidence.retrieved),
            "total_ms": _ms(evidence.started),
        }

    def _extractive(self, evidence: _Evidence, fallback: str | None = None) -> Answer:
        common = {"passages": tuple(evidence.passages), "fallback": fallback}
        if not evidence.answerable:
            return Answer(
                evidence.message, REFUSAL, refused=True, timings=self._timings(evidence), **common
            )
        citations = tuple(
            Citation(n, c.source, c.text, c.start, c.end, c.similarity, c.section)
            for n, c in enumerate(evidence.selection.sentences, start=1)
        )
        chosen = {c.key for c in evidence.selection.sentences}
        text = " ".join(
            f"{self._quote(c, chosen)} [{n}]"
            for n, c in enumerate(evidence.selection.sentences, start=1)
        )
        return Answer(evidence.message, text, citations, timings=self._timings(evidence), **common)

    def _numbered_sentences(self, passages: list[Passage]) -> list[list[SourceSentence]]:
        numbered = []
        for passage in passages:
            spans = self.retriever.chunk(passage.chunk_id).sentences
            vectors = self._vectors([(passage.source, s, e) for s, e in spans])
            numbered.append(
                [
                    SourceSentence(
                        passage.source,
                        s,
                        e,
                        passage.text[s - passage.start : e - passage.start],
                        passage.section,
                        vectors[(passage.source, s, e)],
                    )
                    for s, e in spans
                    if (passage.source, s, e) in vectors
                ]
            )
        return numbered

    def _model_sources(
        self, evidence: _Evidence
    ) -> tuple[list[Passage], list[list[SourceSentence]], dict[SentenceKey, float] | None]:
        """What the model reads, the sentences its citations may resolve to, and their
        relevance to the question (None: all chosen as relevant already)."""
        if self.settings.llm_context == "passages":
            local = LOCAL_PASSAGES if self.answerer == "local" else len(evidence.passages)
            shown = evidence.passages[: self.settings.llm_passages or local]
            numbered = self._numbered_sentences(shown)
            keys = {(s.source, s.start, s.end) for sentences in numbered for s in sentences}
            relevance = {c.key: c.score for c in evidence.candidates if c.key in keys}
            # An overview's sentences are chosen by place, not by closeness to the words
            # "What is this article about?": any of them may be cited.
            return shown, numbered, None if evidence.overview else relevance
        groups: list[list[Candidate]] = []
        for sentence in evidence.selection.sentences:
            if groups and self._predecessor.get(sentence.key) == groups[-1][-1].key:
                groups[-1].append(sentence)  # one source per run of consecutive sentences
            else:
                groups.append([sentence])
        sources = [
            Passage(
                f"evidence-{n}",
                g[0].source,
                g[0].start,
                g[-1].end,
                " ".join(c.text for c in g),
                g[0].section,
                0.0,
            )
            for n, g in enumerate(groups, start=1)
        ]
        vectors = self._vectors([c.key for g in groups for c in g])
        numbered = [
            [SourceSentence(c.source, c.start, c.end, c.text, c.section, vectors[c.key]) for c in g]
            for g in groups
        ]
        return sources, numbered, None

    def stream(self, message: str, history: Sequence[Any] = ()) -> Iterator[str | Answer]:
        """Yield the answer's text as it is written, then the final :class:`Answer`.

        With a language model the streamed text is the model's own; the final
        answer carries the verified, renumbered text and citations. When the
        evidence cannot answer, the model is not asked at all.
        """
        evidence = self._evidence(message, history)
        if self.model is None or not evidence.answerable:
            answer = self._extractive(evidence)
            yield answer.text
            yield replace(answer, answerer=self.answerer if answer.refused else "extractive")
            return
        sources, numbered, relevance = self._model_sources(evidence)
        written: list[str] = []
        try:
            # Closed on every way out (an echo, an error, a consumer that stops reading),
            # so the model's stream never outlives this answer.
            deltas = self.model.stream(answer_messages(evidence.question.text, sources))
            with closing(deltas):
                for delta in deltas:
                    written.append(delta)
                    if echoes_instructions("".join(written)[-4 * ECHO_CHARS :]):
                        break  # the model is reciting its instructions: stop showing it
                    yield delta
        except LLMError as exc:
            if self.settings.fallback != "extractive":
                raise
            answer = self._extractive(evidence, fallback=str(exc))
            yield f"\n\n[{exc} - falling back to the extractive answer]\n\n{answer.text}"
            yield answer
            return
        verified = self.verifier.verify(
            without_instruction_echoes("".join(written)),
            numbered,
            relevance,
            question=evidence.question.text,
        )
        yield Answer(
            evidence.message,
            verified.text,
            verified.citations,
            refused=verified.refused,
            answerer=self.model.name,
            passages=tuple(evidence.passages),
            timings=self._timings(evidence),
            unsupported=verified.unsupported,
        )

    def chat(self, message: str, history: Sequence[Any] = ()) -> Answer:
        """Answer ``message`` in a conversation (``{"role", "content"}`` turns, oldest first)."""
        final = None
        for item in self.stream(message, history):
            final = item
        assert isinstance(final, Answer)
        return final

    def ask(self, question: str) -> Answer:
        """Answer ``question`` from the article, or say the article does not say."""
        return self.chat(question, [])


def _given(candidate: Candidate, answer: str) -> bool:
    """Whether ``answer`` quoted the sentence, as it stands or saying who its "he" is."""
    who = candidate.antecedent
    return candidate.text in answer or (who is not None and say_who(candidate.text, who) in answer)


_default: Assistant | None = None


def ask(question: str) -> Answer:
    """One-off: answer ``question`` with a process-wide default :class:`Assistant`."""
    global _default
    if _default is None:
        _default = Assistant()
    return _default.ask(question)
