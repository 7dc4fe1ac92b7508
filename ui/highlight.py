"""The article view: the source text, escaped, laid out as an article, with the cited
spans highlighted.

Offsets come straight from ``Answer.citations``; every piece of article text
goes through ``html.escape``, so an article can never inject markup. The
headline, byline, dateline and section headings are marked by where the
document says they are (``article_parts``), so they read as an article's, not
as body text.
"""

import html
import re
from collections.abc import Sequence
from typing import Any


def article_parts(document: Any) -> list[tuple[int, int, str]]:
    """(start, end, role) of the lines that frame ``document``: its headline (first
    line), its byline, its dateline and section headings."""
    text = document.text
    parts = []
    lines = [m for m in re.finditer(r"[^\r\n]+", text[document.body_start :]) if m.group().strip()]
    offset = document.body_start
    if lines:
        parts.append((offset + lines[0].start(), offset + lines[0].end(), "headline"))
    if document.byline_span:
        parts.append((*document.byline_span, "byline"))
    headings = {(s.start, s.heading) for s in document.sections}
    for start, end in document.frame_spans:
        role = "heading" if any(start == s for s, _ in headings) else "dateline"
        parts.append((start, end, role))
    return sorted(set(parts))


# A Markdown heading's marks: the panel shows the heading, styled, without them.
_HEADING_MARKS = re.compile(r"^#{1,6}[ \t]+|[ \t]+#+[ \t]*$")


def highlighted_article(
    text: str,
    citations: Sequence[Any],
    answer: int | None = None,
    parts: Sequence[tuple[int, int, str]] = (),
    body_start: int = 0,
) -> str:
    """HTML of ``text`` from ``body_start`` on (not Markdown's front matter), with each
    cited ``[start, end)`` wrapped in a numbered ``<mark>`` and each of ``parts`` (start,
    end, role) in a ``<span class="role">``; ``answer`` is the chat message whose
    citations these are (the page's script waits for it). Parts inside the front matter
    (its author and date, which answers may quote) are shown under the headline.

    >>> highlighted_article("a <b> c", [type("C", (), {"n": 1, "start": 2, "end": 5})()], 1)
    '<div class="article" data-answer="1">a <mark id="cite-1" data-n="1">&lt;b&gt;</mark> c</div>'
    >>> highlighted_article("Title\\nBody.", [], None, [(0, 5, "headline")])
    '<div class="article" data-answer=""><span class="headline">Title</span>\\nBody.</div>'
    >>> highlighted_article("---\\nx: 1\\n---\\n# Title\\n", [], None, [(13, 20, "headline")], 13)
    '<div class="article" data-answer=""><span class="headline">Title</span>\\n</div>'
    >>> highlighted_article("---\\nby: Al\\n---\\nT\\nB", [], None, [(8, 10, "byline")], 15)
    '<div class="article" data-answer="">T\\n<span class="byline">Al</span>\\nB</div>'
    """
    marks = sorted({(c.start, c.end, c.n) for c in citations if 0 <= c.start < c.end <= len(text)})
    spans = [(s, e, r) for s, e, r in parts if 0 <= s < e <= len(text)]
    front = [(s, e) for s, e, _ in spans if e <= body_start]
    # The front matter's parts go after the headline (the body's first line).
    head = next((e for s, e, r in spans if r == "headline" and s >= body_start), None)
    if head is None:
        newline = text.find("\n", body_start)
        head = newline if newline >= 0 and front else body_start
    ranges = [(body_start, head), *front, (head, len(text))] if front else [(body_start, len(text))]
    out: list[str] = []
    labelled: set[int] = set()
    for i, (lo, hi) in enumerate(ranges):
        if 0 < i < len(ranges) - 1:
            out.append("\n")
        edges = (x for s, e, _ in [*marks, *spans] for x in (s, e) if lo < x < hi)
        cuts = sorted({lo, hi, *edges})
        out += [
            _piece(text, a, b, marks, spans, labelled) for a, b in zip(cuts, cuts[1:], strict=False)
        ]
    shown = "" if answer is None else str(answer)
    return f'<div class="article" data-answer="{shown}">{"".join(out)}</div>'


def _piece(
    text: str,
    a: int,
    b: int,
    marks: list[tuple[int, int, int]],
    spans: list[tuple[int, int, str]],
    labelled: set[int],
) -> str:
    """``text[a:b]`` as HTML: escaped, in its citation's mark and its part's span."""
    role = next((r for s, e, r in spans if s <= a and b <= e), None)
    shown = text[a:b]
    if role in ("headline", "heading"):
        shown = _HEADING_MARKS.sub("", shown)
    # Runs of spaces inside a line are blanked Markdown markup: shown as one space.
    piece = html.escape(re.sub(r"(?<=\S)[ \t]{2,}", " ", shown))
    # Overlapping quotes: the earlier one shows the shared text.
    n = next((n for s, e, n in marks if s <= a and b <= e), None)
    if n is not None:
        first = n not in labelled
        labelled.add(n)
        ident = f'id="cite-{n}" ' if first else ""
        label = "" if first else ' class="more"'
        piece = f'<mark {ident}data-n="{n}"{label}>{piece}</mark>'
    if role is not None:
        piece = f'<span class="{role}">{piece}</span>'
    return piece
