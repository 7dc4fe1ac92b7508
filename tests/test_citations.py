"""Citation verification on the real query-time embedder: what a model cites is checked."""

import numpy as np
import pytest

from rag.answer import REFUSAL
from rag.citations import CitationVerifier, SourceSentence
from rag.encoders.minilm import OnnxMiniLM, load_onnx_minilm
from rag.terms import TermWeights

PASSAGES = [
    [
        "On December 20th, Daniel Zhang was named CEO of Taotian Group.",
        "The letter was sent to every employee.",
    ],
    ["Alibaba plans to sell 25 million shares of Xiaopeng Motors."],
]


@pytest.fixture(scope="module")
def embed() -> OnnxMiniLM:
    return load_onnx_minilm()


def _numbered(embed: OnnxMiniLM) -> list[list[SourceSentence]]:
    numbered, offset = [], 0
    for passage in PASSAGES:
        sentences = []
        vectors = embed.get_text_embedding_batch(passage)
        for text, vector in zip(passage, vectors, strict=True):
            sentences.append(
                SourceSentence("a.txt", offset, offset + len(text), text, "", np.asarray(vector))
            )
            offset += len(text) + 1
        numbered.append(sentences)
    return numbered


def _verifier(embed: OnnxMiniLM) -> CitationVerifier:
    texts = [s for passage in PASSAGES for s in passage]
    return CitationVerifier(
        lambda batch: np.asarray(embed.get_text_embedding_batch(batch)), TermWeights(texts)
    )


def test_markers_are_checked_resolved_and_renumbered(embed: OnnxMiniLM) -> None:
    text = (
        "Alibaba will sell 25 million Xiaopeng Motors shares [2]. "
        "Daniel Zhang was named CEO of Taotian Group [9]. "
        "The moon is made of green cheese and orbits Mars [1]."
    )
    verified = _verifier(embed).verify(text, _numbered(embed))
    quotes = [c.quote for c in verified.citations]
    # [2] resolves to its sentence and becomes [1]; the out-of-range [9] is dropped and
    # the claim cited from the passage that supports it; the invented claim is flagged.
    assert quotes[0] == PASSAGES[1][0]
    assert PASSAGES[0][0] in quotes
    assert [c.n for c in verified.citations] == list(range(1, len(quotes) + 1))
    assert verified.text.startswith("Alibaba will sell 25 million Xiaopeng Motors shares. [1]")
    assert verified.unsupported == ("The moon is made of green cheese and orbits Mars.",)


def test_only_sentences_relevant_to_the_question_are_cited(embed: OnnxMiniLM) -> None:
    numbered = _numbered(embed)
    claim = "Alibaba will sell 25 million Xiaopeng Motors shares [2]."
    # The question is about Taotian's CEO: the share sale is not an answer to it.
    relevance = {(s.source, s.start, s.end): 0.0 for p in numbered for s in p}
    first = numbered[0][0]
    relevance[(first.source, first.start, first.end)] = 0.9
    verified = _verifier(embed).verify(claim, numbered, relevance)
    assert verified.citations == ()
    assert verified.unsupported == ("Alibaba will sell 25 million Xiaopeng Motors shares.",)
    assert _verifier(embed).verify(claim, numbered).citations  # without the filter it is cited


def test_refusals_are_recognised(embed: OnnxMiniLM) -> None:
    verified = _verifier(embed).verify("The sources do not mention his age.", _numbered(embed))
    assert verified.refused and verified.text == REFUSAL and verified.citations == ()


def test_a_quote_must_state_the_claims_names_and_numbers(embed: OnnxMiniLM) -> None:
    numbered = _numbered(embed)
    # The model copied the sentence and changed the name and the date in it.
    swapped = _verifier(embed).verify(
        "On May 3rd, Joe Tsai was named CEO of Taotian Group [1].", numbered
    )
    assert swapped.citations == ()
    assert swapped.unsupported == ("On May 3rd, Joe Tsai was named CEO of Taotian Group.",)
    # A name the user asked about needs no quote of its own ("Zhang's" job, per the question).
    asked = _verifier(embed).verify(
        "Mr Zhang was named CEO of Taotian Group [1].", numbered, question="What is Mr Zhang's job?"
    )
    assert [c.quote for c in asked.citations] == [PASSAGES[0][0]]
    # A name that opens the source sentence is stated by it all the same.
    opening = _verifier(embed).verify(
        "The plan is that Alibaba sells 25 million shares of Xiaopeng Motors [2].", numbered
    )
    assert [c.quote for c in opening.citations] == [PASSAGES[1][0]]
    # But not a name that opens the sentence before: it says nothing of this one.
    texts = [
        "Tsai praised the decision in a letter to staff.",
        "In December, Zhang became the new chief executive of Taotian Group.",
    ]
    vectors = embed.get_text_embedding_batch(texts)
    passage = [
        SourceSentence("b.txt", 100 * i, 100 * i + len(t), t, "", np.asarray(v))
        for i, (t, v) in enumerate(zip(texts, vectors, strict=True))
    ]
    swapped = _verifier(embed).verify(
        "The new chief executive of Taotian Group is Tsai [1].", [passage]
    )
    assert swapped.citations == ()


def test_a_claim_that_the_sources_lack_something_is_not_cited(embed: OnnxMiniLM) -> None:
    text = (
        "Daniel Zhang was named CEO of Taotian Group [1]. The sources do not give his salary [1]."
    )
    verified = _verifier(embed).verify(text, _numbered(embed))
    assert [c.quote for c in verified.citations] == [PASSAGES[0][0]]
    assert verified.text.endswith("The sources do not give his salary.")
    assert verified.unsupported == ()


def test_a_claim_that_only_repeats_the_question_is_not_cited(embed: OnnxMiniLM) -> None:
    question = "Who was named CEO of Taotian Group?"
    text = "The article discusses who was named CEO of Taotian Group [1]. Daniel Zhang was [1]."
    verified = _verifier(embed).verify(text, _numbered(embed), question=question)
    assert verified.text.startswith("The article discusses who was named CEO of Taotian Group. ")
    assert verified.unsupported == ()
