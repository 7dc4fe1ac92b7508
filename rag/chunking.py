"""Cut articles into passages of whole sentences that fit the embedding model.

Length is measured in the model's own word pieces, so no passage is ever
truncated by the embedder. A passage never crosses a section heading; the
headings themselves are metadata, not text to answer from. Consecutive
passages share ``overlap`` word pieces of whole sentences, so a fact that
straddles a boundary is whole in at least one passage. A single sentence longer
than the limit is cut at word boundaries.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.documents import SourceDocument
from rag.layout import same_unit
from rag.sentences import split_sentences

Span = tuple[int, int]


@dataclass(frozen=True)
class Chunk:
    """A passage: exact span in its source, its sentences' spans and its section."""

    source: str
    start: int
    end: int
    text: str
    section: str
    sentences: tuple[Span, ...]

    @property
    def chunk_id(self) -> str:
        return f"{self.source}#{self.start}-{self.end}"


def _cut_long_sentence(
    text: str, span: Span, limit: int, count: Callable[[str], int]
) -> list[tuple[Span, int]]:
    """Cut a sentence over ``limit`` word pieces into pieces at word boundaries, each with
    its word pieces."""
    words = [
        (span[0] + m.start(), span[0] + m.end())
        for m in re.finditer(r"\S+", text[span[0] : span[1]])
    ]
    pieces: list[tuple[Span, int]] = []
    first, used = 0, 0
    for i, (start, end) in enumerate(words):
        n = count(text[start:end])
        if i > first and used + n > limit:
            pieces.append(((words[first][0], words[i - 1][1]), used))
            first, used = i, 0
        used += n
    pieces.append(((words[first][0], words[-1][1]), used))
    return pieces


def _body_sentences(
    document: SourceDocument, limit: int, count: Callable[[str], int]
) -> list[list[tuple[Span, int]]]:
    """Sentence spans of the document with their word pieces, grouped by section,
    headings left out."""
    boundaries = [
        document.body_start,
        *(start for start, _ in document.frame_spans if start >= document.body_start),
        len(document.text),
    ]
    headings = set(document.frame_spans)
    groups = []
    for start, end in zip(boundaries, boundaries[1:], strict=False):
        spans: list[tuple[Span, int]] = []
        for span in split_sentences(document.text, start, end):
            if span in headings:
                continue
            n = count(document.text[span[0] : span[1]])
            if n > limit:
                spans.extend(_cut_long_sentence(document.text, span, limit, count))
            else:
                spans.append((span, n))
        if spans:
            groups.append(spans)
    return groups


def chunk_document(
    document: SourceDocument, *, size: int, overlap: int, count: Callable[[str], int]
) -> list[Chunk]:
    """Pack sentences into chunks of at most ``size`` word pieces with ``overlap``.

    Each sentence is counted once: BERT splits words at white space before cutting
    them into word pieces, so a run of sentences has the sum of their word pieces
    (``tests/test_indexing.py`` checks it on every article).
    """
    text = document.text
    chunks: list[Chunk] = []
    for group in _body_sentences(document, size, count):
        spans = [span for span, _ in group]
        pieces = [n for _, n in group]
        first = 0
        while first < len(spans):
            last, used = first, pieces[first]
            while last + 1 < len(spans) and used + pieces[last + 1] <= size:
                last += 1
                used += pieces[last]
            start, end = spans[first][0], spans[last][1]
            chunks.append(
                Chunk(
                    source=document.name,
                    start=start,
                    end=end,
                    text=text[start:end],
                    section=document.section_at(start),
                    sentences=tuple(spans[first : last + 1]),
                )
            )
            if last + 1 >= len(spans):
                break
            # Step back over whole sentences worth at most `overlap` word pieces.
            next_first, back = last + 1, 0
            while next_first - 1 > first and back + pieces[next_first - 1] <= overlap:
                next_first -= 1
                back += pieces[next_first]
            first = next_first
    return chunks


def sentences_by_source(chunks: list[Chunk]) -> dict[str, list[tuple[int, int, str]]]:
    """Each source's sentences once (overlapping chunks share some), in reading order, as
    (start, end, text)."""
    seen: dict[str, dict[Span, str]] = {}
    for chunk in chunks:
        spans = seen.setdefault(chunk.source, {})
        for start, end in chunk.sentences:
            offset = start - chunk.start
            spans.setdefault((start, end), chunk.text[offset : offset + end - start])
    return {
        source: [(a, b, text) for (a, b), text in sorted(spans.items())]
        for source, spans in seen.items()
    }


def sentence_predecessors(
    chunks: list[Chunk], texts: dict[str, str]
) -> dict[tuple[str, int, int], tuple[str, int, int]]:
    """Each sentence's predecessor in the same paragraph (no hard line break between), also
    across a chunk boundary: a long sentence is not repeated in the next chunk's overlap,
    so "This is nothing short of a gamble." may open a chunk without what "This" is."""
    before: dict[tuple[str, int, int], tuple[str, int, int]] = {}
    for source, ordered in sentences_by_source(chunks).items():
        text = texts.get(source)
        for (s1, e1, _), (s2, e2, _) in zip(ordered, ordered[1:], strict=False):
            if text is not None and same_unit(text, e1, s2):
                before[(source, s2, e2)] = (source, s1, e1)
    return before
