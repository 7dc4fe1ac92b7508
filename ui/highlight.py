"""The article view: the source text, escaped, with the cited spans highlighted.

Offsets come straight from ``Answer.citations``; every piece of article text
goes through ``html.escape``, so an article can never inject markup.
"""

import html
import re
from collections.abc import Sequence
from typing import Any


def highlighted_article(text: str, citations: Sequence[Any], answer: int | None = None) -> str:
    """HTML of ``text`` with each cited ``[start, end)`` wrapped in a numbered ``<mark>``;
    ``answer`` is the chat message whose citations these are (the page's script waits for it).

    >>> highlighted_article("a <b> c", [type("C", (), {"n": 1, "start": 2, "end": 5})()], 1)
    '<div class="article" data-answer="1">a <mark id="cite-1" data-n="1">&lt;b&gt;</mark> c</div>'
    """

    def escaped(piece: str) -> str:
        # Runs of spaces inside a line are blanked Markdown markup: shown as one space.
        return html.escape(re.sub(r"(?<=\S)[ \t]{2,}", " ", piece))

    spans = sorted({(c.start, c.end, c.n) for c in citations if 0 <= c.start < c.end <= len(text)})
    out, cursor = [], 0
    for start, end, n in spans:
        if start < cursor:  # overlapping quotes: the earlier one already shows this text
            continue
        out.append(escaped(text[cursor:start]))
        out.append(f'<mark id="cite-{n}" data-n="{n}">{escaped(text[start:end])}</mark>')
        cursor = end
    out.append(escaped(text[cursor:]))
    shown = "" if answer is None else str(answer)
    return f'<div class="article" data-answer="{shown}">{"".join(out)}</div>'
