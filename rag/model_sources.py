"""What a language model reads for an answer, and what its citations may resolve to.

Two choices (``RAG_LLM_CONTEXT``): the retrieved passages whole, or only the
sentences the reader chose, one source per run of consecutive sentences. Each
source's sentences are numbered with their stored vectors, so a model's claim
can be checked against exactly the text it was shown.
"""

from dataclasses import dataclass

from rag.answer import Passage
from rag.citations import SourceSentence
from rag.reader.evidence import ArticleReader, Evidence
from rag.reader.scoring import Candidate
from rag.sentence_vectors import SentenceKey


@dataclass(frozen=True)
class ModelSources:
    """The passages shown, their numbered sentences, and each sentence's relevance to
    the question (None: every one was chosen as relevant already)."""

    passages: list[Passage]
    numbered: list[list[SourceSentence]]
    relevance: dict[SentenceKey, float] | None


def model_sources(
    evidence: Evidence, reader: ArticleReader, *, whole_passages: bool, limit: int
) -> ModelSources:
    """``whole_passages``: the first ``limit`` retrieved passages; else the chosen sentences."""
    if whole_passages:
        shown = evidence.passages[:limit]
        numbered = _numbered_sentences(shown, reader)
        keys = {(s.source, s.start, s.end) for sentences in numbered for s in sentences}
        relevance = {c.key: c.score for c in evidence.candidates if c.key in keys}
        # An overview's sentences are chosen by place, not by closeness to the words
        # "What is this article about?": any of them may be cited.
        return ModelSources(shown, numbered, None if evidence.overview else relevance)
    groups: list[list[Candidate]] = []
    for sentence in evidence.selection.sentences:
        if groups and reader.predecessor.get(sentence.key) == groups[-1][-1].key:
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
    vectors = reader.vectors.sentences([c.key for g in groups for c in g])
    numbered = [
        [SourceSentence(c.source, c.start, c.end, c.text, c.section, vectors[c.key]) for c in g]
        for g in groups
    ]
    return ModelSources(sources, numbered, None)


def _numbered_sentences(
    passages: list[Passage], reader: ArticleReader
) -> list[list[SourceSentence]]:
    numbered = []
    for passage in passages:
        spans = reader.retriever.chunk(passage.chunk_id).sentences
        vectors = reader.vectors.sentences([(passage.source, s, e) for s, e in spans])
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
