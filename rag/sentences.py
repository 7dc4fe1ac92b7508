"""Split text into sentence spans with exact character offsets.

A hard line break always ends a sentence (headlines, bylines and paragraphs are
separate lines); a line break that only wraps a line does not (``rag.layout``).
Inside a paragraph a sentence ends at
``.``, ``!`` or ``?`` (plus any closing quote or bracket) followed by space and
a capital, digit or opening quote, unless the word before is a known
abbreviation or a single initial. Deliberately no language model: the rules
are predictable, fast and give offsets into the untouched text.
"""

import re

from rag.layout import units

_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st co corp inc ltd vs etc fig jan feb mar apr jun jul"
    " aug sep sept oct nov dec gen gov sen rep u.s e.g i.e a.m p.m".split()
)


def _ends_with_abbreviation(text: str) -> bool:
    """True when ``text`` (up to a full stop) ends in an abbreviation or initial."""
    word = text.rsplit(None, 1)[-1].lower().rstrip(".").lstrip("\"'“‘(")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` as offsets into ``text``.

    >>> split_sentences("It rose. Then it fell.\\nNew line")
    [(0, 8), (9, 22), (23, 31)]
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for unit_start, unit_end in units(text, start, end):
        sentence_start = unit_start
        for match in _BOUNDARY.finditer(text, unit_start, unit_end):
            if match.group(0)[0] == "." and _ends_with_abbreviation(
                text[sentence_start : match.start() + 1]
            ):
                continue
            spans.append(_trim(text, sentence_start, match.end()))
            sentence_start = match.end()
        spans.append(_trim(text, sentence_start, unit_end))
    return [(s, e) for s, e in spans if e > s]
