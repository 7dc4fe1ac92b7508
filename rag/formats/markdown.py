"""Markdown as written: front matter read for its title, author and date, markup
blanked so that it is never quoted as words.

Blanking replaces each markup character with a space (a line break stays a line
break), so the text the product reads has the file's length and every offset
into it is an offset into the file: ``[pkg.go.dev](https://pkg.go.dev)`` reads as
``pkg.go.dev`` followed by spaces, which displays collapse. Headings keep their
``#`` marks: they are found by them and are never quoted.
"""

import re
import tomllib

from rag.formats import Extracted
from rag.formats.plain import decode

_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|\Z)", re.S)
# (pattern, group kept as words or None): applied in order, each on the text so far.
_MARKUP: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"^```.*?^```[^\n]*$|^~~~.*?^~~~[^\n]*$", re.S | re.M), "all"),  # code: as is
    (re.compile(r"<!--.*?-->", re.S), None),
    (re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)|!\[[^\]\n]*\]\[[^\]\n]*\]"), None),  # images
    (re.compile(r"^[ \t]*\[[^\]\n]+\]:[ \t]*\S+.*$", re.M), None),  # link definitions
    (re.compile(r"\[(?P<words>[^\]\n]+)\](?:\([^)\n]*\)|\[[^\]\n]*\])"), "words"),  # links
    (re.compile(r"<(?P<words>(?:https?|mailto):[^>\s]+)>"), "words"),  # autolinks
    (re.compile(r"</?[A-Za-z][^>\n]*>"), None),  # inline HTML tags
    (re.compile(r"(?P<mark>\*\*|__|~~)(?P<words>\S(?:.*?\S)?)(?P=mark)"), "words"),
    (re.compile(r"(?<![\w*])\*(?P<words>[^\s*](?:[^*\n]*?[^\s*])?)\*(?![\w*])"), "words"),
    (re.compile(r"(?<![\w_])_(?P<words>[^\s_](?:[^_\n]*?[^\s_])?)_(?![\w_])"), "words"),
    (re.compile(r"`(?P<words>[^`\n]+)`"), "words"),
    (re.compile(r"^(?P<mark>[ \t]*(?:>[ \t]?)+)", re.M), None),  # quote marks
    (re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+(?=\S)", re.M), None),  # list markers
    (re.compile(r"\\(?P<words>[\\`*_{}\[\]()#+\-.!])"), "words"),  # escapes
)


def _blank(piece: str) -> str:
    return re.sub(r"[^\r\n]", " ", piece)


def blank_markup(text: str) -> str:
    """``text`` with Markdown's markup replaced by spaces, same length.

    >>> blank_markup("See [the docs](https://x.org) and **bold** words.")
    'See  the docs                 and   bold   words.'
    >>> blank_markup("- item one")
    '  item one'
    """
    chars = list(text)
    protected = [False] * len(text)
    for pattern, keep in _MARKUP:
        current = "".join(chars)
        for match in pattern.finditer(current):
            if any(protected[match.start() : match.end()]):
                continue
            if keep == "all":
                protected[match.start() : match.end()] = [True] * (match.end() - match.start())
                continue
            kept = match.span("words") if keep else (match.start(), match.start())
            for i in range(match.start(), match.end()):
                if not kept[0] <= i < kept[1]:
                    chars[i] = _blank(chars[i])
    return "".join(chars)


def front_matter(text: str) -> tuple[dict, int]:
    """The front matter's fields (YAML between ``---`` or TOML between ``+++``) and where
    the body begins; ({}, 0) without front matter, ({}, end) when it does not parse."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    try:
        if match.group(1) == "+++":
            fields = tomllib.loads(match.group(2))
        else:
            import yaml

            fields = yaml.safe_load(match.group(2))
    except Exception:  # noqa: BLE001 - any parser's error: the block is still not body
        fields = {}
    return (fields if isinstance(fields, dict) else {}), match.end()


def _field(fields: dict, *names: str) -> str:
    for name in names:
        value = fields.get(name)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def field_span(text: str, body_start: int, *names: str) -> tuple[int, int] | None:
    """Where the front matter writes the first of ``names`` as a one-line value, without
    its quotes; None when it is not there (or is a list or a block).

    >>> text = chr(10).join(["---", "title: T", 'author: "Ann Lee"', "---", "Body."])
    >>> span = field_span(text, 30, "author")
    >>> text[span[0] : span[1]]
    'Ann Lee'
    """
    for name in names:
        # ``name: value`` (YAML) or ``name = "value"`` (TOML); not a list or a block.
        value = r"(?P<q>[\"']?)(?P<value>[^\s\"'\[|>-][^\r\n]*?)(?P=q)"
        line = re.compile(rf"^[ \t]*{name}[ \t]*[:=][ \t]*{value}[ \t]*$", re.M | re.I)
        match = line.search(text, 0, body_start)
        if match:
            return match.span("value")
    return None


def read_markdown(text: str) -> Extracted:
    """A Markdown article: markup blanked, front matter read and kept out of the body."""
    fields, body_start = front_matter(text)
    bylines, dates = ("author", "authors", "by"), ("date", "published", "pubDate")
    return Extracted(
        text[:body_start] + blank_markup(text[body_start:]),
        title=_field(fields, "title"),
        byline=_field(fields, *bylines),
        date=_field(fields, *dates),
        body_start=body_start,
        byline_span=field_span(text, body_start, *bylines) if fields else None,
        date_span=field_span(text, body_start, *dates) if fields else None,
    )


def read(data: bytes, name: str) -> Extracted:
    """A Markdown file: decoded like any text, then read as Markdown."""
    return read_markdown(decode(data, name))
