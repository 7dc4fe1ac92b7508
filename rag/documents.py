"""Load the source articles in ``seeds/`` with their title, byline and sections.

Only ``.txt`` and ``.md`` files are articles; anything else in the folder (the
gold question sets, for one) is ignored. The text is kept exactly as stored on
disk (no normalisation), because citations are offsets into it.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from rag.errors import SourceError

ARTICLE_SUFFIXES = (".txt", ".md")
_BYLINE = re.compile(r"^(?:author|by|byline|written by)\s*[:：]\s*(?P<name>.+)$", re.I)
_MD_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Section:
    """A heading and the character span of the text under it."""

    heading: str
    start: int
    end: int


@dataclass(frozen=True)
class SourceDocument:
    """One article: its file name under seeds/, its exact text and what frames it."""

    name: str
    text: str
    title: str
    byline: str
    sections: tuple[Section, ...]
    heading_spans: tuple[tuple[int, int], ...]

    def section_at(self, offset: int) -> str:
        """The heading of the section holding ``offset`` ("" before the first)."""
        heading = ""
        for section in self.sections:
            if section.start <= offset:
                heading = section.heading
        return heading


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    """Each line of ``text`` with its start offset, e.g. "a\\nb" -> [(0,'a'), (2,'b')]."""
    out, offset = [], 0
    for line in text.splitlines(keepends=True):
        out.append((offset, line.rstrip("\r\n")))
        offset += len(line)
    return out


def _looks_like_heading(line: str, is_markdown: bool) -> str | None:
    """The heading text if ``line`` is a section heading, else None."""
    stripped = line.strip()
    if is_markdown:
        match = _MD_HEADING.match(stripped)
        return match.group("title") if match else None
    # Plain text: a short line without closing punctuation stands on its own.
    words = stripped.split()
    if not 1 <= len(words) <= 10 or len(stripped) > 80:
        return None
    if stripped[-1] in ".!?:;,\"'”’)" or ":" in stripped:
        return None
    return stripped


def parse_document(name: str, text: str) -> SourceDocument:
    """Find the title (first line), byline and section headings of an article."""
    is_markdown = name.lower().endswith(".md")
    lines = [(o, line) for o, line in _lines_with_offsets(text) if line.strip()]
    title = lines[0][1].strip().lstrip("#").strip() if lines else ""
    byline = ""
    headings: list[tuple[int, int, str]] = []
    for offset, line in lines[1:]:
        match = _BYLINE.match(line.strip())
        if match and not byline:
            byline = match.group("name").strip()
            continue
        heading = _looks_like_heading(line, is_markdown)
        if heading:
            headings.append((offset, offset + len(line), heading))
    sections = tuple(
        Section(heading, start, headings[i + 1][0] if i + 1 < len(headings) else len(text))
        for i, (start, _end, heading) in enumerate(headings)
    )
    return SourceDocument(
        name=name,
        text=text,
        title=title,
        byline=byline,
        sections=sections,
        heading_spans=tuple((start, end) for start, end, _ in headings),
    )


def article_paths(seeds_dir: Path) -> list[Path]:
    """The article files in ``seeds_dir``, sorted by name."""
    if not seeds_dir.is_dir():
        raise SourceError(f"no seeds folder at {seeds_dir} - create it and put an article in it")
    return sorted(
        p for p in seeds_dir.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
    )


def _check_file(path: Path, seeds_dir: Path, max_bytes: int) -> None:
    """Refuse links out of seeds/ and files too big to be one article."""
    if path.is_symlink() and not path.resolve().is_relative_to(seeds_dir.resolve()):
        raise SourceError(
            f"{path} links to a file outside {seeds_dir} - copy the article in instead"
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise SourceError(
            f"{path} is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB"
            " (RAG_MAX_ARTICLE_MB) - split it or raise the limit"
        )


def load_documents(seeds_dir: Path, max_bytes: int = 5_000_000) -> list[SourceDocument]:
    """Read and parse every article in ``seeds_dir``; fail clearly on a bad one."""
    paths = article_paths(seeds_dir)
    if not paths:
        raise SourceError(
            f"no articles in {seeds_dir} - add a .txt or .md file, then run `rag index`"
        )
    documents = []
    for path in paths:
        _check_file(path, seeds_dir, max_bytes)
        try:
            # newline="" keeps \r\n as stored, so offsets match the file on disk.
            with path.open(encoding="utf-8", newline="") as handle:
                text = handle.read()
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"{path} is not UTF-8 text (byte {exc.start}) - convert it to UTF-8"
            ) from None
        except OSError as exc:
            raise SourceError(f"cannot read {path}: {exc.strerror}") from None
        if "\x00" in text:
            raise SourceError(f"{path} is not a text file (it holds NUL bytes)")
        if not text.strip():
            raise SourceError(f"{path} is empty - remove it or add the article text")
        documents.append(parse_document(path.name, text))
    return documents
