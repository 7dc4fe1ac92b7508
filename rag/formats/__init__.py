"""Turn an article file, in the form a user has it, into the text the product reads.

``.txt`` and ``.md`` are read as they are (Markdown's markup blanked in place, so
offsets stay the file's); HTML, PDF and Word files are extracted by well-kept
libraries into plain text. Every citation is an offset into the text returned
here, which ``rag show`` prints and ``Assistant.source_text`` returns.
"""

import importlib
from dataclasses import dataclass
from pathlib import Path

from rag.errors import SourceError

# Which reader each suffix goes to (the module under rag.formats with ``read``).
READERS = {
    ".txt": "plain",
    ".text": "plain",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "web",
    ".htm": "web",
    ".pdf": "pdf",
    ".docx": "word",
}
ARTICLE_SUFFIXES = tuple(READERS)


@dataclass(frozen=True)
class Extracted:
    """An article's text as read, with what its format says about it.

    ``body_start`` is where the article's text begins (after Markdown front matter);
    title, byline and date are "" when the file does not say; ``headings`` are the
    spans the format marks as headings (None: find them in the text). ``byline_span``
    and ``date_span`` are where the text gives the byline and date outside the body
    (a front matter's ``author:`` and ``date:`` values), so an answer can quote them.
    """

    text: str
    title: str = ""
    byline: str = ""
    date: str = ""
    body_start: int = 0
    headings: tuple[tuple[int, int], ...] | None = None
    byline_span: tuple[int, int] | None = None
    date_span: tuple[int, int] | None = None


# What a file of each kind starts with (a .docx is a zip archive).
_MAGIC = {"pdf": (b"%PDF-",), "word": (b"PK\x03\x04",)}


def _check_content(kind: str, data: bytes, name: str) -> None:
    """Refuse a file whose content is not what its name says (a renamed image, say)."""
    starts = _MAGIC.get(kind)
    if starts and not data.lstrip()[:8].startswith(starts):
        what = {"pdf": "a PDF", "word": "a Word (.docx) file"}[kind]
        raise SourceError(f"{name} is not {what} (its content says otherwise)")
    if kind in ("markdown", "web") and b"\x00" in data[:8192]:
        raise SourceError(f"{name} is not a text file (it holds NUL bytes)")


def read_article(path: Path) -> Extracted:
    """The text of the article at ``path``; SourceError naming the file when it has none."""
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise SourceError(f"{path.name}: not an article format ({', '.join(ARTICLE_SUFFIXES)})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from None
    _check_content(kind, data, path.name)
    # Each reader module has ``read(data, name) -> Extracted``; imported on first use,
    # so a seeds folder of text files never loads trafilatura, pypdf or python-docx.
    extracted = importlib.import_module(f"rag.formats.{kind}").read(data, path.name)
    if not extracted.text[extracted.body_start :].strip():
        raise SourceError(f"{path.name} is empty - remove it or add the article text")
    return extracted
