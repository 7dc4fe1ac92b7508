"""How an article's lines relate: which state something, and which line answers another.

A sentence that states something ends with a full stop or an exclamation mark, perhaps
inside a closing quotation mark or bracket. A line without one is a headline, a
heading, a label or a lead-in ("Highlights from the conversation", "Key findings:"),
and a question ("Why join Vercel?", an interviewer's) is asked, not answered. Neither
is an answer; each is context for the line under it, which answers in its place.

Left out: credit lines ("Writing by ...") are label lines too, but they answer "Who
wrote this?"; credits.py reads them.
"""

import re
from collections.abc import Callable
from dataclasses import replace

from rag.chunking import Chunk, sentences_by_source
from rag.reader.scoring import Candidate

Key = tuple[str, int, int]

_STATES = re.compile(r"[.!][\"'”’)\]]*$")
# How many lines that state nothing may stand between one and the line that answers it
# (a heading, then a subheading).
MAX_UNSTATED = 2


def states(sentence: str) -> bool:
    """Whether a sentence states something.

    >>> states("Why join Vercel?"), states("Highlights"), states('He said "yes."')
    (False, False, True)
    """
    return bool(_STATES.search(sentence.rstrip()))


def next_sentences(chunks: list[Chunk]) -> dict[Key, Key]:
    """Each sentence's next one in its source, across line breaks and chunks."""
    after: dict[Key, Key] = {}
    for source, ordered in sentences_by_source(chunks).items():
        for (s1, e1, _), (s2, e2, _) in zip(ordered, ordered[1:], strict=False):
            after[(source, s1, e1)] = (source, s2, e2)
    return after


def answering_line(
    candidate: Candidate, below: Callable[[Candidate], Candidate | None]
) -> Candidate | None:
    """The first line under ``candidate`` that states something (None if none is near)."""
    after = below(candidate)
    for _ in range(MAX_UNSTATED):
        if after is None or states(after.text):
            break
        after = below(after)
    return after if after is not None and states(after.text) else None


def statements(
    candidates: list[Candidate], below: Callable[[Candidate], Candidate | None]
) -> list[Candidate]:
    """The candidates that state something; the line under a heading, a label or a
    question line is at least as close in meaning as that line was.

    The words it matches stay its own: a heading that repeats the question's words
    ("From side projects to Fortune 500 deployments") would otherwise lift the line
    under it over a line further down that states them (suite: 1 fact and 1 refusal
    of an unanswerable question gained, 1 fact lost; seed gold +1 fact).
    """
    lifted: dict[Key, Candidate] = {}
    for candidate in candidates:
        if states(candidate.text):
            continue
        answer = answering_line(candidate, below)
        if answer is None:
            continue
        current = lifted.get(answer.key, answer)
        if candidate.similarity > current.similarity:
            lifted[answer.key] = replace(current, similarity=candidate.similarity)
    return [lifted.get(c.key, c) for c in candidates if states(c.text)]
