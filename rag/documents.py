"""Load the source articles in ``seeds/`` with their title, byline and sections.

Text, Markdown, HTML, PDF and Word files are articles (``rag.formats`` reads
them); anything else in the folder (the gold question sets, for one) is ignored.
The text is kept exactly as read (no normalisation), because citations are
offsets into it. A file that cannot be read is skipped with its reason, so one
bad file never keeps the others from being asked.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rag.errors import SourceError, UnknownArticleError
from rag.formats import ARTICLE_SUFFIXES, Extracted, read_article
from rag.layout import byline_name, units
from rag.reader.dateline import DATELINE_LINES, is_dateline

log = logging.getLogger(__name__)
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
    # Headings and the dateline: lines that frame the article, never quoted as its body.
    frame_spans: tuple[tuple[int, int], ...]
    date: str = ""
    body_start: int = 0  # where the body begins (after Markdown front matter)
    byline_span: tuple[int, int] | None = None  # the byline's line, when the text has one

    def section_at(self, offset: int) -> str:
        """The heading of the section holding ``offset`` ("" before the first)."""
        heading = ""
        for section in self.sections:
            if section.start <= offset:
                heading = section.heading
        return heading


def _looks_like_heading(line: str, is_markdown: bool) -> str | None:
    """The heading text if ``line`` is a section heading, else None."""
    stripped = line.strip()
    if is_markdown:
        match = _MD_HEADING.match(stripped)
        return match.group("title") if match else None
    # Plain text: a short line without closing punctuation stands on its own.
    words = stripped.split()
    if not 1 <= len(words) <= 10 or len(stripped) > 80 or "\n" in stripped:
        return None
    if stripped[-1] in ".!?:;,\"'”’)" or ":" in stripped:
        return None
    return stripped


def parse_document(name: str, text: str, extracted: Extracted | None = None) -> SourceDocument:
    """Find the title (first line), byline and section headings of an article.

    ``extracted`` is what the file's format said (front matter, marked headings).
    """
    extracted = extracted or Extracted(text)
    is_markdown = name.lower().endswith((".md", ".markdown"))
    body = extracted.body_start
    lines = [(s, text[s:e]) for s, e in units(text, body) if text[s:e].strip()]
    title = extracted.title or (lines[0][1].strip().lstrip("#").strip() if lines else "")
    byline = extracted.byline
    headings: list[tuple[int, int, str]] = []
    if extracted.headings is not None:
        headings = [(s, e, text[s:e]) for s, e in extracted.headings]
    # A date alone on a line of the opening is the dateline: not a section, not a sentence
    # to answer "when ...?" with (``rag.reader.dateline`` answers when it was published).
    datelines = [
        (offset, offset + len(line))
        for offset, line in lines[1:DATELINE_LINES]
        if is_dateline(line.strip().strip("()[]"))
    ]
    byline_span = None
    for offset, line in lines[1:] if extracted.headings is None else []:
        credited = byline_name(line) if byline_span is None else None
        if credited:
            byline, byline_span = byline or credited, (offset, offset + len(line))
            continue
        heading = _looks_like_heading(line, is_markdown)
        if heading and (offset, offset + len(line)) not in datelines:
            headings.append((offset, offset + len(line), heading))
    # Front matter's author and date, when the body has no line giving them: quotable too.
    byline_span = byline_span or extracted.byline_span
    dated = extracted.date_span
    if dated and not datelines and is_dateline(text[dated[0] : dated[1]]):
        datelines.append(dated)
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
        frame_spans=tuple(sorted({*((start, end) for start, end, _ in headings), *datelines})),
        date=extracted.date or next((text[s:e].strip() for s, e in datelines), ""),
        body_start=body,
        byline_span=byline_span,
    )


def article_paths(seeds_dir: Path) -> list[Path]:
    """The article files in ``seeds_dir``, sorted by name (hidden files are not articles:
    ``rag add`` stages a copy under a hidden name)."""
    if not seeds_dir.is_dir():
        raise SourceError(f"no seeds folder at {seeds_dir} - create it and put an article in it")
    return sorted(
        p
        for p in seeds_dir.iterdir()
        if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".")
    )


def no_article_named(name: str, seeds_dir: Path) -> UnknownArticleError:
    """The error for asking after an article that is not in ``seeds_dir``: it names
    those that are."""
    try:
        there = ", ".join(p.name for p in article_paths(seeds_dir)) or "none"
    except SourceError:
        there = "none"
    return UnknownArticleError(f"no article named {name!r} in {seeds_dir} (there are: {there})")


def seeds_signature(seeds_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """The articles' names, sizes and modification times: cheap to take before every
    question, and different whenever an article is added, changed or removed."""
    try:
        paths = article_paths(seeds_dir)
    except SourceError:
        return ()
    out = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue  # removed between listing and looking
        out.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(out)


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


def load_document(path: Path, seeds_dir: Path, max_bytes: int = 5_000_000) -> SourceDocument:
    """Read and parse one article; SourceError saying what is wrong with it."""
    _check_file(path, seeds_dir, max_bytes)
    extracted = read_article(path)
    return parse_document(path.name, extracted.text, extracted)


def load_documents(
    seeds_dir: Path,
    max_bytes: int = 5_000_000,
    skipped: Callable[[str], None] | None = None,
) -> list[SourceDocument]:
    """Read and parse every article in ``seeds_dir``. A file that cannot be read is
    passed over (its reason to ``skipped``, else the log); none readable is an error."""
    paths = article_paths(seeds_dir)
    if not paths:
        raise SourceError(
            f"no articles in {seeds_dir} - add one (.txt, .md, .html, .pdf or .docx),"
            " then run `rag index`"
        )
    documents, problems = [], []
    for path in paths:
        try:
            documents.append(load_document(path, seeds_dir, max_bytes))
        except SourceError as exc:
            problems.append(str(exc))
            (skipped or log.warning)(str(exc))
    if not documents:
        raise SourceError("no readable article: " + "; ".join(problems))
    return documents
