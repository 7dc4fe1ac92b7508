"""How an article's lines relate: which state something, and which line answers another.

A sentence that states something ends with a full stop or an exclamation mark, perhaps
inside a closing quotation mark or bracket. A line without one is a headline, a
heading, a label or a lead-in ("Highlights from the conversation", "Key findings:"),
and a question ("Why join Vercel?", an interviewer's) is asked, not answered. Neither
is an answer; each is context for the line under it, which the reader's model reads
too.

Left out: credit lines ("Writing by ...") are label lines too, but they answer "Who
wrote this?"; credits.py reads them.
"""

import re

from rag.chunking import Chunk, sentences_by_source

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
