"""Assemble extracted blocks (paragraphs, headings) into the text the product reads."""

from rag.formats import Extracted


def collapse(text: str) -> str:
    """White space runs as one space, ends trimmed: a block's text as one line."""
    return " ".join(text.split())


def assemble(
    blocks: list[tuple[str, bool]], *, title: str = "", byline: str = "", date: str = ""
) -> Extracted:
    """One block per paragraph, a blank line between them: the title first, then "By"
    the byline and the date when known. ``blocks`` are (text, is_heading); the headings'
    spans are kept so that they are never taken for body text.

    >>> e = assemble([("Intro", True), ("It rose.", False)], title="T", byline="Ann")
    >>> e.text, [e.text[s:t] for s, t in e.headings]
    ('T\\n\\nBy Ann\\n\\nIntro\\n\\nIt rose.', ['Intro'])
    """
    if blocks and title and blocks[0][0] == collapse(title):
        blocks = blocks[1:]  # the page repeats its title as its first heading
    head = [collapse(x) for x in (title, f"By {byline}" if byline else "", date) if x]
    parts, headings, offset = [], [], 0
    for text, is_heading in [(h, False) for h in head] + blocks:
        if not text:
            continue
        if is_heading:
            headings.append((offset, offset + len(text)))
        parts.append(text)
        offset += len(text) + 2
    return Extracted(
        "\n\n".join(parts), title=title, byline=byline, date=date, headings=tuple(headings)
    )
