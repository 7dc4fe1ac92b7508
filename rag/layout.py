"""Which line breaks of an article end something, and which only wrap a line.

Articles come with a line per paragraph, or hard-wrapped at a fixed width (as
e-mail, terminals and many blogs save them). In wrapped text a line break inside
a paragraph is a space: it must not end a sentence, cut a heading or part a
sentence from the one before it. A text's width is how long its lines get (a
high quantile, so one long URL does not set it); a text wider than any usual wrap
has a line per paragraph. In narrower text a break is soft when the next line's
first word would not have fitted on the line, give or take a proportional font's
slack (PDF text). A blank line, a list item, a heading, a quote, a table row or a
byline always starts anew.

Nothing is rewritten: offsets stay those of the text as stored, and a quote that
spans a wrapped line holds its line break (displays collapse white space).
"""

import re
from functools import lru_cache

# Wider than this, lines are paragraphs, not wrapped (72-100 is the usual wrap).
MAX_WRAP_WIDTH = 120
# A text with fewer line-to-line continuations than this has no wrapping to detect.
MIN_CONTINUATIONS = 3
# The text's width: this quantile of its lines' lengths.
WIDTH_QUANTILE = 0.9
# A line is full when it and the next word reach this share of the width: a
# proportional font (a PDF's lines) fits more narrow letters on some lines.
FULL_SHARE = 0.85
# A line that starts a unit of its own, whatever came before it (a byline too).
_STARTS_UNIT = re.compile(r"^\s*(?:[-*+•]\s|\d{1,3}[.)]\s|#{1,6}\s|>|\||```|~~~)")
# A byline: "Author: Liu Baodan", "By: ...", or "By" and capitalised names ("By Jane Doe
# and John Roe, Reuters"), not a sentence that opens with "By" ("By Monday, it will ...").
BYLINE = re.compile(
    r"^\s*(?:(?i:author|by|byline|written by)\s*[:：]\s*(?P<name>.+?)"
    r"|By\s+(?P<names>[A-Z][\w.'’-]*(?:(?:,?\s+(?:and\s+)?)[A-Z][\w.'’-]*)*))\s*$"
)


def byline_name(line: str) -> str | None:
    """The name(s) a byline line gives, else None.

    >>> byline_name("By Jane Doe and John Roe"), byline_name("Author: Liu Baodan")
    ('Jane Doe and John Roe', 'Liu Baodan')
    >>> byline_name("By Monday, the plant will close.") is None
    True
    """
    match = BYLINE.match(line)
    return (match.group("name") or match.group("names")).strip() if match else None


def _lines(text: str) -> list[tuple[int, int]]:
    """Each line's (start, end) without its line break; "\\r" counts as part of the break."""
    out, start = [], 0
    for match in re.finditer(r"\r?\n", text):
        out.append((start, match.start()))
        start = match.end()
    out.append((start, len(text)))
    return out


@lru_cache(maxsize=16)
def soft_breaks(text: str) -> frozenset[int]:
    r"""Offsets of the line breaks in ``text`` that only wrap a line (empty if it is not
    hard-wrapped).

    >>> para = "The bridge opened in 1932 after six years of work and it still carries cars."
    >>> import textwrap; wrapped = textwrap.fill(para, 24)
    >>> wrapped.count("\n"), len(soft_breaks(wrapped))
    (3, 3)
    >>> soft_breaks("Headline\nA paragraph on one line.\nAnother one.")
    frozenset()
    """
    lines = _lines(text)
    continuing = [
        (a, b)
        for a, b in zip(lines, lines[1:], strict=False)
        if text[a[0] : a[1]].strip() and text[b[0] : b[1]].strip()
    ]
    if len(continuing) < MIN_CONTINUATIONS:
        return frozenset()
    lengths = sorted(len(text[s:e].rstrip()) for s, e in lines if text[s:e].strip())
    width = lengths[int(WIDTH_QUANTILE * (len(lengths) - 1))]
    if width > MAX_WRAP_WIDTH:
        return frozenset()
    soft = []
    for a, b in continuing:
        line, following = text[a[0] : a[1]].rstrip(), text[b[0] : b[1]]
        if _STARTS_UNIT.match(following) or BYLINE.match(following) or line.lstrip()[:1] == "#":
            continue
        if len(line) + 1 + len(following.split()[0]) > FULL_SHARE * width:
            soft.append(a[1])
    return frozenset(soft)


def units(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    r"""The spans of ``text[start:end]`` between hard line breaks: paragraphs of wrapped
    text, otherwise lines (blank ones included, as empty or white spans).

    >>> units("Title\nBody one.")
    [(0, 5), (6, 15)]
    """
    end = len(text) if end is None else end
    soft = soft_breaks(text)
    out, unit_start = [], start
    for match in re.finditer(r"\r?\n", text[start:end]):
        at = start + match.start()
        if at in soft:
            continue
        out.append((unit_start, at))
        unit_start = start + match.end()
    out.append((unit_start, end))
    return out


def same_unit(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds no hard line break (one paragraph or line)."""
    soft = soft_breaks(text)
    return all(start + m.start() in soft for m in re.finditer(r"\r?\n", text[start:end]))
