"""The article view: the source text, escaped, with the cited spans highlighted.

Offsets come straight from ``Answer.citations``; every piece of article text
goes through ``html.escape``, so an article can never inject markup.
"""

import html
from collections.abc import Sequence
from typing import Any


def highlighted_article(text: str, citations: Sequence[Any]) -> str:
    """HTML of ``text`` with each cited ``[start, end)`` wrapped in ``<mark>``.

    >>> highlighted_article("a <b> c", [type("C", (), {"n": 1, "start": 2, "end": 5})()])
    '<div class="article">a <mark id="cite-1" title="[1]">&lt;b&gt;</mark> c</div>'
    """
    spans = sorted({(c.start, c.end, c.n) for c in citations if 0 <= c.start < c.end <= len(text)})
    out, cursor = [], 0
    for start, end, n in spans:
        if start < cursor:  # overlapping quotes: the earlier one already shows this text
            continue
        out.append(html.escape(text[cursor:start]))
        out.append(f'<mark id="cite-{n}" title="[{n}]">{html.escape(text[start:end])}</mark>')
        cursor = end
    out.append(html.escape(text[cursor:]))
    return f'<div class="article">{"".join(out)}</div>'
