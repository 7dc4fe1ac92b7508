"""Sentence splitting, article parsing and chunking keep exact offsets."""

import pytest

from rag.chunking import Chunk, chunk_document, sentence_predecessors
from rag.documents import parse_document
from rag.embedding import token_counter
from rag.sentences import split_sentences
from rag.settings import MODEL_MAX_TOKENS


def test_sentences_are_verbatim_spans(article_text: str) -> None:
    spans = split_sentences(article_text)
    assert len(spans) == 80
    for start, end in spans:
        piece = article_text[start:end]
        assert piece == piece.strip() and piece
    # Abbreviations do not end a sentence; quotes stay with their sentence.
    texts = [article_text[s:e] for s, e in spans]
    assert any(
        t.startswith(
            "According to sources close to Alibaba, Alibaba (China) Network "
            "Technology Co., Ltd. has decided"
        )
        for t in texts
    )
    assert '"Mother Zhang should be better than Shan Dai.' in texts


def test_split_sentences_examples() -> None:
    assert split_sentences('Mr. Ma left. He said "no." Then 3 rose.') == [
        (0, 12),
        (13, 26),
        (27, 39),
    ]
    assert split_sentences("line one\n\nline two") == [(0, 8), (10, 18)]


def test_article_metadata(article_text: str) -> None:
    doc = parse_document("a.txt", article_text)
    assert doc.title == "Ma Yun's most trusted person holds absolute power"
    assert doc.byline == "Liu Baodan"
    assert [s.heading for s in doc.sections] == [
        "Leadership Change in Taotian",
        "Alibaba Streamlining",
    ]
    assert doc.section_at(0) == ""
    assert doc.section_at(len(article_text) - 1) == "Alibaba Streamlining"


def test_markdown_headings() -> None:
    doc = parse_document("a.md", "# Title\n\nBy: Ann Lee\n\n## Part one\nText here.\n")
    assert (doc.title, doc.byline) == ("Title", "Ann Lee")
    assert [s.heading for s in doc.sections] == ["Part one"]


def test_a_by_line_is_the_byline_not_a_heading() -> None:
    from ui.highlight import article_parts

    text = "Plant to close\nBy Jane Doe and John Roe\n\nBy Monday, the plant will close.\n"
    doc = parse_document("a.txt", text)
    assert doc.byline == "Jane Doe and John Roe" and doc.sections == ()
    assert text[slice(*doc.byline_span)] == "By Jane Doe and John Roe"
    # The page styles that line as the byline, and only that line.
    assert [role for _, _, role in article_parts(doc)] == ["headline", "byline"]


@pytest.mark.parametrize(("size", "overlap"), [(160, 40), (64, 16), (254, 0)])
def test_chunks_fit_the_model_and_resolve_verbatim(
    article_text: str, size: int, overlap: int
) -> None:
    count = token_counter()
    doc = parse_document("a.txt", article_text)
    chunks = chunk_document(doc, size=size, overlap=overlap, count=count)
    assert chunks
    frame_spans = set(doc.frame_spans)
    for chunk in chunks:
        assert article_text[chunk.start : chunk.end] == chunk.text
        assert count(chunk.text) + 2 <= MODEL_MAX_TOKENS
        assert count(chunk.text) <= size
        assert not any(chunk.start <= s < chunk.end for s, _ in frame_spans)
    # Every character of every body sentence is in some chunk.
    covered = {i for c in chunks for i in range(c.start, c.end)}
    for start, end in split_sentences(article_text):
        if (start, end) not in frame_spans:
            assert all(i in covered for i in range(start, end) if not article_text[i].isspace())


def test_overlong_sentence_is_cut_at_words() -> None:
    text = "Title\n" + " ".join(f"word{i}" for i in range(400)) + "."
    doc = parse_document("long.txt", text)
    count = token_counter()
    chunks = chunk_document(doc, size=100, overlap=10, count=count)
    assert len(chunks) > 3
    for chunk in chunks:
        assert count(chunk.text) <= 100
        assert text[chunk.start : chunk.end] == chunk.text


def test_a_sentence_follows_its_predecessor_across_chunks() -> None:
    text = "A long first sentence. This is a gamble.\nNew paragraph here."
    first = Chunk("a.txt", 0, 22, text[:22], "", ((0, 22),))
    second = Chunk("a.txt", 23, len(text), text[23:], "", ((23, 40), (41, len(text))))
    before = sentence_predecessors([first, second], {"a.txt": text})
    # No chunk holds both, yet "This" leans on the sentence before it ...
    assert before[("a.txt", 23, 40)] == ("a.txt", 0, 22)
    # ... and a new paragraph leans on nothing.
    assert ("a.txt", 41, len(text)) not in before


@pytest.mark.parametrize("dateline", ["September 30, 2014", "(September 30, 2014)", "2014-09-30"])
def test_a_dateline_is_not_a_section(dateline: str) -> None:
    doc = parse_document(
        "a.txt", f"Title\n\n{dateline}\n\nThe body says something.\n\nPart Two\n\nMore.\n"
    )
    assert [s.heading for s in doc.sections] == ["Part Two"]
