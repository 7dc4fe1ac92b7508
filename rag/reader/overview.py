"""What the article is about: its headline and its lead.

"What is this article about?" and "Summarize it" name nothing but the article, so
no sentence is close to them (the extractive answerer refused both). A news
article says what it is about first: the headline, then the lead, which is why
the first sentences (Lead-3) are the standard extractive summary of news. The
answer is those sentences, cited, without the credit lines ("Author: ...").

Only a question that names nothing but the article asks for it: "Summarize what
Jack Ma said" and "What is the main point of the letter?" are about the news, and
are answered like any other question.
"""

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TypeVar

from rag.chunking import Chunk, sentences_by_source
from rag.documents import SourceDocument
from rag.reader.credits import CREDITS, gives_credit
from rag.reader.dateline import DATELINE_LINES, is_dateline
from rag.terms import content_terms

# The headline, a subtitle if any, and the lead's first sentences.
OPENING_SENTENCES = 4
# With several articles and no word saying which, each one's headline and next line (a
# subtitle or the lead's first sentence), for up to this many articles.
MAX_HEADLINES = 5

Key = TypeVar("Key")

_ARTICLE = r"(?:article|piece|story|text|document)"
_CUES = re.compile(
    rf"\bwhat(?:'s|’s|s| is| was)? (?:this|that|it|the \w+|this \w+)"
    r"(?: is| was)?(?: \w+ly| all| talking)? about\b"
    rf"|\bwhat does (?:it|this|the {_ARTICLE}|this {_ARTICLE}) say\s*[?.!]*$"
    r"|\bsummar(?:y|ies|ize|ise|ized|ised)\b|\bsum (?:it |this |that )?up\b|\btl;? ?dr\b"
    r"|\bgist\b|\boverview\b|\bin (?:a nutshell|brief|short)\b"
    r"|\bmain (?:point|idea|message|takeaway|topic|story)s?\b|\bkey (?:points?|takeaways?)\b"
    rf"|\btopic of (?:the|this) {_ARTICLE}\b",
    re.I,
)
# Which article, when the question says: "the article about Alibaba's reshuffle" (to the
# end of the clause), "the Acme article".
_WHICH_ARTICLE = [
    re.compile(rf"\b{_ARTICLE}s?\s+(?:about|on)\s+(?P<topic>[^,;?.!]*)", re.I),
    re.compile(r"\b(?:the|this) (?P<topic>(?:[A-Z][\w'’-]*\s+)+)(?:article|piece|story)\b"),
]
# Words that ask for an overview, or name the article, and nothing else.
_OVERVIEW_TERMS = frozenset(
    content_terms(
        "summarize summarise summary summaries sum up tl dr tldr gist overview brief briefly"
        " short nutshell quick quickly simple one sentence sentences few words line lines"
        " main mainly mostly key point points idea ideas message takeaway takeaways topic"
        " topics article articles piece story stories text document give tell me please"
        " explain talking know like write provide"
    )
)
# Lines before the lead that are not the story: "Published: ...", "Photo: ...", front
# matter's "date:", images, rules ("---"). (A headline may have a colon: "Exclusive: ...")
_METADATA = re.compile(
    r"^\s*(?:(?:published|updated|posted|date|dated|time|source|photo|image|caption|tags?"
    r"|categor(?:y|ies)|keywords|slug|layout|lang|language|location|reading time)\s*:"
    r"|!\[|[^A-Za-z]*$)",
    re.I,
)


@dataclass(frozen=True)
class Overview:
    """A question about a whole article; ``topic`` says which ("" the one, or each)."""

    topic: str = ""


def asks_overview(question: str) -> Overview | None:
    """Whether ``question`` asks what an article as a whole says, and which.

    >>> asks_overview("What is this article about?")
    Overview(topic='')
    >>> asks_overview("Summarize the article about Alibaba's reshuffle, please")
    Overview(topic="Alibaba's reshuffle")
    >>> asks_overview("Summarize what Jack Ma said about AI") is None
    True
    """
    if not _CUES.search(question):
        return None
    topic, rest = "", question
    for pattern in _WHICH_ARTICLE:
        match = pattern.search(question)
        if match:
            topic = match.group("topic").strip()
            rest = question[: match.start("topic")] + question[match.end("topic") :]
            break
    if not set(content_terms(rest)) <= _OVERVIEW_TERMS:
        return None
    return Overview(topic)


def names_the_article(question: str) -> bool:
    """Whether ``question`` says "the article" (or piece, story ...) outright, so it is
    not about something earlier in the conversation ("Summarize it" may be).

    >>> names_the_article("Summarize this piece"), names_the_article("Summarize it")
    (True, False)
    """
    return bool(re.search(rf"\b{_ARTICLE}s?\b", question, re.I))


def opening(sentences: Iterable[tuple[Key, str]], count: int = OPENING_SENTENCES) -> list[Key]:
    """The first ``count`` sentences of a document, in reading order, that are neither
    its credit lines nor metadata; ``sentences`` are (key, text) from its start.

    >>> lines = ["---", "date: 2024", "---", "Title", "Author: A", "First.", "Second."]
    >>> opening(enumerate(lines), count=2)
    [3, 5]
    """
    chosen = []
    for key, text in sentences:
        if len(chosen) == count:
            break
        if not gives_credit(text, CREDITS) and not _METADATA.match(text):
            chosen.append(key)
    return chosen


def markup_trimmed(text: str) -> tuple[int, int]:
    """How many characters of markdown markup open and close a line ("# ", "**").

    >>> markup_trimmed("## **Acme cuts jobs**")
    (5, 2)
    """
    head = len(text) - len(text.lstrip("#*_> \t"))
    tail = len(text) - len(text.rstrip("*_ \t"))
    return (head, tail) if head + tail < len(text) else (0, 0)


@dataclass(frozen=True)
class Line:
    """One sentence of an article's opening, as an answer quotes it."""

    key: tuple[str, int, int]  # the sentence as stored (its vector's key)
    span: tuple[str, int, int]  # without its markdown markup ("# ", "**")
    text: str
    chunk: Chunk  # the passage it is shown in


class Openings:
    """Each article's opening lines: its headline (a markdown title too, which is a
    heading, not a sentence of any chunk) and lead."""

    def __init__(self, chunks: list[Chunk], documents: list[SourceDocument]) -> None:
        texts = {d.name: d.text for d in documents}
        headings = {d.name: d.frame_spans for d in documents}
        by_source: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            by_source.setdefault(chunk.source, []).append(chunk)
        bylines = {d.name: d.byline_span for d in documents if d.byline_span}
        self._lines: dict[str, list[Line]] = {}
        self._datelines: dict[str, Line] = {}
        self._bylines: dict[str, Line] = {}
        for source, ordered in sentences_by_source(chunks).items():
            spans = sorted({*((a, b) for a, b, _ in ordered), *headings.get(source, ())})
            text = texts[source]
            keys = opening(((source, a, b), text[a:b]) for a, b in spans)
            self._lines[source] = [_line(key, text, by_source[source]) for key in keys]
            dated = [(a, b) for a, b in spans[:DATELINE_LINES] if is_dateline(text[a:b])]
            if dated:
                self._datelines[source] = _line((source, *dated[0]), text, by_source[source])
            if source in bylines:
                self._bylines[source] = _line((source, *bylines[source]), text, by_source[source])

    def of(self, source: str, topic: str = "") -> list[Line]:
        """``source``'s opening; none when ``topic`` names what it is not about."""
        lines = self._lines.get(source, [])
        opened = set(content_terms(" ".join(line.text for line in lines)))
        return lines if set(content_terms(topic)) <= opened else []

    def dateline(self, source: str) -> Line | None:
        """``source``'s dateline, if it has one."""
        return self._datelines.get(source)

    def byline(self, source: str) -> Line | None:
        """``source``'s byline ("By Jane Doe", "Author: ...", a front matter's author)."""
        return self._bylines.get(source)

    def unnamed(self, sources: Collection[str] | None = None) -> list[Line]:
        """The opening of the only article (of ``sources``); with several, each one's
        headline and first sentence."""
        asked = [lines for name, lines in self._lines.items() if not sources or name in sources]
        if len(asked) == 1:
            return asked[0]
        return [line for lines in asked[:MAX_HEADLINES] for line in lines[:2]]


def _line(key: tuple[str, int, int], text: str, chunks: list[Chunk]) -> Line:
    source, start, end = key
    head, tail = markup_trimmed(text[start:end])
    # The chunk that holds it; for a heading, which none holds, the nearest.
    chunk = min(chunks, key=lambda c: (not (c.start <= start and end <= c.end), abs(c.start - end)))
    span = (source, start + head, end - tail)
    return Line(key, span, text[span[1] : span[2]], chunk)
